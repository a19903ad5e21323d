"""Crops framed on a subject: "zoom in on the dog" crops to the dog with room around it;
a subject that is not found switches the crop off instead of cropping around a guess."""

from __future__ import annotations

import numpy as np
import pytest

from lbie_desktop.core.imageio import LoadedImage
from lbie_desktop.core.ops.geometry import crop_box
from lbie_desktop.core.plan import Plan, Step
from lbie_desktop.core.recipe import recipe_from_session
from lbie_desktop.core.render import render_steps, to_tensor, to_uint8
from lbie_desktop.core.session import Session
from lbie_desktop.grounding import Grounding, ground
from lbie_desktop.pipeline import ground_steps, plan_request
from lbie_desktop.understanding.framing import (
    crop_out_step,
    cut_away_margins,
    frame_margins,
    subject_box,
    subject_crop_step,
)

SIDES = ("left", "top", "right", "bottom")


@pytest.mark.parametrize(("text", "subject"), [
    ("zoom in on the dog", "the dog"),
    ("crop to her face", "her face"),
    ("crop around the boat", "the boat"),
    ("crop it to the two people", "the two people"),
    ("crop tighter on the cat", "the cat"),
    ("crop so only the car is left", "the car"),
    ("frame the woman", "the woman"),
    ("crop the picture to the face, square", "the face"),
    ("crop in closer to the bird", "the bird"),
    ("crop the image to just the cat", "the cat"),
    ("zoom in on the cat and brighten it", "the cat"),
])
def test_words_that_frame_a_subject_name_it(text: str, subject: str) -> None:
    step = subject_crop_step(text, None)
    assert step is not None and step.op == "crop"
    assert step.target == subject and not step.local
    assert not any(step.params[s] for s in SIDES)  # margins wait for the subject to be found
    assert any(subject in e for e in step.evidence)


@pytest.mark.parametrize("text", [
    "crop it", "crop it a bit", "crop the edges", "crop out the bottom", "crop it to a square",
    "crop the photo to 16:9", "crop to the left half", "crop it to the centre", "zoom in a bit",
    "crop out the person on the left", "add a frame around the photo", "frame it nicely",
    "brighten the dog", "crop the photo so the man is out",
])
def test_crops_without_a_subject_are_not_framed(text: str) -> None:
    assert subject_crop_step(text, None) is None


def box_mask(h: int, w: int, box: tuple[int, int, int, int]) -> np.ndarray:
    x0, y0, x1, y1 = box
    m = np.zeros((h, w), np.float32)
    m[y0:y1, x0:x1] = 1.0
    return m


def test_margins_are_the_box_plus_room() -> None:
    # a 100x50 subject at (200, 100) in a 1000x500 photo: 15 px / 7.5 px of room each side
    params, note = frame_margins(box_mask(500, 1000, (200, 100, 300, 150)), "zoom in", "the dog")
    assert params == pytest.approx({"left": 0.185, "top": 0.185, "right": 0.685,
                                    "bottom": 0.685}, abs=1e-4)
    assert "the dog" in note and "15% room" in note


def test_room_stops_at_the_frame() -> None:
    params, _ = frame_margins(box_mask(400, 400, (0, 100, 100, 200)), "crop to it", "the cup")
    assert params["left"] == 0 and params["right"] == pytest.approx(1 - 115 / 400, abs=1e-4)


def test_a_named_shape_widens_the_frame_to_it() -> None:
    params, note = frame_margins(box_mask(500, 1000, (200, 100, 300, 150)),
                                 "crop to the dog, square", "the dog")
    y0, y1, x0, x1 = crop_box(500, 1000, *(params[s] for s in SIDES))
    assert (x1 - x0) == pytest.approx(y1 - y0, abs=2)
    assert x0 <= 200 and x1 >= 300 and y0 <= 100 and y1 >= 150
    assert 'shaped "square"' in note


def test_a_subject_filling_the_photo_is_cropped_without_room() -> None:
    params, note = frame_margins(box_mask(300, 450, (0, 0, 400, 270)), "zoom in", "the cat")
    assert params == pytest.approx({"left": 0, "top": 0, "right": 50 / 450, "bottom": 0.1},
                                   abs=1e-4)
    assert "no room" in note


def test_specks_do_not_stretch_the_box() -> None:
    m = box_mask(300, 300, (100, 100, 200, 200))
    m[5:7, 290:292] = 1.0  # a stray island far from the subject
    assert subject_box(m) == (100, 100, 200, 200)
    params, note = frame_margins(np.zeros((50, 50), np.float32), "zoom in", "the dog")
    assert params is None and "the dog" in note


def fake_ground(found: dict[str, tuple[int, int, int, int]], calls: list | None = None):
    def g(image, phrase: str, context: str = "", op=None) -> Grounding:
        if calls is not None:
            calls.append((phrase, context, op))
        if phrase not in found:
            return Grounding(None, f"I found no “{phrase}” here; paint the region with the "
                             "brush.", "none", False)
        return Grounding(box_mask(*image.shape[:2], found[phrase]), f"{phrase}: fake", "fake",
                         True)
    return g


def render(photo: np.ndarray, steps: list[Step]) -> np.ndarray:
    return to_uint8(render_steps(to_tensor(photo), [s for s in steps if s.enabled]))


def test_pipeline_frames_the_crop_on_the_found_subject() -> None:
    photo = np.full((500, 1000, 3), 120, np.uint8)
    calls: list = []
    found = fake_ground({"the dog": (200, 100, 300, 150)}, calls)
    steps, messages = ground_steps([subject_crop_step("zoom in on the dog", None)], photo,
                                   "zoom in on the dog", found)
    assert messages == [] and calls == [("the dog", "zoom in on the dog", "crop")]
    crop = steps[0]
    assert crop.enabled and not crop.local and crop.mask is None
    assert crop.params["left"] == pytest.approx(0.185, abs=1e-4)
    assert "the dog" in crop.mask_note and "fake" in crop.mask_note
    # the box and its room (7.5 px above and below: rounded to whole pixels)
    assert render(photo, steps).shape[:2] == pytest.approx((65, 130), abs=1)
    # framed once: a second pass (a later turn) leaves the margins alone
    again, _ = ground_steps(steps, photo, "zoom in on the dog", fake_ground({}, calls))
    assert len(calls) == 1 and again[0].params == crop.params


def test_pipeline_switches_the_crop_off_when_the_subject_is_missing() -> None:
    photo = np.full((200, 300, 3), 120, np.uint8)
    steps, messages = ground_steps([subject_crop_step("zoom in on the unicorn", None)], photo,
                                   "zoom in on the unicorn", fake_ground({}))
    crop = steps[0]
    assert not crop.enabled and "unicorn" in crop.mask_note and messages == [crop.mask_note]
    assert "brush" not in crop.mask_note  # a crop is set on its card, not painted
    assert render(photo, steps).shape == photo.shape


def test_a_framed_crop_travels_in_plans_sessions_and_recipes() -> None:
    photo = np.full((500, 1000, 3), 120, np.uint8)
    steps, _ = ground_steps([subject_crop_step("crop to the dog", None)], photo,
                            "crop to the dog", fake_ground({"the dog": (200, 100, 300, 150)}))
    back = Plan.from_dict(Plan(steps).to_dict()).steps[0]
    assert (back.target, back.local, back.params, back.mask_note) == (
        "the dog", False, steps[0].params, steps[0].mask_note)
    session = Session(LoadedImage(photo))
    session.add_turn("crop to the dog", Plan(steps))
    assert session.render(full=True).shape[:2] == pytest.approx((65, 130), abs=1)
    recipe = recipe_from_session(session)
    # a recipe carries the margins found here (a global step), not the subject
    assert [(s.op, s.target) for s in recipe.steps] == [("crop", None)]
    assert recipe.steps[0].params == steps[0].params


# --- "crop out the person on the left": cut the thing away from its side ----------------------
@pytest.mark.parametrize(("text", "thing"), [
    ("crop out the person on the left", "the person on the left"),
    ("crop away the car on the right", "the car on the right"),
    ("crop the bin out of the frame", "the bin"),
    ("crop the man on the right out and brighten it", "the man on the right"),
])
def test_crop_out_names_the_thing_to_cut_away(text: str, thing: str) -> None:
    step = crop_out_step(text, None)
    assert step is not None and step.op == "crop" and not step.local
    assert step.target == "not: " + thing


@pytest.mark.parametrize("text", ["crop out the bottom", "crop out the black border",
                                  "crop off the edges", "crop out the background", "crop it out",
                                  "crop the border on the left out", "zoom in on the dog"])
def test_trims_are_not_crop_outs(text: str) -> None:
    assert crop_out_step(text, None) is None


def test_crop_out_cuts_from_the_nearest_side() -> None:
    # a person at x 0-150 of 1000: cut 15% + a 1% gap off the left, nothing else
    params, note = cut_away_margins(box_mask(500, 1000, (0, 50, 150, 500)), "", "the man")
    assert params == pytest.approx({"left": 0.16, "top": 0, "right": 0, "bottom": 0})
    assert "left" in note
    params, note = cut_away_margins(box_mask(500, 1000, (400, 0, 600, 500)), "", "the man")
    assert params is None and "remove it instead" in note


def test_pipeline_crops_the_thing_out_of_the_frame() -> None:
    photo = np.zeros((500, 1000, 3), np.uint8)
    photo[:, 850:] = 255  # the "person" on the right is white
    text = "crop out the person on the right"
    steps, messages = ground_steps([crop_out_step(text, None)], photo, text,
                                   fake_ground({"the person on the right": (850, 0, 1000, 500)}))
    out = render(photo, steps)
    assert messages == [] and steps[0].enabled
    assert out.shape[1] < 850 and out.max() == 0  # none of the person is left
    missing, messages = ground_steps([crop_out_step(text, None)], photo, text, fake_ground({}))
    assert not missing[0].enabled and messages


# --- real photos, real understanding and grounding -------------------------------------------
def subject_px(photo: np.ndarray, phrase: str, request: str) -> tuple[int, int, int, int]:
    g = ground(photo, phrase, context=request, op="crop")
    assert g.ok, g.explanation
    return subject_box(g.mask)


def crop_of(plan: Plan, photo: np.ndarray) -> tuple[int, int, int, int]:
    crop = next(s for s in plan.steps if s.op == "crop")
    assert crop.enabled and crop.target, crop.mask_note
    y0, y1, x0, x1 = crop_box(*photo.shape[:2], *(crop.params[s] for s in SIDES))
    return x0, y0, x1, y1


def contains(outer, inner) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] \
        and outer[3] >= inner[3]


def test_crop_to_her_face_on_the_astronaut(astronaut) -> None:
    request = "crop to her face"
    turn = plan_request(request, astronaut)
    face = subject_px(astronaut, "her face", request)
    crop = crop_of(turn.plan, astronaut)
    assert contains(crop, face)
    out = render(astronaut, turn.plan.steps)
    assert out.shape[0] * out.shape[1] < 0.25 * astronaut.shape[0] * astronaut.shape[1]


def test_zoom_in_on_the_cat_on_chelsea(chelsea) -> None:
    # the cat fills most of this photo: the crop keeps all of it and cuts the background
    request = "zoom in on the cat"
    turn = plan_request(request, chelsea)
    cat = subject_px(chelsea, "the cat", request)
    assert contains(crop_of(turn.plan, chelsea), cat)
    out = render(chelsea, turn.plan.steps)
    assert out.shape[0] * out.shape[1] < 0.85 * chelsea.shape[0] * chelsea.shape[1]


def test_plain_crop_is_unchanged(chelsea) -> None:
    crop = next(s for s in plan_request("crop it a bit", chelsea).plan.steps if s.op == "crop")
    assert crop.target is None and crop.enabled
    assert [crop.params[s] for s in SIDES] == pytest.approx([0.03] * 4)


def test_zoom_in_on_the_unicorn_leaves_the_photo_uncropped(chelsea) -> None:
    turn = plan_request("zoom in on the unicorn", chelsea)
    crop = next(s for s in turn.plan.steps if s.op == "crop")
    assert not crop.enabled and crop.target == "the unicorn" and crop.mask_note
    assert crop.mask_note in turn.messages
    assert render(chelsea, turn.plan.steps).shape == chelsea.shape


def test_crop_out_the_woman_beside_the_cat(astronaut, chelsea) -> None:
    from PIL import Image

    cat = np.asarray(Image.fromarray(chelsea).resize((768, 512)))
    photo = np.concatenate([astronaut, cat], 1)  # the woman left, the cat right
    text = "crop out the woman on the left"
    woman = subject_px(photo, "the woman on the left", text)
    steps, messages = ground_steps([crop_out_step(text, None)], photo, text)
    x0, _, _, _ = crop_of(Plan(steps), photo)
    assert messages == [] and x0 >= woman[2]  # the crop starts right of her
    assert render(photo, steps).shape[1] > photo.shape[1] // 2
