"""Colour names people use in requests, with the sRGB colour a recolour step takes for each.

One table for every place that reads colour words: a recolour's colour (params.py), the words
that name a recolour (lexicon.py) and where a region phrase ends ("the car red": targets.py).
"""

from __future__ import annotations

import re

COLOURS: dict[str, tuple[float, float, float]] = {
    "red": (0.85, 0.12, 0.12), "green": (0.15, 0.65, 0.2), "blue": (0.15, 0.35, 0.85),
    "yellow": (0.95, 0.85, 0.15), "orange": (0.95, 0.55, 0.1), "purple": (0.55, 0.2, 0.7),
    "pink": (0.95, 0.5, 0.7), "white": (1.0, 1.0, 1.0), "black": (0.05, 0.05, 0.05),
    "brown": (0.45, 0.28, 0.12), "grey": (0.5, 0.5, 0.5), "gray": (0.5, 0.5, 0.5),
    "gold": (0.85, 0.68, 0.2), "golden": (0.85, 0.68, 0.2), "silver": (0.75, 0.75, 0.78),
    "teal": (0.0, 0.5, 0.5), "cyan": (0.1, 0.8, 0.85), "magenta": (0.85, 0.1, 0.7),
    "turquoise": (0.1, 0.75, 0.7), "aqua": (0.2, 0.8, 0.85), "violet": (0.55, 0.25, 0.8),
    "lavender": (0.7, 0.6, 0.9), "navy": (0.1, 0.15, 0.45), "indigo": (0.3, 0.2, 0.6),
    "beige": (0.85, 0.78, 0.62), "maroon": (0.5, 0.1, 0.12), "crimson": (0.8, 0.1, 0.2),
    "scarlet": (0.9, 0.15, 0.1), "coral": (0.95, 0.5, 0.45), "amber": (0.95, 0.7, 0.1),
    "lime": (0.6, 0.85, 0.2), "olive": (0.5, 0.5, 0.15),
    # seasons people name as colours: "make the trees look autumn"
    "autumn": (0.85, 0.42, 0.1), "autumnal": (0.85, 0.42, 0.1),
    "blonde": (0.92, 0.8, 0.5), "blond": (0.92, 0.8, 0.5),
}
COMPARATIVES = {"bluer": "blue", "redder": "red", "greener": "green", "yellower": "yellow",
                "pinker": "pink", "oranger": "orange"}
# longest first, so "golden" is read whole rather than as "gold"
NAMES = "|".join(sorted(COLOURS, key=len, reverse=True))
COLOUR_RE = re.compile(rf"\b({NAMES})\b", re.I)
