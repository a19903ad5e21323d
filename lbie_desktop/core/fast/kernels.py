"""Compiled pixel kernels for the fast path (numba, parallel over rows).

Each kernel is one pass over memory with no image-sized float temporaries; `prange` spreads
rows over the cores. Colours are packed as r<<16 | g<<8 | b.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

N_COLOURS = 1 << 24


@njit(parallel=True, cache=True)
def pack_colours(src: np.ndarray, keys: np.ndarray, present: np.ndarray) -> None:  # pragma: no cover
    """keys[y,x] = packed colour of src[y,x]; present[key] = 1 for every colour seen.

    Racing writes of the same value 1 into `present` are harmless.
    """
    for y in prange(src.shape[0]):
        for x in range(src.shape[1]):
            k = (np.int32(src[y, x, 0]) << 16) | (np.int32(src[y, x, 1]) << 8) | src[y, x, 2]
            keys[y, x] = k
            present[k] = 1


@njit(parallel=True, cache=True)
def remap_keys(keys: np.ndarray, index: np.ndarray) -> None:  # pragma: no cover
    """keys[y,x] = index[keys[y,x]] in place (packed colour -> row in the unique-colour table)."""
    for y in prange(keys.shape[0]):
        for x in range(keys.shape[1]):
            keys[y, x] = index[keys[y, x]]


@njit(parallel=True, cache=True)
def gather_u8(idx: np.ndarray, table: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    """out[y,x] = table[idx[y,x]]: idx HxW int32, table Ux3 uint8, out HxWx3 uint8."""
    for y in prange(idx.shape[0]):
        for x in range(idx.shape[1]):
            i = idx[y, x]
            out[y, x, 0] = table[i, 0]
            out[y, x, 1] = table[i, 1]
            out[y, x, 2] = table[i, 2]


@njit(parallel=True, cache=True, fastmath=True)
def unsharp_u8(img: np.ndarray, blurred: np.ndarray, amount: float,
               out: np.ndarray) -> None:  # pragma: no cover
    """out = round(255 * clamp(img + amount * (img - blurred))): HxWx3 float32 in, uint8 out.

    amount = -1 gives the blurred image itself (a plain Gaussian blur)."""
    a = np.float32(amount)
    k = np.float32(255.0)
    half = np.float32(0.5)
    h = img.shape[0]
    f = img.reshape(h, -1)
    b = blurred.reshape(h, -1)
    o = out.reshape(h, -1)
    for y in prange(h):
        for i in range(f.shape[1]):
            v = (f[y, i] + a * (f[y, i] - b[y, i])) * k + half
            o[y, i] = np.uint8(min(max(v, np.float32(0.0)), k))


@njit(parallel=True, cache=True)
def gather_f32(idx: np.ndarray, table: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    """out[y,x] = table[idx[y,x]]: table Ux3 float32, out HxWx3 float32 (unrounded)."""
    for y in prange(idx.shape[0]):
        for x in range(idx.shape[1]):
            i = idx[y, x]
            out[y, x, 0] = table[i, 0]
            out[y, x, 1] = table[i, 1]
            out[y, x, 2] = table[i, 2]
