"""Salient subject (and, inverted, the background) with ISNet from the 'salient' pack."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from lbie_desktop.models.manager import require
from lbie_desktop.models.runtime import session


def salient_mask(image_rgb: np.ndarray) -> np.ndarray:
    """Soft subject mask; raises MissingModelError when the pack is not installed."""
    from lbie_desktop.grounding.cache import cached

    path = require("salient", "isnet-medium.onnx")  # checked on every call: packs come and go
    return cached(f"salient:{path}", image_rgb, lambda: _salient(image_rgb, path)).copy()


def _salient(image_rgb: np.ndarray, path: Path) -> np.ndarray:
    sess = session(path)
    h, w = image_rgb.shape[:2]
    x = cv2.resize(image_rgb[..., :3], (1024, 1024), interpolation=cv2.INTER_AREA)
    x = ((x.astype(np.float32) - 128.0) / 256.0).transpose(2, 0, 1)[None]
    out = sess.run(None, {sess.get_inputs()[0].name: x})[0][0, 0]
    return np.clip(cv2.resize(out, (w, h), interpolation=cv2.INTER_LINEAR), 0, 1)
