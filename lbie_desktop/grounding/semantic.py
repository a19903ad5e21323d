"""Phrases the vocabulary doesn't know ("the seagulls", "my coworker") -> a source, through the
MiniLM sentence encoder understanding already ships (base all-MiniLM-L6-v2, mean-pooled).

The phrase's head is compared with the names of every source and COCO class and with names of
things no source can find (buildings, logos, hands...). Those "can't find" names matter: without
them "the pier" would drift to the nearest findable class (boat). A match needs a similarity of
at least THRESHOLD and must not be closer to a can't-find name; anything else stays unknown and
the person is asked to paint. The model loads lazily, once, in whichever thread grounds (the GUI
grounds in its worker, never the UI thread); without the encoder wheel every phrase the
vocabulary misses is simply unknown.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from lbie_desktop.grounding import vocab as V

# Cosine similarity a phrase needs to take a concept's route. Chosen on GIER val removal
# targets (see models/GROUNDING_MODELS.md): 0.55 keeps "seagulls"->bird and "female"->person;
# wrong routes ("umpire"->baseball bat 0.54, "tent"->bag 0.53) fall below it.
THRESHOLD = 0.55


@dataclass(frozen=True)
class Match:
    concept: str  # "people", "faces", "sky", "background", "object:<COCO class>" or "cannot:<name>"
    name: str  # the listed name it was closest to
    similarity: float

    @property
    def findable(self) -> bool:
        return not self.concept.startswith("cannot:") and self.similarity >= THRESHOLD


def concepts() -> list[tuple[str, str]]:
    """(concept, name) pairs the encoder compares a phrase with."""
    out = [("people", w) for w in sorted(V.PEOPLE_WORDS - V.PEOPLE_ENCODER_SKIP)]
    out += [("faces", w) for w in ("face", "faces", "head")]
    out += [("sky", w) for w in sorted(V.SKY_WORDS)]
    out += [("background", w) for w in ("background", "backdrop", "surroundings", "scenery",
                                        "the rest of the image")]
    out += [(f"object:{c}", c) for c in V.COCO80 if c != "person"]
    out += [(f"object:{c}", w) for w, c in V.OBJECT_SYNONYMS.items() if c != w]
    out += [(f"object:{g}", w) for g, ws in V.OBJECT_GROUP_NAMES.items() for w in ws]
    out += [(f"cannot:{w}", w) for w in V.CANNOT_FIND]
    return out


def _base_model() -> tuple[object, object]:
    """Understanding's MiniLM when its classifier is loaded (it always is once a request was
    understood: no second copy, no second 5 s load), else the base model from the wheel.
    Understanding fine-tunes copies of the top layers, so this base is the pristine one."""
    from lbie_desktop.understanding.classifier import get_classifier
    from lbie_desktop.understanding.encoder import load_base

    lower = getattr(get_classifier(), "lower", None)
    tok, base = getattr(lower, "tok", None), getattr(lower, "base", None)
    return (tok, base) if tok is not None and base is not None else load_base()


class _Encoder:
    def __init__(self) -> None:
        import torch

        self.torch = torch
        self.tok, self.model = _base_model()
        self.pairs = concepts()
        self.table = self.embed([n for _, n in self.pairs])

    def embed(self, texts: list[str]) -> np.ndarray:
        from lbie_desktop.understanding.encoder import mean_pool

        batch = self.tok(texts, return_tensors="pt", padding=True, truncation=True,
                         max_length=32)
        # A few tokens: one thread. Two threads cost 30x the CPU (325 ms vs 11 ms per phrase,
        # measured here under load) spinning on work too small to share.
        threads = self.torch.get_num_threads()
        self.torch.set_num_threads(1)
        try:
            with self.torch.inference_mode():
                h = self.model(**batch).last_hidden_state
        finally:
            self.torch.set_num_threads(threads)
        e = mean_pool(h, batch["attention_mask"]).numpy()
        return e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-8)

    def nearest(self, text: str) -> Match:
        sims = self.table @ self.embed([text])[0]
        i = int(sims.argmax())
        return Match(self.pairs[i][0], self.pairs[i][1], float(sims[i]))


_lock = threading.Lock()
_encoder: _Encoder | None = None
_failed = False
_memo: dict[str, Match] = {}


def available() -> bool:
    return _get() is not None


def _get() -> _Encoder | None:
    global _encoder, _failed
    with _lock:
        if _encoder is None and not _failed:
            try:
                _encoder = _Encoder()
            except (ImportError, OSError, ValueError):
                _failed = True  # no encoder wheel: the vocabulary alone decides
        return _encoder


def nearest(text: str) -> Match | None:
    """The concept whose name is closest to `text`, or None without the encoder."""
    text = text.strip().lower()
    if not text:
        return None
    if text in _memo:
        return _memo[text]
    enc = _get()
    if enc is None:
        return None
    with _lock:  # tokenizer + model calls from two grounding threads at once are not safe
        m = enc.nearest(text)
        if len(_memo) > 4096:
            _memo.clear()
        _memo[text] = m
    return m


def forget_phrases() -> None:
    """Drop remembered phrase routes (benchmarks time the encoder, not the memo)."""
    with _lock:
        _memo.clear()
