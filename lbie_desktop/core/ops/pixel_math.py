"""Differentiable building blocks the op families share (luma, blur, curves, saturation)."""

from __future__ import annotations

import math
from collections.abc import Callable

import cv2
import kornia
import numpy as np
import torch
import torch.nn.functional as F

# Rec.709 luma weights: the luminance most ops measure brightness with.
LUMA_709 = (0.2126, 0.7152, 0.0722)
# Above this sigma (px) blurs run on a downsampled copy: same look, a fraction of the cost.
_DIRECT_SIGMA_PX = 6.0


def luminance(img: torch.Tensor, weights: tuple[float, float, float] = LUMA_709) -> torch.Tensor:
    """[B,3,H,W] -> [B,1,H,W] weighted sum of the channels."""
    w = torch.tensor(weights, dtype=img.dtype, device=img.device).view(1, 3, 1, 1)
    return (img * w).sum(dim=1, keepdim=True)


def short_side(img: torch.Tensor) -> int:
    return int(min(img.shape[-2:]))


def is_value(t: torch.Tensor | float, value: float) -> bool:
    """True when a parameter is exactly `value` and needs no gradient, so an op can return
    its input untouched (identity stays bit-exact, and nothing is computed)."""
    if isinstance(t, torch.Tensor):
        return not t.requires_grad and bool((t == value).all())
    return float(t) == value


def safe_div(num: torch.Tensor, den: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """num / den where den > eps, else 0 — with finite gradients on both branches."""
    ok = den > eps
    return torch.where(ok, num / torch.where(ok, den, torch.ones_like(den)),
                       torch.zeros_like(num))


def smoothstep(x: torch.Tensor, lo: float, hi: float) -> torch.Tensor:
    t = ((x - lo) / (hi - lo)).clamp(0, 1)
    return t * t * (3 - 2 * t)


def _kernel_size(sigma: float) -> int:
    return max(3, 2 * math.ceil(3.0 * sigma) + 1)


def gaussian_blur(img: torch.Tensor, sigma_px: torch.Tensor | float) -> torch.Tensor:
    """Gaussian blur with sigma in pixels (tensor sigma keeps the gradient).

    Large sigmas blur an area-downsampled copy and upsample it bilinearly, which keeps
    an 18 MP blur with sigma 100 px to a few hundred milliseconds.
    """
    sigma = sigma_px if isinstance(sigma_px, torch.Tensor) else torch.tensor(float(sigma_px))
    sigma = sigma.to(img.dtype).reshape(())
    s = float(sigma.detach())
    if s <= 0:
        return img
    h, w = img.shape[-2:]
    factor = 1
    if s > _DIRECT_SIGMA_PX:
        factor = max(1, min(int(s / 4.0), min(h, w) // 8 or 1))
    src = img
    if factor > 1:
        src = F.interpolate(img, size=(max(1, h // factor), max(1, w // factor)), mode="area")
        # the area box already blurred by ~factor/sqrt(12); take it off the remaining sigma
        sigma = torch.sqrt((sigma / factor) ** 2 - 1 / 12 + 1e-6)
    k = _kernel_size(float(sigma.detach()))
    # reflect padding needs the pad to be smaller than the image
    border = "reflect" if k // 2 < min(src.shape[-2:]) else "replicate"
    if _needs_graph(src, sigma) or src.device.type != "cpu" or src.dtype != torch.float32:
        out = kornia.filters.gaussian_blur2d(src, (k, k), sigma.expand(src.shape[0], 2), border)
    else:
        out = _cv2_blur(src, float(sigma), k, border)
    if factor > 1:
        out = F.interpolate(out, size=(h, w), mode="bilinear", align_corners=False)
    return out


def _needs_graph(*ts: torch.Tensor) -> bool:
    return torch.is_grad_enabled() and any(t.requires_grad for t in ts)


def _cv2_blur(x: torch.Tensor, sigma: float, k: int, border: str) -> torch.Tensor:
    """The same separable Gaussian as kornia's (same size, same normalised taps; torch
    "reflect" = OpenCV REFLECT_101) through OpenCV's SIMD, threaded filter: ~10x faster
    when no gradient is needed (rendering)."""
    mode = cv2.BORDER_REFLECT_101 if border == "reflect" else cv2.BORDER_REPLICATE
    out = torch.empty_like(x)
    for b in range(x.shape[0]):
        for c0 in range(0, x.shape[1], 3):  # OpenCV filters up to 4 channels at once
            chunk = x[b, c0:c0 + 3].permute(1, 2, 0).contiguous().numpy()
            res = cv2.GaussianBlur(chunk, (k, k), sigmaX=sigma, sigmaY=sigma, borderType=mode)
            out[b, c0:c0 + 3] = torch.from_numpy(res.reshape(chunk.shape)).permute(2, 0, 1)
    return out


def scale_saturation(img: torch.Tensor,
                     new_s: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """Change HSV saturation keeping H and V, without an HSV round trip.

    With V = max(R,G,B) and hue fixed, every channel's distance below V is proportional to
    S, so scaling S by k scales (V - c) by k. `new_s(S, img)` returns the new saturation.
    Written as c + (V - c)(1 - k) so k == 1 gives the input bit-exactly.
    """
    v = img.amax(dim=1, keepdim=True)
    mn = img.amin(dim=1, keepdim=True)
    s = safe_div(v - mn, v)
    k = safe_div(new_s(s, img).clamp(0, 1), s)
    k = torch.where(s > 1e-6, k, torch.ones_like(k))
    return img + (v - img) * (1 - k)


def tone_curve(x: torch.Tensor, slopes: torch.Tensor) -> torch.Tensor:
    """GIER's 8-piece monotone curve: (n / sum t) * sum_i clamp(x - i/n, 0, 1/n) * t_i.

    x: [B,C,H,W]; slopes: [n] (one curve for all channels) or [C, n] (one per channel).
    """
    n = slopes.shape[-1]
    t = slopes.clamp_min(0)
    if t.dim() == 1:
        t = t.unsqueeze(0)  # [1, n] broadcasts over channels
    t = t * (n / t.sum(dim=-1, keepdim=True).clamp_min(1e-6))
    t = t.to(x.dtype)
    # Evaluate piecewise: the segment each value falls in, the curve's height at that
    # segment's start (prefix sum) plus the slope times the way into it. Equal to the sum
    # over all segments, in ~5 passes over the image instead of 3n.
    start = torch.cumsum(t, dim=-1) / n - t / n  # [C|1, n] curve height at i/n
    seg = (x * n).floor().clamp(0, n - 1).long()
    if t.shape[0] > 1:  # per-channel curves: offset each channel into the flat table
        seg = seg + (torch.arange(t.shape[0], device=x.device) * n).view(1, -1, 1, 1)
    t_flat, start_flat = t.reshape(-1), start.reshape(-1)
    return start_flat[seg] + (x.clamp(0, 1) - (seg % n).to(x.dtype) / n) * t_flat[seg]


def curve_from_offsets(offsets: list[float], n: int = 8, min_slope: float = 0.05) -> list[float]:
    """Slopes of a monotone curve through (k/n, k/n + offsets[k]) for k = 0..n.

    Used by slider controls: they describe how far the curve bends above/below the diagonal
    at each knot; the raw op wants the n segment slopes (identity = all ones).
    """
    ys = [k / n + offsets[k] for k in range(n + 1)]
    slopes = [max(min_slope, n * (ys[k + 1] - ys[k])) for k in range(n)]
    return [round(s, 4) for s in slopes]


def self_guided_smooth(img: torch.Tensor, sigma_px: float, eps: torch.Tensor | float
                       ) -> torch.Tensor:
    """Guided filter with the image as its own guide (He et al.), Gaussian windows instead of
    boxes so the window can be a fraction of a pixel wide and scales smoothly with the photo:
    flat regions (variance << eps) are averaged, edges (variance >> eps) kept."""
    mean = gaussian_blur(img, sigma_px)
    var = (gaussian_blur(img * img, sigma_px) - mean * mean).clamp_min(0)
    a = var / (var + eps)
    b = mean - a * mean
    return gaussian_blur(a, sigma_px) * img + gaussian_blur(b, sigma_px)


def box_mean(x: torch.Tensor, radius: int) -> torch.Tensor:
    """Mean over a (2r+1)^2 window, replicated borders; separable (cost 2(2r+1) per pixel),
    and OpenCV's running-sum box filter when no gradient is needed."""
    if radius <= 0:
        return x
    k = 2 * radius + 1
    if not _needs_graph(x) and x.device.type == "cpu" and x.dtype == torch.float32:
        out = torch.empty_like(x)
        for b in range(x.shape[0]):
            for c in range(x.shape[1]):
                out[b, c] = torch.from_numpy(cv2.boxFilter(
                    x[b, c].contiguous().numpy(), -1, (k, k), normalize=True,
                    borderType=cv2.BORDER_REPLICATE))
        return out
    x = F.avg_pool2d(F.pad(x, (radius, radius, 0, 0), mode="replicate"), (1, k), stride=1)
    return F.avg_pool2d(F.pad(x, (0, 0, radius, radius), mode="replicate"), (k, 1), stride=1)


def guided_filter(guide: torch.Tensor, src: torch.Tensor, radius: int, eps: float,
                  subsample: int = 1) -> torch.Tensor:
    """He et al.'s guided filter with a one-channel guide: smooths `src` but keeps the
    guide's edges. `subsample` > 1 solves on a downsampled copy ("fast guided filter")."""
    h, w = guide.shape[-2:]
    g, p = guide, src
    if subsample > 1:
        size = (max(1, h // subsample), max(1, w // subsample))
        g, p = F.interpolate(g, size=size, mode="area"), F.interpolate(p, size=size, mode="area")
        radius = max(1, radius // subsample)
    mean_g, mean_p = box_mean(g, radius), box_mean(p, radius)
    var_g = (box_mean(g * g, radius) - mean_g * mean_g).clamp_min(0)
    cov = box_mean(g * p, radius) - mean_g * mean_p
    a = cov / (var_g + eps)
    b = mean_p - a * mean_g
    mean_a, mean_b = box_mean(a, radius), box_mean(b, radius)
    if subsample > 1:
        mean_a = F.interpolate(mean_a, size=(h, w), mode="bilinear", align_corners=False)
        mean_b = F.interpolate(mean_b, size=(h, w), mode="bilinear", align_corners=False)
    return mean_a * guide + mean_b


def min_filter(x: torch.Tensor, radius: int) -> torch.Tensor:
    """Minimum over a (2r+1)^2 window (pixels outside the image ignored); separable, and
    OpenCV's erosion when no gradient is needed."""
    if radius <= 0:
        return x
    k = 2 * radius + 1
    if not _needs_graph(x) and x.device.type == "cpu" and x.dtype == torch.float32:
        kernel = np.ones((k, k), np.uint8)
        out = torch.empty_like(x)
        for b in range(x.shape[0]):
            for c in range(x.shape[1]):
                out[b, c] = torch.from_numpy(cv2.erode(x[b, c].contiguous().numpy(), kernel))
        return out
    x = -F.max_pool2d(-x, (1, k), stride=1, padding=(0, radius))
    return -F.max_pool2d(-x, (k, 1), stride=1, padding=(radius, 0))
