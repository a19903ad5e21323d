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
def gather(idx: np.ndarray, table: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    """out[y,x] = table[idx[y,x]]: idx HxW int32, table Ux3, out HxWx3 of the table's dtype
    (numba compiles one version per dtype: uint8 results, float32 unrounded colours)."""
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


@njit(parallel=True, cache=True, fastmath=True)
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


@njit(inline="always")
def _reflect101(i: int, n: int) -> int:  # pragma: no cover
    # cv2 BORDER_REFLECT_101 / torch "reflect" for halos shorter than the image
    if i < 0:
        return -i
    if i >= n:
        return 2 * n - 2 - i
    return i


@njit(inline="always", fastmath=True)
def _unsharp_band(src: np.ndarray, w: np.ndarray, amount: np.float32, w_px: int,
                  out: np.ndarray, y0: int, blur_out: np.ndarray,
                  keep_blur: bool) -> None:  # pragma: no cover
    """src: (rows + 2r) x 3W float32 band with r halo rows each side (already reflected);
    writes rows y0.. of out (H x 3W uint8) with clamp(I + amount (I - G*I)).

    The kernel is symmetric, so taps are folded in pairs (half the multiplies); loops run
    over 1-D row views so they vectorise."""
    r = w.shape[0] // 2
    rows = src.shape[0] - 2 * r
    n = 3 * w_px
    pad = np.empty(n + 6 * r, np.float32)
    vrow = pad[3 * r:3 * r + n]
    k255 = np.float32(255.0)
    half = np.float32(0.5)
    wc = w[r]
    for j in range(rows):
        centre = src[j + r]
        for i in range(n):
            vrow[i] = wc * centre[i]
        for t in range(1, r + 1):
            wt = w[r + t]
            above = src[j + r - t]
            below = src[j + r + t]
            for i in range(n):
                vrow[i] += wt * (above[i] + below[i])
        for p in range(1, r + 1):  # reflect the row ends, pixel-wise
            for c in range(3):
                pad[3 * (r - p) + c] = pad[3 * (r + p) + c]
                pad[3 * (r + w_px - 1 + p) + c] = pad[3 * (r + w_px - 1 - p) + c]
        acc = np.empty(n, np.float32)
        for i in range(n):
            acc[i] = wc * vrow[i]
        for t in range(1, r + 1):
            wt = w[r + t]
            left = pad[3 * (r - t):3 * (r - t) + n]
            right = pad[3 * (r + t):3 * (r + t) + n]
            for i in range(n):
                acc[i] += wt * (left[i] + right[i])
        if keep_blur:
            blur_out[y0 + j, :] = acc
            continue
        orow = out[y0 + j]
        for i in range(n):
            v = centre[i]
            o = (v + amount * (v - acc[i])) * k255 + half
            orow[i] = np.uint8(min(max(o, np.float32(0.0)), k255))


@njit(parallel=True, cache=True, fastmath=True)
def gather_unsharp(idx: np.ndarray, table: np.ndarray, w: np.ndarray, amount: float,
                   out: np.ndarray, blur_out: np.ndarray,
                   keep_blur: bool) -> None:  # pragma: no cover
    """Colour-table lookup fused with an unsharp mask (separable Gaussian w, reflect borders)
    in bands that stay in cache: no full-size float image is ever written.

    idx HxW int32, table Ux3 float32, w odd-length float32 weights, out HxWx3 uint8.
    keep_blur: write the blurred image (HxWx3 float32) to blur_out instead of out.
    """
    h, wpx = idx.shape[0], idx.shape[1]
    r = w.shape[0] // 2
    a = np.float32(amount)
    flat = out.reshape(out.shape[0], -1)  # a 1x1 dummy when keep_blur
    flat_blur = blur_out.reshape(blur_out.shape[0], -1)
    band = 64
    for b in prange((h + band - 1) // band):
        y0 = b * band
        y1 = min(h, y0 + band)
        src = np.empty((y1 - y0 + 2 * r, 3 * wpx), np.float32)
        for rr in range(src.shape[0]):
            y = _reflect101(y0 - r + rr, h)
            for x in range(wpx):
                i = idx[y, x]
                src[rr, 3 * x] = table[i, 0]
                src[rr, 3 * x + 1] = table[i, 1]
                src[rr, 3 * x + 2] = table[i, 2]
        _unsharp_band(src, w, a, wpx, flat, y0, flat_blur, keep_blur)


@njit(parallel=True, cache=True, fastmath=True)
def image_unsharp(img: np.ndarray, scale: float, w: np.ndarray, amount: float,
                  out: np.ndarray, blur_out: np.ndarray,
                  keep_blur: bool) -> None:  # pragma: no cover
    """As gather_unsharp for a HxWx3 image: float32 in [0,1] (scale 1) or uint8 (1/255)."""
    h, wpx = img.shape[0], img.shape[1]
    r = w.shape[0] // 2
    a = np.float32(amount)
    scale = np.float32(scale)
    flat_in = img.reshape(h, 3 * wpx)
    flat = out.reshape(out.shape[0], -1)  # a 1x1 dummy when keep_blur
    flat_blur = blur_out.reshape(blur_out.shape[0], -1)
    band = 64
    for b in prange((h + band - 1) // band):
        y0 = b * band
        y1 = min(h, y0 + band)
        src = np.empty((y1 - y0 + 2 * r, 3 * wpx), np.float32)
        for rr in range(src.shape[0]):
            y = _reflect101(y0 - r + rr, h)
            for i in range(3 * wpx):
                src[rr, i] = np.float32(flat_in[y, i]) * scale
        _unsharp_band(src, w, a, wpx, flat, y0, flat_blur, keep_blur)


@njit(cache=True)
def number_colours(present: np.ndarray, index: np.ndarray,
                   colours: np.ndarray) -> int:  # pragma: no cover
    """index[k] = rank of packed colour k among those present; colours[rank] = its RGB.
    Clears `present` on the way so the scratch buffer is ready for the next image.
    Returns the number of distinct colours. Skips empty stretches 8 bytes at a time."""
    words = present.view(np.uint64)
    n = 0
    for wi in range(words.shape[0]):
        if words[wi] == 0:
            continue
        for k in range(8 * wi, 8 * wi + 8):
            if present[k]:
                index[k] = n
                colours[n, 0] = (k >> 16) & 255
                colours[n, 1] = (k >> 8) & 255
                colours[n, 2] = k & 255
                n += 1
        words[wi] = 0
    return n


@njit(parallel=True, cache=True)
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


gather_u8 = gather_f32 = gather  # the names callers use
