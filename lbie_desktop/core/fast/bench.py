"""`lbie bench`: the renderer's speed figures, measured side by side in one run.

Timings on a shared machine are noisy: each figure is the best of a few runs (sliders: the
median of many moves), given as wall time and as this process's CPU time (all threads),
which other processes disturb less.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from lbie_desktop.core.plan import Step

BENCH_SIZE = (5184, 3456)  # 18 MP, a common DSLR frame


def global_chain(sharpen: float = 0.5) -> list[Step]:
    """The 8-op global chain: seven colour/tone ops and a sharpen (radius 0.05% of the short
    side, a 1.7 px sigma on 18 MP: PIL's Sharpness works on a 3x3 neighbourhood)."""
    return [
        Step("brightness", {"amount": 0.15}),
        Step("contrast", {"amount": 0.25}),
        Step("saturation", {"amount": 0.3}),
        Step("exposure", {"stops": 0.2}),
        Step("tint", {"points": [1.15, 1.1, 1.0, 1.0, 0.95, 0.95, 1.0, 1.05]}),
        Step("hue", {"points": [1.05] * 8 + [1.0] * 8 + [0.95] * 8}),
        Step("temperature", {"temperature": 0.2}),
        Step("sharpness", {"amount": sharpen, "radius": 0.05}),
    ]


def bench_photo(size: tuple[int, int] = BENCH_SIZE) -> tuple[np.ndarray, str]:
    """An 18 MP photo made by upscaling scikit-image's astronaut (or, where scikit-image is
    not installed, the bundled sample photo)."""
    from PIL import Image

    try:
        from skimage import data

        src, name = Image.fromarray(data.astronaut()), "scikit-image astronaut"
    except ImportError:
        from lbie_desktop.paths import sample_photo

        src, name = Image.open(sample_photo()).convert("RGB"), "bundled sample photo"
    big = src.resize(size, Image.Resampling.BICUBIC)
    return (np.asarray(big),
            f"{name} ({src.width}x{src.height}) upscaled bicubic to {size[0]}x{size[1]}")


@dataclass
class Timing:
    wall: float  # seconds
    cpu: float  # seconds of CPU in this process, all threads


def _timed(fn: Callable[[], object]) -> Timing:
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    return Timing(time.perf_counter() - t0, time.process_time() - c0)


def idle_spin_ms(sleep_s: float = 0.03, repeat: int = 10) -> float:
    """CPU this process burns while its thread sleeps right after a tiny parallel kernel:
    numba's OpenMP workers spinning before they sleep (see fast/__init__.py)."""
    from lbie_desktop.core.fast.kernels import copy_rows

    a = np.zeros((64, 64, 3), np.uint8)
    b = np.empty_like(a)
    burnt = []
    for _ in range(repeat):
        copy_rows(a, b)
        c0 = time.process_time()
        time.sleep(sleep_s)
        burnt.append(time.process_time() - c0)
    return statistics.median(burnt) * 1000


def _best(fn: Callable[[], object], repeat: int) -> Timing:
    runs = [_timed(fn) for _ in range(repeat)]
    return Timing(min(r.wall for r in runs), min(r.cpu for r in runs))


@dataclass
class BenchResult:
    photo: str
    megapixels: float
    cores: int
    load: str
    pil: Timing
    ours_cold: Timing
    ours_warm: Timing
    proxy_size: tuple[int, int]
    sliders: dict[str, list[Timing]] = field(default_factory=dict)  # name -> one per move
    # slider name -> {unit label: one Timing per move} (what the renderer re-ran)
    stages: dict[str, dict[str, list[Timing]]] = field(default_factory=dict)
    max_err_full: int | None = None
    max_err_proxy: int = -1
    reference_s: float | None = None
    preview_threads: int = 0  # numba threads the slider renders used (1 when busy)
    spin_ms: float | None = None  # see idle_spin_ms

    @property
    def ratio(self) -> float:
        return self.ours_cold.wall / self.pil.wall

    def lines(self) -> list[str]:
        def t(x: Timing) -> str:
            return f"{x.wall * 1000:.0f} ms (CPU {x.cpu * 1000:.0f} ms)"

        out = [
            f"photo: {self.photo} ({self.megapixels:.1f} MP)",
            f"cores: {self.cores} (os.cpu_count); load average {self.load}; "
            "on a shared machine timings are noisy",
            f"PIL ImageEnhance brightness+contrast+color+sharpness: {t(self.pil)}",
            f"ours, 8-op global chain, full resolution, first render of the photo: "
            f"{t(self.ours_cold)}; ratio to PIL {self.ratio:.2f} wall, "
            f"{self.ours_cold.cpu / self.pil.cpu:.2f} CPU (target <= 0.5)",
            f"ours, same chain re-rendered (photo's colour index kept): {t(self.ours_warm)}; "
            f"ratio {self.ours_warm.wall / self.pil.wall:.2f} wall, "
            f"{self.ours_warm.cpu / self.pil.cpu:.2f} CPU",
        ]
        h, w = self.proxy_size
        if self.preview_threads:
            out.append(f"proxy renders: numba kernels on {self.preview_threads} thread(s) "
                       "(one when the load average is at least the core count)")
        if self.spin_ms is not None:
            out.append(f"CPU burnt by idle kernel threads in the 30 ms after a kernel: "
                       f"{self.spin_ms:.2f} ms (OpenMP spin; GOMP_SPINCOUNT="
                       f"{os.environ.get('GOMP_SPINCOUNT', 'unset')})")
        for name, moves in self.sliders.items():
            ms = [m.wall * 1000 for m in moves]
            cpu = statistics.median(m.cpu * 1000 for m in moves)
            out.append(f"slider change on the {w}x{h} proxy, {name} (median of {len(ms)}): "
                       f"{statistics.median(ms):.1f} ms (min {min(ms):.1f}; CPU {cpu:.1f} ms; "
                       "target <= 30)")
            for label, times in self.stages.get(name, {}).items():
                out.append(f"    {label}: {statistics.median(t.wall for t in times) * 1000:.1f}"
                           f" ms (CPU {statistics.median(t.cpu for t in times) * 1000:.1f} ms)")
        full = "not measured" if self.max_err_full is None else f"{self.max_err_full}/255"
        out.append(f"reference-vs-fast max abs error: full {full}, proxy "
                   f"{self.max_err_proxy}/255 (target <= 1)")
        if self.reference_s is not None:
            out.append(f"reference (differentiable torch) path, full resolution: "
                       f"{self.reference_s * 1000:.0f} ms")
        return out


def _slider(r, chain: list[Step], k: int, param: str, values: list[float]
            ) -> tuple[list[Timing], dict[str, list[Timing]]]:
    """Timings of each move, and per move the units the renderer re-ran (plus the rest:
    cache keys, the uint8 result and the caller's copy)."""
    r.render(chain)
    times: list[Timing] = []
    stages: dict[str, list[Timing]] = {}
    for v in values:
        moved = list(chain)
        moved[k] = moved[k].copy(params={**moved[k].params, param: v})
        total = _timed(lambda moved=moved: r.render(moved))
        times.append(total)
        units = [(label, Timing(wall, cpu)) for label, wall, cpu in r.last_timings]
        rest = Timing(total.wall - sum(t.wall for _, t in units),
                      total.cpu - sum(t.cpu for _, t in units))
        for label, t in [*units, ("rest (keys, uint8 result, copy)", rest)]:
            stages.setdefault(label, []).append(t)
    return times, stages


def run_bench(size: tuple[int, int] = BENCH_SIZE, repeat: int = 3, slider_moves: int = 25,
              reference: bool = True) -> BenchResult:
    from PIL import Image, ImageEnhance

    from lbie_desktop.core.render import Renderer, render_steps, to_tensor, to_uint8

    photo, desc = bench_photo(size)
    chain = global_chain()
    Renderer(photo[:64, :64]).render(chain, full=True)  # compile the kernels outside timings
    pil_img = Image.fromarray(photo)

    def pil() -> None:
        im = ImageEnhance.Brightness(pil_img).enhance(1.15)
        im = ImageEnhance.Contrast(im).enhance(1.25)
        im = ImageEnhance.Color(im).enhance(1.3)
        ImageEnhance.Sharpness(im).enhance(1.5)

    pil_t = _best(pil, repeat)
    colds = []
    for _ in range(repeat):
        fresh = Renderer(photo)  # the proxy is made when a photo opens, not timed here
        colds.append(_timed(lambda fresh=fresh: fresh.render(chain, full=True)))
        del fresh
    cold = Timing(min(c.wall for c in colds), min(c.cpu for c in colds))
    r = Renderer(photo)
    out_full = r.render(chain, full=True)

    def warm_full() -> None:
        r.clear_cache()  # drop the step results, keep the source's colour index
        r.render(chain, full=True)

    warm = _best(warm_full, repeat)
    from lbie_desktop.core.fast.threads import busy, workers

    preview_threads = 1 if busy() else workers()
    steps = [0.1 + 0.02 * i for i in range(slider_moves)]
    moves = {
        "contrast, step 2 of 8": _slider(r, chain, 1, "amount", steps),
        "temperature, step 7 of 8": _slider(r, chain, 6, "temperature", steps),
        "sharpness, step 8 of 8": _slider(r, chain, 7, "amount", [0.3 + s for s in steps]),
    }
    sliders = {name: m[0] for name, m in moves.items()}
    ref_s = err_full = None
    if reference:
        t0 = time.perf_counter()
        ref = to_uint8(render_steps(to_tensor(photo), chain))
        ref_s = time.perf_counter() - t0
        err_full = int(np.abs(ref.astype(np.int16) - out_full).max())
        del ref
    err_proxy = int(np.abs(to_uint8(render_steps(to_tensor(r.proxy), chain)).astype(np.int16)
                           - r.render(chain)).max())
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return BenchResult(desc, photo.shape[0] * photo.shape[1] / 1e6, os.cpu_count() or 1, load,
                       pil_t, cold, warm, r.proxy.shape[:2], sliders,
                       {name: m[1] for name, m in moves.items()}, err_full, err_proxy,
                       ref_s, preview_threads, idle_spin_ms())
