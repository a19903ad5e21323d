"""Colour operations: saturation, colour curve, temperature, vibrance, black & white, recolor."""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import partial

import kornia
import torch

from lbie_desktop.core.ops.pixel_math import (
    curve_from_offsets,
    is_value,
    luminance,
    scale_saturation,
    tone_curve,
)
from lbie_desktop.core.ops.registry import Op, Param, ParamValue, register
from lbie_desktop.core.ops.slider_forms import fit_controls

_POINTWISE = {"pointwise": True}


def _saturation(img: torch.Tensor, p, mask) -> torch.Tensor:
    # GIER: HSV S' = clamp(S * (1 + p)), H and V kept.
    return scale_saturation(img, lambda s, _: s * (1 + p["amount"]))


register(Op(
    name="saturation", label="Saturation", family="colour",
    description="Make colours more intense (+) or more muted (-); -1 is greyscale.",
    params=(Param("amount", "Amount", -1.0, 1.5, 0.0, 0.01, unit="x"),),
    fn=_saturation, gier_names=("saturation",),
    keywords=("saturation", "saturated", "colourful", "colorful", "vivid", "muted", "desaturate",
              "colour", "color", "intense", "pale"),
    extra=_POINTWISE,
))


# --- colour curves (GIER "hue") ---------------------------------------------------------

def _hue(img: torch.Tensor, p, mask) -> torch.Tensor:
    if is_value(p["points"], 1.0):
        return img
    return tone_curve(img, p["points"].reshape(3, 8))


def colour_controls_to_points(values: Mapping[str, float]) -> dict[str, ParamValue]:
    """warmth / red / green / blue (-1..1) -> 24 slopes: each channel's curve bows above
    (+) or below (-) the diagonal in the midtones, by up to 0.15."""
    w = float(values.get("warmth", 0.0))
    bows = [w + float(values.get("red", 0.0)), float(values.get("green", 0.0)),
            -w + float(values.get("blue", 0.0))]
    points: list[float] = []
    for bow in bows:
        offsets = [0.15 * bow * math.sin(math.pi * k / 8) for k in range(9)]
        points += curve_from_offsets(offsets, 8)
    return {"points": points}


_COLOUR_CONTROLS = (
    Param("warmth", "Warmth", -1.0, 1.0, 0.0, 0.01, help="red up and blue down (+)"),
    Param("red", "Red", -1.0, 1.0, 0.0, 0.01),
    Param("green", "Green", -1.0, 1.0, 0.0, 0.01),
    Param("blue", "Blue", -1.0, 1.0, 0.0, 0.01),
)

register(Op(
    name="hue", label="Colour curves", family="colour",
    description="Shift the colour balance with a separate 8-segment curve per R, G, B channel.",
    params=(Param("points", "Curve slopes (R, G, B)", 0.0, 4.0, (1.0,) * 24, 0.01, kind="curve",
                  length=24, advanced=True,
                  help="8 slopes for red, then 8 for green, then 8 for blue"),),
    fn=_hue, gier_names=("hue",),
    keywords=("hue", "colour cast", "color cast", "tone", "redder", "greener", "bluer", "more red",
              "more blue", "more green", "colour balance", "color balance", "tinted"),
    controls=_COLOUR_CONTROLS, controls_to_params=colour_controls_to_points,
    params_to_controls=partial(fit_controls, _COLOUR_CONTROLS, colour_controls_to_points),
    extra=_POINTWISE,
))


# --- white balance ----------------------------------------------------------------------

def _temperature(img: torch.Tensor, p, mask) -> torch.Tensor:
    t, g = p["temperature"], p["tint"]
    if is_value(t, 0.0) and is_value(g, 0.0):
        return img
    # Per-channel gains (a von Kries-style white balance) on the sRGB values; warm = red up,
    # blue down; magenta tint = green down. Normalised so Rec.709 luminance of grey is kept.
    zero = torch.zeros_like(t)
    log_gain = torch.stack([0.25 * t + 0.1 * g, -0.2 * g + zero, -0.25 * t + 0.1 * g])
    gains = torch.exp(log_gain)
    gains = gains / (0.2126 * gains[0] + 0.7152 * gains[1] + 0.0722 * gains[2])
    return img * gains.view(1, 3, 1, 1)


register(Op(
    name="temperature", label="White balance", family="colour",
    description="Warm up (+) or cool down (-) the colours; tint towards magenta (+) or green (-).",
    params=(Param("temperature", "Temperature", -1.0, 1.0, 0.0, 0.01,
                  help="+ warmer (yellow/orange), - cooler (blue)"),
            Param("tint", "Tint", -1.0, 1.0, 0.0, 0.01, help="+ magenta, - green")),
    fn=_temperature, gier_names=(),
    keywords=("warm", "warmer", "cool", "cooler", "cold", "white balance", "temperature", "blue cast",
              "yellow cast", "orange", "golden", "magenta", "green cast"),
    extra=_POINTWISE,
))


# --- vibrance ---------------------------------------------------------------------------

def _skin_likeness(img: torch.Tensor) -> torch.Tensor:
    # Skin tones cluster tightly in YCbCr's chroma plane (Cb ~ 102, Cr ~ 153 of 255);
    # a soft Gaussian around that cluster is differentiable and needs no hue angle.
    ycc = kornia.color.rgb_to_ycbcr(img) * 255.0
    cb, cr = ycc[:, 1:2], ycc[:, 2:3]
    return torch.exp(-(((cb - 102.0) / 18.0) ** 2) - ((cr - 153.0) / 16.0) ** 2)


def _vibrance(img: torch.Tensor, p, mask) -> torch.Tensor:
    a = p["amount"]
    if is_value(a, 0.0):
        return img
    skin = _skin_likeness(img)

    def new_s(s: torch.Tensor, _: torch.Tensor) -> torch.Tensor:
        # muted colours move most, saturated ones and skin barely
        return s * (1 + a * (1 - s) ** 2 * (1 - 0.7 * skin))

    return scale_saturation(img, new_s)


register(Op(
    name="vibrance", label="Vibrance", family="colour",
    description="Boost muted colours while sparing already vivid colours and skin tones.",
    params=(Param("amount", "Vibrance", -1.0, 1.5, 0.0, 0.01),),
    fn=_vibrance, gier_names=(),
    keywords=("vibrance", "vibrant", "more colour", "more color", "richer", "lively", "pop"),
    extra=_POINTWISE,
))


# --- black & white ----------------------------------------------------------------------

# Channel mixes that imitate colour filters on black-and-white film.
BW_FILTERS: dict[str, tuple[float, float, float]] = {
    "neutral": (0.2126, 0.7152, 0.0722),
    "red": (0.70, 0.25, 0.05),  # dark skies, light skin
    "orange": (0.50, 0.40, 0.10),
    "yellow": (0.40, 0.50, 0.10),
    "green": (0.15, 0.75, 0.10),  # light foliage
    "blue": (0.10, 0.30, 0.60),  # light skies, dramatic skin
}


def _black_white(img: torch.Tensor, p, mask) -> torch.Tensor:
    a = p["amount"]
    if is_value(a, 0.0):
        return img
    grey = luminance(img, BW_FILTERS[p["filter"]]).clamp(0, 1)
    return img + a * (grey - img)


register(Op(
    name="black_white", label="Black & white", family="colour",
    description="Convert to black and white, optionally through a coloured filter mix.",
    params=(Param("amount", "Amount", 0.0, 1.0, 0.0, 0.01, help="1 is fully black and white"),
            Param("filter", "Filter", kind="choice", default="neutral",
                  choices=tuple(BW_FILTERS))),
    fn=_black_white, gier_names=("black&white",),
    keywords=("black and white", "black & white", "b&w", "bw", "grayscale", "greyscale", "monochrome",
              "mono", "gray", "grey", "desaturate", "colourless", "colorless", "noir"),
    extra=_POINTWISE,
))


# --- recolor ----------------------------------------------------------------------------

def _recolor(img: torch.Tensor, p, mask) -> torch.Tensor:
    s = p["strength"]
    if is_value(s, 0.0):
        return img
    # Keep each pixel's L* and take the picked colour's a*, b*: the region gets the new
    # colour with its shading intact — and a grey region gets colour too.
    lab = kornia.color.rgb_to_lab(img)
    target = kornia.color.rgb_to_lab(p["color"].to(img.dtype).view(1, 3, 1, 1).clamp(0, 1))
    ab = lab[:, 1:] + s * (target[:, 1:] - lab[:, 1:])
    return kornia.color.lab_to_rgb(torch.cat([lab[:, :1], ab], dim=1), clip=True)


register(Op(
    name="recolor", label="Recolour", family="colour",
    description="Paint a region a chosen colour while keeping its light and shade.",
    params=(Param("color", "Colour", 0.0, 1.0, (0.85, 0.15, 0.15), 0.01, kind="color", length=3),
            Param("strength", "Strength", 0.0, 1.0, 0.0, 0.01, help="1 replaces the colour")),
    fn=_recolor, gier_names=(),
    keywords=("recolor", "recolour", "colorize", "colourise", "colorise", "paint", "make it red",
              "turn", "dye", "change the colour", "change the color"),
    extra=_POINTWISE,
))


# --- red eye ------------------------------------------------------------------------------

def _red_eye(img: torch.Tensor, p, mask) -> torch.Tensor:
    s = p["strength"]
    if is_value(s, 0.0):
        return img
    r, g, b = img[:, 0:1], img[:, 1:2], img[:, 2:3]
    # how many times red exceeds the other two: a flash-lit pupil is R >> G, B (ratio 3-8);
    # skin (~1.3) and lips (~1.9) are red too but with G and B close behind, so they stay
    # below the ramp; dark pixels (R < 0.15) are left alone
    ratio = r / (torch.maximum(g, b) + 0.05)
    w = ((ratio - 1.8) / 0.7).clamp(0, 1) * ((r - 0.15) / 0.1).clamp(0, 1) * s
    # the red channel takes the others' mean (the pupil's own dark grey), a little darker
    dark = (g + b) / 2
    return torch.cat([r + w * (dark - r), g * (1 - 0.15 * w), b * (1 - 0.15 * w)], dim=1)


register(Op(
    name="red_eye", label="Red eye", family="colour",
    description="Take the flash's red out of pupils (limit it to the eyes: red clothes match too).",
    params=(Param("strength", "Strength", 0.0, 1.0, 0.0, 0.01),),
    fn=_red_eye, gier_names=(),
    keywords=("red eye", "red eyes", "red-eye", "red pupils", "flash eyes"),
    extra=_POINTWISE,
))
