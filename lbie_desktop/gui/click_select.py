"""Click-to-select: the person, object or main subject under the cursor, else a colour region.

Runs on a worker thread (detection takes a few hundred ms on a CPU). The instances of one
photo are found once and reused for every later click on it. No Qt here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import cv2
import numpy as np

from lbie_desktop.errors import MissingModelError
from lbie_desktop.gui import mask_tools


@dataclass(frozen=True)
class Picked:
    mask: np.ndarray  # float32 [H, W] in {0, 1}, at the image's resolution
    label: str  # "person", "car", "main subject" or "similar colours"


_cache: OrderedDict[str, list[tuple[str, np.ndarray]]] = OrderedDict()
_lock = threading.Lock()


def instances(image_rgb: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """(label, mask) for every person and object found, plus the main subject when the
    salient pack is installed; packs that are missing are skipped. Memoised per image."""
    from lbie_desktop.grounding.cache import image_key

    key = image_key(image_rgb)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    try:
        found = _find(image_rgb)
    except Exception as exc:  # noqa: BLE001 - a broken detector must not break clicking
        from lbie_desktop.logging_setup import log_exception

        log_exception("finding instances for click-select failed; using colour regions", exc)
        return []  # not memoised: the next click tries again
    with _lock:
        _cache[key] = found
        while len(_cache) > 4:
            _cache.popitem(last=False)
    return found


def _find(image_rgb: np.ndarray) -> list[tuple[str, np.ndarray]]:
    from lbie_desktop.grounding.api import instance_masks
    from lbie_desktop.models import manager

    out = [(str(d["label"]), np.asarray(d["mask"], np.float32)) for d in instance_masks(image_rgb)]
    if manager.available("salient"):
        from lbie_desktop.grounding.sources.salient import salient_mask

        try:
            out.append(("main subject", (salient_mask(image_rgb) > 0.5).astype(np.float32)))
        except MissingModelError:
            pass
    return out


def pick(image_rgb: np.ndarray, x: int, y: int) -> Picked:
    """The smallest instance covering (x, y) (a person rather than the whole subject they are
    part of), else the similar-coloured region around the point."""
    h, w = image_rgb.shape[:2]
    x, y = int(np.clip(x, 0, w - 1)), int(np.clip(y, 0, h - 1))
    covering = []
    for label, m in instances(image_rgb):
        if m.shape != (h, w):
            m = cv2.resize(m, (w, h), interpolation=cv2.INTER_NEAREST)
        if m[y, x] > 0.5:
            covering.append((float(m.sum()), label, m))
    if covering:
        _, label, m = min(covering, key=lambda c: c[0])
        return Picked(m.astype(np.float32), label)
    return Picked(mask_tools.segment_at(image_rgb, x, y), "similar colours")
