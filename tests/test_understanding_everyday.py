"""Everyday requests switch on exactly the edits the words ask for (with the shipped model):
the cards a person sees first must not contradict the request."""

from __future__ import annotations

import pytest

from lbie_desktop.understanding import understand

CASES = [
    # "black and white" is a conversion, not a white fill plus a black recolour
    ("make the background black and white", {("black_white", "the background")}),
    ("make it black and white", {("black_white", None)}),
    # colour words inside the region phrase describe the region
    ("convert to black & white except the red dress", {("black_white", "not: the red dress")}),
    ("desaturate slightly", {("saturation", None)}),
    ("change the color of the car to blue", {("recolor", "the car")}),
    ("make the background white", {("color_bg", "the background")}),
    ("remove the background", {("color_bg", "the background")}),
    ("remove the man on the left", {("inpaint_obj", "the man on the left")}),
    ("make it warmer", {("temperature", None)}),
    ("blur the background", {("gaussian_blur", "the background")}),
    ("brighten everything except the face", {("brightness", "not: the face")}),
    # a removal verb with a thing as its object is a removal, even when the model is unsure
    ("remove the power lines", {("inpaint_obj", "the power lines")}),
    ("please erase the scratches", {("inpaint_obj", "the scratches")}),
    # ... but not when the object is a quality another op fixes
    ("remove the noise", {("denoise", None)}),
    ("remove the vignette", {("vignette", None)}),
    ("desaturate everything but the girl", {("saturation", "not: the girl")}),
    ("turn it black and white but keep the red umbrella",
     {("black_white", "not: the red umbrella")}),
]


@pytest.mark.parametrize(("request_text", "expected"), CASES)
def test_the_switched_on_steps_are_what_the_words_ask(request_text, expected):
    steps = understand(request_text, None)
    on = {(s.op, s.target if s.local else None) for s in steps if s.enabled}
    assert on == expected, [(s.op, s.enabled, s.target) for s in steps]


def test_desaturate_lowers_saturation():
    (step,) = [s for s in understand("desaturate slightly", None) if s.enabled]
    assert step.params["amount"] < 0


def test_a_fill_keeps_the_recolour_on_offer():
    steps = {s.op: s for s in understand("make the background white", None)}
    assert steps["color_bg"].enabled and not steps["recolor"].enabled
