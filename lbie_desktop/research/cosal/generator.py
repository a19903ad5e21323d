"""Seeded CoSaL generator, following the geometry and caption grammar of the authors' code.

A white image is split into 3x3 cells; each cell holds one of the 9 shapes (each shape once),
drawn black on the input and filled with one of C colours in the target. The caption has 9
sentences: `n_direct` direct ones ("diamond is red") for distinct cells, then relational ones
("red below diamond": the shape below the diamond is red), each describing a new cell next to an
already described one, so the sentences form a spanning tree grown from the direct cells and
every colour is fixed by the caption plus the layout.

Sample i of a set depends only on (seed, i) for the image and (seed, i, n_direct) for the
caption, so the 4/6/8 columns share images and differ only in their captions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from lbie_desktop.research.cosal.text import COLOURS, RELATION_OFFSET, SHAPES, encode

GRID = 3
DEFAULT_SIZE = 48  # the authors' img_size; 16-pixel cells, 6x6 features after three 2x pools


@dataclass
class CosalSet:
    """Arrays of one split. image: 1 = white, 0 = black silhouette."""

    image: np.ndarray  # (N, H, W) uint8 0/255
    label: np.ndarray  # (N, H, W) uint8: 0 background, 1..C colour
    shape_map: np.ndarray  # (N, H, W) int8: shape id 0..8, -1 background
    cell_shape: np.ndarray  # (N, 9) shape id per cell (row-major)
    cell_colour: np.ndarray  # (N, 9) colour id 0..C-1 per cell
    caption: np.ndarray  # (N, 9, 3) token ids
    n_direct: int

    def __len__(self) -> int:
        return len(self.image)


def _u(rng: np.random.Generator, lo: float, hi: float, s: int) -> int:
    return int(rng.uniform(lo, hi) * s)


def _draw_shape(cell: np.ndarray, shape: int, rng: np.random.Generator) -> None:
    """Fill `shape` into the (s, s) uint8 cell with value 1 (jitter as in the authors' code)."""
    s = cell.shape[0]
    name = SHAPES[shape]
    if name == "rectangle":
        p1 = (_u(rng, 0.1, 0.3, s), _u(rng, 0.1, 0.3, s))
        p2 = (_u(rng, 0.7, 0.9, s), _u(rng, 0.7, 0.9, s))
        cv2.rectangle(cell, p1, p2, 1, thickness=-1)
    elif name in ("half fat ellipse", "fat ellipse", "thin ellipse", "half thin ellipse"):
        centre = (_u(rng, 0.45, 0.55, s), _u(rng, 0.45, 0.55, s))
        fat = "fat" in name
        axes = (s // 3, s // 6) if fat else (s // 6, s // 3)
        end = 180 if name.startswith("half") else 360
        cv2.ellipse(cell, centre, axes, 0, 0, end, 1, thickness=-1)
    elif name == "triangle":
        pts = [
            (_u(rng, 0.2, 0.4, s), _u(rng, 0.7, 0.8, s)),
            (_u(rng, 0.7, 0.8, s), _u(rng, 0.7, 0.8, s)),
            (_u(rng, 0.4, 0.6, s), _u(rng, 0.2, 0.3, s)),
        ]
        cv2.fillConvexPoly(cell, np.array(pts, np.int32), 1)
    elif name == "reverse triangle":
        pts = [
            (_u(rng, 0.2, 0.4, s), _u(rng, 0.2, 0.3, s)),
            (_u(rng, 0.7, 0.8, s), _u(rng, 0.2, 0.3, s)),
            (_u(rng, 0.4, 0.6, s), _u(rng, 0.7, 0.8, s)),
        ]
        cv2.fillConvexPoly(cell, np.array(pts, np.int32), 1)
    elif name == "diamond":
        pts = [
            (_u(rng, 0.2, 0.3, s), _u(rng, 0.45, 0.55, s)),
            (_u(rng, 0.45, 0.55, s), _u(rng, 0.2, 0.3, s)),
            (_u(rng, 0.7, 0.8, s), _u(rng, 0.45, 0.55, s)),
            (_u(rng, 0.45, 0.55, s), _u(rng, 0.7, 0.8, s)),
        ]
        cv2.fillConvexPoly(cell, np.array(pts, np.int32), 1)
    elif name == "circle":
        centre = (_u(rng, 0.45, 0.55, s), _u(rng, 0.45, 0.55, s))
        cv2.circle(cell, centre, _u(rng, 0.3, 0.4, s), 1, thickness=-1)
    else:  # pragma: no cover - SHAPES is fixed
        raise ValueError(name)


def make_layout(
    rng: np.random.Generator, size: int, n_colours: int = len(COLOURS)
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random shapes per cell, colours per cell, and the (H, W) shape-id map (-1 = white)."""
    cell_shape = rng.permutation(len(SHAPES))
    cell_colour = rng.integers(0, n_colours, size=GRID * GRID)
    s = size // GRID
    shape_map = np.full((size, size), -1, np.int8)
    for k in range(GRID * GRID):
        cell = np.zeros((s, s), np.uint8)
        _draw_shape(cell, int(cell_shape[k]), rng)
        r, c = divmod(k, GRID)
        view = shape_map[r * s : (r + 1) * s, c * s : (c + 1) * s]
        view[cell > 0] = cell_shape[k]
    return cell_shape, cell_colour, shape_map


def make_caption(
    cell_shape: np.ndarray, cell_colour: np.ndarray, n_direct: int, rng: np.random.Generator
) -> np.ndarray:
    """(9, 3) token ids: direct sentences first, then a spanning tree of relational ones."""
    if not 1 <= n_direct <= GRID * GRID:
        raise ValueError(f"n_direct must be 1..9, got {n_direct}")
    direct = [int(k) for k in rng.choice(GRID * GRID, size=n_direct, replace=False)]
    sentences = [(SHAPES[cell_shape[k]], "is", COLOURS[cell_colour[k]]) for k in direct]
    covered = set(direct)
    while len(covered) < GRID * GRID:
        options = []  # (new cell, relation, referenced cell)
        for k in range(GRID * GRID):
            if k in covered:
                continue
            r, c = divmod(k, GRID)
            for rel, (dr, dc) in RELATION_OFFSET.items():
                rr, cc = r - dr, c - dc  # the referenced shape sits opposite the offset
                if 0 <= rr < GRID and 0 <= cc < GRID and rr * GRID + cc in covered:
                    options.append((k, rel, rr * GRID + cc))
        k, rel, ref = options[int(rng.integers(len(options)))]
        sentences.append((COLOURS[cell_colour[k]], rel, SHAPES[cell_shape[ref]]))
        covered.add(k)
    return np.array([encode(s) for s in sentences], np.int64)


def generate(n: int, n_direct: int, seed: int, size: int = DEFAULT_SIZE) -> CosalSet:
    if size % (GRID * 8) != 0:
        raise ValueError(f"size must be a multiple of 24 (3 cells, /8 encoder), got {size}")
    image = np.empty((n, size, size), np.uint8)
    shape_map = np.empty((n, size, size), np.int8)
    cell_shape = np.empty((n, 9), np.int64)
    cell_colour = np.empty((n, 9), np.int64)
    caption = np.empty((n, 9, 3), np.int64)
    for i in range(n):
        shapes, colours, smap = make_layout(np.random.default_rng([seed, i]), size)
        caption[i] = make_caption(
            shapes, colours, n_direct, np.random.default_rng([seed, i, n_direct])
        )
        shape_map[i], cell_shape[i], cell_colour[i] = smap, shapes, colours
        image[i] = np.where(smap >= 0, 0, 255)
    label = label_from(shape_map, cell_shape, cell_colour)
    return CosalSet(image, label, shape_map, cell_shape, cell_colour, caption, n_direct)


def label_from(
    shape_map: np.ndarray, cell_shape: np.ndarray, cell_colour: np.ndarray
) -> np.ndarray:
    """Per-pixel colour class (0 = background, 1 + colour id) from shapes and cell colours."""
    n = len(shape_map)
    colour_of_shape = np.zeros((n, len(SHAPES)), np.int64)
    np.put_along_axis(colour_of_shape, cell_shape, cell_colour + 1, axis=1)
    idx = np.where(shape_map >= 0, shape_map, 0).astype(np.int64)
    lab = np.take_along_axis(colour_of_shape, idx.reshape(n, -1), axis=1).reshape(shape_map.shape)
    return np.where(shape_map >= 0, lab, 0).astype(np.uint8)


def cached(n: int, n_direct: int, seed: int, size: int, cache_dir: Path | None) -> CosalSet:
    """`generate`, stored as .npz in cache_dir so repeated runs skip the drawing."""
    if cache_dir is None:
        return generate(n, n_direct, seed, size)
    path = Path(cache_dir) / f"cosal_n{n}_d{n_direct}_s{seed}_{size}px.npz"
    if path.exists():
        z = np.load(path)
        return CosalSet(**{k: z[k] for k in z.files if k != "n_direct"}, n_direct=n_direct)
    data = generate(n, n_direct, seed, size)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    fields = {
        k: getattr(data, k)
        for k in ("image", "label", "shape_map", "cell_shape", "cell_colour", "caption")
    }
    np.savez_compressed(tmp, **fields)
    tmp.replace(path)
    return data


def solve_colours(cell_shape: np.ndarray, caption: np.ndarray) -> np.ndarray:
    """Symbolic reader of a caption: colour id per cell, -1 where the caption says nothing.

    Raises ValueError if two sentences disagree; used by tests and as the app's fallback check.
    """
    from lbie_desktop.research.cosal.text import VOCAB

    where = {int(s): k for k, s in enumerate(cell_shape)}
    out = np.full(GRID * GRID, -1, np.int64)
    for ids in caption:
        if int(ids[0]) == 0:
            continue
        a, b, c = (VOCAB[int(i)] for i in ids)
        if b == "is":
            k, colour = where[SHAPES.index(a)], COLOURS.index(c)
        else:
            r, col = divmod(where[SHAPES.index(c)], GRID)
            dr, dc = RELATION_OFFSET[b]
            if not (0 <= r + dr < GRID and 0 <= col + dc < GRID):
                raise ValueError(f"no shape {b} {c}")
            k, colour = (r + dr) * GRID + col + dc, COLOURS.index(a)
        if out[k] not in (-1, colour):
            raise ValueError(f"cell {k} described twice with different colours")
        out[k] = colour
    return out
