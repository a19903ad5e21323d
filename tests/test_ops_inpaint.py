"""inpaint_obj and the Inpainter behind it: a painted blob disappears without a trace."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from lbie_desktop.core.inpaint import (
    InpaintCancelled,
    PatchMatchInpainter,
    get_inpainter,
    set_inpainter,
)
from lbie_desktop.core.ops import apply_op
from lbie_desktop.core.render import to_tensor, to_uint8
from lbie_desktop.errors import UserError

MAGENTA = np.array([255, 0, 255], dtype=np.float32)


def _disk(h: int, w: int, cy: int, cx: int, r: int) -> np.ndarray:
    yy, xx = np.mgrid[:h, :w]
    return (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r


def _dist_to(rgb: np.ndarray, colour: np.ndarray) -> np.ndarray:
    return np.linalg.norm(rgb.astype(np.float32) - colour, axis=-1)


@pytest.fixture(scope="module")
def cat_small(chelsea) -> np.ndarray:
    return cv2.resize(chelsea, (240, 160), interpolation=cv2.INTER_AREA)


def test_inpaint_obj_removes_a_painted_blob(cat_small):
    h, w = cat_small.shape[:2]
    blob = _disk(h, w, 60, 170, 16)
    painted = cat_small.copy()
    painted[blob] = MAGENTA.astype(np.uint8)
    out = to_uint8(apply_op("inpaint_obj", to_tensor(painted), {},
                            torch.from_numpy(blob.astype(np.float32))))
    # no trace of magenta inside the hole or around it
    assert _dist_to(out[_disk(h, w, 60, 170, 22)], MAGENTA).min() > 150
    # and the fill looks like its surroundings (the cat's fur there), not a flat patch
    ring = _disk(h, w, 60, 170, 30) & ~_disk(h, w, 60, 170, 20)
    assert np.abs(out[blob].mean(axis=0) - cat_small[ring].mean(axis=0)).max() < 35
    assert out[blob].std(axis=0).mean() > 3
    # outside the mask: untouched
    assert np.array_equal(out[~blob], painted[~blob])


def test_thin_scratch_is_filled(cat_small):
    h, w = cat_small.shape[:2]
    line = np.zeros((h, w), np.uint8)
    cv2.line(line, (20, 30), (220, 140), 1, 2)
    hole = line > 0
    painted = cat_small.copy()
    painted[hole] = MAGENTA.astype(np.uint8)
    out = PatchMatchInpainter()(painted, hole)
    assert _dist_to(out[hole], MAGENTA).min() > 150


def test_avoid_region_is_not_copied(cat_small):
    # a pure red block right next to the hole: with `avoid` no red may appear in the fill
    h, w = cat_small.shape[:2]
    img = cat_small.copy()
    img[40:90, 120:150] = (255, 0, 0)
    hole = np.zeros((h, w), bool)
    hole[45:85, 150:185] = True
    avoid = np.zeros((h, w), bool)
    avoid[40:90, 120:150] = True
    out = PatchMatchInpainter()(img, hole, avoid=avoid)
    red = np.array([255, 0, 0], np.float32)
    assert _dist_to(out[hole], red).min() > 120


def test_large_photo_is_filled_at_reduced_resolution_and_blended_back(astronaut):
    big = cv2.resize(astronaut, (1200, 1200), interpolation=cv2.INTER_CUBIC)
    hole = np.zeros(big.shape[:2], bool)
    hole[150:450, 800:1050] = True  # background wall and sky above the shoulder
    img = big.copy()
    img[hole] = MAGENTA.astype(np.uint8)
    steps: list[float] = []
    out = PatchMatchInpainter(work_side=320)(img, hole, progress=steps.append)
    assert _dist_to(out[hole], MAGENTA).min() > 150
    ring = np.zeros_like(hole)
    ring[140:460, 790:1060] = True
    assert np.array_equal(out[~ring], img[~ring])  # far from the hole: bit-identical
    assert steps and steps[-1] == 1.0


def test_cancel_stops_the_fill(cat_small):
    hole = np.zeros(cat_small.shape[:2], bool)
    hole[50:90, 50:90] = True
    with pytest.raises(InpaintCancelled):
        PatchMatchInpainter()(cat_small, hole, cancel=lambda: True)


def test_bad_inputs_are_user_errors(cat_small):
    with pytest.raises(UserError):
        PatchMatchInpainter()(cat_small, np.ones((3, 3), bool))
    with pytest.raises(UserError):
        PatchMatchInpainter()(cat_small, np.ones(cat_small.shape[:2], bool))
    with pytest.raises(UserError):
        PatchMatchInpainter()(cat_small.astype(np.float32), np.zeros(cat_small.shape[:2], bool))


def test_empty_hole_returns_the_photo(cat_small):
    out = PatchMatchInpainter()(cat_small, np.zeros(cat_small.shape[:2], bool))
    assert np.array_equal(out, cat_small)


def test_a_learned_model_can_take_over(cat_small):
    calls = []

    def grey_fill(rgb, hole, *, avoid=None, progress=None, cancel=None):
        calls.append(hole.sum())
        out = rgb.copy()
        out[hole] = 128
        return out

    hole = np.zeros(cat_small.shape[:2], np.float32)
    hole[20:40, 20:40] = 1
    set_inpainter(grey_fill)
    try:
        out = to_uint8(apply_op("inpaint_obj", to_tensor(cat_small), {}, torch.from_numpy(hole)))
    finally:
        set_inpainter(None)
    assert calls == [400]
    assert (out[20:40, 20:40] == 128).all()
    assert isinstance(get_inpainter(), PatchMatchInpainter)
