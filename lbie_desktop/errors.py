"""Errors a person can act on. The CLI prints them without a traceback; the GUI shows them."""


class UserError(Exception):
    """A mistake or bad input the user can fix (bad file, unknown op, missing model pack)."""


class MissingModelError(UserError):
    """A capability needs a model pack that is not installed (message names the fetch command)."""
