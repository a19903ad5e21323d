"""Portrait retouching words that name an edit *and* its region: "remove the red eye",
"whiten her teeth", "smooth her skin". The classifier never saw these (GIER has no red-eye or
teeth label), and the region is a face part the words imply ("the red eye" is fixed on the
eyes, not on a region called "the red eye"), so they are read here: op(s), the words, and the
region phrase grounding receives (`grounding` finds eyes, teeth, lips and skin with the faces
pack's face mesh)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lbie_desktop.understanding.targets import Target

_POSS = r"(?:(?:her|his|their|my|your|the|its|our)\s+|[\w-]+'s\s+|the\s+[\w-]+'s\s+)"

RED_EYE = re.compile(r"\bred[- ]?eye(?:s|d)?\b(?:\s+effect)?|\bred pupils?\b|\bflash eyes\b"
                     r"|\b(?:eyes|pupils) (?:are|look|turned|came out) (?:all |so |very )?red\b",
                     re.I)
_RED_EYE_OWNER = re.compile(rf"({_POSS})?red[- ]?eye", re.I)
_TEETH = re.compile(rf"\b(?:whiten(?:ing)?|brighten(?:ing)?|clean(?:ing)?\s+up)\s+({_POSS}?teeth)\b"
                    rf"|\b({_POSS}?teeth)\s+(?:whiter|brighter)\b"
                    rf"|\b(?:whiter|brighter)\s+(teeth)\b"
                    rf"|\b(?:fix|remove the yellow (?:from|on)|less yellow)\s+({_POSS}?teeth)\b"
                    rf"|\b({_POSS}?yellow teeth)\b", re.I)
_SKIN = re.compile(rf"\b(?:smooth(?:en)?(?:ing)?|soften(?:ing)?|retouch(?:ing)?|clear(?:\s+up)?|"
                   rf"even(?:\s+out)?)\s+(?:out\s+)?({_POSS}?(?:skin|complexion|face))\b"
                   rf"|\b({_POSS}?(?:skin|complexion))\s+(?:smoother|softer|clearer)\b"
                   rf"|\b(?:smoother|softer|clearer)\s+(skin|complexion)\b"
                   rf"|\bskin\s+(?:smoothing|softening|retouch(?:ing)?)\b"
                   rf"|\b(?:remove|reduce|hide|fix|get rid of)\s+({_POSS}?(?:wrinkles|blemish(?:es)?|"
                   rf"acne|pimples?|spots on (?:her|his|the|their) (?:face|skin)))\b", re.I)


@dataclass(frozen=True)
class PortraitEdit:
    op: str
    words: str
    target: Target


def portrait_edits(text: str) -> list[PortraitEdit]:
    """The retouching edits the words name, each with the face part it applies to."""
    out: list[PortraitEdit] = []
    m = RED_EYE.search(text)
    if m:
        owner = _RED_EYE_OWNER.search(text)
        poss = (owner.group(1) or "").strip() if owner else ""
        poss = "the" if poss.lower() in ("", "the") else poss
        out.append(PortraitEdit("red_eye", m.group(0), Target(f"{poss} eyes", m.start(),
                                                               m.end())))
    m = _TEETH.search(text)
    if m:
        g = next(i for i in range(1, (m.lastindex or 0) + 1) if m.group(i))
        phrase, a, b = _region(m, g, "teeth")
        t = Target(phrase, a, b)
        out += [PortraitEdit("recolor", m.group(0), t), PortraitEdit("brightness", m.group(0), t)]
    m = _SKIN.search(text)
    if m:
        g = next((i for i in range(1, (m.lastindex or 0) + 1) if m.group(i)), 0)
        phrase, a, b = _region(m, g, "skin") if g else ("the skin", m.start(), m.end())
        out.append(PortraitEdit("denoise", m.group(0), Target(phrase, a, b)))
    return out


def _region(m: re.Match, g: int, part: str) -> tuple[str, int, int]:
    """The face part as grounding should read it: "her yellow teeth" -> "her teeth",
    "wrinkles" / "her face" (for smoothing) -> the skin."""
    owner = " ".join(w for w in m.group(g).split()[:-1] if w.lower() != "yellow") or "the"
    return f"{owner} {part}", m.start(g), m.end(g)


def portrait_params(op: str, text: str, k: float) -> tuple[dict, str] | None:
    """Parameters of a retouching step (`k`: the intensity words' factor), with the reason;
    None when `text` names no retouching for `op`."""
    for e in portrait_edits(text):
        if e.op != op:
            continue
        if op == "red_eye":
            return {"strength": min(1.0, max(0.3, 1.0 * k))}, "red eye: the pupils' red taken out"
        if op == "recolor":  # whitening: the teeth lose their yellow, keep their shading
            return ({"color": [1.0, 1.0, 1.0], "strength": min(1.0, 0.6 * k)},
                    "teeth: towards white")
        if op == "brightness":
            return {"amount": min(0.4, 0.12 * k)}, "teeth: a little brighter"
        if op == "denoise":
            return {"strength": min(1.0, 0.7 * k)}, "skin: smoothed, edges kept"
    return None
