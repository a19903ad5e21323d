"""Which part of a request talks about which op: clauses and the words that name each op.

"brighten it a lot and add a little contrast" is two instructions; "a lot" belongs to the
brightness, "a little" to the contrast. "brighten it and make the background warmer" makes
only the warmth local. So intensity, direction and region are read from the clause holding
the op's own words, not from the whole request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lbie_desktop.understanding.lexicon import OP_WORDS
from lbie_desktop.understanding.targets import (
    KEPT_COLOUR,
    Target,
    best_target,
    find_exclusion,
    find_targets,
)

# Clause breaks: sentence punctuation (not the point in "0.5"), commas, and joining words
# between instructions.
_BREAK = re.compile(r"\s*(?:(?:[;!?\n]|(?<!\d)\.|\.(?!\d))+|,)\s*(?:(?:and|then|but|also|plus)\s+)*"
                    r"|\s+(?:and(?: then)?|then|but|also|plus|while|&|so(?: that)?|as well as)\s+"
                    # a purpose is not the edit's region: "lighten it to make the sea visible"
                    r"|\s+(?:in order |so as )?to (?=(?:make|bring|see|get|let|help|show|have|"
                    r"be|give)\b)", re.I)
# A verbless noun shares the verb before it: "increase the contrast and (the) saturation".
_BARE_NOUN = re.compile(r"^(?:the |its |their )?[\w-]+$", re.I)
# A clause starting with these is its own instruction even after a bare verb: "brighten and
# remove the people" does not brighten the people.
_REMOVAL = re.compile(r"(?:^|\b)(?:remove|erase|delete|get rid|take (?:out|away)|eliminate|crop)\b",
                      re.I)

# Words that name an op (beyond OP_WORDS, which covers the lexicon-only ops). These are the
# words a person uses for the op, direction words included ("brighter", "darken").
NAME_WORDS: dict[str, re.Pattern[str]] = {k: re.compile(v, re.I) for k, v in {
    "brightness": r"\b(?:bright\w*|dark\w*|light(?:en\w*|er|ness)?|dim\w*|gloomy|murky|"
                  r"under-?exposed|over-?exposed)\b",
    "lightness": r"\b(?:lightness|light(?:en\w*|er))\b",
    "exposure": r"\b(?:exposure|stops?)\b",
    "contrast": r"\b(?:contrast\w*|punch\w*|flat|pop|dramatic)\b",
    "saturation": r"\b(?:saturat\w*|colou?r\w*|vivid\w*|vibrant|muted|dull|washed|pale|"
                  r"richer|intens\w*)\b",
    "hue": r"\b(?:hue|tint\w*|colou?r\w*|cast|yellow\w*|blu(?:e|er|ish)|green\w*|"
           r"red(?:der|dish|ness)?|orange|purple|pink\w*|magenta)\b",
    "tint": r"\b(?:tone curve|curves?|fade\w*|matte)\b",
    "color_bg": r"\b(?:background|backdrop|cut ?out|transparent)\b",
    "inpaint_obj": r"\b(?:remov\w*|eras\w*|delet\w*|get rid|take (?:out|away)|eliminat\w*)\b",
}.items()}


@dataclass(frozen=True)
class Clause:
    text: str
    start: int  # offset of `text` in the request


def split_clauses(text: str) -> list[Clause]:
    from lbie_desktop.understanding.params import intensity

    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _BREAK.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    # A bare verb shares what follows: "brighten and sharpen the image a lot" is one clause.
    merged: list[tuple[int, int]] = []
    start: int | None = None  # where a carried bare verb began
    for k, (a, b) in enumerate(spans):
        a = a if start is None else start
        last = k == len(spans) - 1
        if (not last and len(text[a:b].split()) <= 1 and intensity(text[a:b])[1] is None
                and not _REMOVAL.match(text[spans[k + 1][0]:])):
            start = a
            continue
        start = None
        if merged and _BARE_NOUN.match(text[a:b]) and intensity(text[a:b])[1] is None:
            merged[-1] = (merged[-1][0], b)  # "increase the contrast and saturation"
        else:
            merged.append((a, b))
    return [Clause(text[a:b], a) for a, b in merged]


def op_patterns(op: str) -> list[re.Pattern[str]]:
    return [p for p in (OP_WORDS.get(op), NAME_WORDS.get(op)) if p is not None]


def op_word_spans(text: str, op: str) -> list[tuple[int, int]]:
    return sorted((m.start(), m.end()) for p in op_patterns(op) for m in p.finditer(text))


def op_clause(text: str, op: str, clauses: list[Clause] | None = None) -> Clause | None:
    """The first clause holding a word that names `op` (None: the words never name it)."""
    spans = op_word_spans(text, op)
    if not spans:
        return None
    for c in clauses if clauses is not None else split_clauses(text):
        if c.start <= spans[0][0] < c.start + len(c.text):
            return c
    return None


def names_any_op(clause: str) -> bool:
    return any(p.search(clause) for op in set(OP_WORDS) | set(NAME_WORDS)
               for p in op_patterns(op))


def op_target(text: str, op: str, clauses: list[Clause] | None = None,
              fallback: bool = True) -> Target | None:
    """The region a step of `op` applies to: read from the op's own clause when the words
    name the op ("brighten it and make the background warmer": the warmth's region is the
    background, the brightness has none); from the whole request when they don't name it or
    (`fallback`) when its clause names no region."""
    if op in ("inpaint_obj", "color_bg"):
        return best_target(text, op)
    cs = clauses if clauses is not None else split_clauses(text)
    c = op_clause(text, op, cs)
    excl = exclusion_for(text, c, cs)
    if excl is not None:
        return narrowed(text, excl, cs)
    if c is None:
        return best_target(text, op)
    t = best_target(c.text, op)
    if t is None and fallback:
        return best_target(text, op)
    return None if t is None else Target(t.phrase, t.start + c.start, t.end + c.start, t.exclude,
                                          t.direct)


_EXCLUSION_WORD = re.compile(r"\s*,?\s*\b(?:except(?:\s+for)?|but(?:\s+not)?|apart from|other than|"
                             r"besides|excluding|without\s+\w+ing|(?:and\s+)?(?:don'?t|do not)"
                             r"\s+\w+)\s*$", re.I)


def narrowed(text: str, excl: Target, clauses: list[Clause]) -> Target:
    """An exclusion from the region the verb acts on, when its clause names one before it:
    "brighten the face except the eyes", "make the sky bluer without touching the clouds"
    leave the eyes / clouds out of the face / sky, not out of the whole photo."""
    home = next((c for c in clauses if c.start <= excl.start < c.start + len(c.text)), None)
    if home is None:
        return excl
    # the words before the exclusion, less its own keyword ("the face except" -> "the face";
    # removals keep it: grounding reads "everyone except the bride" whole)
    before = _EXCLUSION_WORD.sub("", home.text[:excl.start - home.start])
    for t in find_targets(before):
        if t.direct and not t.exclude:
            return Target(excl.phrase, excl.start, excl.end, exclude=True, direct=True,
                          within=t.phrase)
    return excl


def exclusion_for(text: str, own: Clause | None, clauses: list[Clause]) -> Target | None:
    """The request's exclusion ("except the face") if it scopes this op: it sits in the op's
    own clause, or in a clause of its own ("..., but not the face"). "remove the people except
    the couple, enhance colours" keeps the exclusion with the removal."""
    excl = find_exclusion(text)
    if excl is None:
        return None
    home = next((c for c in clauses if c.start <= excl.start < c.start + len(c.text)), None)
    if home is None or home is own:
        return excl
    k = clauses.index(home)
    # "remove all people, but the band members": a verbless exclusion right after a removal
    # is the removal's
    if k > 0 and not names_any_op(home.text) and _REMOVAL.search(clauses[k - 1].text):
        return None
    if own is None:  # an op the words don't name: scoped unless the exclusion is a removal's
        return None if _REMOVAL.search(home.text) else excl
    return None if names_any_op(without_kept(home.text, excl, home.start)) else excl


def without_kept(text: str, excl: Target, offset: int = 0) -> str:
    """`text` with an exclusion's phrase and "in colour" blanked: "keep the red umbrella in
    colour" asks for no colour edit, it says what stays as it is."""
    a, b = excl.start - offset, excl.end - offset
    if 0 <= a < b <= len(text):
        text = text[:a] + " " * (b - a) + text[b:]
    return KEPT_COLOUR.sub(lambda m: " " * len(m.group(0)), text)


def scoped_text(text: str, op: str, clauses: list[Clause] | None = None) -> str:
    """The words that set `op`'s size and direction: its own clause plus clauses that name no
    op (", slightly please"); the whole request when no clause names the op."""
    cs = clauses if clauses is not None else split_clauses(text)
    c = op_clause(text, op, cs)
    if c is None or len(cs) == 1:
        return text
    return " , ".join([c.text] + [o.text for o in cs if o is not c and not names_any_op(o.text)])
