"""Entry point for grounding (placeholder until the grounding sources land)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Grounding:
    mask: np.ndarray | None  # float32 [H,W] in [0,1] at the image's resolution, or None
    explanation: str  # shown to the user: which source, which instances, or why none
    source: str = ""  # e.g. "people", "salient", "sky", "colour", "none"
    ok: bool = False
    instances: list[dict] = field(default_factory=list)


def ground(image_rgb: np.ndarray, phrase: str, context: str = "", op: str | None = None) -> Grounding:
    return Grounding(None, f"I can't find “{phrase}” yet; paint the region with the brush.",
                     "none", False)
