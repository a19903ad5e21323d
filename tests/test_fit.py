"""fit: apply known parameters to a real photo, fit them back, recover them."""

from __future__ import annotations

import numpy as np
import pytest

from lbie_desktop.core.fit import fit, fit_detailed
from lbie_desktop.core.plan import Plan, Step
from lbie_desktop.core.render import Renderer
from lbie_desktop.errors import UserError


@pytest.fixture(autouse=True)
def _torch_single_threaded():
    # small images: torch's own threads cost more than they save on a shared machine
    from lbie_desktop.core.fast.threads import single_threaded_torch

    with single_threaded_torch():
        yield


def test_recovers_brightness_contrast_saturation(astronaut):
    truth = {"brightness": 0.3, "contrast": 0.4, "saturation": -0.3}
    target = Renderer(astronaut).render([Step(k, {"amount": v}) for k, v in truth.items()],
                                        full=True)
    res = fit_detailed(astronaut, target, list(truth))
    got = {s.op: s.params["amount"] for s in res.plan}
    for k, v in truth.items():
        assert got[k] == pytest.approx(v, abs=0.05), (k, got)
    assert res.loss < res.initial_loss / 5


def test_recovers_exposure_and_temperature(coffee):
    truth = [Step("exposure", {"stops": -0.6}), Step("temperature", {"temperature": 0.5})]
    target = Renderer(coffee).render(truth, full=True)
    plan = fit(coffee, target, ["exposure", "temperature"], steps=120)
    assert plan.steps[0].params["stops"] == pytest.approx(-0.6, abs=0.08)
    assert plan.steps[1].params["temperature"] == pytest.approx(0.5, abs=0.08)
    assert plan.steps[1].params["tint"] == pytest.approx(0.0, abs=0.08)


def test_fits_a_local_step_through_its_mask(chelsea):
    h, w = chelsea.shape[:2]
    mask = np.zeros((h, w), np.float32)
    mask[:, w // 2:] = 1.0
    truth = Plan([Step("brightness", {"amount": -0.4}, mask=mask)])
    target = Renderer(chelsea).render(truth.steps, full=True)
    start = Plan([Step("brightness", {"amount": 0.0}, mask=mask)])
    plan = fit(chelsea, target, start)
    assert plan.steps[0].mask is not None
    assert plan.steps[0].params["amount"] == pytest.approx(-0.4, abs=0.05)


def test_fitted_values_stay_in_range(coffee):
    # a target far brighter than brightness can reach: the value sticks to the range's end
    target = np.full_like(coffee, 255)
    plan = fit(coffee, target, ["contrast"], steps=40, lr=0.3)
    assert -1.0 <= plan.steps[0].params["amount"] <= 1.0


def test_user_errors(coffee):
    with pytest.raises(UserError):
        fit(coffee, coffee, [])
    with pytest.raises(UserError):
        fit(coffee, coffee, ["no_such_op"])
    with pytest.raises(UserError):
        fit(coffee, coffee, ["flip"])  # nothing continuous to fit


def test_recovers_a_tone_curve_up_to_its_scale(coffee):
    # the 8-point curve is normalised by the sum of its slopes: only their shape is visible
    truth = np.array([0.6, 0.8, 1.0, 1.2, 1.4, 1.2, 1.0, 0.8])
    target = Renderer(coffee).render([Step("tint", {"points": truth.tolist()})], full=True)
    plan = fit(coffee, target, ["tint"], steps=120, long_side=160)
    got = np.array(plan.steps[0].params["points"])
    assert np.abs(got / got.sum() - truth / truth.sum()).max() < 0.01
