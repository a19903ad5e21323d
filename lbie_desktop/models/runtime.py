"""onnxruntime sessions: CUDA when the installed onnxruntime has it, else CPU; one per file."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

_lock = threading.Lock()


def providers() -> list[str]:
    import onnxruntime as ort

    have = ort.get_available_providers()
    return [p for p in ("CUDAExecutionProvider", "CPUExecutionProvider") if p in have]


@lru_cache(maxsize=8)
def _session(path: str, mtime: float):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3  # quiet: converted graphs trigger harmless shape warnings
    return ort.InferenceSession(path, sess_options=opts, providers=providers())


def session(path: Path):
    """A cached InferenceSession for `path` (reloaded when the file changes)."""
    p = Path(path)
    with _lock:
        return _session(str(p), p.stat().st_mtime)
