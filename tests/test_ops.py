"""Every registered operation, checked from the registry: identity at defaults, masks, gradients,
resolution independence, validation. Named directions and fills live in test_ops_effects.py."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from lbie_desktop.core.ops import all_ops, apply_op, get_op, params_to_tensors
from lbie_desktop.core.ops.colour import colour_controls_to_points
from lbie_desktop.core.render import to_tensor
from lbie_desktop.errors import UserError

OPS = all_ops()
NAMES = [o.name for o in OPS]

# A clearly non-identity setting per op (masks, gradients, resolution checks use it).
STRONG: dict[str, dict] = {
    "brightness": {"amount": 0.4},
    "lightness": {"amount": 15.0},
    "exposure": {"stops": 0.8},
    "contrast": {"amount": 0.6},
    "tint": {"points": [0.5, 0.8, 1.0, 1.2, 1.4, 1.2, 1.0, 0.9]},
    "shadows": {"amount": 0.6},
    "highlights": {"amount": -0.6},
    "saturation": {"amount": 0.5},
    "hue": colour_controls_to_points({"warmth": 0.6, "green": -0.3}),
    "temperature": {"temperature": 0.5, "tint": 0.3},
    "vibrance": {"amount": 0.8},
    "black_white": {"amount": 0.8, "filter": "red"},
    "recolor": {"color": [0.1, 0.3, 0.9], "strength": 0.8},
    "red_eye": {"strength": 1.0},
    "sharpness": {"amount": 1.5, "radius": 1.0},
    "gaussian_blur": {"sigma": 1.5},
    "radial_blur": {"amount": 0.4, "cx": 0.4, "cy": 0.6},
    "denoise": {"strength": 0.8},
    "dehaze": {"amount": 0.7},
    "vignette": {"amount": -1.5, "midpoint": 20.0, "feather": 60.0, "roundness": -30.0},
    "color_bg": {"mode": "color", "color": [0.2, 0.4, 0.9]},
    "inpaint_obj": {},
    # whole pixels at 192 and 96 px, so the resolution check compares like with like
    "crop": {"left": 0.125, "top": 0.25, "right": 0.0625, "bottom": 0.125},
    "rotate": {"angle": 12.0, "mode": "crop"},
    "flip": {"direction": "horizontal"},
}

# Ops whose parameters only matter in some mode: (params, params that must get a gradient).
GRAD_CASES: dict[str, list[tuple[dict, list[str]]]] = {
    "color_bg": [({"mode": "color", "color": [0.2, 0.4, 0.9]}, ["color"]),
                 ({"mode": "blur", "blur": 3.0}, ["blur"])],
}


def _resize(t: torch.Tensor, h: int, w: int) -> torch.Tensor:
    return F.interpolate(t, size=(h, w), mode="area")


@pytest.fixture(scope="module")
def full(astronaut) -> torch.Tensor:
    img = _resize(to_tensor(astronaut), 192, 192)
    # a flash-red pupil inside _mask_for's disk, so red-eye has something to fix
    img[:, :, 48:64, 128:144] = torch.tensor([0.85, 0.1, 0.12]).view(1, 3, 1, 1)
    return img


@pytest.fixture(scope="module")
def half(full) -> torch.Tensor:
    return _resize(full, 96, 96)


def _disk(h: int, w: int, cy: float, cx: float, r: float) -> torch.Tensor:
    yy, xx = torch.meshgrid(torch.arange(h) + 0.5, torch.arange(w) + 0.5, indexing="ij")
    return (((yy - cy * h) ** 2 + (xx - cx * w) ** 2) <= (r * min(h, w)) ** 2).float()[None, None]


def _mask_for(img: torch.Tensor) -> torch.Tensor:
    # a soft-edged disk in the upper right (background and part of the helmet)
    h, w = img.shape[-2:]
    hard = _disk(h, w, 0.3, 0.7, 0.25)
    return F.avg_pool2d(F.pad(hard, (2, 2, 2, 2), mode="replicate"), 5, stride=1)


def test_every_op_has_a_test_setting():
    assert set(STRONG) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_op_metadata_complete(name):
    op = get_op(name)
    assert op.label and op.description and op.family and op.keywords
    for p in op.params:
        assert p.label
        if p.kind == "choice":
            assert p.default in p.choices
        else:
            vals = p.default if isinstance(p.default, tuple | list) else [p.default]
            assert len(vals) == p.length
            assert all(p.min <= v <= p.max for v in vals), p.name
            assert p.step > 0
    for c in op.controls:
        assert c.min <= c.default <= c.max


def test_gier_image_ops_all_covered():
    gier = {"brightness", "lightness", "contrast", "saturation", "hue", "tint", "sharpness",
            "exposure", "inpaint_obj", "color_bg", "crop", "rotate", "flip", "gaussain_blur",
            "radial_blur", "denoise", "dehaze", "black&white"}
    named = {g for op in OPS for g in op.gier_names}
    assert gier <= named


@pytest.mark.parametrize("name", [n for n in NAMES if not get_op(n).extra.get("needs_mask")])
def test_defaults_are_identity(name, full):
    out = apply_op(name, full, {})
    assert out.shape == full.shape
    assert (out - full).abs().max().item() <= 1e-6


@pytest.mark.parametrize("name", [o.name for o in OPS if o.controls])
def test_controls_at_rest_give_identity_params(name):
    op = get_op(name)
    params = op.controls_to_params({c.name: c.default for c in op.controls})
    assert op.is_identity(op.validate(params))
    # every control moves the raw params, within their ranges
    for c in op.controls:
        moved = op.validate(op.controls_to_params({c.name: c.max}))
        assert not op.is_identity(moved), c.name
        assert moved == op.validate(moved)


@pytest.mark.parametrize("name", [o.name for o in OPS if o.can_be_local])
def test_pixels_outside_mask_bit_identical(name, full):
    mask = _mask_for(full)
    out = apply_op(name, full, STRONG[name], mask)
    outside = (mask == 0).expand_as(full)
    assert torch.equal(out[outside], full[outside])
    inside = (mask == 1).expand_as(full)
    assert (out[inside] - full[inside]).abs().mean().item() > 2e-3  # and it did edit inside


@pytest.mark.parametrize("name", [o.name for o in OPS if o.geometric])
def test_geometric_ops_refuse_a_mask(name, full):
    with pytest.raises(UserError):
        apply_op(name, full, STRONG[name], _mask_for(full))


@pytest.mark.parametrize("name", [o.name for o in OPS if o.extra.get("needs_mask")])
def test_fill_ops_need_a_mask(name, full):
    with pytest.raises(UserError):
        apply_op(name, full, STRONG[name])


def _grad_cases():
    for op in OPS:
        if not op.differentiable:
            continue
        cases = GRAD_CASES.get(op.name) or [
            (STRONG[op.name], [p.name for p in op.params if p.continuous])]
        for i, (params, names) in enumerate(cases):
            if names:
                yield pytest.param(op.name, params, names, id=f"{op.name}-{i}")


@pytest.mark.parametrize(("name", "params", "grad_names"), list(_grad_cases()))
def test_gradients_reach_every_continuous_param(name, params, grad_names, full):
    op = get_op(name)
    tensors = params_to_tensors(op, params)
    for n in grad_names:
        tensors[n] = tensors[n].clone().requires_grad_(True)
    img = full.clone().requires_grad_(True)
    mask = _mask_for(full) if op.can_be_local else None
    out = apply_op(op, img, tensors, mask)
    target = full.flip(-1) if out.shape == full.shape else torch.rand_like(out)
    (out - target).abs().mean().backward()
    for n in grad_names:
        g = tensors[n].grad
        assert g is not None and torch.isfinite(g).all(), n
        assert g.abs().sum().item() > 0, n
    # the image gradient must be finite too: in a chain it carries earlier steps' gradients
    assert img.grad is not None and torch.isfinite(img.grad).all()


@pytest.mark.parametrize("name", [o.name for o in OPS if o.differentiable])
def test_render_path_matches_the_differentiable_path(name, full):
    # without gradients some ops run OpenCV kernels instead of torch: same pixels
    mask = _mask_for(full) if get_op(name).extra.get("needs_mask") else None
    with torch.no_grad():
        fast = apply_op(name, full, STRONG[name], mask)
    ref = apply_op(name, full.clone().requires_grad_(True), STRONG[name], mask).detach()
    assert (fast - ref).abs().max().item() < 1e-4


# Zero gradient at identity by nature: a Gaussian's derivative in sigma vanishes at sigma 0.
NO_GRAD_AT_IDENTITY = {"gaussian_blur"}


@pytest.mark.parametrize("name", [o.name for o in OPS if o.differentiable and not o.geometric
                                  and not o.extra.get("needs_mask")
                                  and o.name not in NO_GRAD_AT_IDENTITY
                                  and any(p.continuous for p in o.params)])
def test_fit_can_leave_the_identity(name, full):
    # fitting starts from the defaults: some parameter must get a gradient there
    op = get_op(name)
    target = apply_op(op, full, STRONG[name])
    tensors = params_to_tensors(op, {})
    for p in op.params:
        if p.continuous:
            tensors[p.name] = tensors[p.name].clone().requires_grad_(True)
    (apply_op(op, full, tensors) - target).abs().mean().backward()
    grads = [tensors[p.name].grad for p in op.params if p.continuous]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert sum(g.abs().sum().item() for g in grads) > 0


# Short side for the resolution check where 192 px is too small: denoise's window has a floor
# of half a pixel below ~330 px; dehaze's patch is a whole number of pixels (1 px at 192).
RES_SIDE = {"denoise": 800, "dehaze": 512}


# Ops whose look is defined per pixel match to rounding; neighbourhood ops resample.
@pytest.mark.parametrize("name", [n for n in NAMES if n != "inpaint_obj"])
def test_resolution_independent(name, full, half, astronaut):
    op = get_op(name)
    if name in RES_SIDE:
        side = RES_SIDE[name]
        full = F.interpolate(to_tensor(astronaut), size=(side, side), mode="bilinear")
        if side == astronaut.shape[0]:
            full = to_tensor(astronaut)
        half = _resize(full, side // 2, side // 2)
    params = STRONG[name]
    mask_full = _mask_for(full) if op.extra.get("needs_mask") else None
    mask_half = None if mask_full is None else _resize(mask_full, *half.shape[-2:])
    at_half = apply_op(name, half, params, mask_half)
    at_full = apply_op(name, full, params, mask_full)
    down = _resize(at_full, *at_half.shape[-2:])
    # crop to the centre: border handling may differ by a pixel at the edge
    err = (down - at_half)[..., 2:-2, 2:-2].abs().mean().item()
    if op.geometric:
        assert err < 0.02
        return
    effect = (at_half - half).abs().mean().item()
    assert effect > 2e-3
    assert err < 0.15 * effect + 1e-3, (err, effect)


@pytest.mark.parametrize("name", [o.name for o in OPS if o.extra.get("pointwise")])
def test_pointwise_ops_ignore_neighbours(name, full):
    # ops flagged pointwise may be baked into lookup tables: shuffling pixels must commute
    perm = torch.randperm(full.shape[-1] * full.shape[-2], generator=torch.Generator().manual_seed(0))
    shuffled = full.flatten(2)[..., perm].reshape(full.shape)
    a = apply_op(name, shuffled, STRONG[name]).flatten(2)
    b = apply_op(name, full, STRONG[name]).flatten(2)[..., perm]
    assert (a - b).abs().max().item() < 1e-5


def test_out_of_range_values_are_clamped():
    op = get_op("brightness")
    assert op.validate({"amount": 99})["amount"] == op.param("amount").max
    assert op.validate({"amount": -99})["amount"] == op.param("amount").min
    pts = get_op("tint").validate({"points": [9] * 8})["points"]
    assert pts == [get_op("tint").param("points").max] * 8
    assert get_op("recolor").validate({"color": [2, -1, 0.5]})["color"] == [1.0, 0.0, 0.5]


def test_colour_by_name():
    assert get_op("recolor").validate({"color": "blue"})["color"] == [0.0, 0.0, 1.0]


@pytest.mark.parametrize(("name", "params"), [
    ("brightness", {"amount": "lots"}),
    ("brightness", {"amount": None}),
    ("brightness", {"amount": float("nan")}),
    ("brightness", {"strength": 0.2}),
    ("tint", {"points": [1, 1, 1]}),
    ("tint", {"points": "a,b"}),
    ("tint", {"points": [float("nan")] * 8}),
    ("recolor", {"color": "no-such-colour"}),
    ("flip", {"direction": "diagonal"}),
    ("rotate", {"mode": 3}),
])
def test_wrong_values_raise_user_error(name, params):
    with pytest.raises(UserError):
        get_op(name).validate(params)


def test_unknown_op_is_a_user_error():
    with pytest.raises(UserError):
        get_op("make_it_pop")
