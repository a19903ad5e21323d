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


@dataclass
class Face:
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in image pixels
    score: float
    keypoints: np.ndarray  # [6, 2] x, y: eyes, nose tip, mouth, ear tragions


@lru_cache(maxsize=1)
def _anchors() -> np.ndarray:
    out = []
    for stride, per_cell in _LAYERS:
        n = SIZE // stride
        ys, xs = np.mgrid[0:n, 0:n]
        centres = np.stack([(xs + 0.5) / n, (ys + 0.5) / n], -1).reshape(-1, 1, 2)
        out.append(np.repeat(centres, per_cell, axis=1).reshape(-1, 2))
    return np.concatenate(out).astype(np.float32)


@lru_cache(maxsize=2)
def _model(path: str):
    from lbie_desktop.models.tflite import TFLiteModel

    return TFLiteModel(path)


def detect_square(square_rgb: np.ndarray, min_score: float = MIN_SCORE) -> list[Face]:
    """Faces in a (roughly) square picture, in its pixel coordinates."""
    model = _model(str(require("faces", "face_detection_short_range.tflite")))
    h, w = square_rgb.shape[:2]
    # Letterbox to 128x128 as MediaPipe does, so faces keep their shape.
    s = SIZE / max(h, w)
    nh, nw = max(1, round(h * s)), max(1, round(w * s))
    x = np.zeros((SIZE, SIZE, 3), np.float32)
    oy, ox = (SIZE - nh) // 2, (SIZE - nw) // 2
    x[oy:oy + nh, ox:ox + nw] = cv2.resize(square_rgb[..., :3], (nw, nh),
                                           interpolation=cv2.INTER_AREA)
    x = x / 127.5 - 1.0
    reg, cls = model(x[None])
    reg, cls = reg[0], cls[0, :, 0]
    scores = 1 / (1 + np.exp(-np.clip(cls.astype(np.float64), -100, 100)))
    keep = np.nonzero(scores >= min_score)[0]
    if not len(keep):
        return []
    a = _anchors()[keep]
    r = reg[keep] / SIZE
    cx, cy = r[:, 0] + a[:, 0], r[:, 1] + a[:, 1]
    bw, bh = r[:, 2], r[:, 3]
    boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], 1)
    kps = r[:, 4:16].reshape(-1, 6, 2) + a[:, None, :]

    def to_image(v: np.ndarray) -> np.ndarray:  # letterboxed unit square -> crop pixels
        return (v * SIZE - np.array([ox, oy], np.float32)) / s

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


def find_faces(image_rgb: np.ndarray, heads: list[tuple[int, int, int, int]] = ()
               ) -> list[Face]:
    """Faces in the whole photo (as a letterboxed square) and in each head square given,
    duplicates merged; best first."""
    found: list[Face] = list(detect_square(image_rgb))
    for sx1, sy1, sx2, sy2 in heads:
        for f in detect_square(np.ascontiguousarray(image_rgb[sy1:sy2, sx1:sx2])):
            x1, y1, x2, y2 = f.box
            found.append(Face((x1 + sx1, y1 + sy1, x2 + sx1, y2 + sy1), f.score,
                              f.keypoints + np.array([sx1, sy1], np.float32)))
    found.sort(key=lambda f: -f.score)
    out: list[Face] = []
    for f in found:
        if all(_iou(np.array(f.box), np.array(g.box)) < 0.3 for g in out):
            out.append(f)
    return out


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
