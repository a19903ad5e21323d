"""Face parts (eyes, lips, teeth, eyebrows, facial skin, the face outline) from MediaPipe's face
mesh in the 'faces' pack, on real photos."""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest
from test_grounding import opencv_photos, two_men  # noqa: F401  (fixtures)
from test_grounding_faces import faces_pack, with_faces  # noqa: F401  (fixtures)

from lbie_desktop.grounding import ground
from lbie_desktop.grounding.router import parse


def _centre(m: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(m > 0.5)
    return np.array([xs.mean(), ys.mean()])


@pytest.fixture
def mesh(astronaut, with_faces):  # noqa: F811
    from lbie_desktop.grounding.sources import faceparts
    from lbie_desktop.grounding.sources.faces import find_faces

    me = faceparts.mesh(astronaut, find_faces(astronaut)[0])
    assert me is not None and me.presence > 0.9
    return me


def _part(img, phrase: str) -> np.ndarray:
    g = ground(img, phrase)
    assert g.ok and g.source == "faceparts", g.explanation
    assert g.mask.dtype == np.float32 and g.mask.shape == img.shape[:2]
    assert 0 <= g.mask.min() and g.mask.max() <= 1
    return g.mask


def test_mesh_points_land_on_her_face(astronaut, mesh):
    from lbie_desktop.grounding.sources import faceparts as fp

    # By eye: her eyes at about (205, 101) and (248, 108), nose tip (228, 133), chin y ~ 175.
    eyes = sorted((mesh.poly(e).mean(0) for e in (fp.EYE_PERSON_LEFT, fp.EYE_PERSON_RIGHT)),
                  key=lambda p: p[0])
    assert np.all(np.abs(np.array(eyes) - [[205, 101], [248, 108]]) < 6)
    assert np.all(np.abs(mesh.points[fp.NOSE_TIP] - [228, 133]) < 8)
    assert 165 < mesh.poly(fp.FACE_OVAL)[:, 1].max() < 185


def test_two_eyes_inside_the_face_either_side_of_the_nose(astronaut, mesh):
    from lbie_desktop.grounding.sources import faceparts as fp

    eyes, face = _part(astronaut, "her eyes"), ground(astronaut, "the face").mask
    assert ((eyes > 0.5) & (face < 0.5)).sum() == 0  # inside the face
    nose_x = mesh.points[fp.NOSE_TIP][0]
    cols = np.nonzero((eyes > 0.5).any(0))[0]
    assert cols.min() < nose_x - 10 and cols.max() > nose_x + 10
    assert (eyes > 0.5)[:, int(nose_x) - 3:int(nose_x) + 3].sum() == 0  # two eyes, not a band
    assert 150 < (eyes > 0.5).sum() < 1500  # two eyes of a ~95 px face, not a face
    assert 0.05 < eyes[(eyes > 0) & (eyes < 1)].size / max(1, (eyes > 0.5).sum())  # soft edge
    left, right = _part(astronaut, "the left eye"), _part(astronaut, "her right eye")
    assert _centre(left)[0] < nose_x < _centre(right)[0]  # the viewer's left
    assert np.array_equal((left > 0.5) | (right > 0.5), eyes > 0.5)


def test_lips_below_the_nose_teeth_inside_the_lips(astronaut, mesh):
    from lbie_desktop.grounding.sources import faceparts as fp

    lips, teeth = _part(astronaut, "make her lips redder"), _part(astronaut, "her teeth")
    nose_y = mesh.points[fp.NOSE_TIP][1]
    assert _centre(lips)[1] > nose_y + 10 and _centre(teeth)[1] > nose_y + 10
    outer = fp._fill(astronaut.shape[:2], [mesh.poly(fp.LIPS_OUTER)])
    assert np.all(outer[teeth > 0.5] > 0.5)  # teeth inside the lips' outline
    assert ((teeth > 0.5) & (lips > 0.5)).sum() == 0
    # What a person sees: her smile shows white teeth between pink lips (CIELAB).
    lab = cv2.cvtColor(astronaut, cv2.COLOR_RGB2LAB).astype(float)
    assert lab[..., 1][lips > 0.5].mean() > lab[..., 1][teeth > 0.5].mean() + 8  # a*: red
    assert lab[..., 0][teeth > 0.5].mean() > lab[..., 0][lips > 0.5].mean() + 15  # lighter
    assert 60 < (teeth > 0.5).sum() < 400  # about 25 x 6 px of teeth
    mouth = _part(astronaut, "the mouth") > 0.5  # the whole opening, teeth and all
    assert np.all(mouth[teeth > 0.5]) and mouth.sum() > (teeth > 0.5).sum()


def test_facial_skin_leaves_out_eyes_brows_and_lips(astronaut, mesh):
    g = ground(astronaut, "smooth her skin")
    assert g.ok and "face's skin" in g.explanation, g.explanation
    skin = g.mask > 0.5
    for part in ("her eyes", "her eyebrows", "her lips"):
        assert (skin & (_part(astronaut, part) > 0.5)).sum() == 0, part
    for x, y in mesh.points[[50, 280]].round().astype(int):  # the mesh's cheek points
        assert skin[y - 8:y + 8, x - 6:x + 6].mean() > 0.9
    assert skin[200:].sum() == 0 and skin[:60].sum() == 0  # not the neck/suit, not the hair
    assert np.array_equal(_part(astronaut, "her cheeks") > 0.5, skin)


def test_the_face_follows_the_mesh_outline(astronaut, with_faces):  # noqa: F811
    g = ground(astronaut, "the face")
    assert g.ok and "face mesh outline" in g.explanation, g.explanation
    m = g.mask > 0.5
    assert m[110:160, 200:255].mean() > 0.95
    # The box's ellipse reached up into her fringe (y 62); the outline stops at the hairline.
    assert m[:68].sum() == 0 and m[72:80, 215:240].mean() > 0.9


def test_parts_are_deterministic(astronaut, with_faces):  # noqa: F811
    a, b = ground(astronaut, "her eyebrows"), ground(astronaut, "her eyebrows")
    assert a.ok and np.array_equal(a.mask, b.mask)


def test_person_selection_and_a_face_turned_away(two_men, with_faces):  # noqa: F811
    # basketball1: the man at the left faces the camera, the one at the right turns away
    # (the detector boxes the back of his head; the mesh rightly sees no face there).
    g = ground(two_men, "the man on the left's teeth")
    assert g.ok, g.explanation
    cols = np.nonzero((g.mask > 0.5).any(0))[0]
    assert cols.max() < 0.3 * two_men.shape[1]
    right = ground(two_men, "the right man's eyebrows")
    assert not right.ok and "sees no face" in right.explanation


def test_without_the_pack_parts_say_how_to_get_them(astronaut):
    g = ground(astronaut, "her eyes")  # the test data folder has no packs
    assert not g.ok and g.mask is None
    assert "lbie models fetch faces" in g.explanation


@pytest.mark.parametrize("phrase,part,side,places", [
    ("her eyes", "eyes", "", []),
    ("brighten her eyes", "eyes", "", []),
    ("her teeth", "teeth", "", []),  # not a toothbrush
    ("whiten his smile", "teeth", "", []),
    ("the lips", "lips", "", []),
    ("the woman's eyes", "eyes", "", []),
    ("the man on the left's teeth", "teeth", "", ["left"]),
    ("the left eye", "eyes", "left", []),
    ("the right eyebrow of the man on the left", "eyebrows", "right", ["left"]),
    ("his brows", "eyebrows", "", []),
    ("her complexion", "skin", "", []),
    ("the pupils", "eyes", "", []),
])
def test_part_words_route_to_face_parts(phrase, part, side, places):
    q = parse(phrase, semantic=False)
    assert (q.kind, q.part, q.part_side, q.places) == ("faces", part, side, places)


def test_a_part_after_with_describes_the_person():
    q = parse("the man with the big smile", semantic=False)
    assert q.kind == "people" and not q.part
    assert parse("the man's face", semantic=False).part == ""


def test_small_faces_in_a_crowd_come_from_the_full_range_detector(astronaut, with_faces):  # noqa: F811
    # 70 astronauts with ~23 px faces on a 1536x1024 canvas: far below the short-range
    # detector's size; the full-range one on overlapping tiles, checked by the mesh.
    small = cv2.resize(astronaut, (128, 128), interpolation=cv2.INTER_AREA)
    canvas = np.full((1024, 1536, 3), 128, np.uint8)
    faces_at = []
    for y in range(40, 1024 - 128, 140):
        for x in range(40, 1536 - 128, 140):
            canvas[y:y + 128, x:x + 128] = small
            faces_at.append((x + 57, y + 32))  # her face's centre (228, 128) / 4
    g = ground(canvas, "the faces in the crowd")
    assert g.ok and "face detector" in g.explanation, g.explanation
    m = g.mask > 0.5
    hits = sum(m[y - 3:y + 4, x - 3:x + 4].mean() > 0.9 for x, y in faces_at)
    assert hits >= 0.85 * len(faces_at), (hits, len(faces_at))
    n, _ = cv2.connectedComponents(m.astype(np.uint8))
    assert n - 1 <= len(faces_at)  # nothing but faces (no suit, no flag)
    assert m.mean() < 0.05
    eyes = ground(canvas, "everyone's eyes")
    meshed = re.search(r"on (\d+) of (\d+) face", eyes.explanation)
    assert eyes.ok and meshed and int(meshed[1]) >= 0.85 * len(faces_at), eyes.explanation
    hers = ground(canvas, "her eyes")  # one person's: the main face only
    assert hers.ok and "on 1 of" in hers.explanation, hers.explanation


def test_a_tilted_head_keeps_its_parts(astronaut, with_faces):  # noqa: F811
    # The crop is turned by the eye line (MediaPipe's recipe): at 30 degrees the eyes still
    # land where her eyes went.
    import cv2

    rot = cv2.getRotationMatrix2D((228, 128), 30, 1.0)
    tilted = cv2.warpAffine(astronaut, rot, (512, 512), borderMode=cv2.BORDER_REFLECT)
    expected = sorted((rot @ [x, y, 1] for x, y in ((205, 101), (248, 108))),
                      key=lambda p: p[0])
    left, right = _part(tilted, "her left eye"), _part(tilted, "her right eye")
    assert np.all(np.abs(_centre(left) - expected[0]) < 6)
    assert np.all(np.abs(_centre(right) - expected[1]) < 6)
