"""Rendering a list of steps onto an image.

`render_steps` is the reference (differentiable torch) path. `Renderer` adds what the app
needs: a proxy for previews, a per-step cache so changing step k re-renders from k only, and
a full-resolution path.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import torch

from lbie_desktop.core.ops import apply_op, get_op
from lbie_desktop.core.plan import Step

PREVIEW_LONG_SIDE = 2048


def to_tensor(rgb: np.ndarray) -> torch.Tensor:
    """HxWx3 uint8/uint16/float array -> [1,3,H,W] float32 in [0,1]."""
    a = np.asarray(rgb)
    if not a.flags.writeable:  # torch refuses read-only buffers (Pillow arrays are)
        a = a.copy()
    if a.dtype == np.uint8:
        t = torch.from_numpy(np.ascontiguousarray(a)).float() / 255.0
    elif a.dtype == np.uint16:
        t = torch.from_numpy(a.astype(np.float32) / 65535.0)
    else:
        t = torch.from_numpy(a.astype(np.float32, copy=False))
    if t.dim() == 2:
        t = t.unsqueeze(-1).expand(-1, -1, 3)
    return t[..., :3].permute(2, 0, 1).unsqueeze(0).contiguous()


def to_uint8(t: torch.Tensor) -> np.ndarray:
    """[1,3,H,W] float -> HxWx3 uint8 (rounded)."""
    return (t[0].clamp(0, 1).permute(1, 2, 0) * 255.0).round().to(torch.uint8).cpu().numpy()


def render_steps(img: torch.Tensor, steps: Sequence[Step]) -> torch.Tensor:
    """Apply enabled steps in order through the registry (differentiable where ops are)."""
    out = img
    for s in steps:
        if not s.enabled:
            continue
        mask = None if s.mask is None else torch.from_numpy(s.mask)
        out = apply_op(s.op, out, s.params, mask)
    return out


def step_key(step: Step) -> str:
    """Content hash of a step: same key -> same output for the same input."""
    h = hashlib.sha1()
    h.update(repr((step.op, step.enabled, sorted(step.params.items()))).encode())
    if step.mask is not None:
        h.update(np.ascontiguousarray(step.mask).tobytes())
    return h.hexdigest()


def resize_long_side(rgb: np.ndarray, long_side: int) -> np.ndarray:
    from PIL import Image

    h, w = rgb.shape[:2]
    scale = long_side / max(h, w)
    if scale >= 1:
        return rgb
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS))


class Renderer:
    """Renders steps on a source image, caching the output after each step.

    The cache is a chain keyed by the step keys up to each step, so editing step k keeps the
    cached results of steps 0..k-1 and re-renders from k.
    """

    def __init__(self, source_rgb: np.ndarray, preview_long_side: int = PREVIEW_LONG_SIDE):
        self.source = np.ascontiguousarray(source_rgb[..., :3])
        self.proxy = resize_long_side(self.source, preview_long_side)
        self._cache: dict[str, list[tuple[str, torch.Tensor]]] = {"preview": [], "full": []}

    @torch.no_grad()
    def render(self, steps: Sequence[Step], *, full: bool = False) -> np.ndarray:
        kind = "full" if full else "preview"
        base = self.source if full else self.proxy
        chain = self._cache[kind]
        active = [s for s in steps if s.enabled and not get_op(s.op).is_identity(s.params)
                  or s.enabled and s.op == "inpaint_obj"]
        keys, acc = [], ""
        for s in active:
            acc = hashlib.sha1((acc + step_key(s)).encode()).hexdigest()
            keys.append(acc)
        # longest cached prefix
        n = 0
        while n < min(len(keys), len(chain)) and chain[n][0] == keys[n]:
            n += 1
        del chain[n:]
        out = chain[n - 1][1] if n else to_tensor(base)
        for s, k in zip(active[n:], keys[n:]):
            mask = None if s.mask is None else torch.from_numpy(s.mask)
            out = apply_op(s.op, out, s.params, mask)
            chain.append((k, out))
        return to_uint8(out)
