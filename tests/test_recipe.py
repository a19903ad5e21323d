"""Recipes: export a session's edits, re-ground local steps on new photos, skip what is not
found (with a note), and refuse malformed recipe files clearly."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from lbie_desktop.core.imageio import LoadedImage, load_image
from lbie_desktop.core.plan import Plan, Step
from lbie_desktop.core.recipe import Recipe, RecipeStep, apply_recipe, recipe_from_session
from lbie_desktop.core.render import Renderer
from lbie_desktop.core.session import Session
from lbie_desktop.core.session_file import save_session
from lbie_desktop.errors import MissingModelError, UserError
from lbie_desktop.grounding import Grounding


def top_half_grounder(calls: list | None = None):
    """Finds "the sky" as the top half of any photo; finds nothing else."""

    def ground(image_rgb, phrase, context="", op=None):
        if calls is not None:
            calls.append((image_rgb.shape, phrase, context, op))
        if phrase != "the sky":
            return Grounding(None, f"no “{phrase}” in this photo", "none", False)
        m = np.zeros(image_rgb.shape[:2], np.float32)
        m[: image_rgb.shape[0] // 2] = 1.0
        return Grounding(m, "sky: top half", "sky", True)

    return ground


def session_with_edits(photo: np.ndarray) -> Session:
    s = Session(LoadedImage(photo))
    h, w = photo.shape[:2]
    s.add_turn("brighten it", Plan([Step("brightness", {"amount": 0.2})]))
    sky = np.zeros((h, w), np.float32)
    sky[: h // 3] = 1
    s.add_turn("make the sky warmer",
               Plan([Step("temperature", {"temperature": 0.6}, mask=sky, target="the sky")]))
    painted = np.zeros((h, w), np.float32)
    painted[-20:, -20:] = 1
    s.add_turn("blur here", Plan([Step("gaussian_blur", {"sigma": 2.0}, mask=painted)]))
    s.add_turn("no sharpening", Plan([Step("sharpness", {"amount": 0.5}, enabled=False)]))
    first = s.turns[0].plan.steps[0]
    s.add_turn("a bit more", Plan([Step("brightness", {"amount": 0.35}, replaces=first.id)]))
    return s


def test_export_keeps_globals_and_phrases_drops_painted_and_off(astronaut):
    recipe = recipe_from_session(session_with_edits(astronaut), name="mine")
    assert [(s.op, s.target) for s in recipe.steps] == [("brightness", None),
                                                          ("temperature", "the sky")]
    assert recipe.steps[0].params["amount"] == pytest.approx(0.35)  # the re-tuned value
    assert recipe.steps[1].request == "make the sky warmer"
    assert any("painted by hand" in n for n in recipe.notes)


def test_local_step_regrounds_on_the_new_photo(coffee, astronaut):
    recipe = recipe_from_session(session_with_edits(astronaut))
    calls: list = []
    plan, messages = apply_recipe(recipe, coffee, ground=top_half_grounder(calls))
    assert messages == []
    assert calls == [(coffee.shape, "the sky", "make the sky warmer", "temperature")]
    warm = plan.steps[1]
    assert warm.mask.shape == coffee.shape[:2] and warm.target == "the sky"
    out = Renderer(coffee).render(plan.steps, full=True)
    globals_only = Renderer(coffee).render(plan.steps[:1], full=True)
    h = coffee.shape[0]
    assert np.array_equal(out[h // 2:], globals_only[h // 2:])  # outside the sky: untouched
    top_out, top_in = out[: h // 2].astype(float), globals_only[: h // 2].astype(float)
    assert (top_out[..., 0] - top_out[..., 2]).mean() > (top_in[..., 0] - top_in[..., 2]).mean()
    assert out.mean() > coffee.mean() + 5  # brighter


def test_target_not_found_skips_only_that_step_with_a_note(coffee):
    recipe = Recipe([RecipeStep("brightness", {"amount": 0.3}),
                     RecipeStep("saturation", {"amount": 1.0}, target="the dog")])
    plan, messages = apply_recipe(recipe, coffee, ground=top_half_grounder())
    assert [s.op for s in plan.steps] == ["brightness"]
    assert len(messages) == 1 and "the dog" in messages[0] and "skipped" in messages[0]


def test_missing_grounding_model_skips_with_its_message(coffee):
    def no_model(*_a, **_k):
        raise MissingModelError("the people model is not installed; run `lbie models fetch "
                                "people`")

    recipe = Recipe([RecipeStep("brightness", {"amount": 0.3}, target="the people")])
    plan, messages = apply_recipe(recipe, coffee, ground=no_model)
    assert len(plan) == 0 and "lbie models fetch" in messages[0]


def test_save_load_round_trip_and_from_session_file(tmp_path, astronaut):
    s = session_with_edits(astronaut)
    recipe = recipe_from_session(s, name="look")
    back = Recipe.load(recipe.save(tmp_path / "look.json"))
    assert [(r.op, r.params, r.target, r.request) for r in back.steps] == \
        [(r.op, r.params, r.target, r.request) for r in recipe.steps]
    assert back.name == "look" and back.notes == recipe.notes
    s.image.path = None
    lbie = save_session(s, tmp_path / "look.lbie")
    from_file = Recipe.load(lbie)
    assert [(r.op, r.target) for r in from_file.steps] == [(r.op, r.target) for r in recipe.steps]


@pytest.mark.parametrize("content,match", [
    ("not json", "not valid recipe JSON"),
    (json.dumps({"kind": "something else", "steps": []}), "not an LBIE recipe"),
    (json.dumps({"kind": "lbie-recipe", "format": 9, "steps": []}), "newer LBIE"),
    (json.dumps({"kind": "lbie-recipe", "format": 1, "steps": [{"op": "sparkle"}]}),
     "unknown operation"),
    (json.dumps({"kind": "lbie-recipe", "format": 1,
                 "steps": [{"op": "crop", "params": {"left": 0.1}, "target": "the sky"}]}),
     "cannot be limited to a region"),
    (json.dumps({"kind": "lbie-recipe", "format": 1,
                 "steps": [{"op": "brightness", "params": {"amount": "lots"}}]}),
     "must be a number"),
    (json.dumps({"kind": "lbie-recipe", "format": 1,
                 "steps": [{"op": "brightness", "params": [1, 2]}]}), "params must be"),
    (json.dumps({"kind": "lbie-recipe", "format": 1,
                 "steps": [{"op": "brightness", "target": 7}]}), "target must be a phrase"),
    (json.dumps({"kind": "lbie-recipe", "format": "1", "steps": []}), "format number"),
    (json.dumps([1, 2, 3]), "not an LBIE recipe"),
])
def test_bad_recipes_are_refused_clearly(tmp_path, content, match):
    p = tmp_path / "r.json"
    p.write_text(content)
    with pytest.raises(UserError, match=match):
        Recipe.load(p)


def test_missing_recipe_file(tmp_path):
    with pytest.raises(UserError, match="no recipe file"):
        Recipe.load(tmp_path / "nope.json")


def test_recipe_applies_to_a_photo_loaded_from_disk(tmp_path, chelsea):
    Image.fromarray(chelsea).save(tmp_path / "c.png")
    img = load_image(tmp_path / "c.png")
    plan, _ = apply_recipe(Recipe([RecipeStep("contrast", {"amount": 0.5})]), img.rgb)
    out = Renderer(img.rgb).render(plan.steps, full=True)
    assert out.astype(float).std() > chelsea.astype(float).std()
