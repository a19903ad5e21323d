"""The vignette as a person sees it: darker (or lighter) corners, an untouched centre, the
frame's shape, the same look on the preview and the export, and what a request proposes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lbie_desktop.core.ops import apply_op
from lbie_desktop.core.plan import Step
from lbie_desktop.core.render import Renderer, to_tensor, to_uint8

GREY = 0.5


def _flat(h: int, w: int) -> torch.Tensor:
    return torch.full((1, 3, h, w), GREY)


def test_negative_amount_darkens_the_corners_and_keeps_the_centre(coffee):
    img = to_tensor(coffee)
    out = apply_op("vignette", img, {"amount": -1.0})
    h, w = img.shape[-2:]
    centre = (slice(None), slice(None), slice(h // 2 - 40, h // 2 + 40),
              slice(w // 2 - 60, w // 2 + 60))
    assert (out[centre] - img[centre]).abs().max().item() <= 1 / 255
    for ys, xs in ((slice(0, 12), slice(0, 12)), (slice(0, 12), slice(-12, None)),
                   (slice(-12, None), slice(0, 12)), (slice(-12, None), slice(-12, None))):
        before, after = img[..., ys, xs].mean().item(), out[..., ys, xs].mean().item()
        assert after < 0.8 * before  # -1 EV: about 0.73 of the code value at the very corner
    # darker towards the corner all along the diagonal, never lighter
    diag = [out[0, :, round(t * (h - 1)), round(t * (w - 1))].mean() /
            img[0, :, round(t * (h - 1)), round(t * (w - 1))].mean().clamp_min(1e-3)
            for t in np.linspace(0.5, 1.0, 12)]
    assert all(b <= a + 1e-6 for a, b in zip(diag, diag[1:]))


def test_positive_amount_lightens_the_corners():
    img = _flat(120, 180)
    out = apply_op("vignette", img, {"amount": 1.0})
    assert out[0, 0, 0, 0].item() > GREY * 1.25
    assert out[0, 0, 60, 90].item() == GREY


def test_falloff_follows_the_frame_unless_round():
    # a 2:1 photo: at roundness 0 the middle of the long edge and of the short edge are
    # equally far out (an ellipse); a circle reaches the short edge's middle later
    img = _flat(200, 400)
    ellipse = apply_op("vignette", img, {"amount": -2.0, "midpoint": 30.0})
    top, side = ellipse[0, 0, 0, 200].item(), ellipse[0, 0, 100, 0].item()
    assert top < GREY - 0.05 and abs(top - side) < 0.01
    circle = apply_op("vignette", img, {"amount": -2.0, "midpoint": 30.0, "roundness": 100.0})
    assert circle[0, 0, 0, 200].item() > circle[0, 0, 100, 0].item() + 0.05


def test_midpoint_sets_where_the_falloff_starts():
    img = _flat(200, 300)
    wide = apply_op("vignette", img, {"amount": -1.0, "midpoint": 80.0})
    narrow = apply_op("vignette", img, {"amount": -1.0, "midpoint": 20.0})
    probe = (0, 0, 40, 60)  # 60% of the way to the corner
    assert wide[probe].item() == GREY
    assert narrow[probe].item() < GREY - 0.05


def test_local_vignette_leaves_pixels_outside_the_mask_untouched(coffee):
    mask = np.zeros(coffee.shape[:2], np.float32)
    mask[:, : coffee.shape[1] // 2] = 1.0  # the left half, hard-edged
    mask[:, coffee.shape[1] // 2: coffee.shape[1] // 2 + 20] = 0.5  # and a soft seam
    r = Renderer(coffee)
    out = r.render([Step("vignette", {"amount": -1.5}, mask=mask)])
    outside = mask == 0
    assert np.array_equal(out[outside], coffee[outside])
    inside = mask == 1
    assert np.abs(out[inside].astype(int) - coffee[inside]).mean() > 3


@pytest.mark.slow
def test_preview_and_export_have_the_same_falloff():
    # an 8.6 MP grey photo: the preview proxy (2048 px) and the export must darken the same
    # fraction of the frame by the same amount (and the export, above the renderer's chunk
    # size, must not be cut into bands that each get a vignette of their own)
    photo = np.full((2400, 3600, 3), 128, np.uint8)
    r = Renderer(photo)
    step = [Step("vignette", {"amount": -1.5, "midpoint": 35.0, "feather": 40.0,
                              "roundness": -40.0})]
    preview = r.render(step)[..., 0].astype(np.float32)
    full = r.render(step, full=True)[..., 0].astype(np.float32)
    assert preview.shape[1] == 2048 and full.shape[1] == 3600
    # the same relative positions: a profile along the middle row and along the diagonal
    for t in np.linspace(0.0, 1.0, 41):
        py, px = (preview.shape[0] - 1) // 2, round(t * (preview.shape[1] - 1))
        fy, fx = (full.shape[0] - 1) // 2, round(t * (full.shape[1] - 1))
        assert abs(preview[py, px] - full[fy, fx]) <= 2, t
        py, fy = round(t * (preview.shape[0] - 1)), round(t * (full.shape[0] - 1))
        assert abs(preview[py, px] - full[fy, fx]) <= 2, t
    assert full[0, 0] < 100 and full[1200, 1800] == 128


def _enabled(request: str) -> list:
    from lbie_desktop.understanding import understand

    return [s for s in understand(request) if s.enabled]


def test_add_a_vignette_proposes_only_a_vignette():
    from lbie_desktop.understanding import understand

    steps = understand("add a vignette")
    on = [s for s in steps if s.enabled]
    assert [s.op for s in on] == ["vignette"], [(s.op, s.enabled) for s in steps]
    assert on[0].params["amount"] < 0 and not on[0].local


@pytest.mark.parametrize("request_", ["darken the corners", "remove the vignette",
                                      "the corners are too dark"])
def test_vignette_words_switch_on_nothing_else(request_):
    on = _enabled(request_)
    assert [s.op for s in on] == ["vignette"], request_


@pytest.mark.parametrize("request_", ["brighten it but no vignette",
                                      "brighten it, don't add a vignette",
                                      "brighten it without darkening the corners"])
def test_a_vignette_said_no_to_is_not_proposed(request_):
    from lbie_desktop.understanding import understand

    steps = understand(request_)
    assert "vignette" not in [s.op for s in steps]
    assert [s.op for s in steps if s.enabled] == ["brightness"]


def test_vignette_strength_and_direction_from_the_words():
    def amount(request: str) -> float:
        return next(s for s in _enabled(request) if s.op == "vignette").params["amount"]

    subtle, plain, strong = (amount("add a subtle vignette"), amount("add a vignette"),
                             amount("I want a strong vignette"))
    assert strong < plain < subtle < 0
    assert amount("remove the vignetting") > 0  # lens falloff undone: lighter corners
    assert amount("lighten the corners a bit") > 0
    assert amount("make it black and white with a heavy vignette") < plain


def test_vignette_step_follows_tone_and_colour_and_precedes_sharpening():
    from lbie_desktop.understanding import understand

    ops = [s.op for s in understand("brighten it, add a vignette and sharpen it")]
    assert ops.index("brightness") < ops.index("vignette") < ops.index("sharpness")


def test_the_editor_shows_what_the_op_defines(coffee):
    step = Step("vignette", {"amount": -0.8, "roundness": 30.0})
    a = Renderer(coffee).render([step])
    b = to_uint8(apply_op("vignette", to_tensor(coffee), step.params))
    assert np.abs(a.astype(int) - b).max() <= 1
