"""The fast path against the reference (differentiable registry) path, on real photos.

Max abs error must stay within 1/255 for every op that has a fast kernel and for chains.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lbie_desktop.core.fast import blur, kinds
from lbie_desktop.core.fast.bench import global_chain
from lbie_desktop.core.fast.colour_table import ColourIndex
from lbie_desktop.core.ops import Param, all_ops, apply_op, get_op
from lbie_desktop.core.plan import Step
from lbie_desktop.core.render import Renderer, plan_units, render_steps, to_tensor, to_uint8


@pytest.fixture(autouse=True)
def _torch_single_threaded():
    # small images: torch's own threads cost more than they save on a shared machine
    from lbie_desktop.core.fast.threads import single_threaded_torch

    with single_threaded_torch():
        yield


def _moved(p: Param, towards: str) -> object:
    """A value of p away from its identity default, towards its max ("up") or min."""
    if p.kind == "choice":
        others = [c for c in p.choices if c != p.default]
        return others[-1 if towards == "up" else 0]
    if p.kind == "color":
        return [0.2, 0.55, 0.9] if towards == "up" else [0.9, 0.4, 0.1]
    end = p.max if towards == "up" else p.min
    if p.kind == "curve":
        d = list(p.default)
        wave = [0.7 if i % 3 == 0 else (0.35 if i % 3 == 1 else 0.0) for i in range(p.length)]
        return [v + w * (end - v) for v, w in zip(d, wave)]
    return float(p.default) + 0.7 * (end - float(p.default))


def _param_sets(name: str) -> list[dict]:
    op = get_op(name)
    sets = []
    for towards in ("up", "down"):
        params = {p.name: _moved(p, towards) for p in op.params}
        if not op.is_identity(op.validate(params)):
            sets.append(params)
    return sets


POINTWISE = sorted(o.name for o in all_ops() if kinds.is_pointwise(o))
CASES = [(n, i, ps) for n in POINTWISE for i, ps in enumerate(_param_sets(n))]


def _max_err(a: np.ndarray, b: np.ndarray) -> int:
    assert a.shape == b.shape
    return int(np.abs(a.astype(np.int16) - b.astype(np.int16)).max())


def _reference(img: np.ndarray, steps: list[Step]) -> np.ndarray:
    with torch.no_grad():
        return to_uint8(render_steps(to_tensor(img), steps))


def test_the_fast_path_covers_the_colour_ops():
    assert {"brightness", "contrast", "saturation", "tint", "hue", "exposure"} <= set(POINTWISE)


@pytest.mark.parametrize("name,i,params", CASES, ids=[f"{n}-{i}" for n, i, _ in CASES])
def test_pointwise_op_fast_matches_reference(name, i, params, astronaut, coffee):
    step = Step(name, params)
    for img in (astronaut, coffee):
        r = Renderer(img)
        fast = r.render([step], full=True)
        assert [u.kind for u in plan_units([step])] == ["colour"]
        assert _max_err(fast, _reference(img, [step])) <= 1, (name, params)


def _soft_mask(h: int, w: int) -> np.ndarray:
    """0 on the left third, a ramp across the middle, 1 on the right: soft edges included."""
    return np.clip((np.arange(w, dtype=np.float32) / w - 1 / 3) * 3, 0, 1)[None].repeat(h, 0)


@pytest.mark.parametrize("name,i,params", CASES, ids=[f"{n}-{i}" for n, i, _ in CASES])
def test_local_pointwise_op_fast_matches_reference(name, i, params, coffee):
    mask = _soft_mask(*coffee.shape[:2])
    step = Step(name, params, mask=mask)
    assert [u.kind for u in plan_units([step])] == ["masked"]
    fast = Renderer(coffee).render([step], full=True)
    assert _max_err(fast, _reference(coffee, [step])) <= 1, (name, params)
    assert np.array_equal(fast[mask == 0], coffee[mask == 0])  # untouched outside the mask


def test_local_step_after_a_colour_run_uses_its_exact_colours(astronaut):
    mask = _soft_mask(*astronaut.shape[:2])[::-1].copy()
    chain = [Step("contrast", {"amount": 0.6}), Step("saturation", {"amount": 0.8}),
             Step("exposure", {"stops": 1.0}, mask=mask), Step("sharpness", {"amount": 1.0})]
    assert [u.kind for u in plan_units(chain)] == ["colour", "masked", "blur"]
    assert _max_err(Renderer(astronaut).render(chain, full=True), _reference(astronaut, chain)) <= 1


@pytest.mark.parametrize("name", POINTWISE)
def test_ops_declared_pointwise_are(name, chelsea):
    # The colour table is only exact if the op really is a function of the pixel's colour:
    # shuffling the pixels before must give the shuffled result.
    params = _param_sets(name)[0]
    img = to_tensor(chelsea[::2, ::2])
    perm = torch.randperm(img.shape[-1] * img.shape[-2], generator=torch.Generator().manual_seed(0))
    flat = img.flatten(2)[..., perm].reshape(img.shape)
    with torch.no_grad():
        out = apply_op(name, img, params)
        a = out.flatten(2)[..., perm]
        b = apply_op(name, flat, params).flatten(2)
        # the colour table evaluates ops on a 1-row image of colours: same answer needed
        row = apply_op(name, img.reshape(1, 3, 1, -1), params).reshape(out.shape)
    assert torch.allclose(a, b, atol=1e-5), name
    assert torch.allclose(row, out, atol=1e-6), name


@pytest.mark.parametrize("params", [
    {"amount": 0.8, "radius": 0.2}, {"amount": 3.0, "radius": 0.05}, {"amount": -0.7, "radius": 0.5},
])
def test_sharpness_fast_matches_reference(params, astronaut, coffee):
    step = Step("sharpness", params)
    for img in (astronaut, coffee):
        assert blur.unsharp_spec(get_op("sharpness"), step.params, img.shape[:2]) is not None
        assert _max_err(Renderer(img).render([step], full=True), _reference(img, [step])) <= 1


@pytest.mark.parametrize("sigma", [0.3, 1.0, 1.5])
def test_gaussian_blur_fast_matches_reference(sigma, coffee):
    step = Step("gaussian_blur", {"sigma": sigma})
    assert blur.unsharp_spec(get_op("gaussian_blur"), step.params, coffee.shape[:2]) is not None
    assert _max_err(Renderer(coffee).render([step], full=True), _reference(coffee, [step])) <= 1


def test_large_blur_falls_back_to_the_reference(coffee):
    # sigma 5% of 400 px = 20 px: the registry blurs a downsampled copy; we run it as is
    step = Step("gaussian_blur", {"sigma": 5.0})
    assert blur.unsharp_spec(get_op("gaussian_blur"), step.params, coffee.shape[:2]) is None
    assert _max_err(Renderer(coffee).render([step], full=True), _reference(coffee, [step])) <= 1


def test_bench_chain_fast_matches_reference(astronaut, coffee, chelsea):
    chain = global_chain(sharpen=1.5)
    assert [u.kind for u in plan_units(chain)] == ["colour", "blur"]
    for img in (astronaut, coffee, chelsea):
        assert _max_err(Renderer(img).render(chain, full=True), _reference(img, chain)) <= 1


def test_chain_with_local_and_unknown_ops_falls_back(coffee):
    h, w = coffee.shape[:2]
    mask = np.zeros((h, w), np.float32)
    mask[: h // 2] = 1.0
    chain = [Step("contrast", {"amount": 0.4}), Step("saturation", {"amount": 0.5}),
             Step("brightness", {"amount": 0.3}, mask=mask), Step("dehaze", {"amount": 0.5}),
             Step("hue", {"points": [1.2] * 8 + [1.0] * 16})]
    kinds_ = [u.kind for u in plan_units(chain)]
    assert kinds_ == ["colour", "masked", "ref", "colour"]
    fast = Renderer(coffee).render(chain, full=True)
    slow = Renderer(coffee, fast=False).render(chain, full=True)
    # both quantise between units the same way only where they share units; stay close
    assert _max_err(fast, _reference(coffee, chain)) <= 2
    assert _max_err(slow, _reference(coffee, chain)) <= 2


def test_colour_index_round_trips_the_image(chelsea):
    idx = ColourIndex.build(chelsea)
    assert len(idx.colours) == len(np.unique(chelsea.reshape(-1, 3), axis=0))
    assert np.array_equal(idx.colours[idx.idx], chelsea)


def test_colour_index_numbers_the_corners_of_the_colour_cube(chelsea):
    # black, white and colours either side of a 64-colour word of the index's bitset
    corners = np.array([[0, 0, 0], [255, 255, 255], [0, 0, 63], [0, 0, 64], [255, 255, 254],
                        [0, 0, 63]], np.uint8)
    img = chelsea.copy()
    img[0, :6] = corners
    idx = ColourIndex.build(img)
    assert np.array_equal(idx.colours[idx.idx], img)
    packed = idx.colours.astype(np.int64) @ np.array([1 << 16, 1 << 8, 1])
    assert np.all(np.diff(packed) > 0)  # each colour once, in packed order
    assert idx.idx[0, 0] == 0 and idx.idx[0, 1] == len(idx.colours) - 1


def test_map_last_dim_joins_slices_and_survives_a_busy_pool(astronaut):
    from lbie_desktop.core.fast.threads import get_pool, map_last_dim

    t = ColourIndex.build(astronaut).tensor()  # ~100 k colours: several slices
    def fn(x):
        return apply_op("contrast", x, {"amount": 0.4}, None)

    whole = fn(t)
    assert torch.allclose(map_last_dim(fn, t, chunk=4096), whole, atol=1e-6, rtol=0)
    # called from the pool's own threads (every helper busy): the callers do the work
    futures = [get_pool().submit(map_last_dim, fn, t, 4096) for _ in range(8)]
    for f in futures:
        assert torch.allclose(f.result(timeout=60), whole, atol=1e-6, rtol=0)

    def bad(x):
        raise ValueError("bad slice")

    with pytest.raises(ValueError, match="bad slice"):
        map_last_dim(bad, t, chunk=4096)


def _colour_grid(n: int = 33) -> np.ndarray:
    """Every colour of an n^3 grid over the cube, corners included, as Ux3 uint8."""
    v = np.round(np.linspace(0, 255, n)).astype(np.uint8)
    return np.stack(np.meshgrid(v, v, v, indexing="ij"), -1).reshape(-1, 3)


@pytest.mark.parametrize("name,amount", [
    ("brightness", 0.4), ("brightness", -0.6), ("brightness", 2.0),
    ("contrast", 0.3), ("contrast", 1.0), ("contrast", -0.4), ("contrast", -1.0),
    ("saturation", 0.7), ("saturation", -1.0), ("saturation", 1.5),
])
def test_compiled_colour_ops_match_the_registry_on_every_colour(name, amount):
    from lbie_desktop.core.fast import colour_kernels

    colours = _colour_grid()
    ins = colour_kernels.instruction(get_op(name), {"amount": amount})
    assert ins is not None
    fast, fast8 = colour_kernels.run(colours, 255.0, [ins])
    t = torch.from_numpy(colours.T.astype(np.float32) / 255.0).reshape(1, 3, 1, -1)
    ref = apply_op(name, t, {"amount": amount}).reshape(3, -1).T.numpy()
    # float32 arithmetic in another order: a few ulps, far from a 1/255 step
    assert np.abs(fast - ref).max() < 2e-5
    # the uint8 table is the float one rounded as the per-pixel result is
    assert np.array_equal(fast8, np.round(fast * np.float32(255)).astype(np.uint8))


def test_a_replaced_op_function_is_not_compiled():
    import dataclasses

    from lbie_desktop.core.fast import colour_kernels

    op = get_op("contrast")
    assert colour_kernels.instruction(op, {"amount": 0.5}) is not None
    other = dataclasses.replace(op, fn=lambda img, p, mask: img * 0.5)
    assert colour_kernels.instruction(other, {"amount": 0.5}) is None


def test_mixed_colour_run_follows_a_slider_on_every_step(coffee):
    # compiled steps, a registry-only step (vibrance), LUT steps: the run hands colours
    # between compiled passes and torch, and resumes from the cache at the dragged step
    chain = [Step("brightness", {"amount": 0.2}), Step("contrast", {"amount": -0.3}),
             Step("vibrance", {"amount": 0.6}), Step("exposure", {"stops": 0.4}),
             Step("saturation", {"amount": 0.5}), Step("hue", {"points": [1.2] * 8 + [1.0] * 16}),
             Step("sharpness", {"amount": 0.8})]
    assert [u.kind for u in plan_units(chain)] == ["colour", "blur"]
    r = Renderer(coffee)
    moves = [(0, "amount", 0.1), (1, "amount", 0.4), (1, "amount", 0.2), (2, "amount", -0.5),
             (3, "stops", -0.3), (3, "stops", 0.6), (4, "amount", -0.4), (4, "amount", 0.9)]
    for k, name, value in moves:
        chain = list(chain)
        chain[k] = chain[k].copy(params={**chain[k].params, name: value})
        out = r.render(chain, full=True)
        assert _max_err(out, _reference(coffee, chain)) <= 1, (k, value)
        assert np.array_equal(out, Renderer(coffee).render(chain, full=True)), (k, value)


@pytest.mark.parametrize("name,amount", [("brightness", 0.5), ("contrast", -0.6),
                                         ("exposure", 0.8), ("vibrance", 0.7)])
def test_local_step_shown_directly_matches_its_float_result(name, amount, coffee):
    # A local step that ends the chain is rounded to uint8 straight from the colour tables:
    # the input's own pixels outside the mask and the op's rounded colours where the mask
    # is 1 (the same bytes as compositing in float and rounding); on the soft edge of a
    # photo's step the two rounded values are blended (within 1/255 of the float path)
    from lbie_desktop.core.render import _f32_to_u8

    mask = _soft_mask(*coffee.shape[:2])
    mask[:40] = 1.0
    hard = (mask == 0) | (mask == 1)
    assert (mask == 0).any() and (mask == 1).any() and not hard.all()
    key = "stops" if name == "exposure" else "amount"
    for before in ([], [Step("contrast", {"amount": 0.3}), Step("hue", {"points": [1.2] * 24})]):
        chain = [*before, Step(name, {key: amount}, mask=mask)]
        r = Renderer(coffee)
        shown = r.render(chain, full=True)
        frame = r._render(chain, True)
        assert frame.blend is not None
        floated = _f32_to_u8(frame.blend.f32())
        assert np.array_equal(shown[hard], floated[hard])
        assert _max_err(shown, floated) <= 1
        if before:  # the colour run's float colours, not uint8 pixels: blended in float
            assert np.array_equal(shown, floated)
        assert _max_err(shown, _reference(coffee, chain)) <= 1
        assert np.array_equal(shown, Renderer(coffee).render(chain, full=True))


@pytest.mark.parametrize("params", [
    {"amount": -0.8, "midpoint": 50.0, "feather": 50.0, "roundness": 0.0},
    {"amount": 1.5, "midpoint": 20.0, "feather": 5.0, "roundness": -100.0},
    {"amount": -2.0, "midpoint": 0.0, "feather": 100.0, "roundness": 100.0},
])
def test_vignette_fast_matches_reference_and_a_slider_move_reuses_the_falloff(params, astronaut,
                                                                               coffee):
    chain = [Step("contrast", {"amount": 0.3}), Step("vignette", params),
             Step("sharpness", {"amount": 0.5, "radius": 0.1})]
    assert [u.kind for u in plan_units(chain)] == ["colour", "gain", "blur"]
    for img in (astronaut, coffee):
        r = Renderer(img)
        assert _max_err(r.render(chain, full=True), _reference(img, chain)) <= 2
        # dragging Amount: only the vignette and what follows it run again
        moved = [chain[0], Step("vignette", {**params, "amount": params["amount"] / 2}),
                 chain[2]]
        got = r.render(moved, full=True)
        assert [t[0] for t in r.last_timings] == ["gain (vignette)", "blur (sharpness)"]
        assert _max_err(got, _reference(img, moved)) <= 2
