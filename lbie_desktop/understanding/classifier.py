"""The trained op classifier, loaded lazily once per process (in the worker, not the UI)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import torch

from lbie_desktop.paths import MODEL_CARDS

WEIGHTS = MODEL_CARDS / "understanding.safetensors"


class Classifier:
    def __init__(self, weights: Path = WEIGHTS) -> None:
        from lbie_desktop.understanding.encoder import LowerEncoder, load_base
        from lbie_desktop.understanding.model import load_model

        tok, base = load_base()
        self.top, self.meta, ngram = load_model(weights, base)
        # blend weight of the n-gram logits (0 = MiniLM only)
        self.alpha = float(self.meta.get("ngram_alpha", 0.0)) if ngram else 0.0
        self.ngram = {k: v.numpy() for k, v in ngram.items()} if ngram else None
        self.lower = LowerEncoder(tok, base, self.top.n_lower)
        self.ops: tuple[str, ...] = self.top.ops
        self.thresholds: dict[str, float] = dict(self.meta["thresholds"])
        self.vocab: frozenset[str] = frozenset(tok.get_vocab())

    def predict(self, texts: list[str], batch: int = 64) -> tuple[np.ndarray, np.ndarray]:
        """Per text: P(op requested) and P(op local | requested), both [N, len(ops)].

        Runs on one intra-op thread: requests are a few dozen tokens, and a second thread
        measured 6x slower per request (119 vs 19 ms median) while other jobs hold the cores."""
        previous = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return self._predict(texts, batch)
        finally:
            torch.set_num_threads(previous)

    @torch.no_grad()
    def _predict(self, texts: list[str], batch: int) -> tuple[np.ndarray, np.ndarray]:
        p = np.zeros((len(texts), len(self.ops)), np.float32)
        q = np.zeros_like(p)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            h, m = self.lower([texts[i] or " " for i in idx])
            a, b = self.top(h, m)
            if self.ngram is not None and self.alpha > 0:
                from lbie_desktop.understanding.ngrams import logits

                ng = logits([texts[i] for i in idx], self.ngram["idf"], self.ngram["weight"],
                            self.ngram["bias"])
                a = (1 - self.alpha) * a + self.alpha * torch.from_numpy(ng)
            p[idx] = torch.sigmoid(a).numpy()
            q[idx] = torch.sigmoid(b).numpy()
        return p, q


_lock = threading.Lock()
_instance: Classifier | None = None


def get_classifier() -> Classifier | None:
    """The shared classifier, or None when its weights are not installed."""
    global _instance
    with _lock:
        if _instance is None and WEIGHTS.is_file():
            _instance = Classifier()
        return _instance
