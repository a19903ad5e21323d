"""Each op does what its name says, measured the way a person would notice it."""

from __future__ import annotations

import math

import kornia
import pytest
import torch
import torch.nn.functional as F

from lbie_desktop.core.ops import apply_op, get_op
from lbie_desktop.core.ops.geometry import inner_rect
from lbie_desktop.core.ops.pixel_math import luminance
from lbie_desktop.core.render import to_tensor


@pytest.fixture(scope="module")
def img(astronaut) -> torch.Tensor:
    return F.interpolate(to_tensor(astronaut), size=(160, 160), mode="area")


@pytest.fixture(scope="module")
def cat(chelsea) -> torch.Tensor:
    return F.interpolate(to_tensor(chelsea), size=(150, 225), mode="area")


def _v(t):
    return t.amax(dim=1)


def _s(t):
    v = t.amax(dim=1)
    return torch.where(v > 0, (v - t.amin(dim=1)) / v.clamp_min(1e-6), torch.zeros_like(v))


def _hf(t):
    """High-frequency energy: mean |Laplacian| (a blur lowers it, sharpening raises it)."""
    return kornia.filters.laplacian(t, 3).abs().mean().item()


def _lab_l(t):
    return kornia.color.rgb_to_lab(t)[:, 0]


def _r_minus_b(t):
    return (t[:, 0] - t[:, 2]).mean().item()


def test_brightness_both_ways(img):
    assert _v(apply_op("brightness", img, {"amount": 0.3})).mean() > _v(img).mean() + 0.05
    assert _v(apply_op("brightness", img, {"amount": -0.3})).mean() < _v(img).mean() - 0.05


def test_brightness_keeps_hue_and_saturation(img):
    out = apply_op("brightness", img, {"amount": -0.4})  # no clipping when darkening
    assert (_s(out) - _s(img)).abs().max() < 1e-4


def test_lightness_raises_lab_l(img):
    out = apply_op("lightness", img, {"amount": 10})
    assert (_lab_l(out) - _lab_l(img)).mean() > 7


def test_exposure_one_stop_doubles_linear_light(img):
    out = apply_op("exposure", img, {"stops": 1.0})
    lin_in, lin_out = (kornia.color.rgb_to_linear_rgb(t) for t in (img, out))
    ok = (lin_in > 0.02) & (lin_in < 0.4)  # away from black and from clipping
    ratio = (lin_out[ok] / lin_in[ok]).median().item()
    assert ratio == pytest.approx(2.0, rel=0.02)


@pytest.mark.parametrize(("amount", "sign"), [(0.8, 1), (-0.8, -1)])
def test_contrast_changes_luminance_spread(img, amount, sign):
    before = luminance(img).std().item()
    after = luminance(apply_op("contrast", img, {"amount": amount})).std().item()
    assert sign * (after - before) > 0.01


def test_tone_curve_controls(img):
    op = get_op("tint")
    lum = luminance(img)
    dark, bright = lum < 0.25, lum > 0.75
    lifted = luminance(apply_op(op, img, op.controls_to_params({"shadows": 0.8})))
    assert (lifted[dark] - lum[dark]).mean() > 0.03
    tamed = luminance(apply_op(op, img, op.controls_to_params({"highlights": -0.8})))
    assert (tamed[bright] - lum[bright]).mean() < -0.03


def test_tone_curve_raw_points_follow_gier(img):
    # all slopes in the upper half zeroed -> everything above mid-grey maps to white
    out = apply_op("tint", img, {"points": [1, 1, 1, 1, 0, 0, 0, 0]})
    assert torch.allclose(out, (img * 2).clamp(0, 1), atol=1e-5)


def test_colour_curves_warmth_and_blue(img):
    op = get_op("hue")
    warm = apply_op(op, img, op.controls_to_params({"warmth": 0.8}))
    assert _r_minus_b(warm) > _r_minus_b(img) + 0.03
    bluer = apply_op(op, img, op.controls_to_params({"blue": 0.8}))
    assert (bluer[:, 2] - img[:, 2]).mean() > 0.03
    assert (bluer[:, :2] - img[:, :2]).abs().max() < 1e-5  # only blue's curve moved


def test_saturation_both_ways(img):
    assert _s(apply_op("saturation", img, {"amount": 0.5})).mean() > _s(img).mean() + 0.03
    grey = apply_op("saturation", img, {"amount": -1.0})
    assert _s(grey).max() < 1e-5


def test_temperature_and_tint(img):
    assert _r_minus_b(apply_op("temperature", img, {"temperature": 0.6})) > _r_minus_b(img) + 0.03
    assert _r_minus_b(apply_op("temperature", img, {"temperature": -0.6})) < _r_minus_b(img) - 0.03
    magenta = apply_op("temperature", img, {"tint": 0.6})

    def green_excess(t):
        return (t[:, 1] - (t[:, 0] + t[:, 2]) / 2).mean().item()

    assert green_excess(magenta) < green_excess(img) - 0.02


def test_vibrance_favours_muted_colours(img):
    out = apply_op("vibrance", img, {"amount": 1.0})
    s0, s1 = _s(img), _s(out)
    assert s1.mean() > s0.mean() + 0.02
    muted, vivid = (s0 > 0.05) & (s0 < 0.3), s0 > 0.7
    assert (s1[muted] / s0[muted]).mean() > (s1[vivid] / s0[vivid]).mean() + 0.2


def test_vibrance_spares_skin():
    skin = torch.tensor([0.85, 0.62, 0.50]).view(1, 3, 1, 1).expand(1, 3, 8, 8).clone()
    sky = torch.tensor([0.55, 0.65, 0.80]).view(1, 3, 1, 1).expand(1, 3, 8, 8).clone()
    gain_skin = (_s(apply_op("vibrance", skin, {"amount": 1.0})) / _s(skin)).mean()
    gain_sky = (_s(apply_op("vibrance", sky, {"amount": 1.0})) / _s(sky)).mean()
    assert gain_sky > gain_skin + 0.2


@pytest.mark.parametrize("filt", ["neutral", "red", "blue"])
def test_black_white(img, filt):
    out = apply_op("black_white", img, {"amount": 1.0, "filter": filt})
    assert (out.amax(dim=1) - out.amin(dim=1)).max() < 1e-6


def test_black_white_filters_differ(img):
    red = apply_op("black_white", img, {"amount": 1.0, "filter": "red"})
    blue = apply_op("black_white", img, {"amount": 1.0, "filter": "blue"})
    # the astronaut's red flag stripes are lighter through a red filter than a blue one
    flag = (img[:, 0] > 0.5) & (img[:, 1] < 0.3) & (img[:, 2] < 0.3)
    assert flag.sum() > 20
    assert (red[:, 0][flag] - blue[:, 0][flag]).mean() > 0.2


def test_recolor_colours_a_grey_region_keeping_its_shading(img):
    grey = luminance(img).expand(-1, 3, -1, -1).contiguous()
    mask = torch.zeros(1, 1, 160, 160)
    mask[..., 40:120, 40:120] = 1
    out = apply_op("recolor", grey, {"color": "royalblue", "strength": 1.0}, mask)
    inside = out[..., 40:120, 40:120]
    mid = (grey[:, 0, 40:120, 40:120] > 0.2) & (grey[:, 0, 40:120, 40:120] < 0.8)
    assert _s(inside)[mid].mean() > 0.25  # visibly coloured
    assert (inside[:, 2] - inside[:, 0])[mid].mean() > 0.1  # and blue
    l_diff = (_lab_l(inside) - _lab_l(grey[..., 40:120, 40:120]))[mid].abs().mean()
    assert l_diff < 3  # light and shade kept (L*)


def test_sharpness_both_ways(img):
    assert _hf(apply_op("sharpness", img, {"amount": 1.5})) > _hf(img) * 1.3
    assert _hf(apply_op("sharpness", img, {"amount": -0.8})) < _hf(img) * 0.8


def test_gaussian_blur_lowers_detail(img):
    assert _hf(apply_op("gaussian_blur", img, {"sigma": 1.0})) < _hf(img) * 0.5


def test_radial_blur_streaks_away_from_the_centre(img):
    out = apply_op("radial_blur", img, {"amount": 0.5, "cx": 0.5, "cy": 0.5})
    change = (out - img).abs().mean(dim=1)[0]
    assert change[70:90, 70:90].mean() < 0.5 * change[:20, :20].mean()  # centre stays sharp
    assert _hf(out) < _hf(img) * 0.7


def test_denoise_brings_a_noisy_photo_closer_to_the_clean_one(img):
    noisy = (img + 0.05 * torch.randn(img.shape, generator=torch.Generator().manual_seed(1))
             ).clamp(0, 1)
    out = apply_op("denoise", noisy, {"strength": 1.0})
    assert (out - img).abs().mean() < 0.8 * (noisy - img).abs().mean()


def test_dehaze_restores_a_hazy_photo(cat):
    hazy = 0.55 * cat + 0.45 * torch.tensor([0.9, 0.9, 0.92]).view(1, 3, 1, 1)
    out = apply_op("dehaze", hazy, {"amount": 1.0})
    assert luminance(out).std() > 1.4 * luminance(hazy).std()
    assert (out - cat).abs().mean() < 0.6 * (hazy - cat).abs().mean()


def test_shadows_lift_dark_areas_only(img):
    out = apply_op("shadows", img, {"amount": 0.8})
    lum, new = luminance(img), luminance(out)
    dark, bright = lum < 0.2, lum > 0.7
    assert (new[dark] - lum[dark]).mean() > 0.04
    assert (new[bright] - lum[bright]).abs().mean() < 0.01


def test_highlights_recover_bright_areas_only(img):
    out = apply_op("highlights", img, {"amount": -0.8})
    lum, new = luminance(img), luminance(out)
    dark, bright = lum < 0.2, lum > 0.7
    assert (new[bright] - lum[bright]).mean() < -0.04
    assert (new[dark] - lum[dark]).abs().mean() < 0.01


def test_color_bg_fills_white_by_default(img):
    mask = torch.zeros(1, 1, 160, 160)
    mask[..., :, :60] = 1
    out = apply_op("color_bg", img, {}, mask)
    assert torch.equal(out[..., :60], torch.ones_like(out[..., :60]))
    assert torch.equal(out[..., 60:], img[..., 60:])


def test_color_bg_transparent_clears_alpha(img):
    op = get_op("color_bg")
    mask = torch.zeros(1, 1, 160, 160)
    mask[..., 50:100, 50:100] = 1
    alpha = op.alpha_fn(op.validate({"mode": "transparent"}), mask)
    assert alpha is not None and torch.equal(alpha, 1 - mask)
    assert op.alpha_fn(op.validate({"mode": "color"}), mask) is None


def test_color_bg_blur_keeps_the_subject_out_of_the_background(img):
    # left half red, right half a photo; blurring the photo half must not pull red into it
    red_left = img.clone()
    red_left[:, :, :, :80] = torch.tensor([1.0, 0.0, 0.0]).view(1, 3, 1, 1)
    mask = torch.zeros(1, 1, 160, 160)
    mask[..., 80:] = 1
    out = apply_op("color_bg", red_left, {"mode": "blur", "blur": 5.0}, mask)
    assert _hf(out[..., 84:]) < 0.5 * _hf(red_left[..., 84:])
    red_excess = (out[:, 0, :, 80:84] - out[:, 1, :, 80:84]).mean()
    orig_excess = (img[:, 0, :, 80:84] - img[:, 1, :, 80:84]).mean()
    assert red_excess < orig_excess + 0.05


def test_crop_cuts_the_margins(img):
    out = apply_op("crop", img, {"left": 0.25, "top": 0.125, "right": 0.0, "bottom": 0.5})
    assert torch.equal(out, img[..., 20:80, 40:])


def test_rotate_90_expand_is_a_quarter_turn_counter_clockwise(cat):
    out = apply_op("rotate", cat, {"angle": 90.0, "mode": "expand"})
    assert out.shape[-2:] == cat.shape[-2:][::-1]
    assert (out - torch.rot90(cat, 1, dims=(-2, -1))).abs().max() < 1e-4


def test_rotate_crop_has_no_empty_corners(cat):
    h, w = cat.shape[-2:]
    out = apply_op("rotate", cat, {"angle": 10.0, "mode": "crop"})
    assert out.shape[-1] < w and out.shape[-2] < h
    expanded = apply_op("rotate", cat, {"angle": 10.0, "mode": "expand"})
    assert (expanded[..., 0, 0] == 0).all()  # expand: black corner
    # the crop's corners, rotated back, lie inside the original frame
    wr, hr = inner_rect(w, h, math.radians(10))
    a = math.radians(10)
    for sx, sy in ((-1, -1), (1, -1), (-1, 1), (1, 1)):
        x, y = sx * wr / 2, sy * hr / 2
        assert abs(x * math.cos(a) - y * math.sin(a)) <= w / 2 + 1e-6
        assert abs(x * math.sin(a) + y * math.cos(a)) <= h / 2 + 1e-6


def test_flip(img):
    assert torch.equal(apply_op("flip", img, {"direction": "horizontal"}), img.flip(-1))
    assert torch.equal(apply_op("flip", img, {"direction": "vertical"}), img.flip(-2))
