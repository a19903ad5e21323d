"""Exact fusion of per-pixel colour ops through the image's table of distinct colours.

A chain of global per-pixel ops is a function of the input colour alone, so it only needs
evaluating once per *distinct* colour (a photo has ~0.1-2 M of them, against 18 M pixels),
through the very same registry functions as the reference path. A gather then writes the
result to every pixel. Unlike a sampled 3-D LUT this is exact (no interpolation error at the
clipping kinks of HSV/contrast ops), and it needs no second implementation of any op.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from lbie_desktop.core.fast import index_kernels, kernels


@dataclass
class ColourIndex:
    """The distinct colours of a uint8 RGB image and, per pixel, the row of its colour."""

    idx: np.ndarray  # HxW int32
    colours: np.ndarray  # Ux3 uint8
    _tensor: torch.Tensor | None = field(default=None, repr=False)

    @classmethod
    def build(cls, rgb: np.ndarray) -> ColourIndex:
        rgb = np.ascontiguousarray(rgb[..., :3], dtype=np.uint8)
        bits = np.empty(index_kernels.N_WORDS, np.uint64)
        index_kernels.mark_colours(rgb, bits)
        before = np.empty(index_kernels.N_WORDS, np.int32)
        colours = np.empty((min(rgb.shape[0] * rgb.shape[1], index_kernels.N_COLOURS), 3),
                           np.uint8)
        n = index_kernels.number_colours(bits, before, colours)
        keys = np.empty(rgb.shape[:2], np.int32)
        index_kernels.index_pixels(rgb, bits, before, keys)
        return cls(keys, colours[:n].copy())

    @property
    def shape(self) -> tuple[int, int]:
        return self.idx.shape  # type: ignore[return-value]

    def tensor(self) -> torch.Tensor:
        """The colours as a [1,3,1,U] float image, scaled exactly as render.to_tensor does."""
        if self._tensor is None:
            planes = np.empty((3, len(self.colours)), np.float32)
            kernels.colours_to_planes(self.colours, planes)
            self._tensor = torch.from_numpy(planes).view(1, 3, 1, -1)
        return self._tensor


# Per-channel ops are sampled on this many levels (a multiple of 8, so the knots of the
# 8-piece tone curves fall on samples and the interpolation is exact there).
LUT1D_LEVELS = 4096


def per_channel_lut(fn: Callable[[torch.Tensor], torch.Tensor]) -> np.ndarray | None:
    """3xN samples of fn if it maps each channel on its own (exposure, curves, white
    balance), else None. Probed: shuffling each channel independently across colours must
    shuffle the output the same way."""
    g = torch.Generator().manual_seed(7)
    x = torch.rand(1, 3, 1, 1024, generator=g)
    x[..., :8] = torch.tensor([0.0, 1.0]).repeat(4).view(1, 1, 1, 8)  # the ends too
    perms = [torch.randperm(x.shape[-1], generator=g) for _ in range(3)]
    x2 = torch.stack([x[0, c, 0, perms[c]] for c in range(3)]).view(1, 3, 1, -1)
    y = fn(x).clamp(0, 1)
    y2 = fn(x2).clamp(0, 1)
    for c in range(3):
        if not torch.allclose(y2[0, c, 0], y[0, c, 0, perms[c]], atol=1e-6, rtol=0):
            return None
    ramp = torch.linspace(0, 1, LUT1D_LEVELS + 1).view(1, 1, 1, -1).expand(1, 3, 1, -1)
    return np.ascontiguousarray(fn(ramp.contiguous()).clamp(0, 1)[0, :, 0].numpy(),
                                dtype=np.float32)


def compose_luts(luts: list[np.ndarray]) -> np.ndarray:
    """One 3xN LUT for several applied in order (each sampled where the previous lands)."""
    grid = np.linspace(0.0, 1.0, luts[0].shape[1], dtype=np.float32)
    out = luts[0]
    for lut in luts[1:]:  # small arrays: numpy's interp beats a parallel kernel launch
        out = np.stack([np.interp(out[c], grid, lut[c]) for c in range(3)])
    return np.ascontiguousarray(out, dtype=np.float32)


def apply_lut1d(t: torch.Tensor, lut: np.ndarray) -> torch.Tensor:
    """[1,3,1,U] colours through a 3xN per-channel LUT (see per_channel_lut)."""
    planes = t.reshape(3, -1).numpy()
    out = np.empty_like(planes)
    kernels.lut1d_apply(np.ascontiguousarray(planes), lut, out)
    return torch.from_numpy(out).view(t.shape)


def table_of(t: torch.Tensor) -> np.ndarray:
    """[1,3,1,U] float colours -> Ux3 float32 table in [0,1]."""
    planes = np.ascontiguousarray(t.reshape(3, -1).numpy(), dtype=np.float32)
    table = np.empty((planes.shape[1], 3), np.float32)
    kernels.planes_to_table(planes, table)
    return table


def table_of_unclamped(t: torch.Tensor) -> np.ndarray:
    """[1,3,1,U] float colours -> Ux3 float32 table, values as they are."""
    return np.ascontiguousarray(t.reshape(3, -1).T.numpy(), dtype=np.float32)


def gather_u8(index: ColourIndex, table: np.ndarray, lut8: np.ndarray | None = None
              ) -> np.ndarray:
    """Per-pixel result rounded as render.to_uint8 rounds (lut8: the table already rounded,
    as the compiled colour pass gives it)."""
    if lut8 is None:
        lut8 = np.round(np.clip(table, 0, 1) * np.float32(255.0)).astype(np.uint8)
    out = np.empty((*index.shape, 3), np.uint8)
    kernels.gather_u8(index.idx, lut8, out)
    return out


def gather_f32(index: ColourIndex, table: np.ndarray) -> np.ndarray:
    out = np.empty((*index.shape, 3), np.float32)
    kernels.gather_f32(index.idx, np.ascontiguousarray(table, np.float32), out)
    return out
