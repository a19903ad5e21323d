"""onnxruntime sessions: CUDA when the installed onnxruntime has it, else CPU; one per file.

The device setting (Settings > Device, exported as LBIE_DEVICE = auto | gpu | cpu) decides:
`cpu` never uses CUDA; `auto` and `gpu` use it when present and fall back to the CPU."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path

_lock = threading.Lock()


def providers() -> list[str]:
    import onnxruntime as ort

    have = ort.get_available_providers()
    wanted = ("CPUExecutionProvider",)
    if os.environ.get("LBIE_DEVICE", "auto").strip().lower() != "cpu":
        wanted = ("CUDAExecutionProvider", "CPUExecutionProvider")
    return [p for p in wanted if p in have] or ["CPUExecutionProvider"]


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
