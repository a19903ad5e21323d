"""Faces with MediaPipe's BlazeFace short-range detector (the 'faces' pack, from the mediapipe
wheel), run by the small TFLite interpreter in models/tflite.py.

The short-range model sees a 128x128 picture and finds faces that fill at least ~1/10 of it.
Group photos have much smaller faces, so it also runs on a square crop around the head of each
person the people source found (pose keypoints, else the top of the box)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from lbie_desktop.models.manager import require

SIZE = 128
MIN_SCORE = 0.5  # MediaPipe's own threshold for this model
# SSD anchors of face_detection_short_range.pbtxt: strides 8, 16, 16, 16; two anchors per
# cell per layer, so 16x16x2 + 8x8x6 = 896.
_LAYERS = ((8, 2), (16, 6))
# The full-range detector (face_detection_full_range.pbtxt): 192x192, one anchor per cell of
# stride 4 (48x48 = 2304), for faces farther away; MediaPipe keeps its detections >= 0.6.
FULL = "face_detection_full_range_sparse.tflite"
FULL_SIZE, FULL_MIN_SCORE, _FULL_LAYERS = 192, 0.6, ((4, 1),)


@dataclass
class Face:
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in image pixels
    score: float
    keypoints: np.ndarray  # [6, 2] x, y: eyes, nose tip, mouth, ear tragions
    full_range: bool = False  # found by the full-range detector (more false alarms)


@lru_cache(maxsize=2)
def _anchors(size: int = SIZE, layers: tuple = _LAYERS) -> np.ndarray:
    out = []
    for stride, per_cell in layers:
        n = size // stride
        ys, xs = np.mgrid[0:n, 0:n]
        centres = np.stack([(xs + 0.5) / n, (ys + 0.5) / n], -1).reshape(-1, 1, 2)
        out.append(np.repeat(centres, per_cell, axis=1).reshape(-1, 2))
    return np.concatenate(out).astype(np.float32)


@lru_cache(maxsize=2)
def _model(path: str):
    from lbie_desktop.models.tflite import TFLiteModel

    return TFLiteModel(path)


def detect_square(square_rgb: np.ndarray, min_score: float = MIN_SCORE,
                  full_range: bool = False) -> list[Face]:
    """Faces in a (roughly) square picture, in its pixel coordinates (the short-range
    detector, or the full-range one for faces farther away)."""
    if full_range:
        model = _model(str(require("faces", FULL)))
        size, anchors = FULL_SIZE, _anchors(FULL_SIZE, _FULL_LAYERS)
        min_score = max(min_score, FULL_MIN_SCORE)
    else:
        model = _model(str(require("faces", "face_detection_short_range.tflite")))
        size, anchors = SIZE, _anchors()
    h, w = square_rgb.shape[:2]
    # Letterbox to the model's square as MediaPipe does, so faces keep their shape.
    s = size / max(h, w)
    nh, nw = max(1, round(h * s)), max(1, round(w * s))
    x = np.zeros((size, size, 3), np.float32)
    oy, ox = (size - nh) // 2, (size - nw) // 2
    x[oy:oy + nh, ox:ox + nw] = cv2.resize(square_rgb[..., :3], (nw, nh),
                                           interpolation=cv2.INTER_AREA)
    x = x / 127.5 - 1.0
    reg, cls = model(x[None])
    reg, cls = reg[0], cls[0, :, 0]
    scores = 1 / (1 + np.exp(-np.clip(cls.astype(np.float64), -100, 100)))
    keep = np.nonzero(scores >= min_score)[0]
    if not len(keep):
        return []
    a = anchors[keep]
    r = reg[keep] / size
    cx, cy = r[:, 0] + a[:, 0], r[:, 1] + a[:, 1]
    bw, bh = r[:, 2], r[:, 3]
    boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], 1)
    kps = r[:, 4:16].reshape(-1, 6, 2) + a[:, None, :]

    def to_image(v: np.ndarray) -> np.ndarray:  # letterboxed unit square -> crop pixels
        return (v * size - np.array([ox, oy], np.float32)) / s

    faces = []
    for i in _weighted_nms(boxes, scores[keep]):
        members, weight = i
        b = (boxes[members] * weight[:, None]).sum(0)
        k = (kps[members] * weight[:, None, None]).sum(0)
        (x1, y1), (x2, y2) = to_image(b[:2]), to_image(b[2:])
        faces.append(Face((float(max(0, x1)), float(max(0, y1)), float(min(w, x2)),
                           float(min(h, y2))), float(scores[keep][members].max()), to_image(k)))
    return faces


def _weighted_nms(boxes: np.ndarray, scores: np.ndarray, iou_min: float = 0.3):
    """MediaPipe's WEIGHTED suppression: overlapping detections are averaged by score."""
    order = list(np.argsort(-scores))
    while order:
        top = order[0]
        ious = np.array([_iou(boxes[top], boxes[j]) for j in order])
        members = [order[j] for j in np.nonzero(ious > iou_min)[0]]
        order = [order[j] for j in np.nonzero(ious <= iou_min)[0]]
        wts = scores[members] / scores[members].sum()
        yield np.array(members), wts.astype(np.float32)


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def head_square(box: tuple[float, float, float, float], keypoints: np.ndarray | None,
                shape: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """A square around a person's head: from the face keypoints when the pose has them, else
    the top of the box. The face then fills ~1/4 of the square, as the detector likes."""
    h, w = shape
    x1, y1, x2, y2 = box
    bw = x2 - x1
    if keypoints is not None and (keypoints[:5, 2] > 0.25).sum() >= 2:
        vis = keypoints[:5][keypoints[:5, 2] > 0.25]
        cx, cy = float(vis[:, 0].mean()), float(vis[:, 1].mean())
        span = max(float(np.ptp(vis[:, 0])), float(np.ptp(vis[:, 1])), 0.15 * bw, 8.0)
        side = 4.0 * span
    else:
        cx, cy = (x1 + x2) / 2, y1 + 0.5 * min(bw, y2 - y1) * 0.6
        side = 1.2 * bw
    side = min(side, max(h, w))
    sx1, sy1 = int(round(cx - side / 2)), int(round(cy - side / 2))
    sx2, sy2 = int(round(cx + side / 2)), int(round(cy + side / 2))
    sx1, sy1, sx2, sy2 = max(0, sx1), max(0, sy1), min(w, sx2), min(h, sy2)
    if sx2 - sx1 < 12 or sy2 - sy1 < 12:
        return None
    return sx1, sy1, sx2, sy2


def _tiles(h: int, w: int) -> list[tuple[int, int, int, int]]:
    """Squares 1/3 of the photo's short side, overlapping by 40% (so a face cut by one edge is
    whole in the next): small faces in a crowd grow 3x or more for the full-range detector.
    ~30 squares on a 3:2 photo."""
    side = max(96, min(h, w) // 3)
    step = 0.6 * side

    def starts(n: int) -> np.ndarray:
        k = max(1, int(np.ceil(max(0, n - side) / step)) + 1)
        return np.linspace(0, max(0, n - side), k).round().astype(int)

    return [(int(x), int(y), int(min(w, x + side)), int(min(h, y + side)))
            for y in starts(h) for x in starts(w)]


def find_faces(image_rgb: np.ndarray, heads: list[tuple[int, int, int, int]] = (),
               full_range: bool = False, crowd: bool = False) -> list[Face]:
    """Faces in the whole photo (as a letterboxed square) and in each head square given,
    duplicates merged; best first. `full_range` adds the full-range detector on the whole
    photo (faces 2-5 m away), `crowd` also on overlapping tiles (faces in a crowd)."""
    h, w = image_rgb.shape[:2]
    found: list[Face] = list(detect_square(image_rgb))
    squares = [(sq, False) for sq in heads]
    if full_range:
        squares += [((0, 0, w, h), True)] + [(t, True) for t in (_tiles(h, w) if crowd else [])]
    for (sx1, sy1, sx2, sy2), full in squares:
        for f in detect_square(np.ascontiguousarray(image_rgb[sy1:sy2, sx1:sx2]),
                               full_range=full):
            x1, y1, x2, y2 = f.box
            found.append(Face((x1 + sx1, y1 + sy1, x2 + sx1, y2 + sy1), f.score,
                              f.keypoints + np.array([sx1, sy1], np.float32), full))
    # Short-range faces first (their boxes are the tighter ones), then by score.
    found.sort(key=lambda f: (f.full_range, -f.score))
    out: list[Face] = []
    for f in found:
        if all(_iou(np.array(f.box), np.array(g.box)) < 0.3 and not _inside(f.box, g.box)
               for g in out):
            out.append(f)
    return out


def _inside(a, b) -> bool:
    """Box a's centre lies in box b (a smaller box found on a tile of the same face)."""
    cx, cy = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2
    return b[0] <= cx <= b[2] and b[1] <= cy <= b[3]


def face_region(face: Face, shape: tuple[int, int]) -> np.ndarray:
    """An ellipse over the face: the detector's box is eyebrows to chin; the ellipse reaches
    a little higher (forehead) and is as wide as the ear points."""
    h, w = shape
    x1, y1, x2, y2 = face.box
    ears = face.keypoints[4:6, 0]
    half_w = max((x2 - x1) / 2, float(np.ptp(ears)) / 2) * 1.0
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2 - 0.08 * (y2 - y1)
    half_h = 0.62 * (y2 - y1)
    m = np.zeros((h, w), np.float32)
    cv2.ellipse(m, (int(round(cx)), int(round(cy))), (max(1, int(round(half_w))),
                max(1, int(round(half_h)))), 0, 0, 360, 1.0, -1)
    return m
