"""Crops framed on a subject ("zoom in on the dog", "crop to her face").

Stub: filled in by the framing work. `subject_crop_step` returns None when the words ask for
no crop around a subject.
"""

from __future__ import annotations

from lbie_desktop.core.plan import Step
from lbie_desktop.understanding.measure import ImageStats


def subject_crop_step(text: str, stats: ImageStats | None) -> Step | None:
    """A crop step framed on the subject the words name, or None."""
    return None
