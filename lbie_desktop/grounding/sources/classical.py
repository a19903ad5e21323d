"""Sources that need no model: sky, colour words, places in the frame, tonal ranges."""

from __future__ import annotations

import cv2
import numpy as np

from lbie_desktop.grounding.vocab import COLOURS


def _lab(image_rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image_rgb[..., :3].astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def sky_mask(image_rgb: np.ndarray) -> np.ndarray:
    """Sky = smooth, blue-ish or bright-neutral regions connected to the top of the frame."""
    h, w = image_rgb.shape[:2]
    s = 512 / max(h, w)
    small = cv2.resize(image_rgb[..., :3], (max(1, int(w * s)), max(1, int(h * s))),
                       interpolation=cv2.INTER_AREA) if s < 1 else image_rgb[..., :3]
    lab = _lab(small)
    L, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    gray = cv2.GaussianBlur(L, (0, 0), 1.5)
    grad = np.hypot(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))
    grad = cv2.GaussianBlur(grad, (0, 0), 2)
    smooth = grad < 12
    # Day sky is light blue; dusk/night sky is dark but still clearly blue.
    blue = ((b < -4) & (L > 30)) | ((b < -10) & (L > 4))
    chroma = np.hypot(a, b)
    if np.median(chroma) < 3:
        # Black-and-white photo: a bright wall looks like overcast sky; don't guess.
        return np.zeros((h, w), np.float32)
    overcast = (L > 75) & (chroma < 14)
    candidate = (smooth & (blue | overcast)).astype(np.uint8)
    candidate = cv2.morphologyEx(candidate, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(candidate, connectivity=4)
    sh = small.shape[0]
    keep = np.zeros(n, bool)
    for i in range(1, n):
        top, area = stats[i, cv2.CC_STAT_TOP], stats[i, cv2.CC_STAT_AREA]
        # Sky touches the upper part of the frame and lives mostly in the upper half.
        ys = np.nonzero(labels == i)[0]
        if top <= 0.05 * sh and area > 0.01 * candidate.size and np.median(ys) < 0.6 * sh:
            keep[i] = True
    m = keep[labels].astype(np.uint8)
    m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    return cv2.resize(m.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)


def colour_mask(image_rgb: np.ndarray, colour: str) -> np.ndarray:
    """Soft membership of each pixel in a named colour (hue distance, chroma, lightness)."""
    hue, kind = COLOURS[colour]
    lab = _lab(image_rgb)
    L, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    chroma = np.hypot(a, b)
    if kind == "white":
        return (_ramp(L, 70, 85) * _ramp(-chroma, -20, -10)).astype(np.float32)
    if kind == "black":
        return (_ramp(-L, -30, -18)).astype(np.float32)
    if kind == "grey":
        return (_ramp(-chroma, -14, -7) * _ramp(L, 15, 25) * _ramp(-L, -88, -80)
                ).astype(np.float32)
    hsv = cv2.cvtColor(image_rgb[..., :3], cv2.COLOR_RGB2HSV_FULL).astype(np.float32)
    h_deg = hsv[..., 0] * 360.0 / 255.0
    d = np.abs((h_deg - hue + 180) % 360 - 180)
    near = np.clip(1 - (d - 15) / 15, 0, 1)
    if kind == "brown":
        return (near * _ramp(chroma, 8, 15) * _ramp(-L, -60, -50)).astype(np.float32)
    return (near * _ramp(chroma, 15, 28)).astype(np.float32)


def _ramp(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.clip((x - lo) / (hi - lo), 0, 1)


def spatial_mask(shape: tuple[int, int], where: str) -> np.ndarray:
    """Soft masks for places in the frame: halves, centre, corners, edges."""
    h, w = shape
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = x / max(1, w - 1), y / max(1, h - 1)
    ramps = {
        "left": _ramp(-u, -0.55, -0.4), "right": _ramp(u, 0.45, 0.6),
        "top": _ramp(-v, -0.55, -0.4), "bottom": _ramp(v, 0.45, 0.6),
        "centre": _ramp(-np.hypot(u - 0.5, v - 0.5), -0.35, -0.2),
        "corner": _ramp(np.minimum(np.abs(u - 0.5), np.abs(v - 0.5)), 0.25, 0.35),
        "edges": _ramp(np.maximum(np.abs(u - 0.5), np.abs(v - 0.5)), 0.38, 0.46),
    }
    return ramps[where].astype(np.float32)


def tonal_mask(image_rgb: np.ndarray, tone: str) -> np.ndarray:
    """Shadows / midtones / highlights from smoothed luminance (smooth so edits don't band)."""
    L = _lab(image_rgb)[..., 0] / 100.0
    L = cv2.GaussianBlur(L, (0, 0), max(1.0, max(L.shape) / 400))
    if tone == "shadows":
        return _ramp(-L, -0.45, -0.25).astype(np.float32)
    if tone == "highlights":
        return _ramp(L, 0.6, 0.8).astype(np.float32)
    return (1 - np.abs(L - 0.5) / 0.3).clip(0, 1).astype(np.float32)
