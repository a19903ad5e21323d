"""Small, far-away people: the detectors see the whole photo at 256-416 pixels, where a
spectator in a crowd is a few pixels tall. Running NanoDet again on overlapping tiles (each seen
at its full input size) finds many of those people; duplicates are merged by overlap. MoveNet
on tiles was tried and dropped: on a 3x3 mosaic of vtest frames it added 4 people, all
below score 0.26, for 0.8 s more per photo.

Detections that touch a tile's inner edge are dropped: that person is cut by the tile and the
overlap guarantees a neighbouring tile (or the whole-photo pass) sees them whole.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

Box = tuple[float, float, float, float]

OVERLAP = 0.25  # of a tile's size, shared with its neighbour
MIN_SIDE = 320  # smaller photos are already seen at the models' resolution
# NanoDet person score needed inside a tile: magnified tiles make false people too (0.53 on
# the astronaut's suit fitting); true ones in the vtest mosaic scored 0.62-0.83.
TILE_PERSON_SCORE = 0.6
EDGE = 3  # pixels: a box this close to an inner tile edge is a cut-off person


def grid(h: int, w: int) -> int:
    """Tiles per side: 0 (no tiling) for small photos, 2, or 3 for big ones."""
    long_side = max(h, w)
    if long_side < MIN_SIDE:
        return 0
    return 2 if long_side < 1600 else 3


def tiles(h: int, w: int, n: int) -> Iterator[tuple[int, int, int, int]]:
    """(x1, y1, x2, y2) of n x n overlapping tiles covering the photo."""
    tw, th = w / (n - (n - 1) * OVERLAP), h / (n - (n - 1) * OVERLAP)
    for r in range(n):
        for c in range(n):
            x1, y1 = round(c * tw * (1 - OVERLAP)), round(r * th * (1 - OVERLAP))
            yield x1, y1, min(w, round(x1 + tw)), min(h, round(y1 + th))


def cut_by_tile(box: Box, tile: tuple[int, int, int, int], h: int, w: int) -> bool:
    x1, y1, x2, y2 = box
    tx1, ty1, tx2, ty2 = tile
    return ((tx1 > 0 and x1 - tx1 < EDGE) or (ty1 > 0 and y1 - ty1 < EDGE)
            or (tx2 < w and tx2 - x2 < EDGE) or (ty2 < h and ty2 - y2 < EDGE))


def overlap(a: Box, b: Box) -> float:
    """Intersection over the smaller box: a detection inside another is the same person."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return ix * iy / max(small, 1e-6)


def tiled_people(image_rgb: np.ndarray) -> list[tuple[Box, float]]:
    """(box, score) of the people NanoDet finds tile by tile, in photo pixels, best first."""
    from lbie_desktop.grounding.sources.objects import _detect

    h, w = image_rgb.shape[:2]
    n = grid(h, w)
    out: list[tuple[Box, float]] = []
    if n == 0:
        return out
    for tile in tiles(h, w, n):
        tx1, ty1, tx2, ty2 = tile
        crop = np.ascontiguousarray(image_rgb[ty1:ty2, tx1:tx2, :3])
        for d in _detect(crop, TILE_PERSON_SCORE):
            b = (d.box[0] + tx1, d.box[1] + ty1, d.box[2] + tx1, d.box[3] + ty1)
            if d.label == "person" and not cut_by_tile(b, tile, h, w):
                out.append((b, d.score))
    return sorted(out, key=lambda f: -f[1])
