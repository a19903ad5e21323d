"""Face parts (eyes, lips, mouth, eyebrows, facial skin, the face oval) from MediaPipe's
468-point face mesh (face_landmark.tflite, the 'faces' pack), run on a crop made from each
BlazeFace detection as MediaPipe does: a square 1.5x the box, turned so the eyes are level,
resized to 192x192 with values in [0, 1].

"Left" and "right" for a part are the viewer's, as everywhere else in grounding ("the man on
the left"): the left eye is the one on the left of the photo (the person's right eye)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from lbie_desktop.grounding.sources.faces import Face
from lbie_desktop.models.manager import require

SIZE = 192
MIN_PRESENCE = 0.5  # the mesh's own "is this a face" output, after a sigmoid

# Contours of MediaPipe's canonical face mesh (face_mesh_connections: FACEMESH_FACE_OVAL,
# _LIPS, _LEFT_EYE ...), as closed polygons in order. "Right" there is the person's right,
# which lies on the viewer's left in an unmirrored photo.
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378,
             400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54,
             103, 67, 109)
LIPS_OUTER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84,
              181, 91, 146)
LIPS_INNER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87,
              178, 88, 95)
EYE_PERSON_RIGHT = (33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163,
                    7)
EYE_PERSON_LEFT = (263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390,
                   249)
BROW_PERSON_RIGHT = (46, 53, 52, 65, 55, 107, 66, 105, 63, 70)
BROW_PERSON_LEFT = (276, 283, 282, 295, 285, 336, 296, 334, 293, 300)
NOSE_TIP = 1

PARTS = ("eyes", "lips", "mouth", "teeth", "eyebrows", "skin", "face")


@dataclass
class Mesh:
    points: np.ndarray  # [468, 2] x, y in image pixels
    presence: float
    face: Face

    def poly(self, idx: tuple[int, ...]) -> np.ndarray:
        return self.points[list(idx)]

    @property
    def width(self) -> float:
        return float(np.ptp(self.poly(FACE_OVAL)[:, 0]))

    def sides(self, pair: tuple[tuple[int, ...], tuple[int, ...]]
              ) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(viewer's left, viewer's right) of a pair of contours, by where they lie."""
        a, b = pair
        return (a, b) if self.poly(a)[:, 0].mean() <= self.poly(b)[:, 0].mean() else (b, a)


@lru_cache(maxsize=1)
def _model(path: str):
    from lbie_desktop.models.tflite import TFLiteModel

    return TFLiteModel(path)


def _crop_transform(face: Face) -> np.ndarray:
    """2x3 affine map from 192x192 crop pixels to image pixels (MediaPipe's
    face_detection_front_detection_to_roi: rotation from the eye line, square, scale 1.5)."""
    x1, y1, x2, y2 = face.box
    (ex0, ey0), (ex1, ey1) = face.keypoints[0], face.keypoints[1]
    angle = math.atan2(ey1 - ey0, ex1 - ex0)  # 0 when the eyes are level
    side = 1.5 * max(x2 - x1, y2 - y1)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    c, s = math.cos(angle), math.sin(angle)
    k = side / SIZE
    # image = centre + R @ ((u, v) - SIZE/2) * k
    return np.array([[c * k, -s * k, cx - (c * SIZE / 2 - s * SIZE / 2) * k],
                     [s * k, c * k, cy - (s * SIZE / 2 + c * SIZE / 2) * k]], np.float64)


def mesh(rgb: np.ndarray, face: Face) -> Mesh | None:
    """The 468 mesh points of one detected face, in image pixels; None when the mesh says
    the crop holds no face."""
    model = _model(str(require("faces", "face_landmark.tflite")))
    m = _crop_transform(face)
    crop = cv2.warpAffine(np.ascontiguousarray(rgb[..., :3]), m, (SIZE, SIZE),
                          flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)
    pts, presence = model((crop.astype(np.float32) / 255.0)[None])
    score = float(1 / (1 + math.exp(-float(np.clip(presence.ravel()[0], -60, 60)))))
    if score < MIN_PRESENCE:
        return None
    uv = pts.reshape(-1, 3)[:, :2].astype(np.float64)
    xy = uv @ m[:, :2].T + m[:, 2]
    return Mesh(xy.astype(np.float32), score, face)


def _fill(shape: tuple[int, int], polys: list[np.ndarray]) -> np.ndarray:
    """Filled polygons at sub-pixel precision (cv2's fixed point, 4 fractional bits)."""
    out = np.zeros(shape, np.float32)
    pts = [np.round(p * 16).astype(np.int32) for p in polys]
    cv2.fillPoly(out, pts, 1.0, cv2.LINE_AA, shift=4)
    return out


def _soft(m: np.ndarray, sigma: float) -> np.ndarray:
    """A soft edge of ~sigma pixels, centred on the contour (0.5 stays on the line)."""
    if sigma < 0.3:
        return m
    return np.clip(cv2.GaussianBlur(m, (0, 0), sigma), 0, 1).astype(np.float32)


def _mouth_split(me: Mesh, rgb: np.ndarray, inner: np.ndarray, ring: np.ndarray,
                 off: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(teeth, lip) pixels inside the inner lip contour, by colour. The mesh's inner contour
    runs a pixel or two inside the lips on a wide smile, so teeth are its pixels clearly less
    red (CIELAB a*) than the lips around them; lip-red ones belong to the lips; dark ones (the
    mouth's inside) to neither."""
    x0, y0 = off
    h, w = inner.shape
    lab = cv2.cvtColor(np.ascontiguousarray(rgb[y0:y0 + h, x0:x0 + w, :3]),
                       cv2.COLOR_RGB2LAB).astype(np.float32)
    a, light = lab[..., 1], lab[..., 0]
    ins, lip = inner > 0.5, ring > 0.5
    if ins.sum() < 4 or lip.sum() < 4:
        return inner, np.zeros_like(inner)
    lip_a, lip_l = float(np.median(a[lip])), float(np.median(light[lip]))
    teeth_a = float(np.percentile(a[ins], 20))
    if lip_a - teeth_a < 6:  # no clear teeth colour (closed mouth, or no teeth showing)
        return inner, np.zeros_like(inner)
    cut = (lip_a + teeth_a) / 2
    teeth = (ins & (a < cut) & (light > 0.5 * lip_l)).astype(np.float32)
    lips = (ins & (a >= cut) & (light > 0.6 * lip_l)).astype(np.float32)
    return teeth, lips


def part_mask(me: Mesh, part: str, shape: tuple[int, int], side: str = "",
              rgb: np.ndarray | None = None) -> np.ndarray:
    """float32 [H, W] in [0, 1]: one face part of one face. `side` ("left"/"right", the
    viewer's) keeps one eye or eyebrow. With the photo (`rgb`), teeth and lips are split by
    colour inside the mouth (see _mouth_split); without it, teeth = the mouth opening."""
    h, w = shape
    fw = max(me.width, 4.0)
    sig = max(0.6, 0.008 * fw)  # ~1 px on a 100 px face: soft, yet the part stays itself
    # Work in the face's own box (a face is small in a 24 MP photo), pasted back at the end.
    margin = int(4 * 2 * sig + 4)
    x0, y0 = (max(0, int(v) - margin) for v in me.points.min(0))
    x1, y1 = (int(v) + margin + 1 for v in me.points.max(0))
    x1, y1 = min(w, x1), min(h, y1)
    out = np.zeros((h, w), np.float32)
    if x1 <= x0 or y1 <= y0:
        return out
    roi = (y1 - y0, x1 - x0)
    o = np.array([x0, y0], np.float32)

    def poly(idx: tuple[int, ...]) -> np.ndarray:
        return me.poly(idx) - o

    eyes = me.sides((EYE_PERSON_RIGHT, EYE_PERSON_LEFT))
    brows = me.sides((BROW_PERSON_RIGHT, BROW_PERSON_LEFT))
    pick = {"left": 0, "right": 1}.get(side)
    if part == "eyes":
        m = _fill(roi, [poly(e) for e in (eyes if pick is None else (eyes[pick],))])
    elif part == "eyebrows":
        m = _fill(roi, [poly(b) for b in (brows if pick is None else (brows[pick],))])
    elif part in ("lips", "teeth", "mouth"):
        outer, inner = _fill(roi, [poly(LIPS_OUTER)]), _fill(roi, [poly(LIPS_INNER)])
        ring = np.clip(outer - inner, 0, 1)
        if part == "mouth":
            m = inner
        else:
            teeth, lip = (_mouth_split(me, rgb, inner, ring, (x0, y0)) if rgb is not None
                          else (inner, np.zeros(roi, np.float32)))
            m = teeth if part == "teeth" else np.maximum(ring, lip)
    elif part == "face":
        m, sig = _fill(roi, [poly(FACE_OVAL)]), 2 * sig
    elif part == "skin":
        oval = _fill(roi, [poly(FACE_OVAL)])
        # Keep a margin round the eyes and brows: lashes and brow hairs are not skin.
        holes = _fill(roi, [poly(e) for e in eyes] + [poly(b) for b in brows])
        holes = cv2.dilate(holes, cv2.getStructuringElement(
            cv2.MORPH_ELLIPSE, (2 * max(1, round(0.02 * fw)) + 1,) * 2))
        holes = np.maximum(holes, _fill(roi, [poly(LIPS_OUTER)]))
        m = np.clip(oval - holes, 0, 1)
    else:
        raise ValueError(f"unknown face part {part!r}")
    out[y0:y1, x0:x1] = _soft(m, sig)
    return out
