"""Target phrases -> masks (core/targets.py): a region, everything except one, and a region
less a part of it, the same in the editor, `lbie edit` and recipes."""

from __future__ import annotations

import numpy as np

from lbie_desktop.core.recipe import Recipe, RecipeStep, apply_recipe
from lbie_desktop.core.targets import parse_target, target_mask
from lbie_desktop.grounding import Grounding
from lbie_desktop.pipeline import ground_steps
from lbie_desktop.understanding import understand

H, W = 40, 60
BOXES = {"the face": (slice(5, 35), slice(10, 50)), "the eyes": (slice(10, 15), slice(20, 40))}


def fake_ground(image, phrase, context="", op=None):
    if phrase not in BOXES:
        return Grounding(None, f"no {phrase} here", "none", False)
    m = np.zeros(image.shape[:2], np.float32)
    m[BOXES[phrase]] = 1.0
    return Grounding(m, f"found {phrase}", "fake", True)


IMG = np.full((H, W, 3), 100, np.uint8)


def test_the_three_forms_parse():
    assert parse_target("the sky") == ("the sky", None)
    assert parse_target("not: the sky") == (None, "the sky")
    assert parse_target("the face, not: the eyes") == ("the face", "the eyes")


def test_a_region_less_a_part_of_it():
    t = target_mask(IMG, "the face, not: the eyes", fake_ground)
    assert t.mask[20, 30] == 1.0  # the face below the eyes
    assert t.mask[12, 30] == 0.0  # the eyes are left out
    assert t.mask[2, 2] == 0.0  # outside the face
    assert "except the eyes" in t.note


def test_a_part_not_found_leaves_the_region_whole_and_says_so():
    t = target_mask(IMG, "the face, not: the ears", fake_ground)
    assert t.mask[12, 30] == 1.0 and "not found" in t.note


def test_everything_except_a_region():
    t = target_mask(IMG, "not: the face", fake_ground)
    assert t.mask[2, 2] == 1.0 and t.mask[20, 30] == 0.0


def test_the_pipeline_and_recipes_read_targets_alike():
    (step,) = [s for s in understand("brighten the face except the eyes") if s.enabled]
    assert step.target == "the face, not: the eyes"
    (grounded,), _ = ground_steps([step], IMG, "brighten the face except the eyes", fake_ground)
    plan, messages = apply_recipe(Recipe([RecipeStep("brightness", {"amount": 0.3},
                                                     "not: the face")]), IMG,
                                  ground=fake_ground)
    assert grounded.mask[12, 30] == 0.0 and grounded.mask[20, 30] == 1.0
    assert messages == [] and plan.steps[0].mask[2, 2] == 1.0
    assert plan.steps[0].mask[20, 30] == 0.0
