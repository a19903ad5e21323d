"""A run of global per-pixel steps as one compiled pass over the distinct colours (numba).

The colour table (fast/colour_table.py) evaluates a run of steps once per distinct colour. On
a 2 MP proxy that is ~0.45 M colours, and through torch each op was its own set of passes
(contrast alone: ~15 full-size temporaries, both of its branches), with a hand-over per
op group and a layout change at the end: ~25 ms of CPU per slider move. Here each block of
colours (small enough for L1) goes through the whole run (every step a short loop that
vectorises), and the result is written straight as the Ux3 table the gathers read.

Instructions (`Program`): a per-channel LUT (exposure, curves, white balance: composed
1-D LUTs, as before), and the registry's brightness, contrast and saturation re-written
per colour in float32 with the registry's formulas (tests/test_render_fast.py checks them
against the registry within 1/255). Each instruction ends with the clamp to [0, 1] that
apply_op does after every global op.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numba import njit, prange

from lbie_desktop.core.fast.kernels import round_u8
from lbie_desktop.core.ops import Op

LUT, BRIGHTNESS, CONTRAST_MORE, CONTRAST_LESS, SATURATION = range(5)
BLOCK = 512  # colours per block: 3 planes of 2 KB, all steps' loops stay in L1

# contrast's S-curve gain (1 - cos(pi l)) / 2 / (l + 1e-6) as a function of the luminance l,
# sampled in float64 on a grid fine enough that linear interpolation is within a float32
# rounding of the formula (the curve is smooth: interpolation error < 1e-7 above l = 1e-5;
# below, the gain itself is < 3e-5 and multiplies a channel <= l / 0.06).
CURVE_STEPS = 4096


def contrast_curve() -> np.ndarray:
    x = np.linspace(0.0, 1.0, CURVE_STEPS + 1)
    return ((1.0 - np.cos(math.pi * x)) / 2.0 / (x + 1e-6)).astype(np.float32)


_CURVE = contrast_curve()


@njit(inline="always")
def _clamp01(v: np.float32) -> np.float32:  # pragma: no cover
    return min(max(v, np.float32(0.0)), np.float32(1.0))


@njit(inline="always")
def _clamp(v: np.float32, lo: np.float32, hi: np.float32) -> np.float32:  # pragma: no cover
    return min(max(v, lo), hi)


@njit(inline="always")
def _lut(p: np.ndarray, n: int, lut: np.ndarray) -> None:  # pragma: no cover
    """p[c, :n] through lut[c] (3xN samples in [0, 1]) by linear interpolation, as
    kernels.lut1d_apply."""
    n1 = lut.shape[1] - 1
    s = np.float32(n1)
    for c in range(3):
        row = p[c]
        lc = lut[c]
        for j in range(n):
            x = _clamp01(row[j]) * s
            k = min(int(x), n1 - 1)
            f = x - np.float32(k)
            row[j] = lc[k] + f * (lc[k + 1] - lc[k])  # samples are in [0, 1]


@njit(inline="always")
def _brightness(p: np.ndarray, n: int, amount: np.float32, lo: np.float32,
                hi: np.float32) -> None:  # pragma: no cover
    # tone._brightness: gain = safe_div(clamp(V (1 + a)), V), V = max(R, G, B)
    one = np.float32(1.0) + amount
    eps = np.float32(1e-6)
    r, g, b = p[0], p[1], p[2]
    for j in range(n):
        v = max(r[j], max(g[j], b[j]))
        gain = _clamp01(v * one) / v if v > eps else np.float32(0.0)
        r[j] = _clamp(r[j] * gain, lo, hi)
        g[j] = _clamp(g[j] * gain, lo, hi)
        b[j] = _clamp(b[j] * gain, lo, hi)


@njit(inline="always")
def _lum_gier(r: np.float32, g: np.float32, b: np.float32) -> np.float32:  # pragma: no cover
    return np.float32(0.27) * r + np.float32(0.67) * g + np.float32(0.06) * b


@njit(inline="always")
def _contrast_more(p: np.ndarray, n: int, amount: np.float32, curve: np.ndarray,
                   lo: np.float32, hi: np.float32) -> None:  # pragma: no cover
    # tone._contrast, amount >= 0: img + a (img * S(lum) - img), S from the sampled curve
    n1 = curve.shape[0] - 1
    s = np.float32(n1)
    r, g, b = p[0], p[1], p[2]
    for j in range(n):
        lum = _lum_gier(r[j], g[j], b[j])
        x = _clamp01(lum) * s
        k = min(int(x), n1 - 1)
        gain = curve[k] + (x - np.float32(k)) * (curve[k + 1] - curve[k])
        r[j] = _clamp(r[j] + amount * (r[j] * gain - r[j]), lo, hi)
        g[j] = _clamp(g[j] + amount * (g[j] * gain - g[j]), lo, hi)
        b[j] = _clamp(b[j] + amount * (b[j] * gain - b[j]), lo, hi)


@njit(inline="always")
def _contrast_less(p: np.ndarray, n: int, amount: np.float32, lo: np.float32,
                   hi: np.float32) -> None:  # pragma: no cover
    # tone._contrast, amount < 0: img + a (img - less), less = img + (acos(1 - 2 lc)/pi - lum)
    lum_lo = np.float32(1e-4)
    lum_hi = np.float32(1.0 - 1e-4)
    inv_pi = np.float32(1.0 / math.pi)
    r, g, b = p[0], p[1], p[2]
    for j in range(n):
        lum = _lum_gier(r[j], g[j], b[j])
        lc = min(max(lum, lum_lo), lum_hi)
        shift = np.float32(math.acos(np.float32(1.0) - np.float32(2.0) * lc)) * inv_pi - lum
        d = -amount * shift  # img + a * (img - (img + shift))
        r[j] = _clamp(r[j] + d, lo, hi)
        g[j] = _clamp(g[j] + d, lo, hi)
        b[j] = _clamp(b[j] + d, lo, hi)


@njit(inline="always")
def _saturation(p: np.ndarray, n: int, amount: np.float32, lo: np.float32,
                hi: np.float32) -> None:  # pragma: no cover
    # colour._saturation through pixel_math.scale_saturation: S' = clamp(S (1 + a)),
    # each channel's distance below V scaled by S'/S (k = 1 where S <= 1e-6)
    one = np.float32(1.0) + amount
    eps = np.float32(1e-6)
    r, g, b = p[0], p[1], p[2]
    for j in range(n):
        v = max(r[j], max(g[j], b[j]))
        mn = min(r[j], min(g[j], b[j]))
        sat = (v - mn) / v if v > eps else np.float32(0.0)
        if sat > eps:
            k = _clamp01(sat * one) / sat
            m = np.float32(1.0) - k
            r[j] = _clamp(r[j] + (v - r[j]) * m, lo, hi)
            g[j] = _clamp(g[j] + (v - g[j]) * m, lo, hi)
            b[j] = _clamp(b[j] + (v - b[j]) * m, lo, hi)
        else:  # k == 1: the input
            r[j] = _clamp(r[j], lo, hi)
            g[j] = _clamp(g[j], lo, hi)
            b[j] = _clamp(b[j], lo, hi)


@njit(parallel=True, cache=True, nogil=True)
def run_program(src: np.ndarray, divisor: float, codes: np.ndarray, amounts: np.ndarray,
                luts: np.ndarray, curve: np.ndarray, clamp: bool, out: np.ndarray,
                out8: np.ndarray) -> None:  # pragma: no cover
    """out[i] = the program applied to src[i] / divisor, and out8[i] the same clamped and
    rounded to uint8 as render.to_uint8 rounds (half to even), for the per-pixel result.
    clamp=False leaves out the clamp after each op (for the op's own output, as a local
    step blends it); LUTs are clamped samples either way.

    src: Ux3 colours (uint8 with divisor 255, float32 with divisor 1; any strides, so the
    transposed view of torch planes works too); codes: int32 per instruction; amounts:
    float32 per instruction (the op's amount, or the LUT's row in luts); luts: Kx3xN
    float32; curve: contrast_curve(); out: Ux3 float32 in [0, 1].
    """
    u = src.shape[0]
    d = np.float32(divisor)
    lo = np.float32(0.0) if clamp else np.float32(-np.inf)
    hi = np.float32(1.0) if clamp else np.float32(np.inf)
    for blk in prange((u + BLOCK - 1) // BLOCK):
        i0 = blk * BLOCK
        n = min(u, i0 + BLOCK) - i0
        p = np.empty((3, BLOCK), np.float32)
        for j in range(n):
            for c in range(3):
                p[c, j] = np.float32(src[i0 + j, c]) / d
        for k in range(codes.shape[0]):
            code = codes[k]
            a = amounts[k]
            if code == LUT:
                _lut(p, n, luts[int(a)])
            elif code == BRIGHTNESS:
                _brightness(p, n, a, lo, hi)
            elif code == CONTRAST_MORE:
                _contrast_more(p, n, a, curve, lo, hi)
            elif code == CONTRAST_LESS:
                _contrast_less(p, n, a, lo, hi)
            else:
                _saturation(p, n, a, lo, hi)
        for j in range(n):
            for c in range(3):
                out[i0 + j, c] = p[c, j]
                out8[i0 + j, c] = round_u8(p[c, j])


# --- which steps run natively ------------------------------------------------------------

def _registry_fns() -> dict[str, object]:
    # the functions the kernels above re-write: an op re-registered under one of these
    # names with another function (a test, a plugin) is left to the registry
    from lbie_desktop.core.ops import colour, tone

    return {"brightness": tone._brightness, "contrast": tone._contrast,
            "saturation": colour._saturation}


_FNS: dict[str, object] | None = None


def instruction(op: Op, params: Mapping[str, Any]) -> tuple[int, float] | None:
    """(code, amount) if this global step runs natively, else None."""
    global _FNS
    if _FNS is None:
        _FNS = _registry_fns()
    if _FNS.get(op.name) is not op.fn:
        return None
    try:
        amount = float(np.float32(op.validate(dict(params))["amount"]))
    except (KeyError, TypeError, ValueError):
        return None  # the op changed its parameters: leave it to the registry
    if op.name == "brightness":
        return BRIGHTNESS, amount
    if op.name == "saturation":
        return SATURATION, amount
    return (CONTRAST_MORE if amount >= 0 else CONTRAST_LESS), amount


def run(src: np.ndarray, divisor: float, program: list[tuple[int, float | np.ndarray]],
        *, clamp: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Ux3 float32 table and its uint8 rounding: src (Ux3, see run_program) through the
    program, where each instruction is (code, amount) or (LUT, 3xN lut)."""
    codes = np.array([c for c, _ in program], np.int32)
    luts = [a for c, a in program if c == LUT]
    amounts = np.empty(len(program), np.float32)
    k = 0
    for i, (c, a) in enumerate(program):
        if c == LUT:
            amounts[i] = k
            k += 1
        else:
            amounts[i] = a
    stacked = (np.stack(luts).astype(np.float32, copy=False) if luts
               else np.zeros((1, 3, 2), np.float32))
    out = np.empty((src.shape[0], 3), np.float32)
    out8 = np.empty((src.shape[0], 3), np.uint8)
    run_program(src, float(divisor), codes, amounts, stacked, _CURVE, clamp, out, out8)
    return out, out8
