"""What the fast path knows about an op.

Per-pixel ops say so with `extra={"pointwise": True}` in the registry: a global step of one
is a function of the pixel's own colour, so it can be fused through the colour table and run
in row chunks. Neighbourhood ops size their kernels from the image's short side, so a row
band through the registry would get the wrong radius: they run whole, or on fast/blur.py.
tests/test_render_fast.py checks the pointwise claims against the registry functions.
"""

from __future__ import annotations

from lbie_desktop.core.ops import Op


def is_pointwise(op: Op) -> bool:
    return bool(op.extra.get("pointwise")) and not op.geometric and op.alpha_fn is None


def is_chunkable(op: Op) -> bool:
    """Can run in row chunks through the registry (per-pixel, mask or not)."""
    return is_pointwise(op) and not op.extra.get("needs_mask")


def gain_map(op: Op):
    """The op's `(h, w, params) -> [h, w] multiplier` when it is a position-dependent gain
    (a vignette): the fast path multiplies the pixels by it instead of running the op."""
    return op.extra.get("gain")
