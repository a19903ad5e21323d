"""Entry point for request understanding (a keyword fallback until the trained model lands)."""

from __future__ import annotations

import re

import numpy as np

from lbie_desktop.core.plan import Step

_RULES = [
    (r"\b(brighten|brighter|lighten|too dark)\b", "brightness", {"amount": 0.25}),
    (r"\b(darken|darker|too bright)\b", "brightness", {"amount": -0.25}),
]


def understand(request: str, image: np.ndarray | None = None) -> list[Step]:
    text = (request or "").lower()
    steps = []
    for pattern, op, params in _RULES:
        m = re.search(pattern, text)
        if m:
            steps.append(Step(op, dict(params), confidence=0.9, evidence=[m.group(0)]))
    return steps
