"""Removing an object pasted onto a real photo gives back (something close to) the photo under
it, touches nothing else, and copies nothing from a kept neighbour (a held ball)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from lbie_desktop.core.inpaint import PatchMatchInpainter
from lbie_desktop.core.removal_bench import grounding_like, person_shape


def _mae(a: np.ndarray, b: np.ndarray, where: np.ndarray) -> float:
    return float(np.abs(a[where].astype(np.float32) - b[where]).mean())


@pytest.fixture(scope="module")
def pasted(coffee, astronaut):
    """(scene, true background, person mask): a person cut from the astronaut's suit texture
    pasted onto the coffee photo."""
    bg = cv2.resize(coffee, (240, 160), interpolation=cv2.INTER_AREA)
    tex = cv2.resize(astronaut[::-1], (240, 160), interpolation=cv2.INTER_AREA)
    person = person_shape(160, 240, 85, 80, 90)
    scene = bg.copy()
    scene[person] = tex[person]
    return scene, bg, person


@pytest.mark.parametrize("mask_kind", ["exact", "grounding"])
def test_removed_region_looks_like_the_background_not_the_object(pasted, mask_kind):
    scene, bg, person = pasted
    hole = person if mask_kind == "exact" else grounding_like(
        person, np.random.default_rng(3), 1.5)
    out = PatchMatchInpainter()(scene, hole)
    err = _mae(out, bg, person)
    assert err < 0.5 * _mae(scene, bg, person)  # far closer to the truth than leaving it
    assert err < 0.5 * _mae(out, scene, person)  # and nothing like the object


def test_nothing_outside_the_dilated_hole_changes_and_it_is_deterministic(pasted):
    scene, _, person = pasted
    inp = PatchMatchInpainter()
    out = inp(scene, person)
    grow = max(2, round(inp.grow * 160))
    near = cv2.dilate(person.astype(np.uint8), np.ones((2 * grow + 3,) * 2, np.uint8)) > 0
    assert np.array_equal(out[~near], scene[~near])
    assert not np.array_equal(out[person], scene[person])
    assert np.array_equal(PatchMatchInpainter()(scene, person), out)


BLUE = np.array([20, 60, 250], np.float32)


def _ball_scene(chelsea):
    """A person with a saturated blue ball in hand, on the cat photo (no such blue in it)."""
    bg = cv2.resize(chelsea, (240, 160), interpolation=cv2.INTER_AREA)
    person = person_shape(160, 240, 80, 110, 110)
    ball = np.zeros((160, 240), np.uint8)
    cv2.circle(ball, (130, 83), 18, 1, -1)  # at the end of the right arm
    ball = ball > 0
    person &= ~ball
    scene = bg.copy()
    scene[ball] = BLUE.astype(np.uint8)
    scene[person] = (230, 200, 40)
    return scene, person, ball


def _blue_share(rgb: np.ndarray, where: np.ndarray) -> float:
    return float((np.linalg.norm(rgb[where].astype(np.float32) - BLUE, axis=-1) < 90).mean())


def test_a_held_ball_marked_avoid_is_not_copied_into_the_hole_and_keeps_its_edge(chelsea):
    scene, person, ball = _ball_scene(chelsea)
    assert _blue_share(scene, person) == 0.0
    out = PatchMatchInpainter()(scene, person, avoid=ball)
    assert _blue_share(out, person) < 0.01
    assert np.array_equal(out[ball], scene[ball])  # the dilation does not nibble the ball


def test_without_avoid_the_ball_leaks(chelsea):
    # guards the test above: the scene does tempt the fill to copy the ball, and the hole's
    # dilation does reach into it
    scene, person, ball = _ball_scene(chelsea)
    out = PatchMatchInpainter()(scene, person)
    assert _blue_share(out, person) > 0.03
    assert not np.array_equal(out[ball], scene[ball])
