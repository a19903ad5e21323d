"""Interactive mask refinement: brush, click-to-segment, invert, grow/shrink, feather."""

from __future__ import annotations

import numpy as np

from lbie_desktop.grounding import refine


def test_brush_adds_and_erases_along_the_stroke():
    m = np.zeros((100, 100), np.float32)
    a = refine.brush(m, [(10, 50), (90, 50)], radius=5)
    assert a[50, 10:90].min() > 0.9 and a[10, 50] == 0 and m.max() == 0  # input untouched
    e = refine.brush(a, [(50, 40), (50, 60)], radius=8, add=False)
    assert e[50, 50] < 0.1 and e[50, 15] > 0.9


def test_click_adds_then_removes_the_clicked_segment(coffee):
    m = np.zeros(coffee.shape[:2], np.float32)
    added = refine.click(m, coffee, 320, 200)
    assert added[200, 320] == 1 and 0 < added.mean() < 0.6
    removed = refine.click(added, coffee, 320, 200, add=False)
    assert removed[200, 320] == 0


def test_click_on_an_instance_takes_the_whole_instance(coffee):
    inst = np.zeros(coffee.shape[:2], np.float32)
    inst[100:200, 100:300] = 1
    out = refine.click(np.zeros_like(inst), coffee, 150, 150, instances=[inst])
    assert np.array_equal(out, inst)


def test_invert_grow_shrink_feather():
    m = np.zeros((60, 60), np.float32)
    m[20:40, 20:40] = 1
    assert np.array_equal(refine.invert(refine.invert(m)), m)
    assert refine.grow(m, 3).sum() > m.sum() > refine.grow(m, -3).sum()
    f = refine.feather(m, 3)
    assert 0 < f[20, 30] < 1 and f[30, 30] > 0.95 and f.min() >= 0 and f.max() <= 1


def test_guided_filter_snaps_a_blocky_mask_to_the_photo(astronaut):
    rough = np.zeros(astronaut.shape[:2], np.float32)
    rough[100:400, 100:300] = 1
    out = refine.guided_filter(astronaut, rough)
    assert out.shape == rough.shape and out.dtype == np.float32
    assert 0 <= out.min() and out.max() <= 1
    assert abs(float(out.mean()) - float(rough.mean())) < 0.05


def test_click_on_a_person_adds_that_whole_person(astronaut):
    from lbie_desktop.grounding import instance_masks

    photo = astronaut
    found = instance_masks(photo)
    people = [d for d in found if d["label"] == "person"]
    assert people
    m = refine.click(np.zeros(photo.shape[:2], np.float32), photo, 200, 300,
                     instances=[d["mask"] for d in found])
    assert np.array_equal(m, people[0]["mask"]) and m.mean() > 0.2


def test_grabcut_in_a_detector_box_keeps_the_object_not_the_box():
    rng = np.random.default_rng(0)
    h, w = 240, 320
    img = (rng.normal(0, 12, (h, w, 3)) + np.linspace(60, 160, w)[None, :, None]).clip(0, 255)
    yy, xx = np.mgrid[0:h, 0:w]
    disc = (yy - 120) ** 2 + (xx - 170) ** 2 < 60 ** 2
    img[disc] = (200, 40, 30) + rng.normal(0, 8, (disc.sum(), 3))
    img = img.clip(0, 255).astype(np.uint8)
    box = (100, 50, 240, 190)  # a detector box a little loose around the disc
    m = refine.grabcut_in_box(img, box) > 0.5
    boxed = np.zeros_like(disc)
    boxed[50:190, 100:240] = True
    iou = (m & disc).sum() / (m | disc).sum()
    assert iou > 0.9 > 0.75 > (boxed & disc).sum() / (boxed | disc).sum()
    assert not m[:, :90].any() and not m[:, 250:].any()  # nothing outside the box's pad


def test_grabcut_gives_the_same_mask_every_time(coffee):
    # Asking twice for "the cup" must not give two different masks (undo, render cache).
    box = (60, 20, 340, 330)
    first = refine.grabcut_in_box(coffee, box)
    import cv2

    cv2.randu(np.zeros((4, 4), np.float32), 0, 1)  # other OpenCV work moves its global RNG
    assert np.array_equal(first, refine.grabcut_in_box(coffee, box))
