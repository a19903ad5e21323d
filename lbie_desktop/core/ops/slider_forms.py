"""Slider forms in reverse: which control positions best reproduce given raw parameters.

An op's `controls_to_params` turns a few named sliders (shadows, warmth...) into many raw
values (curve slopes). When the model predicts the raw values directly, the card must show
sliders that match them, and moving one slider must bend the predicted curve from where it is
rather than snap it back to what the sliders alone describe. The forward maps are affine in
the sliders (up to a small slope floor), so a linear least-squares fit inverts them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import product
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from lbie_desktop.core.ops.registry import Op, Param, ParamValue

Forward = Callable[[Mapping[str, float]], "dict[str, ParamValue]"]
_PROBE = 0.5  # inside every slider's range and clear of the forward maps' slope floor


def _flatten(params: Mapping[str, Any], keys: Sequence[str]) -> np.ndarray:
    return np.concatenate([np.ravel(np.asarray(params[k], dtype=np.float64)) for k in keys])


def fit_controls(controls: Sequence[Param], forward: Forward,
                 params: Mapping[str, Any]) -> dict[str, float]:
    """Slider values whose `forward` output is closest (least squares) to `params`.

    Bounded linear least squares (every slider free, at zero, or at an end of its range: at
    most 4^4 small solves), then a few Gauss-Newton steps on the real map for its slope floor.
    Several slider sets can give the same curve (warmth is red up plus blue down), so among
    fits as good as the best one the fewest moved sliders win, then the smallest moves: a
    "warmer" prediction shows Warmth, not a mix of Warmth, Red and Blue.
    """
    names = [c.name for c in controls]
    base = forward({})
    keys = sorted(base)
    b0 = _flatten(base, keys)
    target = _flatten({k: params.get(k, base[k]) for k in keys}, keys)

    def run(x: np.ndarray) -> np.ndarray:
        return _flatten(forward(dict(zip(names, map(float, x), strict=True))), keys)

    a = np.stack([(run(_PROBE * e) - b0) / _PROBE for e in np.eye(len(names))], axis=1)
    lo = np.array([c.min for c in controls])
    hi = np.array([c.max for c in controls])
    fits = []  # [residual, sliders moved, size of the move, values, free sliders]
    for pattern in product(("zero", "free", "lo", "hi"), repeat=len(names)):
        x = np.array([{"lo": lo[i], "hi": hi[i]}.get(m, 0.0) for i, m in enumerate(pattern)])
        free = [i for i, m in enumerate(pattern) if m == "free"]
        if free:
            fixed = [i for i in range(len(names)) if i not in free]
            rest = target - b0 - a[:, fixed] @ x[fixed]
            x[free], *_ = np.linalg.lstsq(a[:, free], rest, rcond=None)
            if np.any(x[free] < lo[free] - 1e-9) or np.any(x[free] > hi[free] + 1e-9):
                continue
        moved = [i for i, m in enumerate(pattern) if m != "zero"]
        fits.append([float(np.linalg.norm(a @ x + b0 - target)), len(moved),
                     float(np.linalg.norm(x)), x, moved])
    fits.sort(key=lambda f: f[0])
    for f in fits[:4]:  # the map's slope floor only matters near the best linear fits;
        # sliders a pattern pinned to an end may come back inside through the real map
        f[3] = _refine(run, f[3], f[4], target, lo, hi)
        f[0] = float(np.linalg.norm(run(f[3]) - target))
        f[1], f[2] = int(np.sum(np.abs(f[3]) > 1e-6)), float(np.linalg.norm(f[3]))
    best = min(f[0] for f in fits)
    # forward maps round slopes to 4 decimals: residuals this close are ties
    tol = best + 1e-3 * max(1.0, float(np.sqrt(len(target))))
    x = min((f for f in fits if f[0] <= tol), key=lambda f: (f[1], f[2]))[3]
    return {n: round(float(v), 3) + 0.0 for n, v in zip(names, x, strict=True)}


def _refine(run: Callable[[np.ndarray], np.ndarray], x: np.ndarray, free: list[int],
            target: np.ndarray, lo: np.ndarray, hi: np.ndarray, steps: int = 4) -> np.ndarray:
    """Gauss-Newton on the moved sliders through the real (slightly non-linear) map."""
    if not free:
        return x
    best, best_res = x, float(np.linalg.norm(run(x) - target))
    if best_res < 1e-4:
        return x
    h = 0.01
    for _ in range(steps):
        f0 = run(x)
        jac = np.stack([(run(x + h * np.eye(len(x))[i]) - f0) / h for i in free], axis=1)
        step, *_ = np.linalg.lstsq(jac, target - f0, rcond=None)
        x = x.copy()
        x[free] = np.clip(x[free] + step, lo[free], hi[free])
        res = float(np.linalg.norm(run(x) - target))
        if res < best_res - 1e-6:
            best, best_res = x, res
        else:
            break
    return best


def controls_for(op: Op, params: Mapping[str, Any]) -> dict[str, float]:
    """The card's starting slider positions for a step's raw params ({} for ops without)."""
    if op.params_to_controls is None:
        return {}
    return op.params_to_controls(params)


def move_controls(op: Op, params: Mapping[str, Any], before: Mapping[str, float],
                  after: Mapping[str, float]) -> dict[str, ParamValue]:
    """Raw params after sliders move from `before` to `after`: the change the sliders
    describe added to the current params, so whatever part of a predicted curve the sliders
    cannot express is kept instead of dropped."""
    assert op.controls_to_params is not None
    old, new = op.controls_to_params(before), op.controls_to_params(after)
    out: dict[str, Any] = {}
    for k, v in new.items():
        cur = params.get(k, old[k])
        if isinstance(v, list | tuple):
            out[k] = [float(c) + float(n) - float(o) for c, n, o in zip(cur, v, old[k], strict=True)]
        elif isinstance(v, int | float) and not isinstance(v, bool):
            out[k] = float(cur) + float(v) - float(old[k])
        else:
            out[k] = v
    return op.validate(out)
