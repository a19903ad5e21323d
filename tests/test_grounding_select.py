"""Which instance(s) a phrase means — order, size, depth, count — and small people in crowds,
on real photos (opencv-doc: basketball1, frames of the vtest pedestrian video)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from test_grounding import opencv_photos, two_men  # noqa: F401  (fixtures)

from lbie_desktop.grounding import ground
from lbie_desktop.grounding.router import parse
from lbie_desktop.grounding.select import choose


@pytest.fixture(scope="session")
def vtest(opencv_photos):  # noqa: F811
    """Frames of a pedestrian video: people at several distances, a van and a car."""
    cap = cv2.VideoCapture(str(opencv_photos / "vtest.avi"))
    frames = {}
    for k in (0, 300, 600):
        cap.set(cv2.CAP_PROP_POS_FRAMES, k)
        ok, bgr = cap.read()
        if not ok:
            pytest.skip("this OpenCV build cannot read vtest.avi")
        frames[k] = np.ascontiguousarray(bgr[..., ::-1])
    return frames


def _centre(mask: np.ndarray) -> tuple[float, float]:
    ys, xs = np.nonzero(mask > 0.5)
    return xs.mean() / mask.shape[1], ys.mean() / mask.shape[0]


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a > 0.5, b > 0.5
    return float((a & b).sum() / max(1, (a | b).sum()))


def test_second_from_the_right_of_two_is_the_one_on_the_left(two_men):  # noqa: F811
    second = ground(two_men, "the second person from the right")
    left = ground(two_men, "the man on the left")
    assert second.ok and left.ok, second.explanation
    assert _iou(second.mask, left.mask) > 0.9
    first = ground(two_men, "the first man from the right")
    assert _iou(first.mask, second.mask) < 0.05


def test_an_ordinal_past_the_count_asks_to_paint(two_men):  # noqa: F811
    g = ground(two_men, "the third person from the left")
    assert not g.ok and g.mask is None
    assert "only 2" in g.explanation and "paint" in g.explanation


def test_second_person_from_the_left_in_a_row_of_walkers(vtest):
    frame = vtest[300]  # six walkers; the second from the left is at x ~ 235-260 of 768
    g = ground(frame, "the second person from the left")
    assert g.ok, g.explanation
    assert sum(i["selected"] for i in g.instances) == 1
    x, _ = _centre(g.mask)
    assert 0.29 < x < 0.35
    first = ground(frame, "the first person from the left")
    assert _centre(first.mask)[0] < x - 0.03


def test_biggest_and_smallest_person(vtest):
    frame = vtest[600]  # a woman close to the camera at the bottom, others farther up
    big = ground(frame, "the biggest person")
    small = ground(frame, "the smallest person")
    assert big.ok and small.ok, (big.explanation, small.explanation)
    assert _centre(big.mask)[1] > 0.75  # the near woman at the bottom
    assert (big.mask > 0.5).sum() > 3 * (small.mask > 0.5).sum()


def test_foreground_and_background_people_split_by_distance(vtest):
    frame = vtest[600]
    woman = ground(frame, "the biggest person").mask > 0.5
    near = ground(frame, "the people in the foreground")
    far = ground(frame, "the people in the background")
    assert near.ok and far.ok, (near.explanation, far.explanation)
    assert near.mask[woman].mean() > 0.8 and far.mask[woman].mean() < 0.05
    # the far man by the fence (x 180-202, y 140-209) is background, not foreground
    assert far.mask[150:200, 183:200].mean() > 0.3 and near.mask[150:200, 183:200].mean() < 0.05


def test_biggest_and_smallest_car(vtest):
    frame = vtest[600]  # a white van (NanoDet: truck) and a small car cut by the right edge
    big = ground(frame, "the biggest car")
    small = ground(frame, "the smallest car")
    assert big.ok and small.ok, (big.explanation, small.explanation)
    assert 0.83 < _centre(big.mask)[0] < 0.94 and _centre(small.mask)[0] > 0.94
    r, g, b = frame[big.mask > 0.5].astype(float).mean(0)
    assert min(r, g, b) > 150  # the white van


def test_crowd_tiles_find_small_far_people(vtest):
    from lbie_desktop.grounding.sources.people import find_people

    # 3x3 mosaic of frames: each walker is ~1/30 of the photo's height, as in a crowd shot.
    f = [vtest[k] for k in (0, 300, 600)]
    mosaic = np.vstack([np.hstack(f), np.hstack(f[1:] + f[:1]), np.hstack(f[2:] + f[:2])])
    before = find_people(mosaic, crowd=False)
    after = find_people(mosaic, crowd=True)
    assert len(after) >= 1.5 * len(before) and len(after) >= 35
    g = ground(mosaic, "all the people")
    assert g.ok and sum(i["selected"] for i in g.instances) == len(after)
    # every person found covers some pixels, and none is a huge false box
    for p in after:
        x1, y1, x2, y2 = p.box
        assert (y2 - y1) < mosaic.shape[0] / 4


# Selection rules without photos: boxes are (x1, y1, x2, y2), main subject first.
SHAPE = (600, 800, 3)


def test_background_keeps_a_couple_of_main_subjects():
    couple = [(300, 100, 400, 500), (420, 110, 520, 500)]
    tourists = [(50, 300, 80, 400), (700, 320, 720, 390)]
    picked, _ = choose(couple + tourists, SHAPE, parse("the people in the background",
                                                       semantic=False), main_first=True)
    assert sorted(picked) == [2, 3]


def test_background_without_depth_cues_takes_all_but_the_main_one():
    same = [(300, 100, 400, 500), (500, 100, 600, 500), (100, 100, 200, 500)]
    picked, why = choose(same, SHAPE, parse("the others in the background", semantic=False),
                         main_first=True)
    assert sorted(picked) == [1, 2] and "main subject" in why


@pytest.mark.parametrize("phrase,expected", [
    ("the last person on the right", [1]),
    ("the last person", [1]),
    ("the first person on the left", [2]),
    ("the two people on the left", [2, 0]),
    ("the biggest person", [0]),
    ("the smallest person", [3]),
])
def test_order_size_and_count(phrase, expected):
    boxes = [(300, 100, 400, 500), (600, 150, 690, 480), (100, 120, 190, 470),
             (450, 200, 470, 260)]
    picked, _ = choose(boxes, SHAPE, parse(phrase, semantic=False), main_first=True)
    assert picked == expected
