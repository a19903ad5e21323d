"""Compiled kernels that number the distinct colours of a uint8 RGB image (numba).

The colour cube (2^24 packed colours r<<16 | g<<8 | b) is kept as a bitset of 2 MB, not a
byte per colour plus an int32 rank per colour (80 MB of scratch, shared under a lock): a
colour's rank is the count of set bits before it (a per-word prefix count, 1 MB, plus a
popcount). Same speed on 18 MP (the per-pixel work, not memory, bounds both), 3 MB instead
of 80 MB, and builds on several threads no longer wait for each other.
Each thread marks its own bitset (setting a bit is a read-modify-write: two threads sharing
a word could lose each other's bits); the bitsets are OR-ed afterwards.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

N_COLOURS = 1 << 24
N_WORDS = N_COLOURS // 64
MARK_TASKS = 4  # bitsets marked in parallel (OR-ed after): 2 MB each


@njit(inline="always")
def _popcount(x: np.uint64) -> np.uint64:  # pragma: no cover
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return (x * np.uint64(0x0101010101010101)) >> np.uint64(56)


@njit(inline="always")
def _key(src: np.ndarray, y: int, x: int) -> np.uint64:  # pragma: no cover
    return ((np.uint64(src[y, x, 0]) << np.uint64(16)) | (np.uint64(src[y, x, 1]) << np.uint64(8))
            | np.uint64(src[y, x, 2]))


@njit(parallel=True, cache=True, nogil=True)
def mark_colours(src: np.ndarray, bits: np.ndarray) -> None:  # pragma: no cover
    """bits (N_WORDS uint64, zeroed) gets the bit of every colour of src (HxWx3 uint8)."""
    h = src.shape[0]
    parts = np.zeros((MARK_TASKS, N_WORDS), np.uint64)
    for t in prange(MARK_TASKS):
        part = parts[t]
        for y in range(h * t // MARK_TASKS, h * (t + 1) // MARK_TASKS):
            for x in range(src.shape[1]):
                k = _key(src, y, x)
                part[k >> np.uint64(6)] |= np.uint64(1) << (k & np.uint64(63))
    for wi in prange(N_WORDS):
        v = np.uint64(0)
        for t in range(MARK_TASKS):
            v |= parts[t, wi]
        bits[wi] = v


@njit(parallel=True, cache=True, nogil=True)
def number_colours(bits: np.ndarray, before: np.ndarray, colours: np.ndarray
                   ) -> int:  # pragma: no cover
    """before[w] = colours set in words < w; colours[rank] = RGB of the rank-th colour.
    Returns the number of distinct colours."""
    n = 0
    for wi in range(N_WORDS):  # 262,144 popcounts: ~1 ms, not worth splitting
        before[wi] = n
        n += np.int64(_popcount(bits[wi]))
    for wi in prange(N_WORDS):
        v = bits[wi]
        if v == 0:
            continue
        r = before[wi]
        for b in range(64):
            if (v >> np.uint64(b)) & np.uint64(1):
                k = wi * 64 + b
                colours[r, 0] = (k >> 16) & 255
                colours[r, 1] = (k >> 8) & 255
                colours[r, 2] = k & 255
                r += 1
    return n


@njit(parallel=True, cache=True, nogil=True)
def index_pixels(src: np.ndarray, bits: np.ndarray, before: np.ndarray,
                 idx: np.ndarray) -> None:  # pragma: no cover
    """idx[y,x] = rank of src[y,x]'s colour among the distinct colours (its table row)."""
    for y in prange(src.shape[0]):
        for x in range(src.shape[1]):
            k = _key(src, y, x)
            wi = k >> np.uint64(6)
            below = bits[wi] & ((np.uint64(1) << (k & np.uint64(63))) - np.uint64(1))
            idx[y, x] = before[wi] + np.int32(_popcount(below))
