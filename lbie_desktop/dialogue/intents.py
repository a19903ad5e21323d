"""What kind of follow-up a request is: revert, compare, re-tune, extend, correct, or new.

Plain pattern matching over a small, explicit vocabulary: follow-ups are short and formulaic
("a bit more", "the background too", "undo that"), and a rule a person can read beats a model
nobody can debug here. Anything that is not recognisably a follow-up is a new request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Relative intensity: (pattern, factor applied to the step's distance from identity).
# Order matters: the first match wins, so longer phrases come first.
_INTENSITY: list[tuple[str, float]] = [
    (r"\bway too (much|strong|far|bright|dark)\b", 0.35),
    (r"\b(a lot|much|way|far|significantly|considerably) (less|weaker|softer)\b", 0.35),
    (r"\b(a lot|much|way|far|significantly|considerably|even|lots) more\b", 2.0),
    (r"\b(triple|three times)\b", 3.0),
    (r"\b(double|twice)\b", 2.0),
    (r"\b(half|halve)\b", 0.5),
    (r"\b(a (tiny |little )?bit|a little|a touch|slightly|a tad|just a bit|somewhat) "
     r"(more|stronger)\b", 1.3),
    (r"\b(a (tiny |little )?bit|a little|a touch|slightly|a tad|just a bit|somewhat) "
     r"(less|weaker|softer)\b", 0.75),
    (r"\b(too much|too strong|overdone|too far|overdid|overkill|too intense|too heavy)\b", 0.55),
    (r"\b(not enough|too subtle|too weak|too little|barely|hardly)\b", 1.6),
    (r"\b(tone it down|pull it back|dial it back|rein it in|reduce it|weaker|softer|"
     r"less)\b", 0.6),
    (r"\b(more|stronger|increase it|push it|further|intensify|amplify|boost it)\b", 1.5),
]
_IDIOMS = (r"\b(tone it down|pull it back|dial it back|rein it in|reduce it|increase it|"
           r"push it|boost it|too much|too strong|not enough)\b")
_AGAIN = r"\b(again|once more|repeat( that| it)?|one more time|same again)\b"

_UNDO = (r"^\s*(please\s+)?(undo|revert|cancel|take (that|it) back|scratch that|"
         r"never ?mind)( (that|it|this|the last( one| step| change| edit)?))?\s*[.!]*\s*$")
_START_OVER = (r"\b(start (over|again|from scratch)|reset( everything| it| all)?|"
               r"(back|return|revert) to (the )?(original|start|beginning)|undo everything|"
               r"remove all (the )?(edits|changes))\b")
_VERSION = r"\b(version|turn|step|edit|state)\s*#?\s*(\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b"
_ORDINAL_VERSION = (r"\bthe (first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)"
                    r" (version|turn|one|edit|state)\b")
_BEFORE_OP = r"\b(go |get )?back to (how it was |the way it was )?before (the|that|my|you) (\w+)"
_UNDO_OP = r"^\s*(please\s+)?(undo|remove|drop|cancel|get rid of|revert) the (\w+)( step| edit)?\s*[.!]*\s*$"
_LIKE_VERSION_BUT = r"\blike (version|turn)\s*#?\s*(\w+)|\blike the (\w+) (version|one|turn)"

_EXTEND = [
    # "the same to the sky", "do the same for the face", "same for the background"
    r"^\s*(now\s+)?(please\s+)?(do |apply )?(the )?same (thing |edit )?(to|for|on) (?P<t>.+?)\s*[.!]*\s*$",
    # "also the background", "and the sky", "now the background too", "the sky as well"
    r"^\s*(now\s+)?(and\s+)?(also\s+)?(?P<t>(the|his|her|their|its|that|this|those|these) .+?)"
    r"\s+(too|as well|also)\s*[.!]*\s*$",
    r"^\s*(now\s+)?(and\s+)?also (to |on |for )?(?P<t>(the|his|her|their|its|that|this|those|these) .+?)\s*[.!]*\s*$",
    r"^\s*(now\s+)?and (to |on |for )?(?P<t>(the|his|her|their|its|that|this|those|these) .+?)\s*[.!]*\s*$",
]
_CORRECT = [
    # "not the sky, the sea" / "not the sky but the sea"
    r"^\s*(no,?\s+)?not (?P<old>.+?)(,| but)\s+(?P<t>.+?)\s*[.!]*\s*$",
    # "no, the woman" / "I meant the woman" / "wrong one, the woman"
    r"^\s*(no|nope|wrong( one)?|oops)[,.!]?\s+(i meant\s+|i mean\s+|rather\s+)?(?P<t>.+?)\s*[.!]*\s*$",
    r"^\s*(i meant|i mean|i said)\s+(?P<t>.+?)\s*[.!]*\s*$",
]
_OTHER = r"\bthe other (one|person|man|woman|guy|girl|boy|side|car|thing|\w+)\b"

_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "first": 1, "second": 2, "third": 3, "fourth": 4,
            "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}


@dataclass
class Intent:
    kind: str  # new | revert | compare | adjust | again | extend | correct | other
    factor: float = 1.0  # for adjust
    revert_to: int | None = None  # number of turns to keep (revert, compare)
    op_word: str | None = None  # "the crop" in "go back to before the crop"
    target: str | None = None  # new target phrase (extend, correct)
    rest: str = ""  # the part of the request still to understand ("warmer" in compare)
    disable_op: str | None = None  # "undo the crop": switch that step off, keep the rest


def _num(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _NUMBERS.get(word.lower())


def intensity_factor(text: str) -> float | None:
    for pattern, factor in _INTENSITY:
        if re.search(pattern, text):
            return factor
    return None


def classify(request: str, n_turns: int) -> Intent:
    """Classify a request given how many turns the session has so far."""
    text = " ".join((request or "").lower().split())
    text = text.replace("’", "'")
    if not text:
        return Intent("new")
    if re.search(_START_OVER, text):
        return Intent("revert", revert_to=0)
    m = re.search(_LIKE_VERSION_BUT, text)
    if m and n_turns:
        n = _num(m.group(2) or m.group(3) or "")
        if n is not None:
            rest = re.split(r"\bbut\b|\band\b|,", text[m.end():], maxsplit=1)
            rest_text = rest[1] if len(rest) > 1 else rest[0]
            return Intent("compare", revert_to=min(n, n_turns), rest=rest_text.strip(" ,."))
    m = re.search(_VERSION, text) or re.search(_ORDINAL_VERSION, text)
    if m and re.search(r"\b(back|return|revert|restore|show|go to)\b", text):
        n = _num(m.group(2) if m.re.pattern == _VERSION else m.group(1))
        if n is not None:
            return Intent("revert", revert_to=min(n, n_turns))
    m = re.search(_BEFORE_OP, text)
    if m:
        return Intent("revert", op_word=m.group(4))
    if re.search(_UNDO, text):
        return Intent("revert", revert_to=max(0, n_turns - 1))
    m = re.search(_UNDO_OP, text)
    if m and n_turns:
        return Intent("adjust", disable_op=m.group(3))
    if not n_turns:
        return Intent("new")
    m = re.search(_OTHER, text)
    if m:
        return Intent("other", target=m.group(0))
    for pattern in _CORRECT:
        m = re.match(pattern, text)
        if m:
            return Intent("correct", target=_clean_target(m.group("t")), rest=m.group("t"))
    for pattern in _EXTEND:
        m = re.match(pattern, text)
        if m:
            return Intent("extend", target=_clean_target(m.group("t")))
    if re.search(_AGAIN, text) and len(text.split()) <= 5:
        return Intent("again", rest=text)
    factor = intensity_factor(text)
    if factor is not None:
        # idioms carry no op ("tone it down" is not about the tone curve)
        rest = re.sub(_IDIOMS, " ", text).strip()
        return Intent("adjust", factor=factor, rest=rest)
    return Intent("new")


def _clean_target(t: str) -> str:
    t = re.sub(r"\s+(too|as well|also|please)$", "", t.strip(" ,.!"))
    return t.strip()
