"""What the image looks like now: exposure, contrast, saturation, colour cast, sharpness.

Measured on a copy at most 256 px on its long side (enough for global statistics, ~1 ms).
The horizon's tilt (straighten.py, tens of ms) is measured only when a request asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import cv2
import numpy as np

from lbie_desktop.understanding.straighten import Tilt, measure_tilt


@dataclass(frozen=True)
class ImageStats:
    luma_median: float  # 0..1, sRGB-coded Rec.709 luma
    luma_mean: float
    luma_std: float  # global contrast
    p02: float
    p98: float
    value_mean: float  # HSV V, what the brightness op scales
    saturation_mean: float  # HSV S
    cast_a: float  # CIELAB a* mean (+ magenta, - green)
    cast_b: float  # CIELAB b* mean (+ yellow/warm, - blue/cool)
    sharpness: float  # variance of the Laplacian on 0..1 grey
    grey: bool  # a black-and-white photo: colour ops make no sense
    # the measured photo, for what only some requests need (kept out of equality and repr)
    image: np.ndarray | None = field(default=None, repr=False, compare=False)

    @cached_property
    def tilt(self) -> Tilt | None:
        """The photo's tilt from its straight lines (None without the photo)."""
        return None if self.image is None else measure_tilt(self.image)

    def describe(self) -> str:
        return (f"median brightness {self.luma_median:.2f}, contrast {self.luma_std:.2f}, "
                f"saturation {self.saturation_mean:.2f}, colour cast a*={self.cast_a:+.1f} "
                f"b*={self.cast_b:+.1f}")


def to_rgb_float(image: np.ndarray) -> np.ndarray | None:
    """Any HxW / HxWx{1,3,4} uint8/uint16/float array -> small float32 RGB in 0..1, else None."""
    a = np.asarray(image)
    if a.ndim == 2:
        a = np.stack([a] * 3, -1)
    if a.ndim != 3 or a.shape[0] < 1 or a.shape[1] < 1 or a.shape[2] not in (1, 3, 4):
        return None
    if a.shape[2] == 1:
        a = np.repeat(a, 3, -1)
    a = a[..., :3]
    if a.dtype == np.uint8:
        a = a.astype(np.float32) / 255.0
    elif a.dtype == np.uint16:
        a = a.astype(np.float32) / 65535.0
    else:
        a = np.nan_to_num(a.astype(np.float32), nan=0.0, posinf=1.0, neginf=0.0).clip(0, 1)
    h, w = a.shape[:2]
    s = 256 / max(h, w)
    if s < 1:
        a = cv2.resize(a, (max(1, round(w * s)), max(1, round(h * s))),
                       interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(a, dtype=np.float32)


def measure(image: np.ndarray) -> ImageStats | None:
    rgb = to_rgb_float(image)
    if rgb is None:
        return None
    luma = rgb @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)
    p02, med, p98 = np.percentile(luma, [2, 50, 98])
    spread = float(np.abs(rgb - rgb.mean(-1, keepdims=True)).mean())
    # A cast shows in what should be neutral: average only the less colourful half,
    # so a brown coffee cup or a blue sky does not count as a cast.
    ab = lab[..., 1:].reshape(-1, 2)
    chroma = np.hypot(ab[:, 0], ab[:, 1])
    neutral = ab[chroma <= np.percentile(chroma, 50)]
    return ImageStats(
        luma_median=float(med), luma_mean=float(luma.mean()), luma_std=float(luma.std()),
        p02=float(p02), p98=float(p98), value_mean=float(hsv[..., 2].mean()),
        saturation_mean=float(hsv[..., 1].mean()), cast_a=float(neutral[:, 0].mean()),
        cast_b=float(neutral[:, 1].mean()),
        sharpness=float(cv2.Laplacian(luma, cv2.CV_32F).var()), grey=spread < 0.01,
        image=image)
