"""'Straighten the horizon' measures the tilt from the photo, and the proposed rotation
levels it; words that name an angle win; a photo without lines is left level, and says so."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from lbie_desktop.core.ops import apply_op
from lbie_desktop.core.render import to_tensor, to_uint8
from lbie_desktop.understanding import understand
from lbie_desktop.understanding.straighten import measure_tilt

SKY_BLUE = 0.95  # the blue channel above the horizon; the ground's is ~0.2


def _landscape(h: int = 600, w: int = 900, seed: int = 0) -> np.ndarray:
    """Sky over textured ground, a level horizon at 55% of the height, sensor noise."""
    rng = np.random.default_rng(seed)
    yy = np.mgrid[0:h, 0:w][0].astype(np.float32)
    sky = yy < 0.55 * h
    img = np.empty((h, w, 3), np.float32)
    img[..., 0] = np.where(sky, 0.55 + 0.2 * yy / h, 0.25)
    img[..., 1] = np.where(sky, 0.7 + 0.15 * yy / h, 0.4)
    img[..., 2] = np.where(sky, SKY_BLUE, 0.2)
    blobs = cv2.resize(rng.random((h // 8, w // 8)).astype(np.float32), (w, h),
                       interpolation=cv2.INTER_CUBIC)
    img[~sky] += 0.25 * (blobs[~sky, None] - 0.5)  # fields, bushes
    img += rng.normal(0, 0.03, img.shape).astype(np.float32)
    return (img.clip(0, 1) * 255).round().astype(np.uint8)


def _rotated(rgb: np.ndarray, angle: float) -> np.ndarray:
    return to_uint8(apply_op("rotate", to_tensor(rgb), {"angle": angle}))


def _horizon_angle(rgb: np.ndarray) -> float:
    """Counter-clockwise angle of the sky/ground boundary, from the blue channel alone."""
    blue = rgb[..., 2].astype(np.float32) / 255
    h, w = blue.shape
    xs, ys = [], []
    for x in range(w // 10, w - w // 10, 4):  # away from the edges the rotation filled
        below = np.nonzero(blue[:, x] < (SKY_BLUE + 0.2) / 2)[0]
        below = below[below > h // 5]
        if len(below):
            xs.append(x)
            ys.append(below[0])
    slope = np.polyfit(xs, ys, 1)[0]
    return float(-np.degrees(np.arctan(slope)))


def _rotate_step(request: str, image: np.ndarray | None):
    return next(s for s in understand(request, image) if s.op == "rotate")


@pytest.mark.parametrize("angle", [-7.0, -2.0, 3.0, 8.0])
def test_straighten_measures_the_tilt_and_the_step_levels_the_horizon(angle):
    tilted = _rotated(_landscape(), angle)
    assert abs(_horizon_angle(tilted) - angle) < 0.3  # the check itself sees the tilt
    tilt = measure_tilt(tilted)
    assert tilt.degrees is not None and abs(tilt.degrees - angle) <= 0.5
    step = _rotate_step("straighten the horizon", tilted)
    assert step.enabled and abs(step.params["angle"] + angle) <= 0.5
    assert any("horizon tilted" in e for e in step.evidence), step.evidence
    levelled = _rotated(tilted, step.params["angle"])
    assert abs(_horizon_angle(levelled)) < 0.3


def test_a_level_photo_gets_no_rotation():
    step = _rotate_step("straighten the horizon", _landscape())
    assert step.params["angle"] == 0.0
    assert any("level" in e for e in step.evidence), step.evidence


def test_a_real_photo_rotated_5_degrees_measures_5():
    from skimage import data

    camera = data.camera()  # the cameraman: tripod, buildings
    level = measure_tilt(camera).degrees or 0.0
    assert abs(level) < 1.0
    tilt = measure_tilt(_rotated(np.stack([camera] * 3, -1), 5.0))
    assert tilt.degrees is not None and abs(tilt.degrees - 5.0) <= 1.0


def test_noise_has_no_horizon():
    noise = (np.random.default_rng(1).random((400, 600, 3)) * 255).astype(np.uint8)
    assert measure_tilt(noise).degrees is None
    step = _rotate_step("straighten the horizon", noise)
    assert step.params["angle"] == 0.0
    assert any("no clear horizon" in e for e in step.evidence), step.evidence


def test_words_win_over_the_image():
    tilted = _rotated(_landscape(), 4.0)
    assert _rotate_step("rotate 90 degrees", tilted).params["angle"] == 90.0
    assert _rotate_step("rotate it 2 degrees clockwise", tilted).params["angle"] == -2.0
    # without a photo there is nothing to measure: the card asks for the angle
    step = _rotate_step("straighten the horizon", None)
    assert step.params["angle"] == 0.0 and any("card" in e for e in step.evidence)


def test_the_tilt_is_measured_only_when_asked(monkeypatch):
    import lbie_desktop.understanding.measure as measure_mod

    calls = []
    monkeypatch.setattr(measure_mod, "measure_tilt", lambda img: calls.append(1))
    understand("make it brighter", _landscape())
    assert calls == []
