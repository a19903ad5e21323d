"""Retouching words name an edit and the face part it applies to: red eye on the eyes, teeth
whitening on the teeth, skin smoothing on the skin — and nothing else gets switched on."""

import numpy as np
import pytest
import torch

from lbie_desktop.core.ops import apply_op
from lbie_desktop.understanding import understand


def _on(request: str) -> list[tuple[str, str | None, dict]]:
    return [(s.op, s.target if s.local else None, s.params) for s in understand(request)
            if s.enabled]


@pytest.mark.parametrize(("request_", "target"), [
    ("remove the red eye", "the eyes"),
    ("fix her red eyes please", "her eyes"),
    ("get rid of the red-eye effect", "the eyes"),
])
def test_red_eye_is_fixed_on_the_eyes_and_asks_no_colour_or_removal(request_, target):
    (op, got, params), = _on(request_)
    assert (op, got) == ("red_eye", target)
    assert params["strength"] > 0.5


def test_teeth_whitening_takes_the_yellow_out_and_lifts_a_little():
    got = {op: (t, p) for op, t, p in _on("whiten her teeth")}
    assert set(got) == {"recolor", "brightness"}
    assert got["recolor"][0] == got["brightness"][0] == "her teeth"
    assert got["recolor"][1]["color"] == [1.0, 1.0, 1.0]
    assert 0 < got["brightness"][1]["amount"] <= 0.2
    # a colour word about the teeth is what they are, not what they become
    assert {op: t for op, t, _ in _on("brighten her yellow teeth")} == {
        "recolor": "her teeth", "brightness": "her teeth"}


@pytest.mark.parametrize(("request_", "target"), [
    ("smooth her skin", "her skin"),
    ("soften the girl's skin a little", "the girl's skin"),
    ("remove the wrinkles", "the skin"),
])
def test_skin_smoothing_is_a_local_denoise_on_the_skin(request_, target):
    (op, got, params), = _on(request_)
    assert (op, got) == ("denoise", target)
    assert params["strength"] > 0


def test_a_retouch_and_a_global_edit_keep_their_own_regions():
    got = {op: t for op, t, _ in _on("remove the wrinkles and brighten it")}
    assert got == {"denoise": "the skin", "brightness": None}


def test_red_eye_op_darkens_red_pupils_and_leaves_skin_and_grey_alone():
    pupil, skin, grey = (0.8, 0.1, 0.12), (0.85, 0.6, 0.5), (0.5, 0.5, 0.5)
    img = torch.tensor([pupil, skin, grey]).T.reshape(1, 3, 1, 3)
    out = apply_op("red_eye", img, {"strength": 1.0}).reshape(3, 3).T.numpy()
    r, g, b = out[0]
    assert r < 1.3 * max(g, b) and r < 0.2  # no longer red, and dark like a pupil
    assert np.abs(out[1] - np.array(skin)).max() < 1 / 255
    assert np.abs(out[2] - np.array(grey)).max() < 1 / 255
