"""Compiled pixel kernels for the fast path (numba, parallel over rows).

Each kernel is one pass over memory with no image-sized float temporaries; `prange` spreads
rows over the cores. Every kernel releases the GIL (nogil): a preview render on a worker
thread must not freeze the UI thread for the length of a pass.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True, nogil=True)
def gather(idx: np.ndarray, table: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    """out[y,x] = table[idx[y,x]]: idx HxW int32, table Ux3, out HxWx3 of the table's dtype
    (numba compiles one version per dtype: uint8 results, float32 unrounded colours)."""
    for y in prange(idx.shape[0]):
        for x in range(idx.shape[1]):
            i = idx[y, x]
            out[y, x, 0] = table[i, 0]
            out[y, x, 1] = table[i, 1]
            out[y, x, 2] = table[i, 2]


@njit(parallel=True, cache=True, fastmath=True, nogil=True)
def lut1d_apply(planes: np.ndarray, lut: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    """out[c,i] = lut[c] sampled at planes[c,i] by linear interpolation.

    planes, out: 3xU float32 in [0,1]; lut: 3xN float32, lut[c,k] = f_c(k / (N-1)).
    """
    n1 = lut.shape[1] - 1
    s = np.float32(n1)
    u = planes.shape[1]
    chunk = 1 << 14
    for b in prange((u + chunk - 1) // chunk):
        for c in range(3):
            for i in range(b * chunk, min(u, (b + 1) * chunk)):
                x = min(max(planes[c, i], np.float32(0.0)), np.float32(1.0)) * s
                k = min(int(x), n1 - 1)
                f = x - np.float32(k)
                out[c, i] = lut[c, k] + f * (lut[c, k + 1] - lut[c, k])


@njit(parallel=True, cache=True, nogil=True)
def masked_blend(idx: np.ndarray, src: np.ndarray, edited: np.ndarray, mask: np.ndarray,
                 out: np.ndarray) -> None:  # pragma: no cover
    """A local per-pixel step, composited as the registry does (no fastmath: same arithmetic):
    out = I where M == 0, else clamp(E * M + I * (1 - M)).

    idx HxW int32 rows of src/edited (Ux3 float32: input colours and the op's unclamped
    output for them), mask HxW float32 in [0,1], out HxWx3 float32 (unrounded, so a
    neighbourhood op after it sees what the reference sees).
    """
    one = np.float32(1.0)
    zero = np.float32(0.0)
    for y in prange(idx.shape[0]):
        for x in range(idx.shape[1]):
            i = idx[y, x]
            m = mask[y, x]
            for c in range(3):
                v = src[i, c]
                if m > zero:
                    v = min(max(edited[i, c] * m + v * (one - m), zero), one)
                out[y, x, c] = v


_MAGIC = np.float32(12582912.0)  # 1.5 * 2^23: (v + M) - M rounds v half to even, |v| < 2^22


@njit(inline="always")
def round_u8(v: np.float32) -> np.uint8:  # pragma: no cover
    """np.rint(clamp(v, 0, 1) * 255) as uint8, without a call to rint per value (which
    kept the loops from vectorising: ~10 ns a value). Exact: IEEE float32 addition rounds
    to nearest even, and no fastmath here may reassociate it."""
    x = min(max(v, np.float32(0.0)), np.float32(1.0)) * np.float32(255.0)
    return np.uint8((x + _MAGIC) - _MAGIC)


@njit(parallel=True, cache=True, nogil=True)
def masked_blend_u8(idx: np.ndarray, src: np.ndarray, edited: np.ndarray, edited8: np.ndarray,
                    spills: np.ndarray, mask: np.ndarray, in8: np.ndarray, have_in8: bool,
                    out: np.ndarray) -> None:  # pragma: no cover
    """masked_blend's result as uint8, in one pass, for a local step whose result is shown
    as it is. Where the mask is 0 that is the input's own uint8 pixel (in8, HxWx3, when
    have_in8) and where it is 1 the op's output clamped and rounded (edited8, Ux3): the
    same bytes as blending in float and rounding. On the soft edge, with in8, the input's
    uint8 pixel is blended with edited8, or with the float edited where the op's output
    leaves [0, 1] (spills[i] != 0: the registry blends it unclamped); each is within 0.5/255
    of the float it stands for, so the blend is too and the result within 1/255 of the
    float path's. That reads a 1 MB table instead of two float tables of a few MB at random
    (those reads were most of a soft-edged step's time). Without in8 the float tables are
    blended, as masked_blend does."""
    one = np.float32(1.0)
    zero = np.float32(0.0)
    inv = np.float32(1.0 / 255.0)
    for y in prange(idx.shape[0]):
        for x in range(idx.shape[1]):
            m = mask[y, x]
            if m <= zero and have_in8:
                out[y, x, 0] = in8[y, x, 0]
                out[y, x, 1] = in8[y, x, 1]
                out[y, x, 2] = in8[y, x, 2]
                continue
            i = idx[y, x]
            if m >= one:  # edited * 1 + src * 0 == edited exactly
                out[y, x, 0] = edited8[i, 0]
                out[y, x, 1] = edited8[i, 1]
                out[y, x, 2] = edited8[i, 2]
                continue
            om = one - m
            if have_in8:
                if spills[i]:
                    for c in range(3):
                        v = edited[i, c] * m + np.float32(in8[y, x, c]) * inv * om
                        out[y, x, c] = round_u8(v)
                else:
                    for c in range(3):
                        v = (np.float32(edited8[i, c]) * m
                             + np.float32(in8[y, x, c]) * om) * inv
                        out[y, x, c] = round_u8(v)
                continue
            for c in range(3):
                v = src[i, c]
                if m > zero:
                    v = edited[i, c] * m + v * om
                out[y, x, c] = round_u8(v)


@njit(cache=True, nogil=True)
def spill_flags(edited: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    """out[i] = 1 where a channel of edited[i] (Ux3) is outside [0, 1], else 0 (one pass;
    numpy's comparisons made three temporaries of the table)."""
    for i in range(edited.shape[0]):
        f = 0
        for c in range(3):
            v = edited[i, c]
            if v < 0.0 or v > 1.0:
                f = 1
        out[i] = f


gather_u8 = gather_f32 = gather  # the names callers use


# Layout changes between the colour table (Ux3, what the gathers read) and torch's [1,3,1,U]
# planes (what the ops take): numpy/torch do these on one thread; on ~1 M colours they were
# the largest serial part of a full-size render.
@njit(parallel=True, cache=True, nogil=True)
def colours_to_planes(colours: np.ndarray, planes: np.ndarray) -> None:  # pragma: no cover
    """planes[c, i] = colours[i, c] / 255 (float32, the same division torch does)."""
    k = np.float32(255.0)
    for i in prange(colours.shape[0]):
        for c in range(3):
            planes[c, i] = np.float32(colours[i, c]) / k


@njit(parallel=True, cache=True, nogil=True)
def planes_to_table(planes: np.ndarray, table: np.ndarray) -> None:  # pragma: no cover
    """table[i, c] = clamp(planes[c, i], 0, 1)."""
    zero = np.float32(0.0)
    one = np.float32(1.0)
    for i in prange(planes.shape[1]):
        for c in range(3):
            v = planes[c, i]
            table[i, c] = zero if v < zero else (one if v > one else v)


@njit(parallel=True, cache=True, nogil=True)
def copy_rows(src: np.ndarray, dst: np.ndarray) -> None:  # pragma: no cover
    """dst[:] = src for C-contiguous arrays of one shape, rows split over the threads."""
    s = src.reshape(src.shape[0], -1)
    d = dst.reshape(dst.shape[0], -1)
    for y in prange(s.shape[0]):
        d[y, :] = s[y, :]
