"""Rendering a list of steps onto an image.

`render_steps` is the reference path: the registry's differentiable torch functions, float
throughout (used by `fit` and as the yardstick in tests). `Renderer` is what the app uses:

- a proxy (long side <= 2048) for previews and the full-resolution source, each with its own
  cache, so changing step k re-renders from k only;
- the fast path (core/fast), which groups the steps into units:
  "colour": a run of global per-pixel ops, evaluated once per distinct colour of the input
  and gathered per pixel, see fast/colour_table.py: consecutive per-channel ops (1-D LUTs)
  and brightness / contrast / saturation in one compiled pass (fast/colour_kernels.py),
  other ops through the registry functions;
  "masked": one local per-pixel step, the op on the distinct colours, composited with the
  mask per pixel exactly as the registry does;
  "blur": sharpness / Gaussian blur as a banded separable filter fused with the gather
  (fast/blur.py);
  "ref": anything else, through the registry function: in row chunks where the op is
  per-pixel, on the whole image otherwise (neighbourhood, fill and geometric ops);
- an alpha channel, for ops that set `Op.alpha_fn` (a transparent `color_bg`): `render_rgba`.

While the editor's warm-up process compiles the fast path's kernels (fast/warm.py), renders
take reference units, which call no kernel (fast/readiness.py decides per render).

Each unit's output (uint8, float32, or colour table) depends only on the steps, so rendering
the same steps again gives the same bytes (exact undo/redo), cached or not. Fast and
reference agree within 1/255 per op and for chains of fast units (tests/test_render_fast.py);
where a fast unit hands uint8 to a later unit the difference can reach 2/255.
"""
from __future__ import annotations

import hashlib
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from lbie_desktop.core.fast import kinds
from lbie_desktop.core.fast.readiness import FAST, NUMBA_BROKEN, State

try:  # the compiled fast path; without numba (a broken install) the reference path renders
    from lbie_desktop.core.fast import blur, colour_kernels
    from lbie_desktop.core.fast.colour_table import (
        ColourIndex,
        compose_luts,
        gather_f32,
        gather_u8,
        per_channel_lut,
        table_of,
        table_of_unclamped,
    )
    from lbie_desktop.core.fast.kernels import (
        copy_rows,
        masked_blend,
        masked_blend_u8,
        spill_flags,
    )
except (ImportError, OSError) as _exc:  # OSError: llvmlite's library failed to load
    FAST.set(State.FAILED, f"{NUMBA_BROKEN}: {type(_exc).__name__}: {_exc}")
from lbie_desktop.core.fast.threads import (
    busy,
    get_pool,
    kernel_guard,
    kernel_threads,
    map_last_dim,
    single_threaded_torch,
    workers,
)
from lbie_desktop.core.ops import Op, apply_op, get_op, params_to_tensors
from lbie_desktop.core.plan import Step

PREVIEW_LONG_SIDE = 2048
CHUNK_PIXELS = 1 << 21  # ~2 MP per reference chunk: ~25 MB of float32 per tensor
# A proxy-sized copy takes ~1 ms on one core; splitting it over threads that must all get a
# core before it returns costs more than that on a busy machine.
PARALLEL_COPY_PIXELS = 1 << 23
KEEP_BLUR_PIXELS = 4_200_000  # previews up to this size keep their blurred copy (~100 MB)


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


def _mask_tensor(step: Step) -> torch.Tensor | None:
    return None if step.mask is None else torch.from_numpy(step.mask)


def render_steps(img: torch.Tensor, steps: Sequence[Step]) -> torch.Tensor:
    """Apply enabled steps in order through the registry (differentiable where ops are)."""
    out = img
    for s in steps:
        if not s.enabled:
            continue
        out = apply_op(s.op, out, s.params, _mask_tensor(s), context=step_context(s))
    return out


def step_context(step: Step) -> dict | None:
    """Extra inputs some ops take besides the mask (see registry.apply_op)."""
    return None if step.avoid is None else {"avoid": step.avoid}


def step_key(step: Step) -> str:
    """Content hash of a step: same key -> same output for the same input."""
    h = hashlib.sha1()
    h.update(repr((step.op, step.enabled, sorted(step.params.items()))).encode())
    if step.mask is not None:
        h.update(_mask_digest(step.mask).encode())
    if step.avoid is not None:
        h.update(b"avoid" + _mask_digest(step.avoid).encode())
    return h.hexdigest()


# Hashing a preview-size mask costs ~20 ms, and every render keys every step: remember the
# digest per mask array. Masks are replaced, not edited in place, once in a Step (the GUI
# copies them); a sparse sample of the values is re-checked as a guard anyway.
_mask_digests: dict[int, tuple[weakref.ref, bytes, str]] = {}
_mask_lock = threading.Lock()


def _mask_digest(mask: np.ndarray) -> str:
    sample = np.ascontiguousarray(mask.ravel()[:: 997]).tobytes() + repr(mask.shape).encode()
    with _mask_lock:
        hit = _mask_digests.get(id(mask))
        if hit is not None and hit[0]() is mask and hit[1] == sample:
            return hit[2]
    digest = hashlib.sha1(memoryview(np.ascontiguousarray(mask)).cast("B"))
    digest.update(repr(mask.shape).encode())
    out = digest.hexdigest()
    with _mask_lock:
        if len(_mask_digests) > 256:
            for k in [k for k, v in _mask_digests.items() if v[0]() is None]:
                del _mask_digests[k]
        _mask_digests[id(mask)] = (weakref.ref(mask), sample, out)
    return out


def resize_long_side(rgb: np.ndarray, long_side: int) -> np.ndarray:
    from PIL import Image

    h, w = rgb.shape[:2]
    scale = long_side / max(h, w)
    if scale >= 1:
        return rgb
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS))


def is_active(step: Step) -> bool:
    """Enabled and not a no-op (inpainting with default params still fills its hole)."""
    if not step.enabled:
        return False
    op = get_op(step.op)
    return not op.is_identity(step.params) or bool(op.extra.get("needs_mask"))


# --- frames: an image between two units ---------------------------------------------------

@dataclass
class Frame:
    """An image as one unit left it: uint8, float32, or (index, table) after a colour run.

    Views in the other forms are made on demand and kept.
    """

    rgb8: np.ndarray | None = None  # HxWx3 uint8
    rgbf: np.ndarray | None = None  # HxWx3 float32 in [0,1]
    alpha: np.ndarray | None = None  # HxW float32 in [0,1]; None = opaque
    index: ColourIndex | None = None  # with table: colour-run output
    table: np.ndarray | None = None  # Ux3 float32
    table8: np.ndarray | None = None  # Ux3 uint8: table rounded (when the run made it)
    blend: Blend | None = None  # a local step's output, composited when a form is asked for
    _own_index: ColourIndex | None = field(default=None, repr=False)

    @property
    def shape(self) -> tuple[int, int]:
        for a in (self.rgb8, self.rgbf):
            if a is not None:
                return a.shape[:2]
        if self.blend is not None:
            return self.blend.index.shape
        assert self.index is not None
        return self.index.shape

    def u8(self) -> np.ndarray:
        if self.rgb8 is None:
            if self.index is not None and self.table is not None:
                self.rgb8 = gather_u8(self.index, self.table, self.table8)
            elif self.rgbf is None and self.blend is not None:
                self.rgb8 = self.blend.u8()  # shown as it is: no float image in between
            else:
                assert self.rgbf is not None
                self.rgb8 = _f32_to_u8(self.rgbf)
        return self.rgb8

    def f32(self) -> np.ndarray:
        if self.rgbf is None and self.blend is not None:
            self.rgbf = self.blend.f32()  # kept: what a neighbourhood op after it reads
        if self.rgbf is not None:
            return self.rgbf
        if self.index is not None and self.table is not None:
            return gather_f32(self.index, self.table)  # not kept: 12 bytes a pixel
        return self.u8().astype(np.float32) / np.float32(255.0)

    def colour_index(self) -> ColourIndex:
        """Distinct colours of the uint8 view (built once per frame)."""
        if self._own_index is None:
            self._own_index = ColourIndex.build(self.u8())
        return self._own_index


@dataclass
class Blend:
    """A local per-pixel step as the registry composites it: out = src where mask == 0,
    else clamp(edited * mask + src * (1 - mask)), per pixel through the colour index."""

    index: ColourIndex
    src: np.ndarray  # Ux3 float32: the input colours
    edited: np.ndarray  # Ux3 float32: the op's own (unclamped) output for them
    edited8: np.ndarray  # Ux3 uint8: edited clamped and rounded
    mask: np.ndarray  # HxW float32 in [0, 1]
    in8: np.ndarray | None  # HxWx3 uint8: the input image, when it was at hand

    def f32(self) -> np.ndarray:
        out = np.empty((*self.index.shape, 3), np.float32)
        masked_blend(self.index.idx, self.src, self.edited, self.mask, out)
        return out

    def u8(self) -> np.ndarray:
        out = np.empty((*self.index.shape, 3), np.uint8)
        have = self.in8 is not None
        in8 = self.in8 if have else np.zeros((1, 1, 3), np.uint8)
        spills = np.empty(len(self.edited), np.uint8)
        spill_flags(self.edited, spills)
        masked_blend_u8(self.index.idx, self.src, self.edited, self.edited8, spills, self.mask,
                        in8, have, out)
        return out


# --- units: what one cached render stage does ---------------------------------------------

@dataclass
class Unit:
    # "colour" (run of global per-pixel steps), "masked" (one local per-pixel step),
    # "blur" (fast/blur.py), "gain" (a position-dependent multiplier: vignette),
    # "ref" (registry function on the image)
    kind: str
    steps: list[Step]


def plan_units(steps: Sequence[Step], fast: bool = True) -> list[Unit]:
    """Group active steps into units; with fast=False every step is a reference unit."""
    units: list[Unit] = []
    for s in steps:
        op = get_op(s.op)
        if fast and s.mask is None and kinds.is_pointwise(op):
            if units and units[-1].kind == "colour":
                units[-1].steps.append(s)
            else:
                units.append(Unit("colour", [s]))
        elif fast and kinds.is_pointwise(op):
            units.append(Unit("masked", [s]))
        elif fast and s.mask is None and op.name in ("sharpness", "gaussian_blur"):
            units.append(Unit("blur", [s]))
        elif fast and s.mask is None and kinds.gain_map(op) is not None:
            units.append(Unit("gain", [s]))
        else:
            units.append(Unit("ref", [s]))
    return units


def _chain_keys(base: str, keys: Sequence[str]) -> list[str]:
    out, acc = [], base
    for k in keys:
        acc = hashlib.sha1((acc + k).encode()).hexdigest()
        out.append(acc)
    return out


class Renderer:
    """Renders steps on a source image with a per-unit cache for the proxy and for full size.

    The cache is a chain keyed by the steps up to each unit, so editing step k keeps the
    cached results before k's unit; inside a colour run the per-step colour tables are cached
    too, so a slider on step k re-evaluates steps k.. on the distinct colours only.
    """

    def __init__(self, source_rgb: np.ndarray, preview_long_side: int = PREVIEW_LONG_SIDE,
                 *, fast: bool = True):
        src = np.asarray(source_rgb)
        if src.ndim == 2:  # grayscale: the ops work on RGB
            src = src[..., None]
        if src.shape[-1] < 3:  # grey (+ alpha): the alpha is the caller's to keep
            src = np.repeat(src[..., :1], 3, axis=-1)
        self.source = np.ascontiguousarray(src[..., :3])
        if self.source.dtype != np.uint8:
            self.source = to_uint8(to_tensor(self.source))
        self.proxy = resize_long_side(self.source, preview_long_side)
        self.fast = fast
        self._bases = {"preview": Frame(rgb8=self.proxy), "full": Frame(rgb8=self.source)}
        self._cache: dict[str, list[tuple[str, Frame]]] = {"preview": [], "full": []}
        # colour-run key -> [(chained step key, the colours after that step)]
        self._colour_steps: dict[str, dict[str, list[tuple[str, ColourValues]]]] = {
            "preview": {}, "full": {}}
        self._blurred: tuple[tuple, np.ndarray, np.ndarray] | None = None  # see _unsharp
        self._last_blur_key: tuple | None = None
        self._locks = {"preview": threading.Lock(), "full": threading.Lock()}
        self.stats = {"units_run": 0, "steps_run": 0}
        # (unit, wall s, process CPU s) per unit the last render ran: `lbie bench` prints them
        self.last_timings: list[tuple[str, float, float]] = []

    # --- public API ------------------------------------------------------------------------
    def render(self, steps: Sequence[Step], *, full: bool = False) -> np.ndarray:
        """HxWx3 uint8 result (preview proxy unless full=True); the caller's own copy."""
        rgb = self._render(steps, full).u8()  # the cache keeps the original
        if not rgb.flags.c_contiguous or rgb.shape[0] * rgb.shape[1] < PARALLEL_COPY_PIXELS \
                or not self._use_fast():
            return rgb.copy()
        out = np.empty(rgb.shape, np.uint8)
        copy_rows(rgb, out)  # parallel: ~15 ms of one core on 18 MP otherwise
        return out

    def render_view(self, steps: Sequence[Step], *, full: bool = False) -> np.ndarray:
        """As `render` without the copy: a read-only view of the cached result, for callers
        that only look at it (the editor's preview: shown, then thumbnailed)."""
        view = self._render(steps, full).u8().view()
        view.flags.writeable = False
        return view

    def render_rgba(self, steps: Sequence[Step], *, full: bool = False) -> np.ndarray:
        """HxWx4 uint8: the result and its alpha (255 where no op made it transparent)."""
        frame = self._render(steps, full)
        rgb = frame.u8()
        a = (np.full(rgb.shape[:2], 255, np.uint8) if frame.alpha is None
             else np.round(np.clip(frame.alpha, 0, 1) * 255).astype(np.uint8))
        return np.dstack([rgb, a])

    def render_alpha(self, steps: Sequence[Step], *, full: bool = False) -> np.ndarray | None:
        """HxW float alpha in [0,1], or None if every pixel stays opaque."""
        alpha = self._render(steps, full).alpha
        return None if alpha is None else alpha.copy()

    def clear_cache(self) -> None:
        for chain in self._cache.values():
            chain.clear()
        for runs in self._colour_steps.values():
            runs.clear()
        self._blurred = None

    # --- internals -------------------------------------------------------------------------
    def _render(self, steps: Sequence[Step], full: bool) -> Frame:
        # One render per size at a time: a background full-size render may run while the
        # preview follows a slider (the two sizes keep separate caches). A photo no bigger
        # than the proxy is its own proxy: one cache for both.
        kind = "full" if full or self.proxy is self.source else "preview"
        if not self._use_fast():  # the reference path: no numba kernel, nor its settings
            with self._locks[kind]:  # (fast=False: a warm-up finishing now waits for the next)
                return self._render_locked(steps, kind, fast=False)
        # A preview is a few ms of work per kernel: on a busy machine, waiting for a second
        # core at every kernel's barrier cost more than it saved (GUI slider -> preview on a
        # 1280 px proxy: median 37 ms single-threaded against 56-64 ms, at load ~5 on 2 cores)
        threads = 1 if kind == "preview" and busy() else workers()
        with self._locks[kind], kernel_guard(), kernel_threads(threads):
            return self._render_locked(steps, kind)

    def _use_fast(self) -> bool:
        """The fast path when asked for and its kernels are usable in this process now
        (not while the editor's warm-up process compiles them: see fast/readiness.py)."""
        return self.fast and FAST.use_fast()

    @torch.no_grad()
    def _render_locked(self, steps: Sequence[Step], kind: str, fast: bool | None = None
                       ) -> Frame:
        if fast is None:
            fast = self._use_fast()
        chain = self._cache[kind]
        # the unit kinds are part of the keys: reference and fast results never mix
        units = plan_units([s for s in steps if is_active(s)], fast)
        keys = _chain_keys(kind, ["|".join(step_key(s) for s in u.steps) + u.kind
                                  for u in units])
        n = 0
        while n < min(len(keys), len(chain)) and chain[n][0] == keys[n]:
            n += 1
        del chain[n:]
        frame = chain[n - 1][1] if n else self._bases[kind]
        timings = []
        for i in range(n, len(units)):
            c0, t0 = time.process_time(), time.perf_counter()
            frame = self._run_unit(units[i], frame, keys[i - 1] if i else kind, kind)
            chain.append((keys[i], frame))
            label = f"{units[i].kind} ({'+'.join(s.op for s in units[i].steps)})"
            timings.append((label, time.perf_counter() - t0, time.process_time() - c0))
        self.last_timings = timings
        runs = self._colour_steps[kind]
        while len(runs) > 8:  # oldest runs first (dicts keep insertion order)
            del runs[next(iter(runs))]
        return frame

    def _run_unit(self, unit: Unit, frame: Frame, input_key: str, kind: str) -> Frame:
        self.stats["units_run"] += 1
        if unit.kind == "colour":
            return self._run_colour(unit, frame, input_key, kind)
        step = unit.steps[0]
        if unit.kind == "masked":
            with single_threaded_torch():
                return self._run_masked(step, frame)
        if unit.kind == "blur":
            spec = blur.unsharp_spec(get_op(step.op), step.params, frame.shape)
            if spec is not None:
                self.stats["steps_run"] += 1
                return Frame(rgb8=self._unsharp(frame, spec, input_key), alpha=frame.alpha)
        if unit.kind == "gain":
            return self._run_gain(step, frame)
        return self._run_reference(step, frame)

    def _run_gain(self, step: Step, frame: Frame) -> Frame:
        """Pixels times the op's gain map, rounded once to uint8 (the reference clamps the
        same product to [0, 1])."""
        self.stats["steps_run"] += 1
        h, w = frame.shape
        gain = kinds.gain_map(get_op(step.op))(h, w, step.params)
        if frame.rgbf is not None:
            x = frame.rgbf * np.float32(255.0)
        else:
            x = frame.u8().astype(np.float32)
        x *= gain[..., None]
        np.clip(x, 0.0, 255.0, out=x)
        np.rint(x, out=x)
        return Frame(rgb8=x.astype(np.uint8), alpha=frame.alpha)

    def _unsharp(self, frame: Frame, spec: tuple[float, float, int], input_key: str
                 ) -> np.ndarray:
        """Unsharp/blur. When the same preview-sized input comes back (the amount slider is
        being dragged) the blurred copy is kept, so each move is a single combine pass;
        otherwise the fused banded kernel runs."""
        amount, sigma, k = spec
        h, w = frame.shape
        key = (input_key, sigma, k)
        if self._blurred is not None and self._blurred[0] == key:
            return blur.combine(self._blurred[1], self._blurred[2], amount)
        if h * w <= KEEP_BLUR_PIXELS and self._last_blur_key == key:
            img = np.ascontiguousarray(frame.f32())
            self._blurred = (key, img, blur.unsharp(frame, amount, sigma, k, keep_blur=True))
            return blur.combine(img, self._blurred[2], amount)
        self._last_blur_key = key
        return blur.unsharp(frame, amount, sigma, k)

    def _run_colour(self, unit: Unit, frame: Frame, input_key: str, kind: str) -> Frame:
        with single_threaded_torch():  # small tensors: torch's thread barriers cost most
            return self._run_colour_steps(unit, frame, input_key, self._colour_steps[kind])

    def _run_colour_steps(self, unit: Unit, frame: Frame, input_key: str,
                          runs: dict[str, list[tuple[str, ColourValues]]]) -> Frame:
        index = frame.colour_index()
        pointwise = unit.steps
        ckey = f"{input_key}:{id(index)}"
        cached = runs.setdefault(ckey, [])
        skeys = _chain_keys(ckey, [step_key(s) for s in pointwise])
        n = 0
        while n < min(len(skeys), len(cached)) and cached[n][0] == skeys[n]:
            n += 1
        del cached[n:]
        changed = n  # the first step that changed: likely the slider being dragged
        while n and cached[n - 1][1] is None:  # inside a compiled group: back to its start
            n -= 1
            cached.pop()
        x: np.ndarray | torch.Tensor | None = cached[n - 1][1] if n else None  # None: index
        x8 = None  # x rounded to uint8, when a compiled group made x
        i = n
        while i < len(pointwise):
            # consecutive steps the compiled pass knows (per-channel LUTs composed, brightness,
            # contrast, saturation): one pass over the colours, straight into the table.
            # A group is cut before the changed step, so its prefix is kept: the next move
            # of the same slider starts there.
            stop = changed if i < changed else len(pointwise)
            j, program = i, []
            while j < stop and (ins := _instruction(pointwise[j])) is not None:
                if ins[0] == colour_kernels.LUT and program and program[-1][0] == ins[0]:
                    program[-1] = (ins[0], compose_luts([program[-1][1], ins[1]]))
                else:
                    program.append(ins)
                j += 1
            if program:
                x, x8 = colour_kernels.run(*_program_input(x, index), program)
                self.stats["steps_run"] += j - i
                cached.extend((skeys[k], None) for k in range(i, j - 1))
                cached.append((skeys[j - 1], x))
                i = j
                continue
            # consecutive torch steps: each thread takes its slice of colours through all
            # of them (one hand-over per group, not per step), keeping every step's output
            while j < len(pointwise) and _instruction(pointwise[j]) is None:
                j += 1
            group = pointwise[i:j]

            def through(t: torch.Tensor, group: list[Step] = group) -> torch.Tensor:
                outs = []
                for s in group:
                    t = apply_op(s.op, t, s.params, None)
                    outs.append(t)
                return torch.stack(outs)  # [steps, 1, 3, 1, n]

            every = map_last_dim(through, _planes(x, index))
            self.stats["steps_run"] += len(group)
            cached.extend((skeys[i + g], every[g]) for g in range(len(group)))
            x, x8 = every[-1], None
            i = j
        runs[ckey] = runs.pop(ckey)  # most recent last
        if isinstance(x, np.ndarray):  # a compiled group made the colours (now, or cached)
            return Frame(index=index, table=x, table8=x8, alpha=frame.alpha)
        return Frame(index=index, table=table_of(_planes(x, index)), alpha=frame.alpha)

    def _run_masked(self, step: Step, frame: Frame) -> Frame:
        """A local per-pixel step: the op on the distinct colours, composited per pixel."""
        self.stats["steps_run"] += 1
        op = get_op(step.op)
        if frame.index is not None and frame.table is not None:
            index, src = frame.index, frame.table  # exact floats of the colour run before
        else:
            index = frame.colour_index()
            src = table_of(index.tensor())
        # the op's own output, unclamped: the registry clamps after blending
        ins = colour_kernels.instruction(op, step.params)
        if ins is not None:
            edited, edited8 = colour_kernels.run(src, 1.0, [ins], clamp=False)
        else:
            t = torch.from_numpy(np.ascontiguousarray(src.T)).reshape(1, 3, 1, -1)
            p = params_to_tensors(op, step.params)
            edited = table_of_unclamped(map_last_dim(lambda x: op.fn(x, p, None), t))
            edited8 = np.round(np.clip(edited, 0, 1) * np.float32(255.0)).astype(np.uint8)
        mask = _fit_mask_np(step.mask, frame.shape)
        # outside the mask the result is the input: its uint8 pixels if already made
        return Frame(blend=Blend(index, src, edited, edited8, mask, frame.rgb8),
                     alpha=frame.alpha)

    def _run_reference(self, step: Step, frame: Frame) -> Frame:
        self.stats["steps_run"] += 1
        op = get_op(step.op)
        rgb = frame.f32()
        h, w = rgb.shape[:2]
        mask = None if step.mask is None else _fit_mask(step.mask, (h, w))
        if kinds.is_chunkable(op) and h * w > CHUNK_PIXELS:
            rgbf = _apply_chunked(op, step, rgb, mask)
        else:
            rgbf = _tensor_to_hwc(apply_op(op, _hwc_to_tensor(rgb), step.params, mask,
                                           context=step_context(step)))
        alpha = self._alpha_after(op, step, frame.alpha, mask, (h, w), rgbf.shape[:2])
        return Frame(rgbf=rgbf, alpha=alpha)

    @staticmethod
    def _alpha_after(op: Op, step: Step, alpha: np.ndarray | None, mask: torch.Tensor | None,
                     in_hw: tuple[int, int], out_hw: tuple[int, int]) -> np.ndarray | None:
        if op.geometric and alpha is not None:
            # crop/rotate/flip the alpha with the same function, as a grey image
            a = torch.from_numpy(alpha)[None, None].expand(1, 3, *in_hw).contiguous()
            p = params_to_tensors(op, step.params)
            alpha = op.fn(a, p, None)[0, 0].clamp(0, 1).numpy()
        if op.alpha_fn is None:
            return alpha
        mult = op.alpha_fn(params_to_tensors(op, step.params), mask)
        if mult is None:
            return alpha
        mult_t = torch.as_tensor(mult, dtype=torch.float32)
        base = torch.ones(out_hw) if alpha is None else torch.from_numpy(alpha)
        while mult_t.dim() > 2:
            mult_t = mult_t[0]
        return (base * mult_t).clamp(0, 1).numpy().astype(np.float32)


# (step key, op function) -> per-channel LUT or None. A LUT depends on the step alone, not
# on the photo: shared by every renderer, so opening another photo does not sample them
# again (the function's id: an op re-registered under the same name gets new LUTs).
_luts: dict[tuple[str, int], np.ndarray | None] = {}
_luts_lock = threading.Lock()


def _channel_lut(step: Step) -> np.ndarray | None:
    key = (step_key(step), id(get_op(step.op).fn))
    with _luts_lock:
        if key in _luts:
            return _luts[key]
    lut = per_channel_lut(lambda x: apply_op(step.op, x, step.params, None))
    with _luts_lock:
        if len(_luts) > 256:
            _luts.clear()
        _luts[key] = lut
    return lut


# A colour run's value between steps: torch planes [1,3,1,U] (after registry steps), a Ux3
# float32 table (after a compiled group), or None (the index's own colours).
ColourValues = torch.Tensor | np.ndarray | None


def _instruction(step: Step) -> tuple[int, float | np.ndarray] | None:
    """What the compiled colour pass does for this step, or None (registry on torch)."""
    op = get_op(step.op)
    ins = colour_kernels.instruction(op, step.params)
    if ins is not None:
        return ins
    lut = _channel_lut(step)
    return None if lut is None else (colour_kernels.LUT, lut)


def _program_input(x: ColourValues, index: ColourIndex) -> tuple[np.ndarray, float]:
    """(Ux3 colours, divisor) for colour_kernels.run."""
    if x is None:
        return index.colours, 255.0
    if isinstance(x, np.ndarray):
        return x, 1.0
    return x.reshape(3, -1).numpy().T, 1.0  # a strided view: no copy


def _planes(x: ColourValues, index: ColourIndex) -> torch.Tensor:
    if x is None:
        return index.tensor()
    if isinstance(x, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(x.T)).view(1, 3, 1, -1)
    return x


def _f32_to_u8(a: np.ndarray) -> np.ndarray:
    """As to_uint8 (round half to even), in row bands so no full-size temporaries."""
    out = np.empty(a.shape, np.uint8)
    rows = max(1, CHUNK_PIXELS // max(1, a.shape[1]))
    for y0 in range(0, a.shape[0], rows):
        band = np.clip(a[y0:y0 + rows], 0, 1) * np.float32(255.0)
        np.rint(band, out=band)
        out[y0:y0 + rows] = band
    return out


# Masks resized to the frame a local step applies to, by (mask digest, size): a slider on a
# local step re-renders it on every move, and resizing a photo-sized mask to the preview
# took longer than the step itself. A few preview-sized masks (~6 MB each).
_fitted: dict[tuple[str, tuple[int, int]], np.ndarray] = {}


def _fit_mask_np(mask: np.ndarray, hw: tuple[int, int]) -> np.ndarray:
    """_fit_mask as a read-only HxW float32 array, cached."""
    key = (_mask_digest(mask), tuple(hw))
    with _mask_lock:
        hit = _fitted.get(key)
    if hit is not None:
        return hit
    out = np.ascontiguousarray(_fit_mask(mask, hw)[0, 0].numpy())
    out.flags.writeable = False
    with _mask_lock:
        while len(_fitted) >= 4:
            del _fitted[next(iter(_fitted))]
        _fitted[key] = out
    return out


def _fit_mask(mask: np.ndarray, hw: tuple[int, int]) -> torch.Tensor:
    """[1,1,H,W] mask at the image's size, as the registry resizes it (a mask drawn on
    another size, or before a crop/rotate, follows the image it applies to)."""
    m = torch.from_numpy(np.ascontiguousarray(mask, dtype=np.float32))[None, None]
    if m.shape[-2:] != tuple(hw):
        m = torch.nn.functional.interpolate(m, size=hw, mode="bilinear", align_corners=False)
    return m.clamp(0, 1)


def _hwc_to_tensor(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a)).permute(2, 0, 1)[None].contiguous()


def _tensor_to_hwc(t: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(t[0].clamp(0, 1).permute(1, 2, 0).numpy(), dtype=np.float32)


def _apply_chunked(op: Op, step: Step, rgb: np.ndarray, mask: torch.Tensor | None
                   ) -> np.ndarray:
    """Run a per-pixel op in row bands of ~2 MP (in parallel, torch single-threaded in each)
    so memory stays a few bands' worth."""
    h, w = rgb.shape[:2]
    rows = max(1, CHUNK_PIXELS // w)
    out = np.empty_like(rgb)

    def band(y0: int) -> None:
        y1 = min(h, y0 + rows)
        m = None if mask is None else mask[..., y0:y1, :]
        out[y0:y1] = _tensor_to_hwc(apply_op(op, _hwc_to_tensor(rgb[y0:y1]), step.params, m))

    with single_threaded_torch():
        list(get_pool().map(band, range(0, h, rows)))
    return out
