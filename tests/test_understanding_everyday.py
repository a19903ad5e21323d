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
    # how much is not where
    ("a tiny bit brighter", {("brightness", None)}),
    ("make it a touch warmer", {("temperature", None)}),
    # a complaint about a region asks for that region to change
    ("the left half is too dark", {("brightness", "the left half")}),
    ("the sky is way too bright", {("brightness", "the sky")}),
    ("the skin looks too orange", {("temperature", "the skin")}),
    # ... a tone as the subject is no region, and too-bright corners ask for a vignette
    ("the white is too bright", {("brightness", None)}),
    ("the corners are too bright", {("vignette", None)}),
    ("can you make the trees look autumn", {("recolor", "the trees")}),
    ("change her hair to blonde", {("recolor", "her hair")}),
    # a complaint about focus asks for sharpening; blurring the background stays a blur
    ("it's out of focus", {("sharpness", None)}),
    ("make the background blurry", {("gaussian_blur", "the background")}),
    ("I want the background darker and the subject brighter",
     {("brightness", "the background"), ("brightness", "the subject")}),
    ("make the blacks deeper", {("shadows", None)}),
    ("make the whites whiter", {("highlights", None)}),
    ("make the flowers pop", {("contrast", "the flowers"), ("vibrance", "the flowers")}),
    ("boost the vibrance", {("vibrance", None)}),
    # a cut-out keeps the subject (a fill's target is what it keeps) ...
    ("cut her out", {("color_bg", "her")}),
    ("cut out the dog from the background", {("color_bg", "the dog")}),
    # ... cutting someone out of the photo removes them
    ("cut her out of the photo", {("inpaint_obj", "her")}),
    ("cut out the man on the left", {("inpaint_obj", "the man on the left")}),
    # a colour inside a description is part of it
    ("remove the guy in the red shirt", {("inpaint_obj", "the guy in the red shirt")}),
    ("make the car red and the sky blue", {("recolor", "the car"), ("recolor", "the sky")}),
    # a blur asked for is added; a blur complained of asks for sharpening
    ("blur the license plate", {("gaussian_blur", "the license plate")}),
    ("pixelate the faces", {("gaussian_blur", "the faces")}),
    ("add some blur to the edges", {("gaussian_blur", "the edges")}),
    ("make the photo less blurry", {("sharpness", None)}),
    ("please remove the blur from the image", {("sharpness", None)}),
    ("darken the corners", {("vignette", None)}),
    # a quality of a region, edited, is that region edited
    ("lighten the shadows on his face", {("brightness", "his face"), ("shadows", "his face")}),
    ("increase the saturation of the flowers", {("saturation", "the flowers")}),
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


@pytest.mark.parametrize(("request_text", "op", "amount"), [
    ("brighten by 20%", "brightness", 0.2),
    ("increase saturation by 30 percent", "saturation", 0.3),
    ("reduce the contrast by 15%", "contrast", -0.15),
    ("make it 10% darker", "brightness", -0.1),
])
def test_a_percentage_is_the_setting(request_text, op, amount):
    (step,) = [s for s in understand(request_text, None) if s.enabled]
    assert step.op == op and step.params["amount"] == pytest.approx(amount)


def test_too_bright_corners_are_darkened_and_too_dark_ones_lifted():
    def amount(text):
        return next(s for s in understand(text, None) if s.op == "vignette").params["amount"]

    assert amount("the corners are too bright") < 0 < amount("the corners are too dark")


def test_a_cut_out_is_transparent_unless_a_colour_is_named():
    def fill(text):
        return next(s for s in understand(text, None) if s.op == "color_bg").params

    assert fill("cut her out")["mode"] == "transparent"
    white = fill("cut him out and put him on a white background")
    assert white["mode"] == "color" and white["color"] == [1.0, 1.0, 1.0]


def test_more_sharpness_sharpens():
    (step,) = [s for s in understand("increase the sharpness of the photo", None) if s.enabled]
    assert step.op == "sharpness" and step.params["amount"] > 0.3


@pytest.mark.parametrize(("request_text", "target"), [
    ("crop out the bottom", None),
    ("zoom in on the dog", "the dog"),
])
def test_cropping_a_margin_or_to_a_subject_is_a_crop_not_a_removal(request_text, target):
    on = [s for s in understand(request_text, None) if s.enabled]
    assert [(s.op, s.target) for s in on] == [("crop", target)], on


def test_a_correction_inside_the_request_wins():
    (step,) = [s for s in understand("make the photo brighter. no, darker", None) if s.enabled]
    assert step.op == "brightness" and step.params["amount"] < 0
    # a "no" that corrects nothing leaves both parts standing
    on = {s.op for s in understand("remove the man. No other changes please", None)
          if s.enabled}
    assert on == {"inpaint_obj"}


def test_restraint_and_negated_tones():
    def amount(text):
        return next(s for s in understand(text, None) if s.op == "brightness").params["amount"]

    assert 0 < amount("brighten it but not too much") < amount("brighten it")
    on = {s.op for s in understand("brighten the shadows without touching the highlights",
                                   None) if s.enabled}
    assert "highlights" not in on and "shadows" in on
    assert "contrast" not in {s.op for s in understand("brighten it, no contrast though", None)
                              if s.enabled}
