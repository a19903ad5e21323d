"""COCO-80 objects with NanoDet (generalised-focal-loss head), masks by GrabCut in each box."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from lbie_desktop.grounding.vocab import COCO80
from lbie_desktop.models.manager import require
from lbie_desktop.models.runtime import session

SIZE = 416
STRIDES = (8, 16, 32)
BINS = 11
# NanoDet's own training normalisation (BGR order).
MEAN = np.array([103.53, 116.28, 123.675], np.float32)
STD = np.array([57.375, 57.12, 58.395], np.float32)


@dataclass
class Detection:
    label: str
    score: float
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in image pixels


def detect(image_rgb: np.ndarray, min_score: float = 0.3) -> list[Detection]:
    """COCO detections above min_score, best first (model run memoised per image)."""
    from lbie_desktop.grounding.cache import cached

    return cached(f"nanodet-{min_score}", image_rgb, lambda: _detect(image_rgb, min_score))


def _detect(image_rgb: np.ndarray, min_score: float) -> list[Detection]:
    sess = session(require("objects", "nanodet.onnx"))
    h, w = image_rgb.shape[:2]
    x = cv2.resize(image_rgb[..., :3], (SIZE, SIZE), interpolation=cv2.INTER_AREA)
    x = ((x[..., ::-1].astype(np.float32) - MEAN) / STD).transpose(2, 0, 1)[None]
    outs = dict(zip([o.name for o in sess.get_outputs()],
                    sess.run(None, {sess.get_inputs()[0].name: x})))
    boxes, scores, classes = [], [], []
    for i, stride in enumerate(STRIDES):
        cls = outs[_name(outs, i)][0]
        reg = outs[_name(outs, i + 3)][0]
        n = SIZE // stride
        best = cls.max(1)
        keep = np.nonzero(best >= min_score)[0]
        if not len(keep):
            continue
        d = reg[keep].reshape(-1, 4, BINS)
        d = np.exp(d - d.max(-1, keepdims=True))
        d = (d / d.sum(-1, keepdims=True)) @ np.arange(BINS, dtype=np.float32) * stride
        cy, cx = (keep // n) * stride, (keep % n) * stride
        boxes.append(np.stack([cx - d[:, 0], cy - d[:, 1], cx + d[:, 2], cy + d[:, 3]], 1))
        scores.append(best[keep])
        classes.append(cls[keep].argmax(1))
    if not boxes:
        return []
    b, s, c = np.concatenate(boxes), np.concatenate(scores), np.concatenate(classes)
    b = b * np.array([w / SIZE, h / SIZE, w / SIZE, h / SIZE], np.float32)
    out = []
    for k in np.unique(c):  # per-class NMS
        idx = np.nonzero(c == k)[0]
        rects = [[float(x1), float(y1), float(x2 - x1), float(y2 - y1)] for x1, y1, x2, y2 in b[idx]]
        for j in np.array(cv2.dnn.NMSBoxes(rects, s[idx].tolist(), min_score, 0.5)).flatten():
            i = idx[int(j)]
            x1, y1, x2, y2 = np.clip(b[i], 0, [w, h, w, h])
            out.append(Detection(COCO80[int(k)], float(s[i]), (x1, y1, x2, y2)))
    return sorted(out, key=lambda d: -d.score)


def _name(outs: dict, i: int) -> str:
    return "Identity:0" if i == 0 and "Identity:0" in outs else (
        f"Identity_{i}:0" if f"Identity_{i}:0" in outs else
        ("Identity" if i == 0 else f"Identity_{i}"))
