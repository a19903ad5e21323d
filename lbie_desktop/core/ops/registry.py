"""The one place an operation is defined.

An `Op` carries everything the rest of the app derives from it: parser labels, slider cards,
CLI flags, docs and tests. Its `fn` is a differentiable torch function on `[B,3,H,W]` float
images in [0, 1]; the registry does the masked compositing so every op gets the same
guarantee: where the mask is 0 the output is bit-identical to the input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import torch

from lbie_desktop.errors import UserError

ParamKind = Literal["float", "int", "choice", "color", "curve"]
ParamValue = float | int | str | list[float] | tuple[float, ...]


@dataclass(frozen=True)
class Param:
    """One parameter: its range, identity default, slider step and unit.

    `kind="curve"` and `kind="color"` are vectors of `length` floats, each in [min, max].
    `kind="choice"` picks one of `choices` (not differentiable).
    """

    name: str
    label: str
    min: float = 0.0
    max: float = 1.0
    default: ParamValue = 0.0
    step: float = 0.01
    unit: str = ""
    kind: ParamKind = "float"
    length: int = 1
    choices: tuple[str, ...] = ()
    help: str = ""
    advanced: bool = False  # raw values (e.g. curve points) hidden behind a disclosure

    @property
    def continuous(self) -> bool:
        return self.kind in ("float", "curve", "color")

    def validate(self, value: Any) -> ParamValue:
        """Coerce and clamp a user value; raise UserError for the wrong type."""
        if self.kind == "choice":
            if str(value) not in self.choices:
                raise UserError(
                    f"{self.name} must be one of {', '.join(self.choices)} (got {value!r})"
                )
            return str(value)
        if self.kind in ("curve", "color"):
            if isinstance(value, str):
                value = _parse_vector(value, colour=self.kind == "color")
            if isinstance(value, torch.Tensor):
                value = value.detach().flatten().tolist()
            try:
                vals = [float(v) for v in value]
            except (TypeError, ValueError) as exc:
                raise UserError(f"{self.name} needs {self.length} numbers") from exc
            if len(vals) != self.length:
                raise UserError(f"{self.name} needs {self.length} numbers (got {len(vals)})")
            if any(v != v for v in vals):
                raise UserError(f"{self.name} must be numbers (got NaN)")
            return [min(max(v, self.min), self.max) for v in vals]
        try:
            v = float(value.item() if isinstance(value, torch.Tensor) else value)
        except (TypeError, ValueError) as exc:
            raise UserError(f"{self.name} must be a number (got {value!r})") from exc
        if v != v:  # NaN
            raise UserError(f"{self.name} must be a number (got NaN)")
        v = min(max(v, self.min), self.max)
        return int(round(v)) if self.kind == "int" else v


def _parse_vector(text: str, *, colour: bool) -> list[float]:
    """"0.2,0.4,1" -> floats; for colours also a name or #rrggbb ("teal", "#ff8800")."""
    parts = [v for v in text.replace(";", ",").split(",") if v.strip()]
    try:
        return [float(v) for v in parts]
    except ValueError:
        if not colour:
            raise UserError(f"expected comma-separated numbers (got {text!r})") from None
    from PIL import ImageColor

    try:
        rgb = ImageColor.getrgb(text.strip().lower().replace(" ", ""))[:3]
    except ValueError:
        raise UserError(f"unknown colour {text!r}; use a colour name, #rrggbb or r,g,b") from None
    return [c / 255.0 for c in rgb]


OpFn = Callable[[torch.Tensor, Mapping[str, Any], torch.Tensor | None], torch.Tensor]


@dataclass(frozen=True)
class Op:
    """An editing operation.

    fn(img, params, mask) -> img: `img` is [B,3,H,W] float in [0,1]; continuous params arrive
    as tensors (0-d, or 1-d for curves/colours) so gradients flow; choices arrive as str.
    `mask` is the [B,1,H,W] soft mask (None for a global step); most ops ignore it because
    the registry composites, but fill ops (inpaint_obj, color_bg) need to know the hole.
    Geometric ops change the image size, are never local and are not composited.
    """

    name: str
    label: str
    description: str
    params: tuple[Param, ...]
    fn: OpFn
    family: str
    can_be_local: bool = True
    geometric: bool = False
    differentiable: bool = True
    # alpha_fn(params, mask) -> multiplier for the image's alpha channel, or None
    alpha_fn: Callable[[Mapping[str, Any], torch.Tensor | None], torch.Tensor | None] | None = None
    gier_names: tuple[str, ...] = ()  # labels in the GIER annotations that mean this op
    keywords: tuple[str, ...] = ()  # words people use for it (docs, parser hints)
    # Slider forms: named controls that write several raw values at once (e.g. a tone curve
    # shaped by "shadows/midtones/highlights"). controls_to_params(values) -> params, and its
    # inverse params_to_controls(params) -> the values that best reproduce predicted params
    # (slider_forms.fit_controls), so a card's sliders start where the prediction is.
    controls: tuple[Param, ...] = ()
    controls_to_params: Callable[[Mapping[str, float]], dict[str, ParamValue]] | None = None
    params_to_controls: Callable[[Mapping[str, Any]], dict[str, float]] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise UserError(f"{self.name} has no parameter {name!r} "
                        f"(it has: {', '.join(p.name for p in self.params) or 'none'})")

    def defaults(self) -> dict[str, ParamValue]:
        return {p.name: (list(p.default) if isinstance(p.default, tuple | list) else p.default)
                for p in self.params}

    def validate(self, params: Mapping[str, Any]) -> dict[str, ParamValue]:
        """Full, clamped parameter dict: defaults filled in, unknown names refused."""
        out = self.defaults()
        for k, v in params.items():
            out[k] = self.param(k).validate(v)
        return out

    def is_identity(self, params: Mapping[str, Any]) -> bool:
        if self.extra.get("needs_mask"):
            return False  # fill ops (inpaint_obj, color_bg) change their region at defaults
        d = self.defaults()
        return all(_close(params.get(k, d[k]), d[k]) for k in d)


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if isinstance(a, list | tuple):
        return all(abs(float(x) - float(y)) < 1e-9 for x, y in zip(a, b, strict=True))
    return abs(float(a) - float(b)) < 1e-9


REGISTRY: dict[str, Op] = {}


def register(op: Op) -> Op:
    if op.name in REGISTRY:
        raise ValueError(f"op {op.name} registered twice")
    if op.geometric and op.can_be_local:
        raise ValueError(f"geometric op {op.name} cannot be local")
    REGISTRY[op.name] = op
    return op


def get_op(name: str) -> Op:
    _load_all()
    try:
        return REGISTRY[name]
    except KeyError:
        raise UserError(f"unknown operation {name!r}; `lbie ops` lists them") from None


def all_ops() -> list[Op]:
    _load_all()
    return list(REGISTRY.values())


def _load_all() -> None:
    # Importing the family modules registers their ops (once).
    from lbie_desktop.core.ops import families  # noqa: F401


def params_to_tensors(op: Op, params: Mapping[str, Any], *, device: torch.device | str = "cpu",
                      dtype: torch.dtype = torch.float32) -> dict[str, Any]:
    """Validated params with continuous values as tensors (tensors passed in are kept, so a
    fitting loop's leaf tensors stay in the graph)."""
    out: dict[str, Any] = {}
    full = op.validate({k: v for k, v in params.items() if not isinstance(v, torch.Tensor)})
    for p in op.params:
        v = params.get(p.name, full[p.name])
        if isinstance(v, torch.Tensor):
            out[p.name] = v
        elif p.continuous:
            out[p.name] = torch.tensor(full[p.name], device=device, dtype=dtype)
        elif p.kind == "int":
            out[p.name] = int(full[p.name])
        else:
            out[p.name] = full[p.name]
    return out


def apply_op(name_or_op: str | Op, img: torch.Tensor, params: Mapping[str, Any] | None = None,
             mask: torch.Tensor | None = None, *,
             context: Mapping[str, Any] | None = None) -> torch.Tensor:
    """Run one op with masked compositing: out = clamp(f(I) * M + I * (1 - M), 0, 1).

    `mask` is [B,1,H,W] (or [H,W]) in [0,1]; None means global. Where M == 0 the output is
    the input tensor's values exactly (torch.where, not arithmetic, so no rounding drift).
    `context` reaches ops that declare extra["uses_context"] as a 4th argument (e.g. the
    regions a removal must not copy from: {"avoid": HxW array}).
    """
    op = name_or_op if isinstance(name_or_op, Op) else get_op(name_or_op)
    if img.dim() == 3:
        img = img.unsqueeze(0)
    p = params_to_tensors(op, params or {}, device=img.device, dtype=img.dtype)
    if mask is not None:
        if op.geometric:
            raise UserError(f"{op.label} changes the whole image and cannot be limited to a region")
        mask = _as_mask(mask, img)
    elif op.extra.get("needs_mask"):
        raise UserError(f"{op.label} needs a region: name what to change or paint a mask")
    if op.extra.get("uses_context"):
        edited = op.fn(img, p, mask, dict(context or {}))  # type: ignore[call-arg]
    else:
        edited = op.fn(img, p, mask)
    if op.geometric or mask is None:
        return edited.clamp(0, 1)
    blended = (edited * mask + img * (1 - mask)).clamp(0, 1)
    return torch.where(mask > 0, blended, img)


def _as_mask(mask: torch.Tensor, img: torch.Tensor) -> torch.Tensor:
    m = mask.to(device=img.device, dtype=img.dtype)
    while m.dim() < 4:
        m = m.unsqueeze(0)
    if m.shape[-2:] != img.shape[-2:]:
        m = torch.nn.functional.interpolate(m, size=img.shape[-2:], mode="bilinear",
                                            align_corners=False)
    return m.clamp(0, 1)
