"""Mask refinement: snapping to edges, and the interactive primitives the GUI calls.

Masks are float32 [H,W] in [0,1]. Every primitive returns a new array (undo keeps the old)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import cv2
import numpy as np


def _gray(image_rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(image_rgb[..., :3]), cv2.COLOR_RGB2GRAY
                        ).astype(np.float32) / 255.0


def guided_filter(image_rgb: np.ndarray, mask: np.ndarray, radius: int = 0,
                  eps: float = 1e-3) -> np.ndarray:
    """He et al.'s guided filter with the grey image as guide: soft edges that follow the photo.

    (opencv-contrib's ximgproc has one, but the headless wheel we ship has no contrib.)"""
    h, w = mask.shape
    r = radius or max(2, round(max(h, w) / 200))
    guide = _gray(image_rgb)
    p = mask.astype(np.float32)
    k = (2 * r + 1, 2 * r + 1)
    mean_i = cv2.boxFilter(guide, -1, k)
    mean_p = cv2.boxFilter(p, -1, k)
    cov_ip = cv2.boxFilter(guide * p, -1, k) - mean_i * mean_p
    var_i = cv2.boxFilter(guide * guide, -1, k) - mean_i * mean_i
    a = cov_ip / (var_i + eps)
    b = mean_p - a * mean_i
    q = cv2.boxFilter(a, -1, k) * guide + cv2.boxFilter(b, -1, k)
    return np.clip(q, 0, 1).astype(np.float32)


def grabcut_in_box(image_rgb: np.ndarray, box: Sequence[float], sure_fg: np.ndarray | None = None,
                   iters: int = 3, max_side: int = 200) -> np.ndarray:
    """Foreground inside a box by GrabCut, run on a downscaled crop (fast), full-size mask out."""
    h, w = image_rgb.shape[:2]
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    x1, y1 = max(0, x1), max(0, y1)
    x2, y2 = min(w, x2), min(h, y2)
    out = np.zeros((h, w), np.float32)
    if x2 - x1 < 4 or y2 - y1 < 4:
        return out
    # Detector boxes are often a little tight: pad the crop, treat the band around the box as
    # probably-background (not certainly) and only the crop's outer frame as background.
    px, py = max(6, (x2 - x1) // 4), max(6, (y2 - y1) // 4)
    cx1, cy1, cx2, cy2 = max(0, x1 - px), max(0, y1 - py), min(w, x2 + px), min(h, y2 + py)
    crop = np.ascontiguousarray(image_rgb[cy1:cy2, cx1:cx2, :3])
    s = min(1.0, max_side / max(crop.shape[:2]))
    small = cv2.resize(crop, None, fx=s, fy=s, interpolation=cv2.INTER_AREA) if s < 1 else crop
    gc = np.full(small.shape[:2], cv2.GC_PR_BGD, np.uint8)
    gc[:2, :], gc[-2:, :], gc[:, :2], gc[:, -2:] = (cv2.GC_BGD,) * 4
    bx1, by1 = int((x1 - cx1) * s), int((y1 - cy1) * s)
    bx2, by2 = max(bx1 + 2, int((x2 - cx1) * s)), max(by1 + 2, int((y2 - cy1) * s))
    gc[by1:by2, bx1:bx2] = cv2.GC_PR_FGD
    if sure_fg is not None:
        fg = cv2.resize(sure_fg[cy1:cy2, cx1:cx2].astype(np.float32), small.shape[1::-1]) > 0.5
        gc[fg & (gc == cv2.GC_PR_FGD)] = cv2.GC_FGD
    else:  # the box centre is almost always the object
        qx, qy = (bx2 - bx1) // 5, (by2 - by1) // 5
        gc[by1 + 2 * qy:by2 - 2 * qy, bx1 + 2 * qx:bx2 - 2 * qx] = cv2.GC_FGD
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    # GrabCut seeds its colour models with k-means from OpenCV's (thread-local) global RNG:
    # unseeded, the same phrase gave masks only 0.82 IoU alike from one call to the next.
    cv2.setRNGSeed(0)
    try:
        cv2.grabCut(cv2.cvtColor(small, cv2.COLOR_RGB2BGR), gc, None, bgd, fgd, iters,
                    cv2.GC_INIT_WITH_MASK)
    except cv2.error:
        out[y1:y2, x1:x2] = 1.0  # degenerate crop (one colour): the box is the best guess
        return out
    fgm = np.isin(gc, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.float32)
    out[cy1:cy2, cx1:cx2] = cv2.resize(fgm, (cx2 - cx1, cy2 - cy1), interpolation=cv2.INTER_LINEAR)
    return out


# --- interactive primitives -------------------------------------------------------------

def brush(mask: np.ndarray, points: Sequence[tuple[float, float]], radius: float,
          add: bool = True, hardness: float = 0.8) -> np.ndarray:
    """Paint (add=True) or erase a stroke through `points` (x, y) with a soft round brush."""
    stroke = np.zeros(mask.shape, np.float32)
    pts = [(int(round(x)), int(round(y))) for x, y in points]
    r = max(1, int(round(radius)))
    if len(pts) == 1:
        cv2.circle(stroke, pts[0], r, 1.0, -1, cv2.LINE_AA)
    for a, b in zip(pts, pts[1:]):
        cv2.line(stroke, a, b, 1.0, 2 * r, cv2.LINE_AA)
    soft = (1 - hardness) * r
    if soft >= 1:
        stroke = cv2.GaussianBlur(stroke, (0, 0), soft)
    return (np.maximum(mask, stroke) if add else mask * (1 - stroke)).astype(np.float32)


def segment_at(image_rgb: np.ndarray, x: int, y: int, tolerance: int = 18) -> np.ndarray:
    """The segment under a click: SAM's when a SAM folder is configured (see
    sources/openvocab.py), else the similar-coloured connected region (flood fill on a
    smoothed copy). A SAM folder that fails to load logs why and falls back."""
    h, w = image_rgb.shape[:2]
    if not (0 <= x < w and 0 <= y < h):
        raise ValueError(f"click ({x}, {y}) is outside the {w}x{h} image")
    from lbie_desktop.grounding.sources import openvocab

    if openvocab.sam_configured():
        from lbie_desktop.errors import UserError

        try:
            m = openvocab.click_segment(image_rgb, x, y)
        except UserError as exc:
            logging.getLogger(__name__).warning("click-to-segment with SAM failed: %s", exc)
            m = None
        if m is not None:
            return m
    smooth = cv2.bilateralFilter(np.ascontiguousarray(image_rgb[..., :3]), 7, 30, 7)
    ff = np.zeros((h + 2, w + 2), np.uint8)
    d = (tolerance,) * 3
    cv2.floodFill(smooth, ff, (int(x), int(y)), 0, d, d,
                  4 | cv2.FLOODFILL_MASK_ONLY | cv2.FLOODFILL_FIXED_RANGE | (255 << 8))
    return (ff[1:-1, 1:-1] > 0).astype(np.float32)


def click(mask: np.ndarray, image_rgb: np.ndarray, x: int, y: int, add: bool = True,
          instances: Sequence[np.ndarray] = ()) -> np.ndarray:
    """Add or remove the instance (if the click is on one) or else the segment under (x, y)."""
    region = None
    for inst in instances:
        if inst[int(y), int(x)] > 0.5:
            region = inst.astype(np.float32)
            break
    if region is None:
        region = segment_at(image_rgb, x, y)
    return (np.maximum(mask, region) if add else mask * (1 - region)).astype(np.float32)


def invert(mask: np.ndarray) -> np.ndarray:
    return (1.0 - mask).astype(np.float32)


def grow(mask: np.ndarray, pixels: int) -> np.ndarray:
    """Dilate (pixels > 0) or erode (pixels < 0) by about |pixels|."""
    if pixels == 0:
        return mask.astype(np.float32)
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(pixels) + 1,) * 2)
    op = cv2.dilate if pixels > 0 else cv2.erode
    return op(mask.astype(np.float32), k).astype(np.float32)


def feather(mask: np.ndarray, radius: float) -> np.ndarray:
    if radius <= 0:
        return mask.astype(np.float32)
    return np.clip(cv2.GaussianBlur(mask.astype(np.float32), (0, 0), radius), 0, 1)
