"""Tone operations: brightness, lightness, exposure, contrast, tone curve, shadows, highlights."""

from __future__ import annotations

import kornia
import torch

from lbie_desktop.core.ops.registry import Op, Param, register


def _brightness(img: torch.Tensor, p, mask) -> torch.Tensor:
    # GIER: HSV V' = clamp(V * (1 + p)); H and S kept.
    hsv = kornia.color.rgb_to_hsv(img)
    v = (hsv[:, 2:3] * (1 + p["amount"])).clamp(0, 1)
    return kornia.color.hsv_to_rgb(torch.cat([hsv[:, :2], v], dim=1))


register(Op(
    name="brightness", label="Brightness", family="tone",
    description="Scale the brightness (HSV value) of every pixel.",
    params=(Param("amount", "Amount", -1.0, 2.0, 0.0, 0.01, unit="x"),),
    fn=_brightness, gier_names=("brightness",),
    keywords=("brighter", "darker", "brighten", "darken", "light", "dark"),
))
