"""Multi-turn editing: follow-ups that refer to earlier turns ("a bit more", "undo that")."""

from lbie_desktop.dialogue.intents import Intent, classify
from lbie_desktop.dialogue.tracker import Outcome, apply_outcome, interpret

__all__ = ["Intent", "Outcome", "apply_outcome", "classify", "interpret"]
