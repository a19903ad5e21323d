"""Detail operations: sharpness, gaussian blur, radial (zoom) blur, denoise, dehaze.

Sizes (radii, sigmas, patches) are fractions of the image's short side, so a preview proxy
and the full-resolution photo get the same look.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from lbie_desktop.core.ops.pixel_math import (
    gaussian_blur,
    guided_filter,
    is_value,
    luminance,
    min_filter,
    self_guided_smooth,
    short_side,
)
from lbie_desktop.core.ops.registry import Op, Param, register

# Gaussians finer than this barely change a pixel, so sharpening would do nothing on small
# previews; the fast render path must use the same floor.
SHARPEN_MIN_SIGMA_PX = 0.7


def _pct_to_px(img: torch.Tensor, pct: torch.Tensor) -> torch.Tensor:
    return pct * (short_side(img) / 100.0)


def _sharpness(img: torch.Tensor, p, mask) -> torch.Tensor:
    # Unsharp mask: I + a (I - G_r * I). GIER's Laplacian form I + p (K * I) is this with a
    # 1-pixel kernel and a = 4p; a Gaussian radius tied to the short side keeps the look the
    # same at any resolution. Negative amounts soften (a = -1 gives the blurred image).
    a = p["amount"]
    if is_value(a, 0.0):
        return img
    sigma = _pct_to_px(img, p["radius"]).clamp_min(SHARPEN_MIN_SIGMA_PX)
    return img + a * (img - gaussian_blur(img, sigma))


register(Op(
    name="sharpness", label="Sharpness", family="detail",
    description="Sharpen (+) or soften (-) edges and fine detail.",
    params=(Param("amount", "Amount", -1.0, 3.0, 0.0, 0.01),
            Param("radius", "Radius", 0.02, 2.0, 0.1, 0.01, unit="% of short side",
                  help="size of the detail that gets sharpened")),
    fn=_sharpness, gier_names=("sharpness",),
    keywords=("sharpen", "sharper", "sharpness", "crisp", "crisper", "blurry", "soft", "focus",
              "detail", "clarity", "unsharp"),
))


def _gaussian_blur(img: torch.Tensor, p, mask) -> torch.Tensor:
    if is_value(p["sigma"], 0.0):
        return img
    return gaussian_blur(img, _pct_to_px(img, p["sigma"]))


register(Op(
    name="gaussian_blur", label="Blur", family="detail",
    description="Gaussian blur (sigma as a percentage of the short side).",
    params=(Param("sigma", "Blur", 0.0, 10.0, 0.0, 0.05, unit="% of short side"),),
    fn=_gaussian_blur, gier_names=("gaussain_blur", "gaussian_blur"),
    keywords=("blur", "blurry", "blurred", "soften", "out of focus", "bokeh", "defocus", "smooth"),
))


def _zoom_samples(img: torch.Tensor, cx: torch.Tensor, cy: torch.Tensor, width: torch.Tensor,
                  taps: int) -> torch.Tensor:
    """Mean of `taps` copies scaled about (cx, cy) by exp(-t), t evenly spread over `width`."""
    b, _, h, w = img.shape
    if not (torch.is_grad_enabled() and any(t.requires_grad for t in (img, cx, cy, width))):
        return _zoom_samples_cv2(img, float(cx), float(cy), float(width), taps)
    ys = torch.linspace(-1 + 1 / h, 1 - 1 / h, h, dtype=img.dtype, device=img.device)
    xs = torch.linspace(-1 + 1 / w, 1 - 1 / w, w, dtype=img.dtype, device=img.device)
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    centre_x, centre_y = cx * 2 - 1, cy * 2 - 1
    acc = torch.zeros_like(img)
    for k in range(taps):
        scale = torch.exp(-width * k / taps)
        grid = torch.stack([centre_x + (gx - centre_x) * scale,
                            centre_y + (gy - centre_y) * scale], dim=-1)
        acc = acc + F.grid_sample(img, grid.unsqueeze(0).expand(b, -1, -1, -1), mode="bilinear",
                                  padding_mode="border", align_corners=False)
    return acc / taps


def _zoom_samples_cv2(img: torch.Tensor, cx: float, cy: float, width: float, taps: int
                      ) -> torch.Tensor:
    """The same sampling as one cv2.warpAffine per tap (rendering, no gradient): a scaling
    about the centre is affine, so no coordinate maps are built; ~10x faster."""
    b, c, h, w = img.shape
    px, py = cx * w - 0.5, cy * h - 0.5  # centre in pixel-index coordinates
    out = torch.empty_like(img)
    for i in range(b):
        src = img[i].permute(1, 2, 0).contiguous().numpy()
        acc = np.zeros_like(src)
        for k in range(taps):
            s = float(np.exp(-width * k / taps))
            m = np.array([[s, 0, px * (1 - s)], [0, s, py * (1 - s)]], np.float32)
            acc += cv2.warpAffine(src, m, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                  borderMode=cv2.BORDER_REPLICATE).reshape(src.shape)
        out[i] = torch.from_numpy(acc / taps).permute(2, 0, 1)
    return out


def _radial_blur(img: torch.Tensor, p, mask) -> torch.Tensor:
    if is_value(p["amount"], 0.0):
        return img
    # A box filter along log-scale; two passes of 8 taps (the second filling the gaps of the
    # first) give 64 effective samples, enough for smooth streaks at 18 MP.
    width = 0.5 * p["amount"]
    taps = 8
    out = _zoom_samples(img, p["cx"], p["cy"], width, taps)
    return _zoom_samples(out, p["cx"], p["cy"], width / taps, taps)


register(Op(
    name="radial_blur", label="Zoom blur", family="detail",
    description="Blur streaking out from a centre point, like zooming during the exposure.",
    params=(Param("amount", "Amount", 0.0, 1.0, 0.0, 0.01),
            Param("cx", "Centre x", 0.0, 1.0, 0.5, 0.01, help="fraction of the width"),
            Param("cy", "Centre y", 0.0, 1.0, 0.5, 0.01, help="fraction of the height")),
    fn=_radial_blur, gier_names=("radial_blur",),
    keywords=("radial blur", "zoom blur", "motion", "speed", "zoom effect", "tunnel", "radial"),
))


def _denoise(img: torch.Tensor, p, mask) -> torch.Tensor:
    s = p["strength"]
    if is_value(s, 0.0):
        return img
    # Window 0.15% of the short side (6 px on a 4000 px photo, where grain spans 1-2 px);
    # never below half a pixel so small previews still get smoothed.
    sigma = max(0.5, 0.0015 * short_side(img))
    eps = (0.12 * s) ** 2 + 1e-6  # flattens variations below ~12% * strength, keeps edges
    smooth = self_guided_smooth(img, sigma, eps)
    return img + s * (smooth - img)


register(Op(
    name="denoise", label="Denoise", family="detail",
    description="Smooth away noise and grain while keeping edges sharp.",
    params=(Param("strength", "Strength", 0.0, 1.0, 0.0, 0.01),),
    fn=_denoise, gier_names=("denoise",),
    keywords=("noise", "noisy", "grain", "grainy", "denoise", "speckles", "clean up", "smooth skin"),
))


def _dehaze(img: torch.Tensor, p, mask) -> torch.Tensor:
    a = p["amount"]
    if is_value(a, 0.0):
        return img
    # Dark channel prior (He et al. 2009): in haze-free patches some channel is near 0, so
    # the patch minimum measures the haze. Patch = 1.5% of the short side.
    r = max(1, round(0.0075 * short_side(img)))
    dark = min_filter(img.amin(dim=1, keepdim=True), r)
    # Airlight: colour of the haziest 0.1% of pixels (no gradient through the selection).
    b = img.shape[0]
    flat_dark = dark.reshape(b, -1)
    n = max(1, flat_dark.shape[1] // 1000)
    idx = flat_dark.topk(n, dim=1).indices  # [B, n]
    pix = img.reshape(b, 3, -1)
    air = torch.gather(pix, 2, idx.unsqueeze(1).expand(-1, 3, -1)).mean(dim=2).clamp_min(0.05)
    air = air.view(b, 3, 1, 1)
    norm_dark = min_filter((img / air).amin(dim=1, keepdim=True), r)
    trans = 1 - 0.95 * a * norm_dark
    # Refine the blocky transmission along the image's edges.
    trans = guided_filter(luminance(img), trans, 4 * r, 1e-3, subsample=max(1, r // 2))
    return (img - air) / trans.clamp_min(0.1) + air


register(Op(
    name="dehaze", label="Dehaze", family="detail",
    description="Remove haze, fog or mist and restore contrast and colour in the distance.",
    params=(Param("amount", "Amount", 0.0, 1.0, 0.0, 0.01),),
    fn=_dehaze, gier_names=("dehaze",),
    keywords=("haze", "hazy", "fog", "foggy", "mist", "misty", "smog", "dehaze", "clearer",
              "washed out"),
))
