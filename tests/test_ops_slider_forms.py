"""Curve cards' sliders in reverse: fitted controls reproduce predicted curves."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lbie_desktop.core.ops import apply_op, get_op
from lbie_desktop.core.ops.slider_forms import controls_for, move_controls

unit = st.floats(-1.0, 1.0, allow_nan=False).map(lambda v: round(v, 2))


@settings(max_examples=200, deadline=None)
@given(unit, unit, unit)
def test_tone_curve_controls_round_trip(s, m, h):
    op = get_op("tint")
    values = {"shadows": s, "midtones": m, "highlights": h}
    back = op.params_to_controls(op.controls_to_params(values))
    assert all(abs(back[k] - values[k]) <= 2e-3 for k in values)


@settings(max_examples=200, deadline=None)
@given(unit, unit, unit, unit)
def test_colour_curve_fit_reproduces_the_curve(w, r, g, b):
    # warmth duplicates red-up-blue-down, so several slider sets share one curve: the fit
    # must give one of them (same curve), not necessarily the one typed in
    op = get_op("hue")
    params = op.controls_to_params({"warmth": w, "red": r, "green": g, "blue": b})
    back = op.controls_to_params(op.params_to_controls(params))
    assert np.abs(np.subtract(back["points"], params["points"])).max() < 0.02


def test_colour_curve_prefers_the_slider_people_would_use():
    op = get_op("hue")
    for values in ({"warmth": 0.5}, {"red": -0.4}, {"warmth": 0.3, "green": 0.2},
                   {"blue": 0.25, "green": -0.5}):
        back = op.params_to_controls(op.controls_to_params(values))
        want = {k: values.get(k, 0.0) for k in ("warmth", "red", "green", "blue")}
        assert back == {k: round(v, 3) for k, v in want.items()}, values


def test_a_predicted_curve_gets_non_default_sliders():
    # a GIER-style fitted curve: steep in the shadows, flat in the highlights (lifts darks)
    op = get_op("tint")
    values = controls_for(op, {"points": [1.5, 1.4, 1.2, 1.0, 0.9, 0.8, 0.6, 0.6]})
    assert values["shadows"] > 0.2 and values["highlights"] > 0.0
    hue = controls_for(get_op("hue"), {"points": [1.3, 1.2, 1.1, 1.0, 1.0, 0.9, 0.8, 0.7]
                                       + [1.0] * 8 + [0.7, 0.8, 0.9, 1.0, 1.0, 1.1, 1.2, 1.3]})
    assert hue["warmth"] > 0.3  # red bowed up, blue bowed down


def test_ops_without_slider_forms_have_no_controls():
    assert controls_for(get_op("brightness"), {"amount": 0.3}) == {}


def test_moving_a_slider_bends_the_predicted_curve_instead_of_replacing_it(coffee):
    op = get_op("tint")
    predicted = {"points": [1.6, 1.5, 1.2, 1.0, 0.9, 0.7, 0.6, 0.5]}  # not exactly expressible
    before = controls_for(op, predicted)
    after = {**before, "midtones": before["midtones"] + 0.01}
    moved = move_controls(op, predicted, before, after)
    img = torch.from_numpy(coffee).permute(2, 0, 1)[None].float() / 255
    a = apply_op(op, img, predicted)
    nudged = apply_op(op, img, moved)
    fitted_only = apply_op(op, img, op.controls_to_params(before))
    from_zero = apply_op(op, img, op.controls_to_params({"midtones": 0.01}))  # unfitted card
    assert (nudged - a).abs().mean() < 0.002  # a one-step nudge barely changes the photo
    assert (fitted_only - a).abs().mean() < 0.01  # the fit alone is already close
    assert (from_zero - a).abs().mean() > 0.03  # sliders starting at zero would jump back
    back = move_controls(op, moved, after, before)  # and moving back restores the curve
    assert np.allclose(back["points"], predicted["points"], atol=1e-3)
