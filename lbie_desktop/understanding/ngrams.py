"""A hashed word + character n-gram logistic model: the TF-IDF half of the ensemble.

Hashing (crc32, stable across runs and platforms) means no vocabulary file ships; the weights
are a [buckets, ops] matrix. Character n-grams catch misspellings ("saturnation", "brigten")
that word pieces split badly; the MiniLM half catches paraphrases.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

BUCKETS = 1 << 17
_TOKEN = re.compile(r"[a-z0-9']+")


def features(text: str) -> dict[int, float]:
    """Bucket -> sublinear term frequency (l2 normalising happens after idf)."""
    words = _TOKEN.findall(text.lower()[:2000])
    grams = [f"w {w}" for w in words] + [f"b {a} {b}" for a, b in zip(words, words[1:])]
    for w in words:
        padded = f" {w} "
        for n in range(2, 6):
            grams += [f"c {padded[i:i + n]}" for i in range(max(1, len(padded) - n + 1))]
    counts: dict[int, int] = {}
    for g in grams:
        k = zlib.crc32(g.encode()) % BUCKETS
        counts[k] = counts.get(k, 0) + 1
    return {k: 1.0 + float(np.log(c)) for k, c in counts.items()}


def matrix(texts: list[str], idf: np.ndarray):
    """CSR matrix of l2-normalised tf-idf rows (scipy is only needed when training)."""
    from scipy.sparse import csr_matrix

    rows, cols, vals = [], [], []
    for i, t in enumerate(texts):
        row = _tfidf_row(t, idf)
        if row is None:
            continue
        ks, vs = row
        rows += [i] * len(ks)
        cols += ks.tolist()
        vals += vs.tolist()
    return csr_matrix((vals, (rows, cols)), shape=(len(texts), BUCKETS), dtype=np.float32)


def _tfidf_row(text: str, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Bucket ids and l2-normalised tf-idf values of one text; one definition so training
    and inference cannot drift apart."""
    f = features(text)
    if not f:
        return None
    ks = np.fromiter(f.keys(), np.int64)
    vs = np.fromiter(f.values(), np.float32) * idf[ks]
    vs /= max(float(np.linalg.norm(vs)), 1e-8)
    return ks, vs


def fit_idf(texts: list[str]) -> np.ndarray:
    df = np.zeros(BUCKETS, np.float64)
    for t in texts:
        df[list(features(t))] += 1
    return np.log((1 + len(texts)) / (1 + df)).astype(np.float32) + 1.0


def logits(texts: list[str], idf: np.ndarray, weight: np.ndarray, bias: np.ndarray
           ) -> np.ndarray:
    """[N, ops] logits without scipy: a sparse row times the dense weight matrix."""
    out = np.tile(bias.astype(np.float32), (len(texts), 1))
    for i, t in enumerate(texts):
        row = _tfidf_row(t, idf)
        if row is not None:
            ks, vs = row
            out[i] += vs @ weight[ks].astype(np.float32)
    return out


def fit(texts: list[str], y: np.ndarray, c: float = 4.0) -> tuple[np.ndarray, np.ndarray,
                                                                   np.ndarray]:
    """idf, weight [BUCKETS, ops], bias [ops] (one logistic regression per op; sklearn)."""
    from sklearn.linear_model import LogisticRegression

    idf = fit_idf(texts)
    x = matrix(texts, idf)
    weight = np.zeros((BUCKETS, y.shape[1]), np.float32)
    bias = np.zeros(y.shape[1], np.float32)
    for j in range(y.shape[1]):
        if y[:, j].min() == y[:, j].max():
            bias[j] = 10.0 if y[0, j] else -10.0
            continue
        m = LogisticRegression(C=c, max_iter=2000).fit(x, y[:, j] > 0)
        weight[:, j] = m.coef_[0]
        bias[j] = m.intercept_[0]
    return idf, weight, bias
