"""Geometric operations: crop, rotate, flip. They change the frame, so they are never local."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lbie_desktop.core.ops.pixel_math import is_value
from lbie_desktop.core.ops.registry import Op, Param, register


def crop_box(h: int, w: int, left: float, top: float, right: float, bottom: float
             ) -> tuple[int, int, int, int]:
    """Pixel box (y0, y1, x0, x1) for margins given as fractions; always >= 1 px."""
    x0 = min(round(left * w), w - 1)
    y0 = min(round(top * h), h - 1)
    x1 = max(x0 + 1, w - round(right * w))
    y1 = max(y0 + 1, h - round(bottom * h))
    return y0, y1, x0, x1


def _crop(img: torch.Tensor, p, mask) -> torch.Tensor:
    vals = [float(p[k]) for k in ("left", "top", "right", "bottom")]
    y0, y1, x0, x1 = crop_box(img.shape[-2], img.shape[-1], *vals)
    return img[..., y0:y1, x0:x1]


register(Op(
    name="crop", label="Crop", family="geometry",
    description="Cut away margins (each side as a fraction of the width or height).",
    params=tuple(Param(side, f"{side.capitalize()} margin", 0.0, 0.95, 0.0, 0.005,
                       unit="of the frame") for side in ("left", "top", "right", "bottom")),
    fn=_crop, can_be_local=False, geometric=True, differentiable=False,
    gier_names=("crop",),
    keywords=("crop", "cut", "trim", "frame", "tighter", "zoom in", "remove the edges", "reframe"),
))


def inner_rect(w: float, h: float, angle_rad: float) -> tuple[float, float]:
    """Largest axis-aligned rectangle inside a w x h rectangle rotated by `angle_rad`."""
    sin_a, cos_a = abs(math.sin(angle_rad)), abs(math.cos(angle_rad))
    long_side, short = (w, h) if w >= h else (h, w)
    if short <= 2 * sin_a * cos_a * long_side or abs(sin_a - cos_a) < 1e-10:
        # half-constrained: two corners of the crop touch the longer sides
        x = 0.5 * short
        return (x / sin_a, x / cos_a) if w >= h else (x / cos_a, x / sin_a)
    cos_2a = cos_a * cos_a - sin_a * sin_a
    return (w * cos_a - h * sin_a) / cos_2a, (h * cos_a - w * sin_a) / cos_2a


def _rotate(img: torch.Tensor, p, mask) -> torch.Tensor:
    angle = p["angle"]
    if is_value(angle, 0.0):
        return img
    b, _, h, w = img.shape
    theta = angle * (math.pi / 180)
    a = float(theta.detach())
    if p["mode"] == "expand":
        wo = round(abs(w * math.cos(a)) + abs(h * math.sin(a)))
        ho = round(abs(w * math.sin(a)) + abs(h * math.cos(a)))
    else:
        wr, hr = inner_rect(w, h, a)
        wo, ho = max(1, math.floor(wr + 1e-6)), max(1, math.floor(hr + 1e-6))
    # Sample the input at each output pixel rotated back (counter-clockwise for + angles,
    # in y-down image coordinates); the rotation stays in the graph for fitting.
    ys = torch.arange(ho, dtype=img.dtype, device=img.device) + 0.5 - ho / 2
    xs = torch.arange(wo, dtype=img.dtype, device=img.device) + 0.5 - wo / 2
    yo, xo = torch.meshgrid(ys, xs, indexing="ij")
    cos, sin = torch.cos(theta), torch.sin(theta)
    xi = xo * cos - yo * sin
    yi = xo * sin + yo * cos
    grid = torch.stack([xi / (w / 2), yi / (h / 2)], dim=-1).unsqueeze(0).expand(b, -1, -1, -1)
    pad = "zeros" if p["mode"] == "expand" else "border"  # expand shows black corners
    return F.grid_sample(img, grid, mode="bilinear", padding_mode=pad, align_corners=False)


register(Op(
    name="rotate", label="Rotate", family="geometry",
    description="Rotate (+ counter-clockwise); crop to the largest clean rectangle or expand.",
    params=(Param("angle", "Angle", -180.0, 180.0, 0.0, 0.1, unit="°"),
            Param("mode", "Edges", kind="choice", default="crop", choices=("crop", "expand"),
                  help="crop: no empty corners; expand: keep the whole photo")),
    fn=_rotate, can_be_local=False, geometric=True, gier_names=("rotate",),
    keywords=("rotate", "turn", "tilt", "tilted", "straighten", "crooked", "level", "horizon",
              "upside down", "sideways", "degrees"),
))


def _flip(img: torch.Tensor, p, mask) -> torch.Tensor:
    if p["direction"] == "horizontal":
        return img.flip(-1)
    if p["direction"] == "vertical":
        return img.flip(-2)
    return img


register(Op(
    name="flip", label="Flip", family="geometry",
    description="Mirror the photo left-right (horizontal) or top-bottom (vertical).",
    params=(Param("direction", "Direction", kind="choice", default="none",
                  choices=("none", "horizontal", "vertical")),),
    fn=_flip, can_be_local=False, geometric=True, gier_names=("flip",),
    keywords=("flip", "mirror", "mirrored", "reverse", "upside down", "left to right"),
))
