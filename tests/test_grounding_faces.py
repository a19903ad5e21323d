"""Faces with the 'faces' pack (MediaPipe BlazeFace, fetched by `pip download` of the pinned
mediapipe wheel, run by the TFLite interpreter in models/tflite.py) and without it."""

from __future__ import annotations

import os

import numpy as np
import pytest
from test_grounding import opencv_photos, two_men  # noqa: F401  (fixtures)

from lbie_desktop.errors import UserError
from lbie_desktop.grounding import ground


@pytest.fixture(scope="session")
def faces_pack(tmp_path_factory):
    """The faces pack fetched once per test session (a 36 MB wheel; skipped offline)."""
    d = tmp_path_factory.mktemp("lbie-faces")
    old = os.environ.get("LBIE_DATA_DIR")
    os.environ["LBIE_DATA_DIR"] = str(d)
    try:
        from lbie_desktop.models.manager import fetch

        fetch("faces", log=lambda *_: None)
    except UserError as exc:
        if "no network" in str(exc):
            pytest.skip(f"cannot fetch the faces pack: {exc}")
        raise
    finally:
        if old is None:
            os.environ.pop("LBIE_DATA_DIR")
        else:
            os.environ["LBIE_DATA_DIR"] = old
    return d


@pytest.fixture
def with_faces(faces_pack, monkeypatch):
    monkeypatch.setenv("LBIE_DATA_DIR", str(faces_pack))


def test_detector_finds_the_astronauts_face(astronaut, with_faces):
    from lbie_desktop.grounding.sources.faces import find_faces

    faces = find_faces(astronaut)
    assert len(faces) == 1 and faces[0].score > 0.8
    x1, y1, x2, y2 = faces[0].box
    # Her face (by eye: eyes at about (205, 100) and (250, 108), chin at y ~ 175).
    assert 160 < x1 < 200 and 250 < x2 < 290 and 60 < y1 < 100 and 160 < y2 < 195
    eyes = faces[0].keypoints[:2]
    assert np.all(np.abs(eyes - [[205, 101], [248, 108]]) < 12)


def test_face_mask_covers_the_face_not_the_hair_or_suit(astronaut, with_faces):
    g = ground(astronaut, "the face")
    assert g.ok and "face detector" in g.explanation, g.explanation
    m = g.mask > 0.5
    assert m[110:160, 200:255].mean() > 0.95  # cheeks, nose, mouth
    assert m[:45].mean() == 0 and m[230:].mean() == 0  # the top of her hair, the suit


def test_the_face_on_the_left_is_the_left_mans(two_men, with_faces):  # noqa: F811
    every = ground(two_men, "the faces")
    left = ground(two_men, "the face on the left")
    assert every.ok and left.ok, (every.explanation, left.explanation)
    assert sum(i["selected"] for i in every.instances) == 2
    assert sum(i["selected"] for i in left.instances) == 1
    cols = np.nonzero((left.mask > 0.5).any(0))[0]
    assert cols.max() < 0.3 * two_men.shape[1]  # only the man at the left
    assert 0.002 < (left.mask > 0.5).mean() < 0.02  # a face, not a person


def test_without_the_pack_faces_come_from_the_pose_and_say_so(astronaut):
    g = ground(astronaut, "the face")  # the test data folder has no packs
    assert g.ok and "pose keypoints" in g.explanation
    assert "lbie models fetch faces" in g.explanation
    assert (g.mask > 0.5)[110:160, 200:255].mean() > 0.8


def test_a_file_that_is_not_tflite_is_refused(tmp_path):
    from lbie_desktop.models.tflite import TFLiteModel

    bad = tmp_path / "x.tflite"
    bad.write_bytes(b"\x00" * 64)
    with pytest.raises(UserError, match="not a TFLite model"):
        TFLiteModel(bad)


def test_an_op_the_interpreter_lacks_is_refused_when_loading(faces_pack, tmp_path):
    from lbie_desktop.models import tflite

    src = faces_pack / "models" / "faces" / "face_detection_short_range.tflite"
    buf = bytearray(src.read_bytes())
    model = tflite._Table(bytes(buf), int.from_bytes(buf[0:4], "little"))
    code = model.tables(1)[0]  # the first operator code: make it HARD_SWISH (117)
    for field, width in ((3, 4), (0, 1)):
        at = code._field(field)
        if at:
            buf[code.pos + at:code.pos + at + width] = (117).to_bytes(width, "little")
    bad = tmp_path / "patched.tflite"
    bad.write_bytes(bytes(buf))
    tflite.TFLiteModel(src)  # the original loads
    with pytest.raises(UserError, match="op 117 is not supported"):
        tflite.TFLiteModel(bad)
