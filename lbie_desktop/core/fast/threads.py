"""Thread use for torch work in the renderer and fitting.

torch's own intra-op threads synchronise with spinning barriers: on a busy machine (other
processes holding the cores) a small op can take 100x longer with 2 threads than with 1.
So we run torch single-threaded and get parallelism by splitting the data ourselves across
Python threads (torch releases the GIL inside its kernels), which degrades gracefully.
numba's parallel kernels have the same barrier at their end, so small (preview) renders run
them on one thread while the machine is busy (`busy`, `kernel_threads`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
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
    The calling thread works through the slices too, with pool threads taking slices as
    they get a core: on a busy machine a helper that has not started yet is cancelled
    rather than waited for, so the call never waits on the scheduler for idle helpers.
    """
    n = t.shape[-1]
    with single_threaded_torch():
        if n <= chunk:
            return fn(t)
        first = fn(t[..., :chunk])
        out = first.new_empty((*first.shape[:-1], n))
        out[..., :chunk] = first
        starts = iter(range(chunk, n, chunk))
        lock = threading.Lock()

        def drain() -> None:
            while True:
                with lock:
                    a = next(starts, None)
                if a is None:
                    return
                out[..., a:a + chunk] = fn(t[..., a:a + chunk])

        helpers = [get_pool().submit(drain) for _ in range(workers() - 1)]
        try:
            drain()
        finally:  # a helper that started may hold a slice: wait for it, even on error
            started = [h for h in helpers if not h.cancel()]
            wait(started)
        for h in started:
            h.result()  # re-raise a helper's error
        return out


def busy() -> bool:
    """More runnable work than cores (1-minute load average; False where unknown)."""
    try:
        return os.getloadavg()[0] >= workers()
    except (AttributeError, OSError):  # no load average on Windows
        return False


@contextmanager
def kernel_threads(n: int) -> Iterator[None]:
    """numba's parallel kernels launched from this thread use n threads (numba's setting is
    per calling thread), restored on exit."""
    import numba

    saved = numba.get_num_threads()
    numba.set_num_threads(max(1, min(n, numba.config.NUMBA_NUM_THREADS)))
    try:
        yield
    finally:
        numba.set_num_threads(saved)


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
