"""`lbie bench`: the renderer's speed figures, measured side by side in one run.

Timings on a shared machine are noisy: every figure is the best (or median) of a few runs.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

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
    from PIL import Image
    from skimage import data

    src = Image.fromarray(data.astronaut()).resize(size, Image.Resampling.BICUBIC)
    return np.asarray(src), f"scikit-image astronaut (512x512) upscaled bicubic to {size[0]}x{size[1]}"


def _best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


@dataclass
class BenchResult:
    photo: str
    megapixels: float
    cores: int
    pil_s: float
    ours_cold_s: float
    ours_warm_s: float
    slider_ms_median: float
    slider_ms_all: list[float]
    proxy_size: tuple[int, int]
    max_err_full: int
    max_err_proxy: int
    reference_s: float | None

    @property
    def ratio(self) -> float:
        return self.ours_cold_s / self.pil_s

    def lines(self) -> list[str]:
        out = [
            f"photo: {self.photo} ({self.megapixels:.1f} MP)",
            f"cores: {self.cores} (os.cpu_count); shared machine, timings are noisy",
            f"PIL ImageEnhance brightness+contrast+color+sharpness: {self.pil_s * 1000:.0f} ms",
            f"ours, 8-op global chain, full resolution, first render of the photo: "
            f"{self.ours_cold_s * 1000:.0f} ms (ratio to PIL {self.ratio:.2f}; target <= 0.5)",
            f"ours, same chain, colour index cached (re-render of the full photo): "
            f"{self.ours_warm_s * 1000:.0f} ms (ratio {self.ours_warm_s / self.pil_s:.2f})",
            f"slider change on the {self.proxy_size[1]}x{self.proxy_size[0]} proxy "
            f"(median of {len(self.slider_ms_all)}): {self.slider_ms_median:.1f} ms (target <= 30)",
            f"reference-vs-fast max abs error: full {self.max_err_full}/255, "
            f"proxy {self.max_err_proxy}/255 (target <= 1)",
        ]
        if self.reference_s is not None:
            out.append(f"reference (differentiable torch) path, full resolution: "
                       f"{self.reference_s * 1000:.0f} ms")
        return out


def run_bench(size: tuple[int, int] = BENCH_SIZE, repeat: int = 3, slider_moves: int = 15,
              reference: bool = True) -> BenchResult:
    from PIL import ImageEnhance

    from lbie_desktop.core.render import Renderer, render_steps, to_tensor, to_uint8

    photo, desc = bench_photo(size)
    chain = global_chain()
    warm = Renderer(photo[:64, :64])  # compile the numba kernels outside the timings
    warm.render(chain, full=True)

    from PIL import Image

    pil_img = Image.fromarray(photo)

    def pil() -> None:
        im = ImageEnhance.Brightness(pil_img).enhance(1.15)
        im = ImageEnhance.Contrast(im).enhance(1.25)
        im = ImageEnhance.Color(im).enhance(1.3)
        ImageEnhance.Sharpness(im).enhance(1.5)

    pil_s = _best(pil, repeat)

    cold_times = []
    for _ in range(repeat):
        fresh = Renderer(photo)  # the proxy is made when a photo opens, not timed here
        t0 = time.perf_counter()
        fresh.render(chain, full=True)
        cold_times.append(time.perf_counter() - t0)
        del fresh
    ours_cold = min(cold_times)
    r = Renderer(photo)
    out_full = r.render(chain, full=True)

    def warm_full() -> None:
        r.clear_cache()  # drop the step results, keep the source's colour index
        r.render(chain, full=True)

    ours_warm = _best(warm_full, repeat)

    # slider: move the contrast slider (step 2 of 8) on the proxy, as a person drags it
    r.render(chain)
    slider = []
    for i in range(slider_moves):
        moved = list(chain)
        moved[1] = Step("contrast", {"amount": 0.1 + 0.02 * i})
        t0 = time.perf_counter()
        r.render(moved)
        slider.append((time.perf_counter() - t0) * 1000)

    ref_s = None
    err_full = -1
    if reference:
        t0 = time.perf_counter()
        ref = to_uint8(render_steps(to_tensor(photo), chain))
        ref_s = time.perf_counter() - t0
        err_full = int(np.abs(ref.astype(np.int16) - out_full).max())
        del ref
    proxy = r.proxy
    err_proxy = int(np.abs(to_uint8(render_steps(to_tensor(proxy), chain)).astype(np.int16)
                           - r.render(chain)).max())
    return BenchResult(desc, photo.shape[0] * photo.shape[1] / 1e6, os.cpu_count() or 1, pil_s,
                       ours_cold, ours_warm, statistics.median(slider), slider,
                       proxy.shape[:2], err_full, err_proxy, ref_s)
