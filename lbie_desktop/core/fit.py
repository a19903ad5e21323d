"""Fit a plan's continuous parameters to a target image through the differentiable chain.

As GIER's operation modular network is trained: render the steps with the registry's torch
functions, take the L1 distance to the target and let Adam move the parameters. Each
parameter is a free variable mapped onto its range with a sigmoid, so it never leaves
[min, max]. Runs on a downsized copy (ops size their kernels relative to the image, so the
parameters carry over to full resolution).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from lbie_desktop.core.fast.threads import single_threaded_torch
from lbie_desktop.core.ops import Param, apply_op, get_op
from lbie_desktop.core.plan import Plan, Step
from lbie_desktop.core.render import resize_long_side, to_tensor
from lbie_desktop.errors import UserError

FIT_LONG_SIDE = 256


@dataclass
class FitResult:
    plan: Plan
    loss: float  # mean L1 on [0,1] after fitting
    initial_loss: float
    iterations: int


def _to_raw(p: Param, value: float | list[float]) -> torch.Tensor:
    """Inverse of the sigmoid range map, a little inside the ends so gradients are alive."""
    v = torch.tensor(value, dtype=torch.float32)
    span = p.max - p.min
    u = ((v - p.min) / span).clamp(1e-3, 1 - 1e-3)
    return torch.logit(u).detach().requires_grad_(True)


def _from_raw(p: Param, raw: torch.Tensor) -> torch.Tensor:
    return p.min + (p.max - p.min) * torch.sigmoid(raw)


def _as_steps(ops: Sequence[str] | Plan) -> list[Step]:
    if isinstance(ops, Plan):
        return [s.copy() for s in ops.steps if s.enabled]
    if isinstance(ops, str):
        ops = [o for o in ops.split(",") if o.strip()]
    steps = [Step(o.strip()) for o in ops]
    for s in steps:
        op = get_op(s.op)
        if op.extra.get("needs_mask"):
            raise UserError(f"{op.label} needs a region; fit it from a plan with its mask")
    return steps


def _prepare(img: np.ndarray | torch.Tensor, long_side: int) -> torch.Tensor:
    if isinstance(img, torch.Tensor):
        t = img if img.dim() == 4 else img.unsqueeze(0)
        h, w = t.shape[-2:]
        scale = long_side / max(h, w)
        if scale < 1:
            t = torch.nn.functional.interpolate(t, size=(max(1, round(h * scale)),
                                                         max(1, round(w * scale))), mode="area")
        return t.float()
    a = np.asarray(img)
    if a.dtype != np.uint8:
        a = (to_tensor(a)[0].permute(1, 2, 0).clamp(0, 1) * 255).round().byte().numpy()
    if a.ndim == 2:
        a = np.stack([a] * 3, axis=-1)
    return to_tensor(resize_long_side(np.ascontiguousarray(a[..., :3]), long_side))


def fit_detailed(source: np.ndarray | torch.Tensor, target: np.ndarray | torch.Tensor,
                 ops: Sequence[str] | Plan, *, steps: int = 150, lr: float = 0.05,
                 long_side: int = FIT_LONG_SIDE) -> FitResult:
    plan_steps = _as_steps(ops)
    if not plan_steps:
        raise UserError("nothing to fit: give at least one operation")
    src = _prepare(source, long_side)
    tgt = _prepare(target, long_side)
    if src.shape[-2:] != tgt.shape[-2:]:
        tgt = torch.nn.functional.interpolate(tgt, size=src.shape[-2:], mode="area")
    # one free variable per continuous parameter of a differentiable, non-geometric op
    free: list[tuple[int, Param, torch.Tensor]] = []
    for i, s in enumerate(plan_steps):
        op = get_op(s.op)
        if not op.differentiable or op.geometric:
            continue
        for p in op.params:
            if p.continuous:
                free.append((i, p, _to_raw(p, s.params[p.name])))
    if not free:
        raise UserError("these operations have no continuous parameters to fit")
    masks = [None if s.mask is None else torch.from_numpy(s.mask) for s in plan_steps]

    def render() -> torch.Tensor:
        values: list[dict] = [dict(s.params) for s in plan_steps]
        for i, p, raw in free:
            values[i][p.name] = _from_raw(p, raw)
        out = src
        for s, v, m in zip(plan_steps, values, masks):
            out = apply_op(s.op, out, v, m)
        return out

    opt = torch.optim.Adam([raw for _, _, raw in free], lr=lr)
    # small images: torch's thread barriers cost more than they save (see fast/threads.py)
    with torch.enable_grad(), single_threaded_torch():
        with torch.no_grad():
            initial = float((render() - tgt).abs().mean())
        best, best_raw = initial, [raw.detach().clone() for _, _, raw in free]
        for _ in range(steps):
            opt.zero_grad()
            loss = (render() - tgt).abs().mean()
            if float(loss.detach()) < best:
                best, best_raw = float(loss.detach()), [raw.detach().clone() for _, _, raw in free]
            loss.backward()
            opt.step()
        with torch.no_grad():
            final = float((render() - tgt).abs().mean())
        if final < best:
            best, best_raw = final, [raw.detach().clone() for _, _, raw in free]
    fitted = [s.copy() for s in plan_steps]
    for (i, p, _), raw in zip(free, best_raw):
        value = _from_raw(p, raw).detach()
        fitted[i] = fitted[i].copy(params={**fitted[i].params,
                                           p.name: value.tolist() if p.length > 1 or
                                           p.kind in ("curve", "color") else float(value)})
    return FitResult(Plan(fitted), best, initial, steps)


def fit(source: np.ndarray | torch.Tensor, target: np.ndarray | torch.Tensor,
        ops: Sequence[str] | Plan, steps: int = 150, lr: float = 0.05,
        long_side: int = FIT_LONG_SIDE) -> Plan:
    """The plan whose continuous parameters make `source` look most like `target` (L1)."""
    return fit_detailed(source, target, ops, steps=steps, lr=lr, long_side=long_side).plan
