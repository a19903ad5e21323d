"""Filling a hole in a photo from its surroundings.

`Inpainter` is the interface (a learned model can take over later via `set_inpainter`);
`PatchMatchInpainter` is the classical default: PatchMatch (pypatchmatch) copies patches from
around the hole, cv2.inpaint (Telea) handles thin scratches and is the fallback when the
native PatchMatch library cannot load. Big photos are inpainted on a reduced-resolution crop
around the hole and blended back at full resolution.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

import cv2
import numpy as np

from lbie_desktop.errors import UserError

log = logging.getLogger(__name__)

Progress = Callable[[float], None]
Cancel = Callable[[], bool]


class InpaintCancelled(Exception):
    """The caller's cancel() returned True; no result."""


class Inpainter(Protocol):
    def __call__(self, rgb: np.ndarray, hole: np.ndarray, *, avoid: np.ndarray | None = None,
                 progress: Progress | None = None, cancel: Cancel | None = None) -> np.ndarray:
        """rgb: HxWx3 uint8; hole: HxW bool (True = fill); avoid: HxW bool, pixels not to copy
        from (e.g. the subject next to the hole). Returns a new HxWx3 uint8 image."""
        ...


def check_inputs(rgb: np.ndarray, hole: np.ndarray, avoid: np.ndarray | None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise UserError(f"inpainting needs an HxWx3 8-bit image (got {rgb.shape} {rgb.dtype})")
    hole = np.asarray(hole).astype(bool)
    if hole.shape != rgb.shape[:2]:
        raise UserError(f"the region to fill is {hole.shape[1]}x{hole.shape[0]} px but the "
                        f"photo is {rgb.shape[1]}x{rgb.shape[0]}")
    if avoid is not None:
        avoid = np.asarray(avoid).astype(bool)
        if avoid.shape != hole.shape:
            raise UserError("the region to avoid must have the photo's size")
    return np.ascontiguousarray(rgb), hole, avoid


def _disk(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def _telea(rgb: np.ndarray, hole: np.ndarray) -> np.ndarray:
    return cv2.inpaint(rgb, hole.astype(np.uint8), 3, cv2.INPAINT_TELEA)


def _bbox(mask: np.ndarray, pad: int, h: int, w: int) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return (max(0, ys.min() - pad), min(h, ys.max() + 1 + pad),
            max(0, xs.min() - pad), min(w, xs.max() + 1 + pad))


def _telea_around(rgb: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Telea on the hole's box plus a margin (it only reads a few pixels around the hole)."""
    h, w = hole.shape
    y0, y1, x0, x1 = _bbox(hole, 16, h, w)
    out = rgb.copy()
    out[y0:y1, x0:x1] = _telea(np.ascontiguousarray(rgb[y0:y1, x0:x1]), hole[y0:y1, x0:x1])
    return out


class PatchMatchInpainter:
    """PatchMatch on a crop around the hole at <= `work_side` px, Telea for thin holes."""

    def __init__(self, work_side: int = 512, patch_size: int = 3, grow: float = 0.006,
                 thin_px: float = 3.0, seed: int = 0, method: str = "auto",
                 context: float = 1.6, seam: bool = True, keep_avoid: bool = True):
        self.work_side = work_side
        self.patch_size = patch_size
        self.grow = grow  # dilation as a fraction of the short side: no fringe of the object
        self.thin_px = thin_px  # holes at most this thick (radius, px) go to Telea
        self.seed = seed  # fixed so the same request gives the same pixels (render cache)
        self.method = method  # "auto" or "fast" (Telea only)
        # Figures behind these defaults: `lbie bench --removal` (pasted objects on real
        # photos, tuned on one half, checked on the other).
        # Context around the hole, in hole sizes per side: 1.6 beat 0.6, 1.0, 2.0 and 2.5.
        self.context = context
        self.seam = seam  # correct the fill's colour to the photo's along the ring
        self.keep_avoid = keep_avoid  # the dilation does not eat into the avoid region

    def __call__(self, rgb: np.ndarray, hole: np.ndarray, *, avoid: np.ndarray | None = None,
                 progress: Progress | None = None, cancel: Cancel | None = None) -> np.ndarray:
        rgb, hole, avoid = check_inputs(rgb, hole, avoid)
        report = progress or (lambda _f: None)
        if not hole.any():
            return rgb.copy()
        if hole.all():
            raise UserError("the region to fill covers the whole photo; nothing to fill it from")
        h, w = hole.shape
        grow_px = max(2, round(self.grow * min(h, w)))
        hole_d = cv2.dilate(hole.astype(np.uint8), _disk(grow_px)) > 0
        if avoid is not None and self.keep_avoid:
            hole_d &= hole | ~avoid  # the kept neighbour (a held ball) keeps its edge
        if hole_d.all():
            hole_d = hole
        _check_cancel(cancel)
        report(0.05)

        inner = cv2.distanceTransform(hole.astype(np.uint8), cv2.DIST_L2, 3)
        if self.method == "fast" or float(inner.max()) <= self.thin_px:
            fill = _telea_around(rgb, hole_d)
        else:
            fill = self._patchmatch(rgb, hole_d, avoid, cancel)
        report(0.95)

        # Blend inside the dilated hole's box only (18 MP photos): the hole takes the fill;
        # across the dilation ring the fill fades into the original so there is no seam.
        y0, y1, x0, x1 = _bbox(hole_d, 1, h, w)
        box_hole, box_d = hole[y0:y1, x0:x1], hole_d[y0:y1, x0:x1]
        outside = cv2.distanceTransform((~box_hole).astype(np.uint8), cv2.DIST_L2, 3)
        alpha = np.clip(1.0 - outside / (grow_px + 1.0), 0.0, 1.0)[..., None]
        alpha[~box_d] = 0.0
        out = rgb.copy()
        fill_box = fill[y0:y1, x0:x1].astype(np.float32)
        if self.seam:
            fill_box += _seam_offset(rgb[y0:y1, x0:x1], fill_box, box_hole, box_d, outside,
                                     grow_px)
        mixed = (rgb[y0:y1, x0:x1].astype(np.float32) * (1 - alpha) + fill_box * alpha)
        out[y0:y1, x0:x1] = np.clip(np.round(mixed), 0, 255).astype(np.uint8)
        report(1.0)
        return out

    def _patchmatch(self, rgb: np.ndarray, hole: np.ndarray, avoid: np.ndarray | None,
                    cancel: Cancel | None) -> np.ndarray:
        """Fill `hole` (already dilated) on a reduced crop; returns a full-size image whose
        pixels inside the hole are the fill (outside: the input)."""
        try:
            from patchmatch import patch_match
        except ImportError:  # pragma: no cover - it is a declared dependency
            patch_match = None
        if patch_match is None or not patch_match.patchmatch_available:
            log.warning("PatchMatch unavailable; filling with cv2.inpaint")
            return _telea_around(rgb, hole)

        h, w = hole.shape
        y0, y1, x0, x1 = _bbox(hole, 0, h, w)
        # Context: 1.6x the hole's size on each side (at least 10% of the short side).
        margin = max(int(0.1 * min(h, w)), int(self.context * max(y1 - y0, x1 - x0)))
        y0, y1, x0, x1 = _bbox(hole, margin, h, w)
        crop = rgb[y0:y1, x0:x1]
        hole_c = hole[y0:y1, x0:x1]
        avoid_c = None if avoid is None else avoid[y0:y1, x0:x1] & ~hole_c
        ch, cw = hole_c.shape
        scale = min(1.0, self.work_side / max(ch, cw))
        if scale < 1.0:
            size = (max(8, round(cw * scale)), max(8, round(ch * scale)))
            small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
            # any pixel touched by the hole stays hole: nothing of the object leaks in
            hole_s = cv2.resize(hole_c.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0
            avoid_s = (None if avoid_c is None else
                       cv2.resize(avoid_c.astype(np.float32), size,
                                  interpolation=cv2.INTER_AREA) > 0.5)
        else:
            small, hole_s, avoid_s = crop, hole_c, avoid_c
        if avoid_s is not None:
            avoid_s &= ~hole_s
            # keep enough to copy from: ignore `avoid` if it leaves less than the hole's area
            if (~avoid_s & ~hole_s).sum() < hole_s.sum():
                avoid_s = None
        _check_cancel(cancel)
        patch_match.set_random_seed(self.seed)
        try:
            filled = patch_match.inpaint(
                small, hole_s.astype(np.uint8),
                global_mask=None if avoid_s is None or not avoid_s.any()
                else avoid_s.astype(np.uint8),
                patch_size=self.patch_size)
        except (RuntimeError, ValueError) as exc:
            log.warning("PatchMatch failed (%s); filling with cv2.inpaint", exc)
            return _telea_around(rgb, hole)
        _check_cancel(cancel)
        if scale < 1.0:
            filled = cv2.resize(filled, (cw, ch), interpolation=cv2.INTER_CUBIC)
        out = rgb.copy()
        region = out[y0:y1, x0:x1]
        region[hole_c] = filled[hole_c]
        return out


def _push_pull(val: np.ndarray, wgt: np.ndarray) -> np.ndarray:
    """Smooth interpolation of `val` (HxWxC) from the pixels where `wgt` > 0 into the rest
    (a pyramid of weighted averages, coarse levels fill the gaps of fine ones)."""
    h, w = wgt.shape
    if min(h, w) <= 2 or wgt.min() > 0:
        return val
    small_w = cv2.pyrDown(wgt)
    small_v = cv2.pyrDown(val * wgt[..., None]) / np.maximum(small_w, 1e-6)[..., None]
    coarse = _push_pull(small_v, (small_w > 1e-3).astype(np.float32) * np.minimum(
        1.0, small_w * 4))
    up = cv2.pyrUp(coarse, dstsize=(w, h)).reshape(val.shape)
    k = wgt[..., None]
    return val * k + up * (1 - k)


def _seam_offset(orig: np.ndarray, fill: np.ndarray, hole: np.ndarray, hole_d: np.ndarray,
                 outside: np.ndarray, grow_px: int) -> np.ndarray:
    """A smooth colour offset that makes the fill agree with the photo on the dilation ring
    (where both are known), spread over the hole: copied patches from a brighter or differently
    lit place no longer show as a patch with an edge."""
    ring = hole_d & ~hole & (outside >= 0.5 * grow_px)
    if ring.sum() < 8:
        return np.zeros_like(fill)
    diff = np.clip(orig.astype(np.float32) - fill, -40, 40)
    diff[~ring] = 0
    h, w = hole.shape
    scale = min(1.0, 256 / max(h, w))
    size = (max(4, round(w * scale)), max(4, round(h * scale)))
    wgt = cv2.resize(ring.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    val = cv2.resize(diff, size, interpolation=cv2.INTER_AREA) / np.maximum(wgt, 1e-6)[..., None]
    smooth = _push_pull(val, (wgt > 0.05).astype(np.float32))
    off = cv2.resize(smooth, (w, h), interpolation=cv2.INTER_LINEAR).reshape(fill.shape)
    off[~hole_d] = 0
    return off


def _check_cancel(cancel: Cancel | None) -> None:
    if cancel is not None and cancel():
        raise InpaintCancelled()


_current: Inpainter | None = None


def get_inpainter() -> Inpainter:
    """The inpainter ops use (PatchMatch unless another was set)."""
    global _current
    if _current is None:
        _current = PatchMatchInpainter()
    return _current


def set_inpainter(inpainter: Inpainter | None) -> None:
    """Swap in another implementation (e.g. a learned model); None restores the default."""
    global _current
    _current = inpainter
