"""Thread use for torch work in the renderer and fitting.

torch's own intra-op threads synchronise with spinning barriers: on a busy machine (other
processes holding the cores) a small op can take 100x longer with 2 threads than with 1.
So we run torch single-threaded and get parallelism by splitting the data ourselves across
Python threads (torch releases the GIL inside its kernels), which degrades gracefully.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import torch

_lock = threading.Lock()
_depth = 0
_saved = 1
_pool: ThreadPoolExecutor | None = None


@contextmanager
def single_threaded_torch() -> Iterator[None]:
    """torch.set_num_threads(1) for the duration (re-entrant, restored on exit)."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = torch.get_num_threads()
            torch.set_num_threads(1)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                torch.set_num_threads(_saved)


def workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def get_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(workers(), thread_name_prefix="lbie-render")
    return _pool


def map_last_dim(fn: Callable[[torch.Tensor], torch.Tensor], t: torch.Tensor,
                 min_chunk: int = 1 << 16) -> torch.Tensor:
    """fn applied to slices of t along its last dim in parallel, concatenated.

    Only valid for per-element functions (each output column depends on its input column).
    """
    n = t.shape[-1]
    k = min(workers(), max(1, n // min_chunk))
    with single_threaded_torch():
        if k == 1:
            return fn(t)
        bounds = [n * i // k for i in range(k + 1)]
        parts = [t[..., a:b] for a, b in zip(bounds, bounds[1:])]
        return torch.cat(list(get_pool().map(fn, parts)), dim=-1)


_kernel_lock = threading.RLock()


@contextmanager
def kernel_guard() -> Iterator[None]:
    """Serialise numba parallel kernels across Python threads when numba fell back to its
    'workqueue' threading layer (not thread-safe: concurrent launches abort the process).
    With OpenMP or TBB (the usual case) this does nothing."""
    import numba

    try:
        layer = numba.threading_layer()
    except ValueError:  # no parallel kernel has run yet: be careful this once
        layer = "workqueue"
    if layer != "workqueue":
        yield
        return
    with _kernel_lock:
        yield
