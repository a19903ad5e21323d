"""The paper's CoSaL metric: IoU per class (9 shapes + background) over the whole test set.

For shape s the truth is its silhouette G_s; the prediction P_s is every pixel of the cell that
holds s predicted in s's true colour. Intersections and unions are summed over all test images
before dividing, and the 10 class IoUs are averaged. Background: white pixels vs pixels
predicted as background, over the whole image.
"""

from __future__ import annotations

import numpy as np

from lbie_desktop.research.cosal.generator import GRID
from lbie_desktop.research.cosal.text import SHAPES

N_CLASSES = len(SHAPES) + 1  # index 9 = background


class ShapeIoU:
    def __init__(self) -> None:
        self.inter = np.zeros(N_CLASSES, np.int64)
        self.union = np.zeros(N_CLASSES, np.int64)

    def update(
        self, pred: np.ndarray, label: np.ndarray, shape_map: np.ndarray, cell_shape: np.ndarray
    ) -> None:
        """pred, label: (N, H, W) colour classes; shape_map (N, H, W); cell_shape (N, 9)."""
        n, h, w = pred.shape
        s = h // GRID
        cell_idx = (np.arange(h)[:, None] // s) * GRID + (np.arange(w)[None, :] // s)
        # Shape owning each pixel's cell, and that shape's true colour class.
        owner = cell_shape[:, cell_idx.ravel()].reshape(n, h, w)
        colour_of_shape = np.zeros((n, len(SHAPES)), np.int64)
        fg = shape_map >= 0
        colour_of_shape[np.nonzero(fg)[0], shape_map[fg]] = label[fg]
        owner_colour = np.take_along_axis(colour_of_shape, owner.reshape(n, -1), 1).reshape(n, h, w)
        gt = shape_map == owner  # silhouette of the cell's shape
        hit = pred == owner_colour
        inter = np.bincount(owner[gt & hit], minlength=len(SHAPES))
        union = np.bincount(owner[gt | hit], minlength=len(SHAPES))
        self.inter[: len(SHAPES)] += inter
        self.union[: len(SHAPES)] += union
        bg_gt, bg_pred = ~fg, pred == 0
        self.inter[-1] += int((bg_gt & bg_pred).sum())
        self.union[-1] += int((bg_gt | bg_pred).sum())

    def per_class(self) -> np.ndarray:
        return self.inter / np.maximum(self.union, 1)

    def mean(self) -> float:
        return float(self.per_class().mean())
