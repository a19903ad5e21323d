"""Phrase -> what to look for: kind, class, colour, place, which instance(s).

Exact vocabulary hits come first, read from the phrase's head ("the truck driver" is a person,
"the man with the umbrella" a man). A head the vocabulary doesn't know goes to the sentence
encoder (semantic.py), which either names a source with enough similarity or leaves the phrase
unknown: the person paints rather than getting a guessed mask."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lbie_desktop.grounding import vocab as V


@dataclass
class Query:
    kind: str  # people | faces | object | sky | background | subject | colour | place | tone | unknown
    phrase: str
    label: str = ""  # COCO class (or an OBJECT_GROUPS name) for objects
    colour: str = ""
    places: list[str] = field(default_factory=list)
    background: bool = False  # "... in the background": the smaller/farther ones, not the main one
    plural: bool = False
    tone: str = ""
    words: list[str] = field(default_factory=list)
    ordinal: int = 0  # 1-based ("the second person"), -1 for "the last", 0 when not said
    count: int = 0  # "the two people on the left"
    size: str = ""  # "big" | "small": the biggest/smallest one(s)
    near: bool = False  # "in the foreground", "the closest"
    head: str = ""  # the words the encoder read, when it was asked
    via: str = "vocabulary"  # how the route was decided: vocabulary | encoder
    similarity: float = 0.0  # the encoder's cosine similarity when via == "encoder"
    near_name: str = ""  # the closest name the encoder knew (also when it was rejected)
    part: str = ""  # a face part (kind "faces"): eyes | lips | mouth | teeth | eyebrows | skin
    part_side: str = ""  # "the left eye": left | right, the viewer's

    @property
    def labels(self) -> tuple[str, ...]:
        return V.OBJECT_GROUPS.get(self.label, (self.label,))


_MODIFIERS = (set(V.COLOURS) | set(V.SPATIAL) | set(V.ORDINALS) | set(V.COUNTS) | V.BIG_WORDS
              | V.SMALL_WORDS | V.NEAR_WORDS | V.FAR_WORDS | V.STOP | V.MODIFIER_WORDS)
# Words that name a region themselves (no head noun to look up).
_REGION_WORDS = (V.BACKGROUND_WORDS | V.SKY_WORDS | V.SHADOW_WORDS | V.HIGHLIGHT_WORDS
                 | V.MIDTONE_WORDS | V.SUBJECT_WORDS | V.FACE_WORDS | set(V.FACE_PART_WORDS)
                 | {"pixels", "colour", "color", "parts", "tones", "bits"})


def core_words(words: list[str]) -> list[str]:
    """The noun phrase before its first preposition: "the man" of "the man on the left"."""
    for i, w in enumerate(words):
        if w in V.PREPOSITIONS and any(x not in _MODIFIERS for x in words[:i]):
            return words[:i]
    return words


def _label_in(words: list[str], q: Query) -> str:
    """A COCO class or person named by `words`, read right to left (the head noun last)."""
    for a, b in reversed(list(zip(words, words[1:]))):
        # "the hot dogs" are hot dogs, not dogs: two-word names first, plurals included
        for big in (f"{a} {b}", f"{a} {V.singular(b)}"):
            if big in V.COCO80 or big in V.OBJECT_SYNONYMS:
                q.plural = q.plural or big.split()[-1] != b
                return V.OBJECT_SYNONYMS.get(big, big)
    for w in reversed(words):
        s = V.singular(w)
        if w in V.PEOPLE_WORDS or s in V.PEOPLE_WORDS:
            q.plural = q.plural or w != s or w in ("people", "men", "women", "children",
                                                   "crowd", "kids", "everyone", "everybody")
            return "person"
        if w in V.COCO80:  # names that end in s: "skis", "scissors"
            return w
        if s in V.COCO80 or s in V.OBJECT_SYNONYMS:
            q.plural = q.plural or w != s
            return V.OBJECT_SYNONYMS.get(s, s)
        group = next((g for g, names in V.OBJECT_GROUP_NAMES.items() if w in names), "")
        if group:
            q.plural = q.plural or w != s
            return group
    return ""


def parse(phrase: str, op: str | None = None, semantic: bool = True) -> Query:
    text = (phrase or "").lower().strip().replace("back ground", "background")
    words = re.findall(r"\d+(?:st|nd|rd|th)\b|[a-z]+", text)
    q = Query("unknown", phrase, words=words)
    q.colour = next((w for w in words if w in V.COLOURS), "")
    q.places = [V.SPATIAL[w] for w in words if w in V.SPATIAL]
    q.background = any(w in V.BACKGROUND_WORDS or w in V.FAR_WORDS for w in words) or any(
        w in ("other", "others", "extra") for w in words)
    q.near = any(w in V.NEAR_WORDS for w in words) and not q.background
    q.ordinal = next((V.ORDINALS[w] for w in words if w in V.ORDINALS), 0)
    q.count = next((V.COUNTS[w] for w in words if w in V.COUNTS), 0)
    q.size = ("big" if any(w in V.BIG_WORDS for w in words) else
              "small" if any(w in V.SMALL_WORDS for w in words) else "")
    core = core_words(words)
    # The head's own words no vocabulary list knows: "house" in "the house in the background".
    head = [w for w in core if (w not in _MODIFIERS or w in V.PRONOUNS) and w not in _REGION_WORDS]
    label = _label_in(core, q)
    if not label and not head:  # "white background behind the man": the man is kept
        label = _label_in(words, q)
    if not label and len(head) == 1 and head[0] in V.PRONOUNS:
        label = "person"  # "remove her"
        q.plural = head[0] == "us"
    q.plural = q.plural or q.count > 1 or any(w in ("all", "everyone", "everybody")
                                              for w in words)
    content = [w for w in words if w not in V.STOP]
    if (label and content and content[0] in V.BACKGROUND_WORDS and len(content) > 1
            and V.singular(content[1]) not in V.PEOPLE_WORDS | set(V.COCO80)
            | set(V.OBJECT_SYNONYMS)):
        label = ""  # "the background behind the woman" is about the background
    if label == "person" and any(w in ("except", "but", "besides") for w in words):
        # "everyone except the couple in front": keep the main subject(s), take the others
        q.background = q.plural = True
    if _face_part(words, q):
        q.kind = "faces"  # "her eyes", "the man on the left's teeth", "the left eye"
    elif any(w in V.FACE_WORDS or V.singular(w) in V.FACE_WORDS for w in core):
        q.kind = "faces"  # "the man's face"
    elif label == "person":
        q.kind, q.label = "people", "person"
    elif label:
        q.kind, q.label = "object", label
    else:
        q.kind = _region_kind(core, q) or (not head and _region_kind(words, q)) or "unknown"
        if q.kind == "unknown" and q.colour:
            q.kind = "colour"  # "the green broom": every green area, and it says so
        if not words and op == "color_bg":
            q.kind = "background"
    if semantic and head and q.kind in ("unknown", "colour"):
        _ask_encoder(q, head)
    if op == "inpaint_obj" and q.kind == "colour" and head:
        q.kind = "unknown"  # removing every yellow pixel is no way to remove "the yellow house"
    return q


def _face_part(words: list[str], q: Query) -> bool:
    """A face part named anywhere in the phrase: the part is the thing, the rest (a person,
    a place) says whose. "left"/"right" just before the part is the part's side (the viewer's),
    not which face: "the left eye" vs "the man on the left's eyes"."""
    at = next((i for i in range(len(words) - 1, -1, -1) if words[i] in V.FACE_PART_WORDS), -1)
    if at < 0:
        return False
    if any(w in ("with", "wearing", "who", "whose", "that", "having", "has") for w in words[:at]):
        return False  # "the man with the big smile" is the man
    q.part = V.FACE_PART_WORDS[words[at]]
    if at and words[at - 1] in ("left", "right") and q.part in ("eyes", "eyebrows"):
        q.part_side = words[at - 1]
        q.places.remove(q.part_side)
    q.plural = q.plural or any(w in ("people", "everyone", "everybody", "all", "faces", "men",
                                     "women", "their") for w in words)
    return True


def _region_kind(words: list[str], q: Query) -> str:
    """Regions named by vocabulary words (faces, sky, tones, background, subject, colour,
    place), or "" when `words` name none."""
    if any(w in V.FACE_WORDS or V.singular(w) in V.FACE_WORDS for w in words):
        return "faces"
    if any(w in V.SKY_WORDS for w in words):
        return "sky"
    if any(w in V.SHADOW_WORDS for w in words) or "dark" in words:
        q.tone = "shadows"
        return "tone"
    if any(w in V.HIGHLIGHT_WORDS for w in words):
        q.tone = "highlights"
        return "tone"
    if any(w in V.MIDTONE_WORDS for w in words):
        q.tone = "midtones"
        return "tone"
    if any(w in V.BACKGROUND_WORDS for w in words):
        return "background"
    if any(w in V.SUBJECT_WORDS for w in words):
        return "subject"
    if any(w in V.COLOURS for w in words):
        return "colour"
    if any(w in V.SPATIAL for w in words):
        return "place"
    return ""


def _ask_encoder(q: Query, head: list[str]) -> None:
    """Route a head the vocabulary doesn't know by meaning (see semantic.py)."""
    head = [w for w in head if w not in V.PRONOUNS]
    if not head:
        return
    from lbie_desktop.grounding import semantic

    q.head = " ".join(head)
    m = semantic.nearest(q.head)
    if m is None:
        return
    q.near_name, q.similarity = m.name, m.similarity
    if not m.findable:
        return
    q.via = "encoder"
    q.plural = q.plural or head[-1] != V.singular(head[-1])
    if m.concept == "people":
        q.kind, q.label = "people", "person"
    elif m.concept.startswith("object:"):
        q.kind, q.label = "object", m.concept.split(":", 1)[1]
    else:  # faces | sky | background
        q.kind = m.concept
