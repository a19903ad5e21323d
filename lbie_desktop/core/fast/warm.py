"""Compile the fast path's kernels into numba's cache, in a process of its own.

numba compiles a kernel per signature (dtypes, layout, read-only flags) on its first call,
holding the GIL: the 23 signatures the app uses took ~110 s of CPU here (2 shared cores),
a single edit's share of them over a minute in the editor. The editor runs
this module as a separate process at start (`start`), renders through the reference path
meanwhile (readiness.py), and switches to the fast path when it exits 0; the kernels then
load from the cache the process filled (the same NUMBA_CACHE_DIR, inherited).

The signatures are the ones the app's renders produce, so the warm-up renders: photos as
the app loads them (read-only pixels, a proxy smaller than the source) and as scripts pass
them (writable arrays), through every kind of render unit and the calls the editor makes.
With a warm cache the run only loads the kernels (6-9 s here, mostly imports and cache
loads), and the editor does not start it at all: the run leaves a stamp (`is_warm`).

    python -m lbie_desktop.core.fast.warm        # dev; the packaged app: lbie-desktop --warm-kernels
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from lbie_desktop.core.fast.readiness import FAST, NUMBA_BROKEN, Readiness, State
from lbie_desktop.logging_setup import log

WARM_FLAG = "--warm-kernels"  # on lbie-desktop (gui/app.py): the frozen app's entry
TIMEOUT_S = 900.0  # a cold compile is ~30 s of CPU; a loaded machine may take many times that


def command() -> list[str]:
    """How this app starts the warm-up: the bundle's own executable when frozen."""
    if getattr(sys, "frozen", False):
        return [sys.executable, WARM_FLAG]
    return [sys.executable, "-m", "lbie_desktop.core.fast.warm"]


# --- the warm-up process -------------------------------------------------------------------

def _photo(h: int, w: int, seed: int):
    """A smooth photo-like uint8 image with noise (many distinct colours, soft edges)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([x / w, y / h, 0.5 + 0.4 * np.sin((x + y) / 9.0)], axis=-1)
    noisy = base * 230 + rng.normal(0, 12, (h, w, 3))
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _loaded(rgb, folder: Path):
    """rgb as the editor gets it: written to a file, loaded, converted as Session does."""
    from PIL import Image

    from lbie_desktop.core.imageio import load_image, to_uint8

    path = folder / f"warm-{rgb.shape[1]}x{rgb.shape[0]}.png"
    Image.fromarray(rgb).save(path)
    return to_uint8(load_image(path).rgb)


def _masks(h: int, w: int):
    import numpy as np

    hard = np.zeros((h, w), np.float32)
    hard[h // 4: 3 * h // 4, w // 4: 3 * w // 4] = 1.0
    y, x = np.mgrid[0:h, 0:w]
    soft = np.clip(1.2 - np.hypot(x - w / 2, y - h / 2) / (0.4 * max(h, w)), 0, 1)
    return hard, soft.astype(np.float32), (soft > 0.5)  # the editor's brush masks are bool


def _chains():
    """Step lists covering every unit kind and hand-over between them."""
    from lbie_desktop.core.plan import Step

    def s(op: str, mask=None, **params) -> Step:
        return Step(op=op, params=params, mask=mask)

    hue = [1.0 + 0.05 * (i % 4) for i in range(24)]

    def chains(hard, soft, boolean):
        colour = [s("brightness", amount=0.2), s("contrast", amount=0.3),
                  s("contrast", amount=-0.2), s("saturation", amount=0.25),
                  s("exposure", stops=0.4), s("temperature", temperature=0.3, tint=0.0),
                  s("vibrance", amount=0.3), s("hue", points=hue)]
        return [
            colour,
            colour + [s("sharpness", amount=0.6, radius=1.5)],  # gather_unsharp
            [s("sharpness", amount=0.5, radius=1.0)],  # image_unsharp on uint8
            [s("shadows", amount=0.4), s("gaussian_blur", sigma=1.5)],  # on float
            [s("shadows", amount=0.3), s("brightness", amount=0.1)],  # index of a ref result
            [s("brightness", mask=hard, amount=0.3)],  # masked, compiled op
            [s("hue", mask=soft, points=hue)],  # masked, registry op, soft edge
            [s("saturation", mask=boolean, amount=-0.5), s("exposure", stops=0.2)],
            colour[:2] + [s("brightness", mask=soft, amount=-0.2),  # masked after a colour run
                          s("contrast", mask=hard, amount=0.2),  # masked after masked
                          s("sharpness", amount=0.4, radius=1.0)],  # blur of a blend
            [s("brightness", mask=soft, amount=0.2), s("shadows", amount=0.2)],  # blend -> f32
            [s("color_bg", mask=hard, mode="transparent"), s("brightness", amount=0.1)],
        ]

    return chains


def exercise(folder: Path) -> int:
    """Render what the app renders, so every kernel signature it calls gets compiled.
    Returns the number of renders."""
    import numpy as np

    from lbie_desktop.core.fast import kernels
    from lbie_desktop.core.plan import Step
    from lbie_desktop.core.render import Renderer

    make_chains = _chains()
    n = 0
    sources = [(_loaded(_photo(96, 128, 1), folder), 64),  # a photo bigger than its proxy
               (_loaded(_photo(72, 72, 2), folder), 2048),  # a small photo: its own proxy
               (_photo(80, 100, 3), 48)]  # a script's writable array
    for rgb, proxy in sources:
        r = Renderer(rgb, proxy)
        for full in (False, True):
            h, w = (r.source if full else r.proxy).shape[:2]
            for steps in make_chains(*_masks(h, w)):
                try:
                    r.render_view(steps, full=full)
                    r.render(steps, full=full)
                    r.render_rgba(steps, full=full)
                    r.render_alpha(steps, full=full)
                except ValueError:
                    continue  # an op refusing these params on this version: not a kernel's
                n += 1
            # a slider dragged on a sharpen step: the blurred copy is kept, then combined
            base = make_chains(*_masks(h, w))[0][:2]
            for amount in (0.3, 0.5, 0.7):
                r.render_view(base + [Step(op="sharpness", params={"amount": amount,
                                                                   "radius": 1.5})], full=full)
                n += 1
    for a in (np.zeros((4, 4, 3), np.uint8), _loaded(_photo(8, 8, 4), folder)):
        kernels.copy_rows(a, np.empty_like(a))  # `render` of a photo >= 8 MP
    return n


def _dispatchers() -> list:
    """The fast path's cached kernels (numba dispatchers)."""
    from numba.core.registry import CPUDispatcher

    from lbie_desktop.core.fast import blur_kernels, colour_kernels, index_kernels, kernels

    found = {id(v): v for mod in (kernels, colour_kernels, blur_kernels, index_kernels)
             for v in vars(mod).values()  # once each: kernels.py gives `gather` two aliases
             if isinstance(v, CPUDispatcher) and v.py_func.__module__ == mod.__name__
             and v._cache.__class__.__name__ == "FunctionCache"}
    return list(found.values())


def cache_counts() -> tuple[int, int]:
    """(signatures compiled, signatures loaded from the cache) in this process."""
    compiled = loaded = 0
    for d in _dispatchers():
        compiled += sum(d.stats.cache_misses.values())
        loaded += sum(d.stats.cache_hits.values())
    return compiled, loaded


def preload() -> int:
    """Load every kernel signature the cache holds for this machine into this process, so
    the first fast render does not (~2 s of loading here). For a worker thread of the app
    once READY; returns how many were loaded. Uses numba's cache index (internals): if they
    change, this loads nothing and the kernels load on first use as before."""
    n = 0
    for d in _dispatchers():
        try:
            cache = d._cache
            codegen = d.targetctx.codegen()
            for key in cache._cache_file._load_index():
                sig = key[0]
                # this machine's code for today's bytecode: sure to load, never to compile
                if key == cache._index_key(sig, codegen) and tuple(sig) not in d.overloads:
                    d.compile(tuple(sig))
                    n += 1
        except Exception as exc:  # noqa: BLE001 - an optimisation: first use loads them anyway
            log.info("kernel preload skipped %s: %s", d.py_func.__name__, exc)
    return n


# --- "the cache is warm": a stamp the warm-up leaves beside the cache -------------------------
# Checking it costs a few file stats, so a warm launch starts no process at all. numba keys
# its cache on each source file's stamp (an app update invalidates it), and its machine code
# on the CPU: the stamp records both, and which index files must exist.
STAMP_NAME = "lbie-warm.json"


def _cache_key() -> tuple[Path, dict]:
    import llvmlite.binding as llb
    import numba

    files = []
    folder = None
    for d in _dispatchers():
        cf = d._cache._cache_file  # numba internals: any change makes the stamp unreadable
        folder = Path(d._cache._cache_path)
        files.append([Path(cf._index_path).name, bytes(cf._source_stamp).hex()
                      if isinstance(cf._source_stamp, bytes) else repr(cf._source_stamp)])
    if folder is None:
        raise RuntimeError("no cached kernel")
    key = {"numba": numba.__version__, "python": sys.version.split()[0],
           "cpu": llb.get_host_cpu_name(), "index": sorted(files)}
    return folder, key


def is_warm() -> bool:
    """Did a warm-up fill the cache for these kernels, this numba and this CPU?"""
    try:
        folder, key = _cache_key()
        stamp = json.loads((folder / STAMP_NAME).read_text(encoding="utf-8"))
        return stamp["key"] == key and all((folder / name).is_file() for name in stamp["files"])
    except Exception:  # noqa: BLE001 - unreadable, missing, numba internals changed: not warm
        return False


def _write_stamp() -> None:
    from lbie_desktop.core.atomic import atomic_write_bytes

    folder, key = _cache_key()
    # the index files the warm-up left (a kernel the app never calls has none)
    files = [name for name, _ in key["index"] if (folder / name).is_file()]
    atomic_write_bytes(folder / STAMP_NAME,
                       json.dumps({"key": key, "files": files}, indent=1).encode())


def main(argv: Sequence[str] | None = None) -> int:
    """The warm-up process: exit 0 when every kernel is compiled and in the cache."""
    del argv
    t0 = time.perf_counter()
    if hasattr(os, "nice"):  # as BELOW_NORMAL_PRIORITY_CLASS on Windows: the UI comes first
        try:
            os.nice(5)
        except OSError:
            pass
    try:
        import torch

        torch.set_num_threads(1)  # small renders; the editor needs the other core
        with tempfile.TemporaryDirectory(prefix="lbie-warm-") as tmp:
            renders = exercise(Path(tmp))
        compiled, loaded = cache_counts()
        _write_stamp()
    except Exception as exc:  # noqa: BLE001 - the editor logs the reason and stays on reference
        import traceback

        traceback.print_exc()
        print(f"warm-up failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"warm-up: {renders} renders, {compiled} signatures compiled, {loaded} loaded from "
          f"the cache ({os.environ.get('NUMBA_CACHE_DIR') or 'beside the sources'}) in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    return 0


# --- the app's side ------------------------------------------------------------------------

class WarmUp:
    """The editor's warm-up: a process whose outcome goes to `readiness` (or none, when the
    cache is already warm or numba cannot load)."""

    def __init__(self, readiness: Readiness, argv: list[str] | None = None,
                 env: dict[str, str] | None = None):
        self.readiness = readiness
        self.argv = argv or []
        self.seconds: float | None = None  # wall time once finished
        self.output = ""
        self._proc: subprocess.Popen | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._t0 = time.perf_counter()
        if not argv:
            self.seconds = 0.0
            return
        readiness.set(State.WARMING)
        try:
            self._proc = subprocess.Popen(
                argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True, errors="replace",
                # no console window on Windows; below normal priority so the UI keeps its core
                creationflags=(getattr(subprocess, "CREATE_NO_WINDOW", 0)
                               | getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0)))
        except OSError as exc:
            self.seconds = 0.0
            readiness.set(State.FAILED, f"could not start the kernel warm-up ({argv[0]}): {exc}")
            return
        self._thread = threading.Thread(target=self._wait, name="lbie-warm-kernels", daemon=True)
        self._thread.start()

    def _wait(self) -> None:
        assert self._proc is not None
        try:
            out, _ = self._proc.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            out, _ = self._proc.communicate()
            self._finish(None, out, f"the kernel warm-up took over {TIMEOUT_S:.0f} s")
            return
        self._finish(self._proc.returncode, out, "")

    def _finish(self, rc: int | None, out: str, why: str) -> None:
        self.seconds = time.perf_counter() - self._t0
        self.output = out or ""
        last = (self.output.strip().splitlines() or [""])[-1]
        if self._stopped:
            self.readiness.set(State.FAILED, "the kernel warm-up was stopped")
        elif rc == 0:
            log.info("kernel warm-up done in %.1f s: %s", self.seconds, last)
            self.readiness.set(State.READY)
        else:
            why = why or f"the kernel warm-up exited with status {rc}"
            log.warning("kernel warm-up output:\n%s", self.output[-4000:])
            self.readiness.set(State.FAILED, f"{why}: {last}" if last else why)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> State:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.readiness.state

    def stop(self) -> None:
        """End the process (the editor is closing). The cache stays valid: numba writes each
        file whole and renames it; the stamp is written last."""
        if self._proc is not None and self._proc.poll() is None:
            self._stopped = True
            self._proc.terminate()


def start(readiness: Readiness = FAST, argv: list[str] | None = None,
          env: dict[str, str] | None = None) -> WarmUp:
    """Make the fast path ready without compiling in this process: READY at once when the
    cache is warm, else WARMING while a warm-up process (`command()`, or argv) fills it,
    then READY or FAILED. env: the child's environment (default: this process's, which
    holds the app's NUMBA_CACHE_DIR, set by core/fast/__init__)."""
    if readiness.state is State.FAILED and readiness.reason.startswith(NUMBA_BROKEN):
        log.info("kernel warm-up not started: %s", readiness.reason)
        return WarmUp(readiness)
    if readiness.state is State.WARMING:
        log.info("kernel warm-up already running")  # another window started it
        return WarmUp(readiness)
    if argv is None and env is None and is_warm():
        readiness.set(State.READY)
        return WarmUp(readiness)
    return WarmUp(readiness, argv or command(), dict(os.environ) if env is None else env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
