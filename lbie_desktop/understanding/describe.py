"""Descriptive requests ("a bright, warm photo with a blue sky"): the wanted look, not an order.

Each adjective names a target value of something the image can be measured for; a step is
proposed only where the image is not there yet (with an image), or a moderate one (without).
"Colour + noun" phrases ("a blue sky", "a red car") become local colour steps on that noun.
Named looks ("a vintage photo with warm tones") give their steps (looks.py); an adjective
named beside the look ("warm tones") sets its own op instead of the look's.
"""

from __future__ import annotations

import re

from lbie_desktop.core.plan import Step
from lbie_desktop.understanding.api import ORDER
from lbie_desktop.understanding.looks import named_looks, steps_for
from lbie_desktop.understanding.measure import ImageStats
from lbie_desktop.understanding.params import _COLOURS

_START = re.compile(
    r"^(?:(?:i want|i'd like|i would like|give me|it should (?:be|look like)|"
    r"make it (?:look )?like|turn it into)\s+)?an?\s+(?:[\w-]+,?\s+(?:and\s+)?){0,5}"
    r"(?:photo|photograph|picture|image|shot|scene|portrait|landscape|day|look|version|"
    r"evening|morning|sunset)\b", re.I)
# Requests that merely start like a description ("A picture of my dog. Could someone remove
# the can?") are orders: they go to the classifier.
_ORDER = re.compile(r"\?|\b(?:please|could|can|would|should|needs?|remove|fix|change|"
                    r"photoshop|edit|get rid|take out|help|my|me)\b", re.I)

# word -> (op, measured attribute, wanted value, sign without an image)
_ATTRS: list[tuple[str, str, str, float, int]] = [
    (r"bright|sunny|light|airy|well[- ]lit", "brightness", "luma_median", 0.58, 1),
    (r"dark|moody|dim|gloomy|night", "brightness", "luma_median", 0.3, -1),
    (r"warm|golden|sunset", "temperature", "cast_b", 8.0, 1),
    (r"cool|cold|icy|wintry", "temperature", "cast_b", -6.0, -1),
    (r"vivid|colou?rful|vibrant|saturated|rich", "saturation", "saturation_mean", 0.5, 1),
    (r"muted|faded|pastel|desaturated|washed[- ]out", "saturation", "saturation_mean", 0.18, -1),
    (r"contrasty|punchy|high[- ]contrast|dramatic|bold", "contrast", "luma_std", 0.28, 1),
    (r"soft|low[- ]contrast|flat|dreamy|gentle", "contrast", "luma_std", 0.16, -1),
    (r"sharp|crisp|detailed|clear", "sharpness", "sharpness", 0.03, 1),
]
_BW = re.compile(r"\b(?:black\s*(?:and|&)\s*white|monochrome|gr[ae]yscale)\b", re.I)
_COLOUR_NOUN = re.compile(r"\b(" + "|".join(_COLOURS) + r")\s+([a-z]+)\b", re.I)
_NOT_NOUNS = {"photo", "picture", "image", "shot", "tone", "tones", "cast", "tint", "look",
              "and", "or", "with", "colour", "color", "light"}


def is_descriptive(text: str) -> bool:
    t = text.strip()
    return len(t.split()) <= 16 and bool(_START.match(t)) and not _ORDER.search(t)


def _amount(op: str, have: float, want: float) -> float:
    if op == "brightness":
        return max(-0.5, min(1.0, want / max(have, 0.03) - 1))
    if op == "temperature":
        return max(-0.6, min(0.6, (want - have) / 25.0))
    if op == "saturation":
        return max(-0.8, min(0.8, want / max(have, 0.05) - 1))
    if op == "contrast":
        return max(-0.8, min(0.8, (want - have) / 0.12))
    return max(0.0, min(1.5, (want - have) / 0.01))  # sharpness


def _param_name(op: str) -> str:
    return "temperature" if op == "temperature" else "amount"


def describe_steps(text: str, stats: ImageStats | None) -> list[Step]:
    steps: list[Step] = []
    done: set[str] = set()
    looks = named_looks(text, described=True)
    # the look's own word is the look, not an adjective too ("moody" is not just "dark")
    plain = text
    for n in looks:
        plain = plain[:n.start] + " " * (n.end - n.start) + plain[n.end:]
    colour_spans = [m.span() for m in _COLOUR_NOUN.finditer(text)
                    if m.group(2).lower() not in _NOT_NOUNS]
    for words, op, attr, want, sign in _ATTRS:
        m = re.search(rf"\b(?:{words})\b", plain, re.I)
        if not m or op in done or any(a <= m.start() < b for a, b in colour_spans):
            continue
        done.add(op)
        ev = [f'described: "{m.group(0)}"']
        if stats is not None:
            have = float(getattr(stats, attr))
            amount = _amount(op, have, want)
            if amount * sign < 0.1:
                continue  # the photo already looks like that
            ev.append(f"image: {attr.replace('_', ' ')} {have:.3g}, wanted ~{want:g}")
        else:
            amount = sign * {"brightness": 0.25, "temperature": 0.3, "saturation": 0.35,
                             "contrast": 0.35, "sharpness": 0.8}[op]
        steps.append(Step(op, {_param_name(op): amount}, confidence=0.7, evidence=ev))
    look = [s for s in steps_for(looks, stats) if s.op not in done]
    if look:
        steps = sorted([*look, *steps], key=lambda s: ORDER.index(s.op))  # render order
    if _BW.search(text) and "black_white" not in {s.op for s in steps}:
        steps.append(Step("black_white", {"amount": 1.0}, confidence=0.8,
                          evidence=[f'described: "{_BW.search(text).group(0)}"']))
    for m in _COLOUR_NOUN.finditer(text):
        colour, noun = m.group(1).lower(), m.group(2).lower()
        if noun in _NOT_NOUNS:
            continue
        ev = [f'described: "{m.group(0)}"', f'target "the {noun}" at chars {m.start(2)}-'
              f'{m.end(2)}']
        steps.append(Step("recolor", {"color": list(_COLOURS[colour]), "strength": 0.5},
                          confidence=0.6, local=True, target=f"the {noun}", evidence=ev))
    return steps
