"""The editor never waits for numba: renders take the reference path until a separate warm-up
process has compiled the fast path's kernels into the cache (core/fast/warm.py, readiness.py).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from lbie_desktop.core import render
from lbie_desktop.core.fast import warm
from lbie_desktop.core.fast.readiness import NUMBA_BROKEN, Readiness, State
from lbie_desktop.core.plan import Step
from lbie_desktop.core.render import Renderer

ROOT = Path(__file__).resolve().parents[1]
WARM_TIMEOUT_S = 1200  # one cold compile: ~30 s of CPU idle, minutes on a shared 2-core box


def _photo(h: int = 120, w: int = 160) -> np.ndarray:
    rng = np.random.default_rng(5)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([x / w, y / h, 0.5 + 0.4 * np.sin((x - y) / 7.0)], axis=-1) * 230
    return np.clip(base + rng.normal(0, 10, (h, w, 3)), 0, 255).astype(np.uint8)


def _chain(h: int, w: int) -> list[Step]:
    """Global colour ops, a soft-edged local step, a sharpen: every fast unit kind."""
    yy, xx = np.mgrid[0:h, 0:w]
    mask = np.clip(1.3 - np.hypot(xx - w / 2, yy - h / 2) / (0.35 * w), 0, 1).astype(np.float32)
    return [Step("brightness", {"amount": 0.2}), Step("saturation", {"amount": 0.3}),
            Step("exposure", {"stops": 0.3}),
            Step("contrast", {"amount": 0.4}, mask=mask),
            Step("sharpness", {"amount": 0.6, "radius": 1.5})]


@pytest.fixture
def readiness(monkeypatch) -> Readiness:
    """A readiness of the test's own for the renderer (the process's one is left alone)."""
    r = Readiness()
    monkeypatch.setattr(render, "FAST", r)
    return r


def test_warming_renders_take_the_reference_path_and_match_the_fast_one(readiness):
    rgb = _photo()
    steps = _chain(*rgb.shape[:2])
    readiness.set(State.WARMING)
    cold = Renderer(rgb)
    slow = cold.render(steps)
    assert {label.split()[0] for label, *_ in cold.last_timings} == {"ref"}
    readiness.set(State.READY)
    fast_r = Renderer(rgb)
    fast = fast_r.render(steps)
    assert "colour" in {label.split()[0] for label, *_ in fast_r.last_timings}
    diff = np.abs(slow.astype(int) - fast.astype(int))
    assert diff.max() <= 2, f"reference and fast differ by {diff.max()}/255"
    assert (slow != rgb).any()  # the chain did change the photo
    # the same renderer switches once the kernels are ready (its reference results are
    # keyed apart, never mixed into the fast chain)
    assert np.array_equal(cold.render(steps), fast)


def test_the_warming_path_touches_no_numba_kernel():
    """In a fresh process (nothing compiled or loaded yet): previews, a full-size render, its
    alpha and a big photo's copy all stay off numba while the kernels warm up."""
    code = textwrap.dedent("""
        import numpy as np
        from lbie_desktop.core import render
        from lbie_desktop.core.fast import warm
        from lbie_desktop.core.fast.readiness import State
        from tests.test_fast_warmup import _chain, _photo

        render.FAST.set(State.WARMING)
        render.PARALLEL_COPY_PIXELS = 0  # `render` would copy through a kernel on any size
        rgb = _photo(200, 240)
        r = render.Renderer(rgb, 96)
        for full in (False, True):
            h, w = (r.source if full else r.proxy).shape[:2]
            steps = _chain(h, w) + [render.Step("color_bg", {"mode": "transparent"},
                                                mask=np.ones((h, w), np.float32))]
            r.render(steps, full=full)
            r.render_view(steps[:3], full=full)
            r.render_rgba(steps, full=full)
        touched = {d.py_func.__name__: len(d.signatures) for d in warm._dispatchers()}
        print(sum(touched.values()), len(touched), touched)
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert out.returncode == 0, out.stderr[-3000:]
    n_sigs, n_kernels, detail = out.stdout.split(maxsplit=2)
    assert int(n_kernels) >= 10  # the kernels were found, so zero below means something
    assert n_sigs == "0", f"numba kernels used while warming: {detail}"


@pytest.mark.slow
def test_warm_up_process_fills_an_empty_cache_then_the_app_loads_it(tmp_path):
    """The one cold compile of the suite: the warm-up process on an empty NUMBA_CACHE_DIR."""
    cache = tmp_path / "numba-cache"
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "OMP_NUM_THREADS": "1"}
    r = Readiness()
    seen: list[State] = [r.state]
    r.subscribe(seen.append)
    w = warm.start(r, env=env)  # this checkout's `python -m lbie_desktop.core.fast.warm`
    assert r.state is State.WARMING
    assert w.wait(WARM_TIMEOUT_S) is State.READY, w.output[-3000:]
    assert seen == [State.COLD, State.WARMING, State.READY]
    assert list(cache.rglob("*.nbi")) and list(cache.rglob("*.nbc"))
    assert "0 loaded from the cache" in w.output  # it really compiled

    # a later launch: the stamp says warm, and every signature loads without compiling
    check = subprocess.run(
        [sys.executable, "-c", "from lbie_desktop.core.fast import warm; print(warm.is_warm())"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert check.stdout.strip() == "True", check.stderr[-2000:]
    again = warm.start(Readiness(), env=env)
    assert again.wait(WARM_TIMEOUT_S) is State.READY, again.output[-3000:]
    assert " 0 signatures compiled" in again.output, again.output[-2000:]
    print(f"warm-up wall time: cold {w.seconds:.1f} s, warm {again.seconds:.1f} s")

    # renders other than the warm-up's own (this file's chain, a photo loaded from disk as the
    # editor does, and a script's array) find every kernel they call in the cache
    code = textwrap.dedent("""
        import tempfile
        from pathlib import Path
        from lbie_desktop.core.fast import warm
        from lbie_desktop.core.render import Renderer
        from tests.test_fast_warmup import _chain, _photo

        preloaded = warm.preload()  # what the editor does once READY
        with tempfile.TemporaryDirectory() as d:
            loaded = warm._loaded(_photo(150, 170), Path(d))
        for rgb in (loaded, _photo(90, 110)):
            r = Renderer(rgb, 100)
            for full in (False, True):
                steps = _chain(*(r.source if full else r.proxy).shape[:2])
                for k in range(1, len(steps) + 1):
                    r.render_view(steps[:k], full=full)
                r.render(steps, full=full)
        print(preloaded, *warm.cache_counts())
    """)
    used = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert used.returncode == 0, used.stderr[-3000:]
    preloaded, compiled, loaded_n = map(int, used.stdout.split())
    assert compiled == 0, used.stdout  # nothing the renders called was missing
    assert preloaded == loaded_n >= 20, used.stdout  # all came in with the preload

    # an edited kernel source (an app update) is not warm any more
    stamp = next(cache.rglob(warm.STAMP_NAME))
    written = json.loads(stamp.read_text())
    written["key"]["index"][0][1] = "0" * 8
    stamp.write_text(json.dumps(written))
    check = subprocess.run(check.args, cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=300)
    assert check.stdout.strip() == "False", check.stderr[-2000:]


def test_a_warm_up_that_cannot_start_leaves_the_reference_path_with_a_reason(readiness,
                                                                              caplog):
    with caplog.at_level(logging.WARNING, logger="lbie_desktop"):
        w = warm.start(readiness, argv=[str(Path("/nonexistent") / "lbie-desktop")])
    assert w.wait(10) is State.FAILED
    assert "could not start the kernel warm-up" in readiness.reason
    assert "reference path" in caplog.text and "could not start" in caplog.text
    rgb = _photo()
    r = Renderer(rgb)
    r.render(_chain(*rgb.shape[:2]))
    assert {label.split()[0] for label, *_ in r.last_timings} == {"ref"}


def test_a_failing_warm_up_reports_its_last_words(readiness, caplog):
    argv = [sys.executable, "-c", "import sys; print('llvm said no'); sys.exit(3)"]
    with caplog.at_level(logging.WARNING, logger="lbie_desktop"):
        w = warm.start(readiness, argv=argv)
        assert w.wait(60) is State.FAILED
    assert "status 3" in readiness.reason and "llvm said no" in readiness.reason
    assert not readiness.use_fast()
    assert "llvm said no" in caplog.text


def test_without_numba_the_app_still_renders_through_the_reference_path():
    code = textwrap.dedent("""
        import sys
        sys.modules["numba"] = None  # as if the install had lost it: importing it fails
        from lbie_desktop.core import render
        from lbie_desktop.core.fast import warm
        from tests.test_fast_warmup import _chain, _photo

        w = warm.start(render.FAST)
        r = render.Renderer(_photo(), 64)
        out = r.render(_chain(*r.proxy.shape[:2]))
        print(render.FAST.state.value, w.running, int((out != r.proxy).any()))
        print(render.FAST.reason)
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert out.returncode == 0, out.stderr[-3000:]
    summary, reason = out.stdout.splitlines()[:2]
    assert summary == "failed False 1"  # no warm-up started, and the edit was rendered
    assert reason.startswith(NUMBA_BROKEN) and "numba" in out.stderr  # logged


def test_without_numba_no_warm_up_can_turn_the_fast_path_on():
    r = Readiness()
    r.set(State.FAILED, f"{NUMBA_BROKEN}: ImportError: no llvmlite")
    w = warm.start(r)
    assert not w.running and r.state is State.FAILED
    r.set(State.READY)
    assert not r.use_fast() and "llvmlite" in r.reason


def test_cold_means_compile_in_this_process(readiness):
    """The command line (no warm-up started) keeps the fast path: it needs the kernels."""
    assert readiness.state is State.COLD
    r = Renderer(_photo())
    r.render([Step("brightness", {"amount": 0.2})])
    assert [label.split()[0] for label, *_ in r.last_timings] == ["colour"]
