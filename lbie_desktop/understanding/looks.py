"""Named looks ("make it look vintage", "a moody, cinematic feel"): a set of steps per look.

Stub: filled in by the looks work. `look_steps` returns [] when the words name no look.
"""

from __future__ import annotations

from lbie_desktop.core.plan import Step
from lbie_desktop.understanding.measure import ImageStats


def look_steps(text: str, stats: ImageStats | None) -> list[Step]:
    """The steps of the look the words name (global, enabled), or [] when none is named."""
    return []
