"""Tone operations: brightness, lightness, exposure, contrast, tone curve, shadows, highlights."""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import partial

import kornia
import torch

from lbie_desktop.core.ops.pixel_math import (
    gaussian_blur,
    is_value,
    luminance,
    safe_div,
    short_side,
    smoothstep,
    tone_curve,
)
from lbie_desktop.core.ops.registry import Op, Param, ParamValue, register
from lbie_desktop.core.ops.slider_forms import fit_controls

_POINTWISE = {"pointwise": True}  # output pixel depends only on the input pixel (LUT-able)


def _brightness(img: torch.Tensor, p, mask) -> torch.Tensor:
    # GIER: HSV V' = clamp(V * (1 + p)) with H and S kept. With H, S fixed every channel is
    # proportional to V, so this is a per-pixel gain V'/V — no HSV round trip needed.
    v = img.amax(dim=1, keepdim=True)
    gain = safe_div((v * (1 + p["amount"])).clamp(0, 1), v)
    return img * gain


register(Op(
    name="brightness", label="Brightness", family="tone",
    description="Scale the brightness (HSV value) of every pixel.",
    params=(Param("amount", "Amount", -1.0, 2.0, 0.0, 0.01, unit="x",
                  help="+0.5 makes every pixel 50% brighter; -1 makes it black"),),
    fn=_brightness, gier_names=("brightness",),
    keywords=("brighter", "darker", "brighten", "darken", "light", "dark", "dim", "bright"),
    extra=_POINTWISE,
))


def _lightness(img: torch.Tensor, p, mask) -> torch.Tensor:
    # Shift CIE L* with a*, b* kept: perceptually even, colours keep their hue and chroma.
    if is_value(p["amount"], 0.0):
        return img
    lab = kornia.color.rgb_to_lab(img)
    lab = torch.cat([(lab[:, :1] + p["amount"]).clamp(0, 100), lab[:, 1:]], dim=1)
    return kornia.color.lab_to_rgb(lab, clip=True)


register(Op(
    name="lightness", label="Lightness", family="tone",
    description="Shift the perceptual lightness (CIE L*) while keeping colours.",
    params=(Param("amount", "Lightness", -50.0, 50.0, 0.0, 1.0, unit="L*"),),
    fn=_lightness, gier_names=("lightness",),
    keywords=("lighter", "darker", "lightness", "lighten", "luminosity"),
    extra=_POINTWISE,
))


def _exposure(img: torch.Tensor, p, mask) -> torch.Tensor:
    # Exposure is a gain on light, so it multiplies linear-light values, not sRGB codes.
    if is_value(p["stops"], 0.0):
        return img
    lin = kornia.color.rgb_to_linear_rgb(img)
    lin = (lin * torch.pow(2.0, p["stops"])).clamp(0, 1)
    return kornia.color.linear_rgb_to_rgb(lin)


register(Op(
    name="exposure", label="Exposure", family="tone",
    description="Change exposure in photographic stops (each stop doubles the light).",
    params=(Param("stops", "Exposure", -4.0, 4.0, 0.0, 0.05, unit="EV"),),
    fn=_exposure, gier_names=("exposure",),
    keywords=("exposure", "overexposed", "underexposed", "stops", "ev"),
    extra=_POINTWISE,
))


def _contrast(img: torch.Tensor, p, mask) -> torch.Tensor:
    amount = p["amount"]
    lum = 0.27 * img[:, 0:1] + 0.67 * img[:, 1:2] + 0.06 * img[:, 2:3]  # GIER's weights
    # More contrast (GIER): scale each pixel to the S-curve of its luminance.
    more = img * ((1 - torch.cos(math.pi * lum)) / 2) / (lum + 1e-6)
    # Less contrast: move luminance along the inverse S-curve (flattens midtones, keeps
    # black and white), added rather than multiplied so dark colours do not blow up.
    lc = lum.clamp(1e-4, 1 - 1e-4)
    less = img + (torch.acos(1 - 2 * lc) / math.pi - lum)
    # Signed so that d/d(amount) is non-zero at 0 (a fit starting at identity can move).
    return img + amount * torch.where(amount >= 0, more - img, img - less)


register(Op(
    name="contrast", label="Contrast", family="tone",
    description="Increase or decrease the difference between dark and light areas.",
    params=(Param("amount", "Amount", -1.0, 1.0, 0.0, 0.01,
                  help="+1 applies GIER's full S-curve; -1 its inverse (flatter)"),),
    fn=_contrast, gier_names=("contrast",),
    keywords=("contrast", "punchy", "punch", "flat", "dull", "pop", "crisp", "washed out"),
    extra=_POINTWISE,
))


# --- tone curve (GIER "tint") -----------------------------------------------------------

def _tint(img: torch.Tensor, p, mask) -> torch.Tensor:
    if is_value(p["points"], 1.0):
        return img
    return tone_curve(img, p["points"])


def _bump(x: float, centre: float, width: float = 0.25) -> float:
    return max(0.0, 1.0 - abs(x - centre) / width)


def tone_controls_to_points(values: Mapping[str, float]) -> dict[str, ParamValue]:
    """shadows / midtones / highlights (-1..1) -> 8 curve slopes: each control lifts or
    lowers the curve around its quarter of the range by up to 0.2."""
    from lbie_desktop.core.ops.pixel_math import curve_from_offsets

    s, m, h = (float(values.get(k, 0.0)) for k in ("shadows", "midtones", "highlights"))
    offsets = [0.2 * (s * _bump(k / 8, 0.25) + m * _bump(k / 8, 0.5) + h * _bump(k / 8, 0.75))
               for k in range(9)]
    return {"points": curve_from_offsets(offsets, 8)}


_TONE_CONTROLS = (
    Param("shadows", "Shadows", -1.0, 1.0, 0.0, 0.01, help="lift (+) or deepen (-) dark tones"),
    Param("midtones", "Midtones", -1.0, 1.0, 0.0, 0.01, help="brighten (+) or darken (-) mids"),
    Param("highlights", "Highlights", -1.0, 1.0, 0.0, 0.01, help="brighten (+) or tame (-)"),
)

register(Op(
    name="tint", label="Tone curve", family="tone",
    description="Reshape the tones with an 8-segment curve shared by all channels.",
    params=(Param("points", "Curve slopes", 0.0, 4.0, (1.0,) * 8, 0.01, kind="curve", length=8,
                  advanced=True, help="relative slope of each eighth of the tonal range"),),
    fn=_tint, gier_names=("tint",),
    keywords=("curve", "curves", "tone", "tones", "tone curve", "midtones", "gamma", "fade"),
    controls=_TONE_CONTROLS, controls_to_params=tone_controls_to_points,
    params_to_controls=partial(fit_controls, _TONE_CONTROLS, tone_controls_to_points),
    extra=_POINTWISE,
))


# --- shadows / highlights ---------------------------------------------------------------

def _local_luma(img: torch.Tensor) -> torch.Tensor:
    # Weight by a mix of the pixel's and its neighbourhood's luminance (sigma = 1.5% of the
    # short side): regions are treated as a whole, fine texture keeps its contrast, and the
    # half-and-half mix avoids halos along strong edges.
    lum = luminance(img)
    return 0.5 * lum + 0.5 * gaussian_blur(lum, 0.015 * short_side(img))


def _shadows(img: torch.Tensor, p, mask) -> torch.Tensor:
    a = p["amount"]
    if is_value(a, 0.0):
        return img
    lum = luminance(img).clamp(1e-4, 1)
    w = 1 - smoothstep(_local_luma(img), 0.0, 0.6)  # 1 in deep shadows, 0 from mid-grey up
    new = lum ** torch.pow(2.0, -a * w)  # gamma < 1 lifts, > 1 deepens
    return img * (new / lum)  # scale RGB by the luminance gain: colours keep their ratios


def _highlights(img: torch.Tensor, p, mask) -> torch.Tensor:
    a = p["amount"]
    if is_value(a, 0.0):
        return img
    dist = (1 - luminance(img)).clamp(1e-4, 1)  # distance from white
    w = smoothstep(_local_luma(img), 0.4, 1.0)
    new = dist ** torch.pow(2.0, a * w)
    # scale each channel's distance from white, mirroring _shadows
    return 1 - (1 - img) * (new / dist)


register(Op(
    name="shadows", label="Shadows", family="tone",
    description="Lift (+) or deepen (-) the dark areas, leaving bright areas alone.",
    params=(Param("amount", "Shadows", -1.0, 1.0, 0.0, 0.01),),
    fn=_shadows, gier_names=(),
    keywords=("shadows", "shadow", "dark areas", "lift", "fill light", "shadow detail"),
))

register(Op(
    name="highlights", label="Highlights", family="tone",
    description="Recover (-) or brighten (+) the bright areas, leaving dark areas alone.",
    params=(Param("amount", "Highlights", -1.0, 1.0, 0.0, 0.01),),
    fn=_highlights, gier_names=(),
    keywords=("highlights", "highlight", "blown", "bright areas", "recover", "overexposed sky"),
))
