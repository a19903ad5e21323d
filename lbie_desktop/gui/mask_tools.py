"""Mask editing primitives for the canvas: soft brush stamps, segment pick, invert, grow/shrink,
feather. numpy/OpenCV on float32 [H,W] masks in [0,1]. When the grounding package provides
its own refine primitives they are used instead (same behaviour everywhere in the app)."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

try:  # the grounding engineer's refine module, when it lands
    from lbie_desktop.grounding import refine as _refine  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on what is installed
    _refine = None


@lru_cache(maxsize=32)
def brush_kernel(radius: int, softness: float) -> np.ndarray:
    """A disc of `radius` px whose outer `softness` fraction fades linearly to 0."""
    r = max(1, int(radius))
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1].astype(np.float32)
    d = np.sqrt(xx * xx + yy * yy) / r
    soft = float(np.clip(softness, 0.0, 1.0))
    if soft <= 1e-3:
        return (d <= 1.0).astype(np.float32)
    k = np.clip((1.0 - d) / soft, 0.0, 1.0)
    return k.astype(np.float32)


def stamp(mask: np.ndarray, x: float, y: float, radius: int, softness: float,
          erase: bool = False) -> tuple[int, int, int, int] | None:
    """Paint (or erase) one soft disc at (x, y) in place; returns the touched box or None."""
    k = brush_kernel(int(radius), round(float(softness), 2))
    r = k.shape[0] // 2
    h, w = mask.shape
    cx, cy = int(round(x)), int(round(y))
    x0, y0, x1, y1 = max(0, cx - r), max(0, cy - r), min(w, cx + r + 1), min(h, cy + r + 1)
    if x0 >= x1 or y0 >= y1:
        return None
    kk = k[y0 - (cy - r):y1 - (cy - r), x0 - (cx - r):x1 - (cx - r)]
    roi = mask[y0:y1, x0:x1]
    if erase:
        np.minimum(roi, 1.0 - kk, out=roi)
    else:
        np.maximum(roi, kk, out=roi)
    return x0, y0, x1, y1


def stroke(mask: np.ndarray, p0: tuple[float, float], p1: tuple[float, float], radius: int,
           softness: float, erase: bool = False) -> tuple[int, int, int, int] | None:
    """Stamps along the segment p0 -> p1, spaced a quarter radius apart (no gaps); returns
    the box (x0, y0, x1, y1) that changed, or None."""
    dist = float(np.hypot(p1[0] - p0[0], p1[1] - p0[1]))
    n = max(1, int(dist / max(1.0, radius / 4)))
    box: tuple[int, int, int, int] | None = None
    for t in np.linspace(0.0, 1.0, n + 1)[1:] if dist > 0 else [1.0]:
        b = stamp(mask, p0[0] + (p1[0] - p0[0]) * t, p0[1] + (p1[1] - p0[1]) * t, radius,
                  softness, erase)
        if b is not None:
            box = b if box is None else (min(box[0], b[0]), min(box[1], b[1]),
                                         max(box[2], b[2]), max(box[3], b[3]))
    return box


def segment_at(image_rgb: np.ndarray, x: int, y: int, tolerance: int = 18) -> np.ndarray:
    """The region around (x, y) with similar colour (flood fill on a smoothed image), as a
    float mask at the image's resolution. A stand-in for a click-to-segment model."""
    if _refine is not None and hasattr(_refine, "segment_at"):
        return _refine.segment_at(image_rgb, x, y)
    img = cv2.bilateralFilter(np.ascontiguousarray(image_rgb[..., :3]), 7, 40, 7)
    h, w = img.shape[:2]
    ff = np.zeros((h + 2, w + 2), np.uint8)
    flags = 4 | cv2.FLOODFILL_MASK_ONLY | cv2.FLOODFILL_FIXED_RANGE | (255 << 8)
    tol = (tolerance,) * 3
    cv2.floodFill(img, ff, (int(np.clip(x, 0, w - 1)), int(np.clip(y, 0, h - 1))), (0, 0, 0),
                  tol, tol, flags)
    region = ff[1:-1, 1:-1]
    region = cv2.morphologyEx(region, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    return (region > 0).astype(np.float32)


def invert(mask: np.ndarray) -> np.ndarray:
    if _refine is not None and hasattr(_refine, "invert"):
        return _refine.invert(mask)
    return (1.0 - mask).astype(np.float32)


def grow(mask: np.ndarray, pixels: int) -> np.ndarray:
    """Dilate (pixels > 0) or erode (pixels < 0) a mask by about |pixels|."""
    if pixels == 0:
        return mask.copy()
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(pixels) + 1,) * 2)
    op = cv2.dilate if pixels > 0 else cv2.erode
    return op(mask.astype(np.float32), k)


def feather(mask: np.ndarray, radius: float) -> np.ndarray:
    if radius <= 0:
        return mask.copy()
    return cv2.GaussianBlur(mask.astype(np.float32), (0, 0), float(radius))


def outline(mask: np.ndarray) -> list[np.ndarray]:
    """Contours of the half-level set, each an (N, 2) array of x, y points."""
    binary = (mask >= 0.5).astype(np.uint8)
    contours, _ = cv2.findContours(binary, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    return [c[:, 0, :] for c in contours if len(c) >= 3]
