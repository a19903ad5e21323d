"""A step's target phrase -> its mask, through a grounding function.

Understanding writes three forms: "the sky" (the region), "not: the sky" (everything except
it: "brighten everything except the sky") and "the face, not: the eyes" (a region less a part
of it: "brighten the face except the eyes"). The editor, `lbie edit` and recipes all ground
targets here, so each form means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

EXCLUDE = "not: "
_LESS = ", " + EXCLUDE  # "the face, not: the eyes"

GroundFn = Callable[..., Any]  # grounding.ground(image_rgb, phrase, context=, op=) -> Grounding


@dataclass
class TargetMask:
    mask: np.ndarray | None  # None: the region was not found (note says why)
    note: str
    avoid: np.ndarray | None = None  # what a fill must not copy from (grounding's own)


def parse_target(target: str) -> tuple[str | None, str | None]:
    """(region, excluded): "the sky" -> ("the sky", None); "not: the sky" -> (None, "the
    sky"); "the face, not: the eyes" -> ("the face", "the eyes")."""
    if target.startswith(EXCLUDE):
        return None, target[len(EXCLUDE):]
    if _LESS in target:
        region, less = target.split(_LESS, 1)
        return region, less
    return target, None


def region_less(region: str, excluded: str) -> str:
    return f"{region}{_LESS}{excluded}"


def target_mask(image_rgb: np.ndarray, target: str, ground: GroundFn, *, request: str = "",
                op: str | None = None) -> TargetMask:
    region, less = parse_target(target)
    if region is not None:
        g = ground(image_rgb, region, context=request, op=op)
        if not g.ok or g.mask is None:
            return TargetMask(None, str(g.explanation))
        # a grounding result may be memoised per image: derive, never mutate it
        mask, note, avoid = g.mask, str(g.explanation), g.avoid
        if less is None:
            return TargetMask(mask, note, avoid)
    else:
        mask, note, avoid = None, "", None
    assert less is not None
    g = ground(image_rgb, less, context=request, op=op)
    found = g.ok and g.mask is not None
    if mask is None:  # everything except the named region
        if not found:
            return TargetMask(None, str(g.explanation))
        return TargetMask(1.0 - np.clip(g.mask, 0, 1),
                          f"everything except {less} ({g.explanation})")
    if not found:  # the region stands; say the part left out could not be found
        return TargetMask(mask, f"{note}; {less} not found, so not left out", avoid)
    return TargetMask(np.clip(mask, 0, 1) * (1.0 - np.clip(g.mask, 0, 1)),
                      f"{region} ({note}) except {less} ({g.explanation})", avoid)
