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


# Colours per task: ~400 KB per float32 tensor, so a chain of elementwise torch ops on a
# slice stays in L2 instead of streaming every intermediate through memory (on 0.9 M colours
# this halves the CPU time of a brightness/contrast/saturation run).
CHUNK = 1 << 15


def map_last_dim(fn: Callable[[torch.Tensor], torch.Tensor], t: torch.Tensor,
                 chunk: int = CHUNK) -> torch.Tensor:
    """fn applied to cache-sized slices of t along its last dim (in parallel), joined.

    Only valid for per-element functions (each output column depends on its input column).
    The slicing depends only on t's length, so the same input gives the same bytes.
    """
    n = t.shape[-1]
    with single_threaded_torch():
        if n <= chunk:
            return fn(t)
        starts = list(range(0, n, chunk))
        first = fn(t[..., :chunk])
        out = first.new_empty((*first.shape[:-1], n))
        out[..., :chunk] = first

        def part(a: int) -> None:
            out[..., a:a + chunk] = fn(t[..., a:a + chunk])

        list(get_pool().map(part, starts[1:]))
        return out


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
