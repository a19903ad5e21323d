"""`lbie ground PHOTO "phrase" -o mask.png [--explain]` and grounding inside `lbie edit`."""

from __future__ import annotations

import numpy as np
from PIL import Image

from lbie_desktop.cli import main


def _save(tmp_path, rgb, name="photo.png"):
    p = tmp_path / name
    Image.fromarray(rgb).save(p)
    return p


def test_ground_writes_a_mask_and_explains(tmp_path, astronaut, capsys):
    photo = _save(tmp_path, astronaut)
    out = tmp_path / "mask.png"
    assert main(["ground", str(photo), "the woman", "-o", str(out), "--explain"]) == 0
    text = capsys.readouterr().out
    assert "source: people" in text and "instance:" in text
    assert "route: people:person via vocabulary" in text


def test_explain_says_when_the_encoder_routed(tmp_path, astronaut, capsys):
    photo = _save(tmp_path, astronaut)
    out = tmp_path / "mask.png"
    assert main(["ground", str(photo), "the jogger", "-o", str(out), "--explain"]) == 0
    text = capsys.readouterr().out
    assert "route: people:person via encoder" in text and "similarity" in text
    m = np.asarray(Image.open(out))
    assert m.shape == astronaut.shape[:2] and 0.2 < (m > 127).mean() < 0.8


def test_ground_unknown_phrase_is_a_clear_error(tmp_path, chelsea, capsys):
    photo = _save(tmp_path, chelsea)
    out = tmp_path / "mask.png"
    assert main(["ground", str(photo), "the quantum foam", "-o", str(out)]) == 2
    assert "paint" in capsys.readouterr().err and not out.exists()


def test_ground_missing_photo_is_a_user_error(tmp_path, capsys):
    assert main(["ground", str(tmp_path / "nope.jpg"), "the sky", "-o",
                 str(tmp_path / "m.png")]) == 2


def test_pipeline_gets_a_mask_for_a_local_step(astronaut):
    from lbie_desktop.grounding import ground

    g = ground(astronaut, "", context="make the background white", op="color_bg")
    # No ISNet here: the background falls back to "everything but the people found".
    assert g.ok and g.source == "background"
    assert g.mask[250:350, 150:250].mean() < 0.2 and g.mask[:100, 400:].mean() > 0.8
