"""CoSaL vocabulary: 3-token sentences, `<shape> is <colour>` or `<colour> <relation> <shape>`.

Sentences are stored as token ids (one sentence = 3 ids, id 0 = padding). People may also type
the long form ("the shape left of diamond is blue"), which `parse_description` maps to tokens.
"""

from __future__ import annotations

import re

import numpy as np

from lbie_desktop.errors import UserError

# Shape names of the authors' generator, in their order; one token each.
SHAPES: tuple[str, ...] = (
    "rectangle",
    "half fat ellipse",
    "fat ellipse",
    "triangle",
    "reverse triangle",
    "thin ellipse",
    "half thin ellipse",
    "diamond",
    "circle",
)
# The paper uses C = 3 colours.
COLOURS: tuple[str, ...] = ("red", "green", "blue")
COLOUR_RGB: tuple[tuple[int, int, int], ...] = ((220, 40, 40), (40, 170, 60), (40, 80, 220))
RELATIONS: tuple[str, ...] = ("above", "below", "left", "right")
# (row, col) offset from the referenced shape to the described one ("red below X": one row down).
RELATION_OFFSET: dict[str, tuple[int, int]] = {
    "above": (-1, 0),
    "below": (1, 0),
    "left": (0, -1),
    "right": (0, 1),
}

PAD = "<pad>"
VOCAB: tuple[str, ...] = (PAD, *SHAPES, *COLOURS, "is", *RELATIONS)
WORD2ID: dict[str, int] = {w: i for i, w in enumerate(VOCAB)}
MAX_SENTENCES = 9


def encode(sentence: tuple[str, str, str]) -> list[int]:
    return [WORD2ID[w] for w in sentence]


def decode(ids: np.ndarray) -> str:
    """One sentence of ids as readable English ("the shape left of diamond is blue")."""
    words = [VOCAB[int(i)] for i in ids]
    if words[0] == PAD:
        return ""
    if words[1] == "is":
        return f"{words[0]} is {words[2]}"
    rel = words[1] if words[1] in ("above", "below") else f"{words[1]} of"
    return f"the shape {rel} {words[2]} is {words[0]}"


def decode_short(ids: np.ndarray) -> str:
    """The authors' 3-word form ("diamond is red", "blue left diamond")."""
    return " ".join(VOCAB[int(i)] for i in ids if int(i) != 0)


_SHAPE_RX = "|".join(re.escape(s) for s in sorted(SHAPES, key=len, reverse=True))
_COLOUR_RX = "|".join(COLOURS)
_REL_RX = "|".join(RELATIONS)
_DIRECT = re.compile(rf"^(?:the\s+)?({_SHAPE_RX})\s+is\s+({_COLOUR_RX})$")
_LONG_REL = re.compile(
    rf"^(?:the\s+)?shape\s+({_REL_RX})(?:\s+(?:of|to))?\s+(?:the\s+)?({_SHAPE_RX})\s+is\s+({_COLOUR_RX})$"
)
_SHORT_REL = re.compile(rf"^({_COLOUR_RX})\s+({_REL_RX})\s+({_SHAPE_RX})$")


def parse_sentence(text: str) -> tuple[str, str, str]:
    s = " ".join(re.sub(r"[^a-z ]", " ", text.lower()).split())
    if m := _DIRECT.match(s):
        return (m.group(1), "is", m.group(2))
    if m := _LONG_REL.match(s):
        return (m.group(3), m.group(1), m.group(2))
    if m := _SHORT_REL.match(s):
        return (m.group(1), m.group(2), m.group(3))
    raise UserError(
        f"cannot read {text.strip()!r}: write '<shape> is <colour>' or "
        f"'the shape <above|below|left of|right of> <shape> is <colour>' "
        f"(shapes: {', '.join(SHAPES)}; colours: {', '.join(COLOURS)})"
    )


def parse_description(text: str) -> np.ndarray:
    """Sentences split on '.', ';' or new lines -> (9, 3) token ids, padded with 0."""
    parts = [p for p in re.split(r"[.;\n]+", text) if p.strip()]
    if not parts:
        raise UserError("the description is empty: describe the shapes' colours")
    if len(parts) > MAX_SENTENCES:
        raise UserError(f"at most {MAX_SENTENCES} sentences, got {len(parts)}")
    out = np.zeros((MAX_SENTENCES, 3), np.int64)
    for i, p in enumerate(parts):
        out[i] = encode(parse_sentence(p))
    return out
