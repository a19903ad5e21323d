"""From classifier probabilities + the words to the set of ops a request asks for.

Kept apart from plan building so `lbie eval understanding` scores exactly this decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from lbie_desktop.understanding.lexicon import ADDABLE, lexicon_hits, negated_ops
from lbie_desktop.understanding.targets import best_target, find_exclusion

# Ops that only make sense on a region / on the whole picture.
ALWAYS_LOCAL = frozenset({"inpaint_obj", "color_bg"})
NEVER_LOCAL = frozenset({"crop", "rotate", "flip"})
# P(local) above which a named region makes a step local (set by hand, not tuned on val).
NAMED_REGION_LOCAL = 0.15


@dataclass
class OpDecision:
    op: str
    confidence: float
    local: bool
    words: list[str] = field(default_factory=list)  # lexicon words that named the op
    negated_by: str | None = None
    no_region: bool = False  # the classifier said local but the words name no region


def decide(text: str, probs: np.ndarray | None, local_probs: np.ndarray | None,
           ops: tuple[str, ...], thresholds: dict[str, float]) -> list[OpDecision]:
    hits = lexicon_hits(text)
    negated = negated_ops(text)
    excl = find_exclusion(text)
    out: dict[str, OpDecision] = {}
    if probs is not None and local_probs is not None:
        for j, op in enumerate(ops):
            if probs[j] > thresholds.get(op, 0.5):
                # GIER rarely marks tone ops local, so the head is cautious; a region the
                # words name outright ("brighten the face") tips a doubtful case.
                loc = bool(local_probs[j] > 0.5) or bool(
                    local_probs[j] > NAMED_REGION_LOCAL and best_target(text, op) is not None)
                out[op] = OpDecision(op, float(probs[j]), loc)
    for op, words in hits.items():
        if op in out:
            out[op].words.append(words)
        elif op in ADDABLE or probs is None:
            j = ops.index(op) if op in ops else -1
            loc = bool(local_probs[j] > 0.5) if j >= 0 and local_probs is not None else False
            conf = max(0.6, float(probs[j])) if j >= 0 and probs is not None else 0.6
            out[op] = OpDecision(op, conf, loc, [words])
    for op, words in negated.items():
        if op in out and not out[op].words:
            del out[op]
        elif op in out and words not in out[op].words:
            # named and negated ("don't crop"): the negation is the later, specific word
            if all(w in words for w in out[op].words):
                del out[op]
    for d in out.values():
        if d.op in ALWAYS_LOCAL:
            d.local = True
        elif d.op == "recolor":  # the classifier never saw it: the words decide
            d.local = best_target(text, d.op) is not None
        elif d.op in NEVER_LOCAL:
            d.local = False
        elif excl is not None:
            d.local = True  # "everything except the face" is a region too
        elif d.local and best_target(text, d.op) is None:
            d.local, d.no_region = False, True
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
    known = sum(1 for w in latin if w in vocab and (len(w) > 1 or w in ("a", "i")))
    return known >= max(1, 0.5 * len(latin))
