"""From classifier probabilities + the words to the set of ops a request asks for.

Kept apart from plan building so `lbie eval understanding` scores exactly this decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from lbie_desktop.understanding.clauses import (
    Clause,
    exclusion_for,
    narrowed,
    op_clause,
    op_target,
    split_clauses,
)
from lbie_desktop.understanding.lexicon import (
    ADDABLE,
    BLUR_ASKED,
    lexicon_hits,
    negated_ops,
    without_black_and_white,
)
from lbie_desktop.understanding.portrait import portrait_edits
from lbie_desktop.understanding.targets import Target, isolated_subject, removal_object

# Ops that only make sense on a region / on the whole picture.
ALWAYS_LOCAL = frozenset({"inpaint_obj", "color_bg", "red_eye"})
NEVER_LOCAL = frozenset({"crop", "rotate", "flip"})


@dataclass
class OpDecision:
    op: str
    confidence: float
    local: bool
    words: list[str] = field(default_factory=list)  # lexicon words that named the op
    negated_by: str | None = None
    no_region: bool = False  # the classifier said local but the words name no region
    target: Target | None = None  # the region of a local step


def _locality(text: str, op: str, p_local: float | None, clauses: list[Clause]
              ) -> tuple[bool, Target | None, bool]:
    """(local, target, no_region). The words decide: a region in the clause that names the op
    ("brighten the face", "make the background warmer") makes it local whatever GIER's
    pair-level labels taught the head; otherwise the head must be sure (> 0.5) and the
    request must name a region somewhere ("the sky is dull, make it bluer")."""
    if op in NEVER_LOCAL:
        return False, None, False
    if op in ALWAYS_LOCAL or op == "recolor":
        t = op_target(text, op, clauses)
        return (True if op in ALWAYS_LOCAL else t is not None), t, False
    excl = exclusion_for(text, op_clause(text, op, clauses), clauses)
    if excl is not None:  # "everything except the face" is a region too
        return True, narrowed(text, excl, clauses), False
    if op_clause(text, op, clauses) is not None:
        t = op_target(text, op, clauses, fallback=False)
        if t is not None and t.direct:
            return True, t, False
    if p_local is not None and p_local > 0.5:
        t = op_target(text, op, clauses)
        return t is not None, t, t is None
    return False, None, False


def decide(text: str, probs: np.ndarray | None, local_probs: np.ndarray | None,
           ops: tuple[str, ...], thresholds: dict[str, float]) -> list[OpDecision]:
    hits = lexicon_hits(text)
    negated = negated_ops(text)
    clauses = split_clauses(text)
    out: dict[str, OpDecision] = {}
    if probs is not None and local_probs is not None:
        for j, op in enumerate(ops):
            if probs[j] > thresholds.get(op, 0.5):
                out[op] = OpDecision(op, float(probs[j]), False)
    for op, words in hits.items():
        if op in out:
            out[op].words.append(words)
        elif op in ADDABLE or probs is None or (op == "gaussian_blur" and BLUR_ASKED.search(text)):
            j = ops.index(op) if op in ops else -1
            conf = max(0.6, float(probs[j])) if j >= 0 and probs is not None else 0.6
            out[op] = OpDecision(op, conf, False, [words])
    parts: dict[str, Target] = {}  # retouching on a face part ("whiten her teeth")
    for e in portrait_edits(text):
        parts[e.op] = e.target
        if e.op in out:
            out[e.op].words.append(e.words)
        else:
            out[e.op] = OpDecision(e.op, 0.6, False, [e.words])
    if "inpaint_obj" not in out and "color_bg" not in out:
        # "remove the power lines": a removal verb with a thing as its object asks for a
        # removal even when the classifier is unsure
        obj = removal_object(without_black_and_white(text))
        if obj is not None:
            j = ops.index("inpaint_obj") if "inpaint_obj" in ops else -1
            conf = max(0.6, float(probs[j])) if j >= 0 and probs is not None else 0.6
            verb = text[max(0, obj.start - 40):obj.end].split(obj.phrase)[0].split()[-2:]
            out["inpaint_obj"] = OpDecision("inpaint_obj", conf, False,
                                            [" ".join(verb + [obj.phrase])])
    for op, words in negated.items():
        if op in out and not out[op].words:
            del out[op]
        elif op in out and words not in out[op].words:
            # named and negated ("don't crop"): the negation is the later, specific word
            if all(w in words for w in out[op].words):
                del out[op]
    for d in out.values():
        j = ops.index(d.op) if d.op in ops else -1
        p_local = float(local_probs[j]) if j >= 0 and local_probs is not None else None
        d.local, d.target, d.no_region = _locality(text, d.op, p_local, clauses)
        if d.op in parts:
            d.local, d.target, d.no_region = True, parts[d.op], False
    cutout = isolated_subject(text)
    if cutout is not None:  # a cut-out clears all but the subject; it removes nothing
        out.pop("inpaint_obj", None)
        j = ops.index("color_bg") if "color_bg" in ops else -1
        conf = max(0.6, float(probs[j])) if j >= 0 and probs is not None else 0.6
        out["color_bg"] = OpDecision("color_bg", conf, True, [cutout[1]], target=cutout[0])
    return sorted(out.values(), key=lambda d: -d.confidence)


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def looks_like_words(text: str, vocab: frozenset[str] | None) -> bool:
    """False for gibberish ("asdkj qwpoe"), digits/emoji only, or empty input.

    A word counts if MiniLM's vocabulary holds it whole; gibberish is mostly split into
    word pieces. Non-Latin scripts pass (the model just finds nothing to do in them)."""
    words = _WORD.findall(text.lower())
    if not words:
        return False
    if vocab is None:
        return True
    latin = [w for w in words if w.isascii()]
    if not latin:
        return True
    # editing words MiniLM splits into pieces ("brighten", "sharpen", "blurriness") are words
    known = sum(1 for w in latin
                if (w in vocab and (len(w) > 1 or w in ("a", "i"))) or _edit_word(w))
    return known >= max(1, 0.5 * len(latin))


_STOPWORDS = frozenset("the of and to in a an is it on at for with by or as be this that from "
                       "i you he she we they".split())
# A bare noun phrase ("the sea", "the man on the left") names a region, not an edit: the
# dialogue uses such replies as corrections, and a model would only guess ops for them.
_BARE_PHRASE = re.compile(r"^(?:not\s+)?(?:the|a|an|this|that|these|those)\s+"
                          r"(?:(?!(?:is|are|was|were|be|has|have|had|get|got|gets|become|"
                          r"becomes|missing|gone)\b)[\w'-]+\s*){1,8}$", re.I)
_INTENT = re.compile(r"\b(?:better|nicer|improv\w*|enhanc\w*|fix\w*|edit\w*|more|less|too|"
                     r"needs?|should|want\w*|make|look\w*|hd|quality|please)\b", re.I)


def asks_for_something(text: str) -> bool:
    """False for stop words only ("the of and to in") and for a bare region phrase."""
    from lbie_desktop.understanding.clauses import names_any_op

    words = _WORD.findall(text.lower())
    if words and all(w in _STOPWORDS for w in words):
        return False
    bare = _BARE_PHRASE.match(text.strip(" .!?,"))
    return not (bare and not names_any_op(text) and not _INTENT.search(text))


def _edit_word(word: str) -> bool:
    from lbie_desktop.understanding.clauses import op_patterns
    from lbie_desktop.understanding.lexicon import OP_WORDS

    ops = set(OP_WORDS) | {"brightness", "contrast", "saturation", "hue", "tint", "inpaint_obj"}
    return any(p.fullmatch(word) for op in ops for p in op_patterns(op)) or bool(
        re.fullmatch(r"(?:bright|dark|light|sharp|blurr?|soft|crisp|vivid|saturat)\w*", word))
