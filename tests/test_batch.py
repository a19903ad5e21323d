"""`lbie batch`: every good photo is edited, every bad one reported and skipped, the batch is
never aborted, and the exit code is non-zero only when every photo failed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import lbie_desktop.grounding
from lbie_desktop.cli import main
from lbie_desktop.core.batch import expand_inputs, run_batch
from lbie_desktop.core.imageio import load_image
from lbie_desktop.core.plan import Plan, Step
from lbie_desktop.core.recipe import Recipe, RecipeStep, apply_recipe
from lbie_desktop.core.render import Renderer
from lbie_desktop.core.session import Session
from lbie_desktop.core.session_file import save_session
from lbie_desktop.errors import UserError
from lbie_desktop.grounding import Grounding


def sky_top_half(image_rgb, phrase, context="", op=None):
    if phrase != "the sky":
        return Grounding(None, f"no “{phrase}” here", "none", False)
    m = np.zeros(image_rgb.shape[:2], np.float32)
    m[: image_rgb.shape[0] // 2] = 1
    return Grounding(m, "top half", "sky", True)


RECIPE = Recipe([RecipeStep("brightness", {"amount": 0.25}),
                 RecipeStep("saturation", {"amount": 0.8}, target="the sky", request="bluer sky"),
                 RecipeStep("contrast", {"amount": 0.3}, target="the dog", request="the dog")])


@pytest.fixture
def photos(tmp_path, astronaut, coffee, chelsea) -> dict[str, Path]:
    d = tmp_path / "in"
    d.mkdir()
    out = {}
    for name, arr in [("astronaut.jpg", astronaut), ("coffee.png", coffee),
                      ("chelsea.webp", chelsea)]:
        Image.fromarray(arr).save(d / name, quality=95)
        out[name] = d / name
    (d / "notes.jpg").write_text("shopping list")
    out["notes.jpg"] = d / "notes.jpg"
    trunc = (d / "coffee.png").read_bytes()
    (d / "broken.png").write_bytes(trunc[: len(trunc) // 3])
    out["broken.png"] = d / "broken.png"
    return out


def test_batch_edits_good_photos_and_reports_bad_ones(tmp_path, photos):
    order = ["astronaut.jpg", "notes.jpg", "coffee.png", "broken.png", "chelsea.webp"]
    seen = []
    items = run_batch(RECIPE, [photos[n] for n in order] + [tmp_path / "gone.jpg"],
                      tmp_path / "out", ground=sky_top_half, progress=seen.append)
    assert [i.index for i in seen] == [1, 2, 3, 4, 5, 6] and seen == items
    ok = {i.source.name: i for i in items if i.ok}
    bad = {i.source.name: i.error for i in items if not i.ok}
    assert sorted(ok) == ["astronaut.jpg", "chelsea.webp", "coffee.png"]
    assert "text" in bad["notes.jpg"] and "broken.png" in bad["broken.png"]
    assert "no such file" in bad["gone.jpg"]
    for item in ok.values():
        assert item.output.suffix == item.source.suffix  # same format as the input
        assert item.applied == 2
        assert any("the dog" in n for n in item.notes)  # skipped, with the reason
    # the saved result is the recipe applied to that photo
    src = load_image(photos["coffee.png"]).rgb
    plan, _ = apply_recipe(RECIPE, src, ground=sky_top_half)
    assert np.array_equal(load_image(ok["coffee.png"].output).rgb,
                          Renderer(src).render(plan.steps, full=True))


def test_batch_never_overwrites_an_input(tmp_path, photos):
    before = photos["coffee.png"].read_bytes()
    items = run_batch(RECIPE, [photos["coffee.png"]], photos["coffee.png"].parent,
                      ground=sky_top_half)
    assert not items[0].ok and "original" in items[0].error
    assert photos["coffee.png"].read_bytes() == before


def test_same_names_from_different_folders_do_not_collide(tmp_path, coffee):
    paths = []
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        paths.append(tmp_path / sub / "IMG_0001.png")
        Image.fromarray(coffee if sub == "a" else coffee // 2).save(paths[-1])
    items = run_batch(RECIPE, paths, tmp_path / "out", fmt="jpg", ground=sky_top_half)
    assert [i.output.name for i in items] == ["IMG_0001.jpg", "IMG_0001-2.jpg"]


def test_folder_inputs_expand_to_their_images(photos):
    names = [p.name for p in expand_inputs([photos["coffee.png"].parent])]
    assert names == sorted(["astronaut.jpg", "broken.png", "chelsea.webp", "coffee.png",
                            "notes.jpg"])


def test_output_must_be_a_folder(tmp_path, photos):
    with pytest.raises(UserError, match="needs a folder"):
        run_batch(RECIPE, [photos["coffee.png"]], photos["coffee.png"])


# --- through the command line ----------------------------------------------------------------

def test_cli_batch_progress_lines_and_exit_codes(tmp_path, photos, capsys, monkeypatch):
    monkeypatch.setattr(lbie_desktop.grounding, "ground", sky_top_half)
    recipe = RECIPE.save(tmp_path / "r.json")
    code = main(["batch", str(recipe), str(photos["coffee.png"]), str(photos["notes.jpg"]),
                 str(photos["chelsea.webp"]), "-o", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0
    assert "[1/3]  33% coffee.png ->" in out
    assert "[2/3]  66% notes.jpg: error:" in out
    assert "[3/3] 100% chelsea.webp ->" in out
    assert "skipped" in out and "the dog" in out
    assert "2 saved, 1 failed: notes.jpg" in out
    assert (tmp_path / "out" / "coffee.png").exists()

    code = main(["batch", str(recipe), str(photos["notes.jpg"]), str(photos["broken.png"]),
                 "-o", str(tmp_path / "out")])
    assert code == 1 and "0 saved, 2 failed" in capsys.readouterr().out

    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert main(["batch", str(bad), str(photos["coffee.png"]), "-o", str(tmp_path / "o")]) == 2
    assert "not valid recipe JSON" in capsys.readouterr().err


def test_cli_session_info_export_recipe_and_batch_from_session(tmp_path, photos, capsys,
                                                               monkeypatch):
    monkeypatch.setattr(lbie_desktop.grounding, "ground", sky_top_half)
    s = Session(load_image(photos["coffee.png"]))
    h, w = s.image.rgb.shape[:2]
    sky = np.zeros((h, w), np.float32)
    sky[: h // 4] = 1
    s.add_turn("brighten it", Plan([Step("brightness", {"amount": 0.3})]))
    s.add_turn("bluer sky", Plan([Step("saturation", {"amount": 0.9}, mask=sky,
                                       target="the sky")]))
    lbie = save_session(s, tmp_path / "coffee.lbie")

    assert main(["session", "info", str(lbie)]) == 0
    out = capsys.readouterr().out
    assert "turn 1: 'brighten it'" in out and "saturation on “the sky”" in out

    exported = tmp_path / "export.png"
    assert main(["session", "export", str(lbie), "-o", str(exported)]) == 0
    assert np.array_equal(load_image(exported).rgb, s.current(full=True))
    assert main(["session", "export", str(lbie), "-o", str(photos["coffee.png"])]) == 2
    assert "original" in capsys.readouterr().err

    recipe = tmp_path / "r.json"
    assert main(["session", "recipe", str(lbie), "-o", str(recipe)]) == 0
    assert main(["batch", str(lbie), str(photos["chelsea.webp"]), "-o",
                 str(tmp_path / "o2")]) == 0
    assert (tmp_path / "o2" / "chelsea.webp").exists()
    assert main(["session", "info", str(tmp_path / "nope.lbie")]) == 2
