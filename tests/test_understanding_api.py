"""Request understanding as a person sees it: which steps, where, how much, and why."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lbie_desktop.core.ops import apply_op
from lbie_desktop.understanding import understand
from lbie_desktop.understanding.params import intensity


def ops_of(steps) -> set[str]:
    return {s.op for s in steps}


def step(steps, op):
    found = [s for s in steps if s.op == op]
    assert found, f"no {op} step in {[s.op for s in steps]}"
    return found[0]


def test_brighten_the_face_is_local_with_its_target_span() -> None:
    s = step(understand("brighten the face a bit"), "brightness")
    assert s.local and s.target == "the face"
    assert s.params["amount"] > 0
    assert any("chars 9-17" in e for e in s.evidence)


def test_remove_the_boy_targets_the_whole_phrase() -> None:
    steps = understand("remove the boy in the background")
    s = step(steps, "inpaint_obj")
    assert s.local and s.target == "the boy in the background"
    assert s.confidence > 0.5


def test_global_request_stays_global() -> None:
    s = step(understand("increase the brightness of the image"), "brightness")
    assert not s.local and s.target is None


def test_direction_and_intensity_words_set_the_amount() -> None:
    darker = step(understand("make it darker"), "brightness").params["amount"]
    slightly = step(understand("make it slightly brighter"), "brightness").params["amount"]
    much = step(understand("make it much brighter"), "brightness").params["amount"]
    too_dark = step(understand("it's way too dark"), "brightness").params["amount"]
    assert darker < 0 < slightly < much
    assert too_dark > slightly  # a complaint points the other way, "way" makes it bigger
    assert intensity("a bit more contrast")[0] < 1 < intensity("much more contrast")[0]


def test_exclusion_scope_inverts_the_target() -> None:
    s = step(understand("brighten everything except the face"), "brightness")
    assert s.local and s.target == "not: the face"


def test_negation_keeps_colour_ops_out() -> None:
    steps = understand("brighten the photo but don't touch the colours")
    assert "brightness" in ops_of(steps) or "lightness" in ops_of(steps)
    assert not ops_of(steps) & {"saturation", "hue", "vibrance", "temperature"}


def test_two_requests_in_one_sentence() -> None:
    steps = understand("remove the people in the background and brighten it a bit")
    assert {"inpaint_obj"} <= ops_of(steps)
    assert ops_of(steps) & {"brightness", "lightness", "exposure"}
    assert step(steps, "inpaint_obj").target == "the people in the background"
    # fill steps come first so later tone steps see the filled image
    assert steps[0].op == "inpaint_obj"


def _render(img: np.ndarray, steps) -> np.ndarray:
    x = torch.from_numpy(img).permute(2, 0, 1)[None].float() / 255
    for s in steps:
        if not s.local:
            x = apply_op(s.op, x, s.params)
    return x


def test_vague_request_on_a_dark_photo_brightens_it(astronaut) -> None:
    dark = (astronaut * 0.35).astype(np.uint8)
    steps = understand("make this picture better", dark)
    tone = [s for s in steps if s.op in ("brightness", "lightness", "exposure", "tint")]
    assert tone, [s.op for s in steps]
    assert any(any(e.startswith("image:") for e in s.evidence) for s in tone)
    out = _render(dark, steps)
    assert out.mean() > dark.mean() / 255 + 0.05


def test_too_dark_uses_the_image_to_size_the_step(astronaut) -> None:
    darkish = (astronaut * 0.7).astype(np.uint8)
    very_dark = (astronaut * 0.3).astype(np.uint8)
    a = step(understand("it's too dark", darkish), "brightness").params["amount"]
    b = step(understand("it's too dark", very_dark), "brightness").params["amount"]
    assert 0 < a < b


def test_vague_request_leaves_a_well_exposed_photo_alone(astronaut) -> None:
    steps = understand("make this picture better", astronaut)
    b = [s for s in steps if s.op == "brightness"]
    assert not b or abs(b[0].params["amount"]) < 0.15


def test_descriptive_request_compares_with_the_image(astronaut) -> None:
    dark_cool = (astronaut * [0.35, 0.4, 0.5]).astype(np.uint8)
    steps = understand("a bright, warm photo with a blue sky", dark_cool)
    assert step(steps, "brightness").params["amount"] > 0
    assert step(steps, "temperature").params["temperature"] > 0
    sky = [s for s in steps if s.local]
    assert sky and sky[0].target == "the sky"
    # already bright and warm: nothing to brighten or warm
    bright_warm = np.clip(astronaut * [1.3, 1.15, 0.8], 0, 255).astype(np.uint8)
    again = understand("a bright, warm photo", bright_warm)
    assert "brightness" not in ops_of(again) and "temperature" not in ops_of(again)


def test_beyond_gier_ops_get_sensible_params() -> None:
    assert step(understand("make it warmer"), "temperature").params["temperature"] > 0
    assert step(understand("flip it vertically"), "flip").params["direction"] == "vertical"
    r = step(understand("make the car red"), "recolor")
    assert r.local and r.target == "the car" and r.params["color"][0] > 0.6
    assert step(understand("rotate it 90 degrees clockwise"), "rotate").params["angle"] == -90


@pytest.mark.parametrize("text", ["", "   ", "asdkjh qwpoeiru zxmcnv", "🙂🙂🙂", "12345",
                                  "lorem ipsum dolor sit amet", "<b></b>"])
def test_nothing_to_do_for_empty_or_gibberish(text: str) -> None:
    assert understand(text) == []


def test_huge_and_marked_up_input_is_fine() -> None:
    steps = understand("<p>please <b>brighten</b> the photo</p> " + "x" * 20000)
    assert isinstance(steps, list)
    assert understand("brighten <script>alert(1)</script> the photo")
