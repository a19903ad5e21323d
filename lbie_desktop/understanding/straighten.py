"""How far the photo is tilted: the angle of its dominant near-level straight lines.

"Straighten the horizon" needs an angle; the words rarely give one. Long straight edges that
are nearly horizontal (a horizon, a shoreline, a roof) or nearly vertical (walls, poles) are
level in the world, so their tilt in the photo is the camera's. Found by a Hough transform
restricted to +-15 degrees around both axes, where each edge pixel votes only for the angles
its own gradient agrees with (so texture, whose gradients point every way, scatters its
votes), then refined by a least-squares fit to the winning line's pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

MAX_TILT_DEG = 15.0
_SIDE = 512  # long side measured: a 1-px offset over 500 px is ~0.1 degree
_STEP_DEG = 0.25  # Hough angle step; the least-squares fit refines below it
_GATE_DEG = 2.0  # an edge pixel votes for angles within this of its own gradient's
_EDGE_QUANTILE = 0.90  # the strongest 10% of gradients are edge candidates
# A line must run along at least this fraction of the frame (in voting pixels) to count
_MIN_LINE_FRACTION = 0.25
_MIN_OTHER_FRACTION = 0.15  # further lines that join the estimate
_MAX_LINES = 5


@dataclass(frozen=True)
class Tilt:
    """The photo's tilt: `degrees` counter-clockwise (a line rising to the right is +), or
    None when no straight line is clear enough. `evidence` says what was measured."""

    degrees: float | None
    evidence: str
    line_fraction: float = 0.0  # the winning line's length as a fraction of the frame

    @property
    def correction(self) -> float:
        """The rotate step's angle that levels the line (rotate's + is counter-clockwise)."""
        return 0.0 if self.degrees is None else -self.degrees


def grey_for_tilt(image: np.ndarray) -> np.ndarray | None:
    """Any HxW / HxWxC uint8/uint16/float image -> float32 grey, long side <= 512 px."""
    a = np.asarray(image)
    if a.ndim == 3 and a.shape[2] in (1, 3, 4):
        a = a[..., :3] if a.shape[2] >= 3 else a[..., 0]
    if a.ndim not in (2, 3) or min(a.shape[:2]) < 16:
        return None
    if a.dtype not in (np.uint8, np.uint16, np.float32):
        a = np.nan_to_num(a.astype(np.float32), nan=0.0, posinf=1.0, neginf=0.0).clip(0, 1)
    h, w = a.shape[:2]
    s = _SIDE / max(h, w)
    if s < 1:  # shrink first: on an 18 MP photo the float conversion would cost more than this
        a = cv2.resize(np.ascontiguousarray(a), (max(1, round(w * s)), max(1, round(h * s))),
                       interpolation=cv2.INTER_AREA)
    scale = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}.get(a.dtype, 1.0)
    g = a.astype(np.float32) / scale
    if g.ndim == 3:
        g = g.mean(axis=2)
    return np.ascontiguousarray(g, dtype=np.float32)


def measure_tilt(image: np.ndarray) -> Tilt:
    g = grey_for_tilt(image)
    if g is None:
        return Tilt(None, "image: too small to measure a horizon")
    g = cv2.GaussianBlur(g, (0, 0), 1.0)  # sensor noise would otherwise vote everywhere
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    # the frame's own border is no line of the scene
    for d in (gx, gy):
        d[:3], d[-3:], d[:, :3], d[:, -3:] = 0, 0, 0, 0
    mag = np.hypot(gx, gy)
    thresh = max(float(np.quantile(mag, _EDGE_QUANTILE)), 0.02)
    ys, xs = np.nonzero(mag > thresh)
    if len(xs) < 20:
        return Tilt(None, "image: no clear horizon or straight lines (kept level)")
    gxs, gys = gx[ys, xs], gy[ys, xs]
    # Each pixel's own tilt (counter-clockwise +, image y pointing down): a horizontal line
    # rising by `a` has its gradient along (sin a, cos a); a vertical one along (cos a, -sin a)
    horiz = np.abs(gys) >= np.abs(gxs)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.degrees(np.where(horiz, np.arctan(gxs / gys), np.arctan(-gys / gxs)))
    keep = np.abs(own) <= MAX_TILT_DEG + _GATE_DEG
    if keep.sum() < 20:
        return Tilt(None, "image: no clear horizon or straight lines (kept level)")
    xs, ys, own, horiz = (xs[keep].astype(np.float32) + 0.5, ys[keep].astype(np.float32) + 0.5,
                          own[keep], horiz[keep])
    h, w = g.shape
    lines = _lines(xs, ys, own, horiz, h, w)
    if not lines:
        return Tilt(None, "image: no clear horizon or straight lines (kept level)")
    # A weighted median: the horizon (the longest line) decides unless other lines outweigh
    # it. A camera pitched up or down makes verticals converge, more the farther they are
    # from the centre, so a vertical's vote shrinks with its distance from the middle.
    order = sorted(lines, key=lambda ln: ln[0])
    votes = [ln[1] * (1.0 if ln[2] else 1.0 - 0.8 * ln[3]) for ln in order]
    acc, tilt = 0.0, order[-1][0]
    for ln, vote in zip(order, votes):
        acc += vote
        if acc >= sum(votes) / 2:
            tilt = ln[0]
            break
    longest = max(lines, key=lambda ln: ln[1])
    kind = "horizon" if longest[2] else "verticals"
    frac = longest[1]
    more = f", {len(lines)} straight lines" if len(lines) > 1 else ""
    tilt = float(np.clip(tilt, -MAX_TILT_DEG, MAX_TILT_DEG))
    if abs(tilt) < 0.05:
        return Tilt(0.0, f"image: {kind} level (0.0°{more})", frac)
    turn = "counter-clockwise" if tilt > 0 else "clockwise"
    return Tilt(tilt, f"image: {kind} tilted {abs(tilt):.1f}° {turn}{more}", frac)


def _lines(xs: np.ndarray, ys: np.ndarray, own: np.ndarray, horiz: np.ndarray, h: int, w: int
           ) -> list[tuple[float, float, bool, float]]:
    """Up to _MAX_LINES (angle, length fraction, horizontal?, off-centre 0..1), longest first:
    each found line's pixels are taken out before looking for the next."""
    out: list[tuple[float, float, bool, float]] = []
    pool = np.ones(len(xs), bool)
    for _ in range(_MAX_LINES):
        idx = np.nonzero(pool)[0]
        if len(idx) < 20:
            break
        px, py, po, ph = xs[idx], ys[idx], own[idx], horiz[idx]
        best = _hough(px, py, po, ph, h, w, np.arange(-MAX_TILT_DEG, MAX_TILT_DEG + 1e-6, 1.0))
        if best is None:
            break
        # coarse 1-degree search, then a fine one around the winner
        best = _hough(px, py, po, ph, h, w, best[0] + np.arange(-1.0, 1.0 + 1e-6, _STEP_DEG)
                      ) or best
        angle, is_h, rho = best[:3]
        refined, frac, on_line = _fit_line(px, py, po, ph, is_h, angle, rho, w if is_h else h)
        if frac < (_MIN_LINE_FRACTION if not out else _MIN_OTHER_FRACTION):
            break
        if abs(refined) <= MAX_TILT_DEG + 0.5:  # steeper: a diagonal, not a level structure
            mid = float(np.mean(py[on_line] if is_h else px[on_line]))
            off = abs(mid - (h if is_h else w) / 2) / ((h if is_h else w) / 2)
            out.append((refined, frac, is_h, min(off, 1.0)))
        pool[idx[on_line]] = False
    return out


def _rho(xs: np.ndarray, ys: np.ndarray, a_deg: float, is_h: bool) -> np.ndarray:
    a = math.radians(a_deg)
    if is_h:
        return xs * math.sin(a) + ys * math.cos(a)
    return xs * math.cos(a) - ys * math.sin(a)


def _hough(xs: np.ndarray, ys: np.ndarray, own: np.ndarray, horiz: np.ndarray, h: int, w: int,
           angles: np.ndarray) -> tuple[float, bool, float, float] | None:
    """(angle, horizontal?, rho, votes) of the line with the most agreeing pixels."""
    best: tuple[float, bool, float, float] | None = None
    diag = math.hypot(h, w)
    n_bins = int(diag) + 4
    for a in angles:
        agree = np.abs(own - a) <= _GATE_DEG
        for is_h in (True, False):
            sel = agree & (horiz == is_h)
            if sel.sum() < 10:
                continue
            r = _rho(xs[sel], ys[sel], float(a), is_h) + diag / 2
            # 2-px bins, counted at two offsets so a line on a bin edge is not split
            counts = np.bincount(np.clip(r / 2, 0, n_bins - 1).astype(np.int64), minlength=n_bins)
            counts2 = np.bincount(np.clip(r / 2 + 0.5, 0, n_bins).astype(np.int64),
                                  minlength=n_bins + 1)
            k, k2 = int(counts.argmax()), int(counts2.argmax())
            votes, rho = ((float(counts[k]), 2 * k + 1 - diag / 2) if counts[k] >= counts2[k2]
                          else (float(counts2[k2]), 2 * k2 - diag / 2))
            if best is None or votes > best[3]:
                best = (float(a), is_h, rho, votes)
    return best


def _fit_line(xs: np.ndarray, ys: np.ndarray, own: np.ndarray, horiz: np.ndarray, is_h: bool,
              angle: float, rho: float, span: int) -> tuple[float, float, np.ndarray]:
    """(least-squares angle, length as a fraction of `span`, its pixels) of the Hough line:
    the fit refines the search's grid; the length counts the columns (rows) it covers."""
    band = (horiz == is_h) & (np.abs(_rho(xs, ys, angle, is_h) - rho) <= 3.0)
    sel = band & (np.abs(own - angle) <= _GATE_DEG)
    if sel.sum() < 10:
        return angle, 0.0, band
    x, y = xs[sel], ys[sel]
    along = x if is_h else y
    length = len(np.unique(along.astype(np.int32))) / span
    if is_h:  # y = c - tan(a) x  (rising to the right = counter-clockwise)
        return float(-math.degrees(math.atan(np.polyfit(x, y, 1)[0]))), length, band
    # x = c + tan(a) y: a vertical leaning left going up is counter-clockwise
    return float(math.degrees(math.atan(np.polyfit(y, x, 1)[0]))), length, band
