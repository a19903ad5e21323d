"""People as separate instances: MoveNet multipose (boxes + keypoints) and selfie segmentation
run inside each person's box, so small people in the background get masks too."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from lbie_desktop.grounding.refine import grabcut_in_box
from lbie_desktop.grounding.sources.crowd import overlap, tiled_people
from lbie_desktop.models.manager import require
from lbie_desktop.models.runtime import session

MIN_SCORE = 0.2
SURE_SCORE = 0.4  # NanoDet person score above which a box's shape is not questioned
ANIMALS = {"cat", "dog", "horse", "sheep", "cow", "bear", "bird", "teddy bear"}
FACE_KP = (0, 1, 2, 3, 4)  # nose, eyes, ears
LIMBS = ((5, 6), (5, 7), (7, 9), (6, 8), (8, 10), (5, 11), (6, 12), (11, 12), (11, 13),
         (13, 15), (12, 14), (14, 16), (0, 5), (0, 6))


@dataclass
class Person:
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in pixels
    score: float
    keypoints: np.ndarray  # [17, 3]: x, y (pixels), score
    # The mask is kept as its non-zero crop: forty people in a crowd on a 12 MP photo would
    # otherwise hold forty full-size float masks (2 GB).
    _crop: np.ndarray | None = field(default=None, repr=False)
    _at: tuple[int, int] = (0, 0)  # crop's top-left (x, y)
    _shape: tuple[int, int] = (0, 0)  # the photo's (h, w)

    @property
    def mask(self) -> np.ndarray | None:
        """float32 [H,W] (built on each access; use paste_into to combine many)."""
        if self._crop is None:
            return None
        out = np.zeros(self._shape, np.float32)
        self.paste_into(out)
        return out

    @mask.setter
    def mask(self, m: np.ndarray | None) -> None:
        if m is None:
            self._crop = None
            return
        self._shape = m.shape[:2]
        rows, cols = np.nonzero(m.any(1))[0], np.nonzero(m.any(0))[0]
        if not len(rows):
            self._crop, self._at = np.zeros((0, 0), np.float32), (0, 0)
            return
        y1, y2, x1, x2 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        self._crop, self._at = m[y1:y2, x1:x2].astype(np.float32), (int(x1), int(y1))

    @property
    def peak(self) -> float:
        return float(self._crop.max()) if self._crop is not None and self._crop.size else 0.0

    def paste_into(self, out: np.ndarray) -> None:
        """out = max(out, this person's mask), in place."""
        if self._crop is None or not self._crop.size:
            return
        x, y = self._at
        h, w = self._crop.shape
        np.maximum(out[y:y + h, x:x + w], self._crop, out=out[y:y + h, x:x + w])

    @property
    def area(self) -> float:
        x1, y1, x2, y2 = self.box
        return max(0.0, x2 - x1) * max(0.0, y2 - y1)

    @property
    def centre(self) -> tuple[float, float]:
        x1, y1, x2, y2 = self.box
        return (x1 + x2) / 2, (y1 + y2) / 2


def detect_poses(image_rgb: np.ndarray) -> list[Person]:
    sess = session(require("people", "movenet-multipose.onnx"))
    h, w = image_rgb.shape[:2]
    # 256 on the long side: larger inputs lowered the scores of big, close-up people.
    s = 256 / max(h, w)
    ih, iw = max(32, round(h * s / 32) * 32), max(32, round(w * s / 32) * 32)
    x = cv2.resize(image_rgb[..., :3], (iw, ih), interpolation=cv2.INTER_AREA)
    out = sess.run(None, {sess.get_inputs()[0].name: x[None].astype(np.int32)})[0][0]
    people = []
    for row in out:
        score = float(row[55])
        if score < MIN_SCORE:
            continue
        kp = row[:51].reshape(17, 3)
        kps = np.stack([kp[:, 1] * w, kp[:, 0] * h, kp[:, 2]], axis=1).astype(np.float32)
        y1, x1, y2, x2 = row[51:55]
        people.append(Person((float(x1 * w), float(y1 * h), float(x2 * w), float(y2 * h)),
                             score, kps))
    return people


def segment_selfie(crop_rgb: np.ndarray) -> np.ndarray:
    sess = session(require("people", "selfie.onnx"))
    h, w = crop_rgb.shape[:2]
    x = cv2.resize(crop_rgb[..., :3], (256, 256), interpolation=cv2.INTER_AREA)
    prob = sess.run(None, {sess.get_inputs()[0].name: (x[None] / 255.0).astype(np.float32)})[0]
    return cv2.resize(prob[0, :, :, 0], (w, h), interpolation=cv2.INTER_LINEAR)


def skeleton(person: Person, shape: tuple[int, int]) -> np.ndarray:
    """Thick lines between confident keypoints: sure-foreground seeds for the person."""
    sk = np.zeros(shape, np.float32)
    x1, y1, x2, y2 = person.box
    t = max(2, int(0.06 * max(x2 - x1, y2 - y1)))
    kp = person.keypoints
    for a, b in LIMBS:
        if kp[a, 2] > 0.3 and kp[b, 2] > 0.3:
            cv2.line(sk, (int(kp[a, 0]), int(kp[a, 1])), (int(kp[b, 0]), int(kp[b, 1])), 1.0, t)
    return sk


def person_mask(image_rgb: np.ndarray, person: Person) -> np.ndarray:
    """Selfie segmentation inside the (padded) box; GrabCut from the skeleton when it misses."""
    h, w = image_rgb.shape[:2]
    x1, y1, x2, y2 = person.box
    bw, bh = x2 - x1, y2 - y1
    cx1, cy1 = int(max(0, x1 - 0.15 * bw)), int(max(0, y1 - 0.1 * bh))
    cx2, cy2 = int(min(w, x2 + 0.15 * bw)), int(min(h, y2 + 0.05 * bh))
    mask = np.zeros((h, w), np.float32)
    if cx2 - cx1 < 4 or cy2 - cy1 < 4:
        return mask
    mask[cy1:cy2, cx1:cx2] = segment_selfie(image_rgb[cy1:cy2, cx1:cx2])
    sk = skeleton(person, (h, w))
    # Trust selfie where it agrees with the pose; otherwise (small/grey people) use GrabCut.
    if sk.sum() > 0:
        weak = (mask[sk > 0] > 0.5).mean() < 0.5
    else:
        weak = (mask[int(y1):int(y2), int(x1):int(x2)] > 0.5).mean() < 0.15
    if weak:
        mask = grabcut_in_box(image_rgb, person.box, sure_fg=sk if sk.sum() > 0 else None)
    return mask.astype(np.float32)


def _squat(box: tuple[float, float, float, float]) -> bool:
    """Shorter than 1.6x its width: not a standing person. In vtest every low-scoring box
    this shape was a traffic cone or a rock (1.1-1.5); true walkers are 1.9-3.3."""
    return box[3] - box[1] < 1.6 * (box[2] - box[0])


def find_people(image_rgb: np.ndarray, crowd: bool = True) -> list[Person]:
    """People, main subject first (memoised per image; callers must not modify them).
    `crowd` also looks tile by tile for small, far-away people (slower, see crowd.py)."""
    from lbie_desktop.grounding.cache import cached

    return cached(f"people-{crowd}", image_rgb, lambda: _find_people(image_rgb, crowd))


def _find_people(image_rgb: np.ndarray, crowd: bool = True) -> list[Person]:
    people = detect_poses(image_rgb)
    # MoveNet returns at most 6 people and misses small ones: add NanoDet's person boxes.
    from lbie_desktop.models.manager import available

    if available("objects"):
        from lbie_desktop.grounding.sources.objects import detect

        dets = detect(image_rgb, min_score=0.25)
        # NanoDet sometimes calls a cat a person: drop person boxes an animal box overlaps.
        animals = [d for d in dets if d.label in ANIMALS and d.score >= 0.3]
        for d in dets:
            if d.label == "person" and d.score < SURE_SCORE and _squat(d.box):
                continue  # low-scoring squat "people" were cones and rocks (vtest, messi5)
            if (d.label == "person" and all(overlap(d.box, p.box) < 0.5 for p in people)
                    and all(overlap(d.box, a.box) < 0.5 for a in animals)):
                people.append(Person(d.box, d.score, np.zeros((17, 3), np.float32)))
    else:
        animals = []
    if crowd and available("objects"):
        for box, score in tiled_people(image_rgb):  # far-away people, tile by tile
            if (all(overlap(box, p.box) < 0.5 for p in people)
                    and all(overlap(box, a.box) < 0.5 for a in animals)):
                people.append(Person(box, score, np.zeros((17, 3), np.float32)))
    for p in people:
        p.mask = person_mask(image_rgb, p)
    # The main subject first: big and central people matter most.
    h, w = image_rgb.shape[:2]

    def weight(p: Person) -> float:
        cx, cy = p.centre
        off = abs(cx / w - 0.5) + 0.5 * abs(cy / h - 0.5)
        return p.area / (h * w) * (1.2 - off)

    return sorted(people, key=weight, reverse=True)


def face_mask(person: Person, shape: tuple[int, int]) -> np.ndarray | None:
    """An ellipse around the visible face keypoints (nose, eyes, ears)."""
    kp = person.keypoints[list(FACE_KP)]
    vis = kp[kp[:, 2] > 0.25]
    if len(vis) < 3:
        return None
    cx, cy = vis[:, 0].mean(), vis[:, 1].mean()
    span = max(np.ptp(vis[:, 0]), np.ptp(vis[:, 1]), 4.0)
    m = np.zeros(shape, np.float32)
    cv2.ellipse(m, (int(cx), int(cy - 0.1 * span)), (int(0.75 * span), int(1.0 * span)), 0, 0,
                360, 1.0, -1)
    return m
