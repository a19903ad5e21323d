"""Renderer behaviour: proxy and full size, per-step cache, chunking, masks across geometric
ops, alpha, exact re-renders."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from lbie_desktop.core import render as render_mod
from lbie_desktop.core.plan import Step
from lbie_desktop.core.render import Renderer, render_steps, to_tensor, to_uint8


@pytest.fixture(autouse=True)
def _torch_single_threaded():
    # small images: torch's own threads cost more than they save on a shared machine
    from lbie_desktop.core.fast.threads import single_threaded_torch

    with single_threaded_torch():
        yield


def _chain() -> list[Step]:
    return [Step("brightness", {"amount": 0.2}), Step("contrast", {"amount": 0.3}),
            Step("saturation", {"amount": 0.4}), Step("sharpness", {"amount": 0.8})]


def _big(img: np.ndarray, size=(3000, 2000)) -> np.ndarray:
    return np.asarray(Image.fromarray(img).resize(size, Image.Resampling.BICUBIC))


def test_preview_is_a_proxy_and_full_is_full_size(coffee):
    big = _big(coffee)
    r = Renderer(big)
    prev = r.render(_chain())
    full = r.render(_chain(), full=True)
    assert max(prev.shape[:2]) == 2048 and prev.shape[:2] == r.proxy.shape[:2]
    assert full.shape == big.shape
    # same look at both sizes: the preview is the full result, downsized
    small = np.asarray(Image.fromarray(full).resize(prev.shape[1::-1], Image.Resampling.LANCZOS))
    assert np.abs(small.astype(int) - prev).mean() < 3


def test_brighter_is_brighter_and_identity_is_the_source(astronaut):
    r = Renderer(astronaut)
    assert np.array_equal(r.render([Step("brightness", {"amount": 0.0})], full=True), astronaut)
    out = r.render([Step("brightness", {"amount": 0.3})], full=True)
    assert out.astype(float).mean() > astronaut.astype(float).mean() + 10


@pytest.mark.parametrize("fast", [True, False])
def test_changing_step_k_rerenders_from_k_only(fast, astronaut):
    r = Renderer(astronaut, fast=fast)
    chain = _chain()
    first = r.render(chain)
    r.stats["steps_run"] = 0
    assert np.array_equal(r.render(chain), first)
    assert r.stats["steps_run"] == 0  # nothing changed: all from the cache
    for k in (3, 1):
        # dragging step k's slider: the first move may redo the steps grouped with k in one
        # compiled pass (once, keeping what comes before k); every later move starts at k
        for i, amount in enumerate((0.5, 0.6, 0.7)):
            moved = list(chain)
            moved[k] = moved[k].copy(params={**moved[k].params, "amount": amount})
            r.stats["steps_run"] = 0
            out = r.render(moved)
            if i:
                assert r.stats["steps_run"] == len(chain) - k, (fast, k)
            assert np.array_equal(out, Renderer(astronaut, fast=fast).render(moved))
        r.render(chain)


def test_rerender_after_undo_is_byte_identical(coffee):
    r = Renderer(coffee)
    a = _chain()[:2]
    b = a + [Step("hue", {"points": [1.3] * 8 + [1.0] * 16}), Step("gaussian_blur", {"sigma": 0.5})]
    one = r.render(a, full=True).copy()
    two = r.render(b, full=True).copy()
    assert np.array_equal(r.render(a, full=True), one)
    assert np.array_equal(r.render(b, full=True), two)
    assert np.array_equal(Renderer(coffee).render(b, full=True), two)  # cold = cached


def test_local_step_changes_only_its_mask_and_chunks_agree(monkeypatch, astronaut):
    mask = np.zeros(astronaut.shape[:2], np.float32)
    mask[100:300, 150:400] = 1.0
    step = Step("saturation", {"amount": 0.8}, mask=mask)
    whole = Renderer(astronaut).render([step], full=True)
    monkeypatch.setattr(render_mod, "CHUNK_PIXELS", 512 * 37)  # many uneven row bands
    chunked = Renderer(astronaut).render([step], full=True)
    assert np.array_equal(whole, chunked)
    outside = mask == 0
    assert np.array_equal(chunked[outside], astronaut[outside])
    assert not np.array_equal(chunked[~outside], astronaut[~outside])


def test_mask_after_a_crop_is_resized_to_the_cropped_image(coffee):
    h, w = coffee.shape[:2]
    crop = Step("crop", {"left": 0.25, "right": 0.25})
    mask = np.zeros((h, w), np.float32)  # drawn on the uncropped photo: left half
    mask[:, : w // 2] = 1.0
    local = Step("brightness", {"amount": -0.5}, mask=mask)
    out = Renderer(coffee).render([crop, local], full=True)
    cropped = Renderer(coffee).render([crop], full=True)
    assert out.shape == cropped.shape and out.shape[1] < w
    cw = out.shape[1]
    assert np.array_equal(out[:, cw // 2 + 2:], cropped[:, cw // 2 + 2:])
    assert out[:, : cw // 2 - 2].mean() < cropped[:, : cw // 2 - 2].mean() - 20


def test_transparent_fill_sets_alpha_and_follows_a_flip(chelsea):
    h, w = chelsea.shape[:2]
    mask = np.zeros((h, w), np.float32)
    mask[:, : w // 3] = 1.0  # "background" on the left
    fill = Step("color_bg", {"mode": "transparent"}, mask=mask)
    r = Renderer(chelsea)
    rgba = r.render_rgba([fill], full=True)
    assert rgba.shape == (h, w, 4)
    assert (rgba[:, : w // 3 - 1, 3] == 0).all() and (rgba[:, w // 3 + 1:, 3] == 255).all()
    flipped = r.render_rgba([fill, Step("flip", {"direction": "horizontal"})], full=True)
    assert (flipped[:, -(w // 3) + 1:, 3] == 0).all() and (flipped[:, : -(w // 3) - 1, 3] == 255).all()
    # no alpha-setting op: opaque, and render() is the RGB part
    plain = r.render_rgba(_chain(), full=True)
    assert (plain[..., 3] == 255).all()
    assert np.array_equal(plain[..., :3], r.render(_chain(), full=True))
    assert r.render_alpha(_chain(), full=True) is None


def test_disabled_steps_are_skipped(coffee):
    r = Renderer(coffee)
    off = Step("brightness", {"amount": 0.9}, enabled=False)
    assert np.array_equal(r.render([off], full=True), coffee)


def test_reference_path_is_differentiable_and_renderer_is_not(coffee):
    amount = torch.tensor(0.2, requires_grad=True)
    x = to_tensor(coffee[::4, ::4])
    from lbie_desktop.core.ops import apply_op

    apply_op("brightness", x, {"amount": amount}).mean().backward()
    assert amount.grad is not None and float(amount.grad) > 0
    # render_steps on plain steps stays a plain float chain
    out = to_uint8(render_steps(x, _chain()))
    assert out.shape == (100, 150, 3)


def test_dragging_the_sharpness_slider_gives_the_same_bytes_as_a_fresh_render(astronaut):
    # dragging keeps the blurred copy and only recombines; the result must not depend on it
    r = Renderer(astronaut)
    chain = _chain()
    r.render(chain)
    for amount in (0.3, 0.9, 1.7):
        moved = chain[:3] + [chain[3].copy(params={**chain[3].params, "amount": amount})]
        dragged = r.render(moved)
        assert np.array_equal(dragged, Renderer(astronaut).render(moved)), amount
    assert r._blurred is not None  # the drag path was taken


def test_preview_and_full_renders_can_run_at_the_same_time(coffee):
    # the GUI renders full size in the background while the preview follows a slider
    from concurrent.futures import ThreadPoolExecutor

    r = Renderer(coffee, preview_long_side=300)
    chain = _chain()
    expect_full = Renderer(coffee).render(chain, full=True)
    with ThreadPoolExecutor(2) as pool:
        full = pool.submit(r.render, chain, full=True)
        previews = [pool.submit(r.render, chain[:2] + [chain[2].copy(
            params={"amount": 0.1 * i})]) for i in range(6)]
        assert np.array_equal(full.result(), expect_full)
        assert all(p.result().shape[1] == 300 for p in previews)


def test_results_are_the_callers_to_change(coffee):
    r = Renderer(coffee)
    out = r.render(_chain(), full=True)
    expect = out.copy()
    out[:] = 0  # e.g. a GUI drawing on it
    assert np.array_equal(r.render(_chain(), full=True), expect)
    assert np.array_equal(r.render([], full=True), coffee)
    r.render([], full=True)[:] = 0
    assert np.array_equal(r.render([], full=True), coffee)


def test_small_photo_preview_and_full_share_one_render(coffee):
    r = Renderer(coffee)  # 600 px: no proxy needed
    r.render(_chain())
    r.stats["steps_run"] = 0
    assert np.array_equal(r.render(_chain(), full=True), r.render(_chain()))
    assert r.stats["steps_run"] == 0


def test_render_view_is_the_render_read_only(coffee):
    r = Renderer(coffee, 128)
    view = r.render_view(_chain())
    assert np.array_equal(view, r.render(_chain()))
    with pytest.raises(ValueError):
        view[0, 0] = 0  # a look, not a copy: writing would corrupt the cache


def test_the_parallel_copy_of_a_big_result_is_the_callers_too(monkeypatch, coffee):
    monkeypatch.setattr(render_mod, "PARALLEL_COPY_PIXELS", 0)  # as for an 8 MP+ photo
    r = Renderer(coffee)
    out = r.render(_chain(), full=True)
    expect = out.copy()
    out[:] = 0
    assert np.array_equal(r.render(_chain(), full=True), expect)
    assert not np.array_equal(expect, coffee)


def test_a_busy_machine_renders_the_preview_single_threaded_with_the_same_bytes(
        monkeypatch, astronaut):
    import numba

    chain = _chain() + [Step("sharpness", {"amount": 0.8, "radius": 0.3})]
    quiet = Renderer(astronaut, 256).render(chain)
    seen = []
    real = render_mod.Renderer._render_locked

    def spy(self, steps, kind):
        seen.append(numba.get_num_threads())
        return real(self, steps, kind)

    monkeypatch.setattr(render_mod, "busy", lambda: True)
    monkeypatch.setattr(render_mod.Renderer, "_render_locked", spy)
    r = Renderer(astronaut, 256)
    assert np.array_equal(r.render(chain), quiet)
    r.render(chain, full=True)
    assert seen[0] == 1 and seen[1] == min(render_mod.workers(), numba.config.NUMBA_NUM_THREADS)


def test_dragging_a_local_step_shares_its_mask_and_matches_a_fresh_render(coffee):
    # each slider move is a copy of the step: the (validated) mask is shared, not copied,
    # so the renderer recognises it instead of copying, hashing and resizing it again
    h, w = coffee.shape[:2]
    mask = np.zeros((h * 2, w * 2), np.float32)  # drawn on a bigger image: resized to fit
    mask[h // 2: h, :] = 1.0
    mask[h: h + 40, :] = 0.5
    step = Step("contrast", {"amount": 0.3}, mask=mask)
    r = Renderer(coffee)
    r.render([step], full=True)
    for amount in (0.4, -0.5):
        moved = step.copy(params={"amount": amount})
        assert moved.mask is step.mask
        assert np.array_equal(r.render([moved], full=True),
                              Renderer(coffee).render([Step("contrast", {"amount": amount},
                                                            mask=mask.copy())], full=True))
    changed = step.copy(mask=np.ones_like(mask))
    assert changed.mask is not step.mask
    assert not np.array_equal(r.render([changed], full=True), r.render([step], full=True))
