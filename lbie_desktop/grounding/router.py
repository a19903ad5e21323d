"""Phrase -> what to look for: a small vocabulary parse (kind, class, colour, place, exclusions).

Deliberately literal: a phrase with no known word is reported unknown (the user paints)
rather than guessed at."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lbie_desktop.grounding import vocab as V


@dataclass
class Query:
    kind: str  # people | faces | object | sky | background | subject | colour | place | tone | unknown
    phrase: str
    label: str = ""  # COCO class for objects
    colour: str = ""
    places: list[str] = field(default_factory=list)
    background: bool = False  # "... in the background": everything but the main subject
    plural: bool = False
    tone: str = ""
    words: list[str] = field(default_factory=list)


def parse(phrase: str, op: str | None = None) -> Query:
    text = (phrase or "").lower().strip().replace("back ground", "background")
    words = re.findall(r"[a-z]+", text)
    q = Query("unknown", phrase, words=words)
    q.colour = next((w for w in words if w in V.COLOURS), "")
    q.places = [V.SPATIAL[w] for w in words if w in V.SPATIAL]
    q.background = any(w in V.BACKGROUND_WORDS for w in words) or any(
        w in ("other", "others", "extra", "behind", "distant", "far") for w in words)
    bigrams = [" ".join(p) for p in zip(words, words[1:])]
    label = next((V.OBJECT_SYNONYMS.get(b, b) for b in bigrams
                  if b in V.COCO80 or b in V.OBJECT_SYNONYMS), "")
    if not label:
        for w in words:
            s = V.singular(w)
            if w in V.PEOPLE_WORDS or s in V.PEOPLE_WORDS:
                label = "person"
                q.plural = q.plural or w != s or w in ("people", "men", "women", "children",
                                                       "crowd", "kids")
                break
            if s in V.COCO80 or s in V.OBJECT_SYNONYMS:
                label = V.OBJECT_SYNONYMS.get(s, s)
                q.plural = q.plural or w != s
                break
    q.plural = q.plural or any(w in ("all", "everyone", "everybody") for w in words)
    content = [w for w in words if w not in V.STOP]
    if (label and content and content[0] in V.BACKGROUND_WORDS and len(content) > 1
            and V.singular(content[1]) not in V.PEOPLE_WORDS | set(V.COCO80)
            | set(V.OBJECT_SYNONYMS)):
        label = ""  # "the background behind the woman" is about the background
    if any(w in V.FACE_WORDS or V.singular(w) in V.FACE_WORDS for w in words):
        q.kind = "faces"
    elif label == "person":
        q.kind, q.label = "people", "person"
    elif label:
        q.kind, q.label = "object", label
    elif any(w in V.SKY_WORDS for w in words):
        q.kind = "sky"
    elif any(w in V.SHADOW_WORDS for w in words) or "dark" in words:
        q.kind, q.tone = "tone", "shadows"
    elif any(w in V.HIGHLIGHT_WORDS for w in words):
        q.kind, q.tone = "tone", "highlights"
    elif any(w in V.MIDTONE_WORDS for w in words):
        q.kind, q.tone = "tone", "midtones"
    elif any(w in V.BACKGROUND_WORDS for w in words):
        q.kind = "background"
    elif any(w in V.SUBJECT_WORDS for w in words):
        q.kind = "subject"
    elif q.colour:
        q.kind = "colour"
    elif q.places:
        q.kind = "place"
    elif not words and op == "color_bg":
        q.kind = "background"
    return q
