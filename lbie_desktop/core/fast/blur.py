"""Fast Gaussian blur and unsharp mask matching the registry's `gaussian_blur`: a separable
filter in numba (blur_kernels.py) over row bands and column blocks that stay in cache, fused
with the colour-table gather before it and the unsharp combine after it (one pass over the
photo instead of kornia's conv2d passes).

Only the direct case is taken over (no area-downsampled copy, reflect borders): there the
registry computes exactly a separable Gaussian of size max(3, 2 ceil(3 sigma) + 1), which is
what our kernel does, with kornia's weights and reflect-101 borders (= torch "reflect").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import kornia
import numba
import numpy as np
import torch

from lbie_desktop.core.fast import blur_kernels
from lbie_desktop.core.ops import Op
from lbie_desktop.core.ops import pixel_math as pm

if TYPE_CHECKING:
    from lbie_desktop.core.render import Frame


def _sharpen_floor() -> float:
    from lbie_desktop.core.ops import detail

    return float(getattr(detail, "SHARPEN_MIN_SIGMA_PX", 0.3))


# Fast kernels for ops whose output is img + amount * (img - G_sigma * img):
# name -> (amount, sigma in % of the short side, minimum sigma in px) from the params.
_UNSHARP_OPS = {
    "sharpness": lambda p: (float(p["amount"]), p["radius"], _sharpen_floor()),
    "gaussian_blur": lambda p: (-1.0, p["sigma"], 0.0),
}


def unsharp_spec(op: Op, params: Mapping[str, Any], hw: tuple[int, int]
                 ) -> tuple[float, float, int] | None:
    """(amount, sigma_px, kernel size) if this global step can run on the fast blur."""
    fn = _UNSHARP_OPS.get(op.name)
    if fn is None:
        return None
    try:
        amount, pct, lo = fn(params)
    except (KeyError, TypeError, ValueError):
        return None  # the op changed its parameters: leave it to the reference path
    # sigma as the op computes it: float32 tensor pct * (short_side / 100), clamped
    sigma_t = (torch.tensor(float(pct), dtype=torch.float32) * (min(hw) / 100.0)).clamp_min(lo)
    sigma = float(sigma_t)
    if sigma <= 0:
        return None
    if sigma > pm._DIRECT_SIGMA_PX and max(1, min(int(sigma / 4.0), min(hw) // 8 or 1)) > 1:
        return None  # the registry blurs a downsampled copy there
    k = pm._kernel_size(sigma)
    if k // 2 >= min(hw):
        return None  # registry switches to replicate borders
    return amount, sigma, k


def gaussian_weights(sigma: float, k: int) -> np.ndarray:
    """The 1-D kernel kornia builds for the reference path, as float32."""
    w = kornia.filters.get_gaussian_kernel1d(k, torch.tensor([[sigma]], dtype=torch.float32))
    return np.ascontiguousarray(w.reshape(-1).numpy(), dtype=np.float32)


def unsharp(frame: Frame, amount: float, sigma: float, k: int, *,
            keep_blur: bool = False) -> np.ndarray:
    """uint8 of clamp(img + amount * (img - G * img)) for a render frame, in cache-sized
    bands; a colour-run frame is gathered band by band, never as a full float image.
    keep_blur=True returns G * img instead (HxWx3 float32), for `combine`."""
    w = gaussian_weights(sigma, k)
    h, wpx = frame.shape
    out = np.empty((1, 1, 3) if keep_blur else (h, wpx, 3), np.uint8)
    blurred = np.empty((h, wpx, 3) if keep_blur else (1, 1, 3), np.float32)
    a = float(amount)
    rows = blur_kernels.band_rows(h, numba.get_num_threads())
    if frame.index is not None and frame.table is not None and frame.rgbf is None:
        blur_kernels.gather_unsharp(frame.index.idx, frame.table, w, a, out, blurred, keep_blur,
                                    rows)
    elif frame.rgbf is not None or frame.blend is not None:  # a float image (or one to make)
        blur_kernels.image_unsharp(np.ascontiguousarray(frame.f32()), 1.0, w, a, out, blurred,
                                   keep_blur, rows)
    else:
        blur_kernels.image_unsharp(np.ascontiguousarray(frame.u8()), 1.0 / 255.0, w, a, out,
                                   blurred, keep_blur, rows)
    return blurred if keep_blur else out


def combine(img: np.ndarray, blurred: np.ndarray, amount: float) -> np.ndarray:
    """uint8 of clamp(img + amount * (img - blurred)), the same arithmetic as `unsharp`."""
    out = np.empty(img.shape, np.uint8)
    blur_kernels.unsharp_u8(img, blurred, float(amount), out)
    return out
