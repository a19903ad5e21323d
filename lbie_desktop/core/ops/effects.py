"""Effects: vignette (darker or lighter corners).

Geometry is in fractions of the frame, so a preview proxy and the full-resolution photo get
the same look at the same slider values.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch
import torch.nn.functional as F

from lbie_desktop.core.ops.pixel_math import is_value
from lbie_desktop.core.ops.registry import Op, Param, register

# The falloff is smooth, so above this long side it is computed on a smaller grid and
# upsampled: an 18 MP export costs one interpolation instead of ~10 full-size passes, and the
# 2048 px preview and the export sample the very same grid.
_MAP_LONG_SIDE = 512
_GAMMA = 2.2  # sRGB is close to a 2.2 power: a gain g on light is g ** (1 / 2.2) on the codes


def vignette_weight(h: int, w: int, p, *, dtype: torch.dtype = torch.float32,
                    device: torch.device | str = "cpu") -> torch.Tensor:
    """[1,1,h,w] weight: 0 inside the midpoint, 1 at the corners, smooth in between."""
    scale = _MAP_LONG_SIDE / max(h, w)
    gh, gw = (h, w) if scale >= 1 else (max(2, round(h * scale)), max(2, round(w * scale)))
    # pixel centres as fractions of the half frame: -1 at one edge, +1 at the other
    v = (torch.arange(gh, dtype=dtype, device=device) + 0.5) / gh * 2 - 1
    u = (torch.arange(gw, dtype=dtype, device=device) + 0.5) / gw * 2 - 1
    roundness = p["roundness"] / 100.0
    # roundness > 0 blends the frame-shaped ellipse towards a circle; < 0 squares it off
    # (a superellipse, exponent 2 -> 6) so the falloff hugs the frame's edges.
    circle = roundness.clamp(min=0)
    expo = 2 + 4 * (-roundness).clamp(min=0)
    r_circle = math.hypot(w, h) / (2 * math.sqrt(2))  # a circle through the corners
    ax = (w / 2) * (1 - circle) + r_circle * circle  # semi-axes in pixels
    ay = (h / 2) * (1 - circle) + r_circle * circle
    su = (u * (w / 2) / ax).abs().clamp_min(1e-6) ** expo  # clamp: finite gradient at 0
    sv = (v * (h / 2) / ay).abs().clamp_min(1e-6) ** expo
    corner = (((w / 2) / ax) ** expo + ((h / 2) / ay) ** expo) ** (1 / expo)
    dist = (sv[:, None] + su[None, :]) ** (1 / expo) / corner  # 0 centre .. 1 corners
    start = p["midpoint"] / 100.0
    end = start + (p["feather"] / 100.0) * (1 - start)
    t = ((dist - start) / (end - start)).clamp(0, 1)
    weight = (t * t * (3 - 2 * t))[None, None]
    if (gh, gw) != (h, w):
        weight = F.interpolate(weight, size=(h, w), mode="bilinear", align_corners=False)
    return weight


@functools.lru_cache(maxsize=4)
def _weight_np(h: int, w: int, midpoint: float, feather: float, roundness: float) -> np.ndarray:
    p = {k: torch.tensor(v) for k, v in (("midpoint", midpoint), ("feather", feather),
                                         ("roundness", roundness))}
    weight = vignette_weight(h, w, p)[0, 0].numpy()
    weight.setflags(write=False)
    return weight


def vignette_gain(h: int, w: int, params: dict) -> np.ndarray:
    """[h, w] float32 multiplier that `_vignette` applies, for the renderer's fast path: the
    falloff is kept per frame size and shape, so dragging Amount costs one exp2 and one
    multiply instead of the whole torch pass."""
    weight = _weight_np(h, w, float(params["midpoint"]), float(params["feather"]),
                        float(params["roundness"]))
    return np.exp2(np.float32(float(params["amount"]) / _GAMMA) * weight)


def _vignette(img: torch.Tensor, p, mask) -> torch.Tensor:
    if is_value(p["amount"], 0.0):
        return img
    weight = vignette_weight(img.shape[-2], img.shape[-1], p, dtype=img.dtype,
                             device=img.device)
    # multiplicative, like a lens's falloff: the centre (weight 0) keeps its exact values,
    # colours keep their ratios, and "remove the vignette" is the same gain inverted
    gain = torch.exp2(p["amount"] * weight / _GAMMA)
    return img * gain


register(Op(
    name="vignette", label="Vignette", family="effects",
    description="Darken (-) or lighten (+) the corners, falling off smoothly from the centre.",
    params=(Param("amount", "Amount", -2.0, 2.0, 0.0, 0.05, unit="EV",
                  help="light at the corners in stops: -1 halves it, +1 doubles it"),
            Param("midpoint", "Midpoint", 0.0, 95.0, 50.0, 1.0, unit="%",
                  help="where the falloff starts, from the centre (0%) to the corners (100%)"),
            Param("feather", "Feather", 5.0, 100.0, 50.0, 1.0, unit="%",
                  help="how gradually it falls off: 5% is a hard edge, 100% reaches the "
                       "corners"),
            Param("roundness", "Roundness", -100.0, 100.0, 0.0, 1.0,
                  help="0 follows the frame (an ellipse on a non-square photo), +100 is a "
                       "circle, -100 hugs the edges")),
    fn=_vignette, gier_names=(), extra={"gain": vignette_gain},
    keywords=("vignette", "vignetting", "dark corners", "darken the corners", "darken the edges",
              "light falloff", "corners"),
))
