"""`lbie bench --removal`: how well object removal restores the background, without hand labels.

An object cut-out (a person-like silhouette or a smooth blob, filled with the texture of
another photo) is pasted onto a real photo; removing it with the pasted mask (and with a
grounding-like mask whose boundary wanders a few px either side) should give back the photo
under it. "held" scenes add a ball touching the object, kept and marked `avoid` (a person
holding a ball): copies of it in the fill count as error. Figures on the hole (the object
plus its dilation): masked PSNR, masked mean absolute error (0..255) and SSIM, per photo and
overall, with the time per removal. Photos come in two halves: "tune" (changes were tried on
these) and "held-out" (only checked), so a change that helps only the tuned photos shows.
"""

from __future__ import annotations

import glob
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

Fill = Callable[..., np.ndarray]

OPENCV_DATA = "/usr/share/doc/opencv-doc/examples/data"
# backgrounds: scikit-image's photos and Debian's opencv-doc samples (scenes, not test charts)
TUNE = ["astronaut", "rocket", "cv:building", "cv:messi5", "cv:board", "cv:squirrel_cls"]
HELD_OUT = ["coffee", "chelsea", "cv:home", "cv:aero1", "cv:leuvenA", "cv:basketball1",
            "cv:fruits"]
TEXTURES = ["cv:baboon", "cv:orange", "cv:starry_night", "cv:apple", "cv:butterfly"]


def load_photo(name: str) -> np.ndarray | None:
    """RGB uint8, or None if its package is not installed."""
    if name.startswith("cv:"):
        files = glob.glob(os.path.join(OPENCV_DATA, name[3:] + ".*"))
        if not files:
            return None
        bgr = cv2.imread(files[0], cv2.IMREAD_COLOR)
        return None if bgr is None else cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    try:
        from skimage import data
    except ImportError:
        return None
    img = getattr(data, name)()
    return img[..., :3] if img.ndim == 3 else np.repeat(img[..., None], 3, axis=2)


def person_shape(h: int, w: int, cy: int, cx: int, height: int) -> np.ndarray:
    """A standing-person silhouette (head, torso, arms, legs) `height` px tall."""
    m = np.zeros((h, w), np.uint8)
    u = height / 8.0
    top = cy - height // 2
    cv2.ellipse(m, (cx, int(top + 0.6 * u)), (int(0.45 * u), int(0.6 * u)), 0, 0, 360, 1, -1)
    cv2.rectangle(m, (int(cx - 0.15 * u), int(top + 1.1 * u)), (int(cx + 0.15 * u),
                  int(top + 1.5 * u)), 1, -1)  # neck
    cv2.ellipse(m, (cx, int(top + 3.0 * u)), (int(1.0 * u), int(1.6 * u)), 0, 0, 360, 1, -1)
    for s in (-1, 1):  # arms and legs
        cv2.line(m, (int(cx + s * 0.8 * u), int(top + 1.9 * u)),
                 (int(cx + s * 1.3 * u), int(top + 4.2 * u)), 1, max(2, int(0.35 * u)))
        cv2.line(m, (int(cx + s * 0.4 * u), int(top + 4.2 * u)),
                 (int(cx + s * 0.6 * u), int(top + 7.9 * u)), 1, max(2, int(0.45 * u)))
    return m > 0


def blob_shape(h: int, w: int, cy: int, cx: int, radius: int, rng: np.random.Generator
               ) -> np.ndarray:
    """A smooth random star-shaped blob of about `radius` px."""
    t = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    r = radius * (1 + sum(rng.uniform(-0.18, 0.18) * np.cos(k * t + rng.uniform(0, 6.28))
                          for k in (2, 3, 5)))
    pts = np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], 1).round().astype(np.int32)
    m = np.zeros((h, w), np.uint8)
    cv2.fillPoly(m, [pts], 1)
    return m > 0


def grounding_like(mask: np.ndarray, rng: np.random.Generator, amp: float) -> np.ndarray:
    """The mask with its boundary moved by up to `amp` px either way, smoothly (as a
    segmenter's mask differs from the true outline: a fringe left here, background there)."""
    m8 = mask.astype(np.uint8)
    signed = (cv2.distanceTransform(m8, cv2.DIST_L2, 3)
              - cv2.distanceTransform(1 - m8, cv2.DIST_L2, 3))
    h, w = mask.shape
    noise = rng.standard_normal((max(2, h // 16), max(2, w // 16))).astype(np.float32)
    noise = cv2.resize(noise, (w, h), interpolation=cv2.INTER_CUBIC)
    noise /= max(1e-6, float(np.abs(noise).max()))
    return (signed + amp * noise) > 0


@dataclass
class Case:
    photo: str
    kind: str  # "person" | "blob" | "held" (person holding a kept ball, avoid)
    mask: str  # "exact" | "grounding"
    scene: np.ndarray  # photo with the object pasted
    truth: np.ndarray  # photo without it (with the kept ball for "held")
    hole: np.ndarray  # what to remove
    avoid: np.ndarray | None
    region: np.ndarray  # where figures are measured


def make_cases(photo: str, bg: np.ndarray, textures: list[np.ndarray], seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    h, w = bg.shape[:2]
    cases: list[Case] = []
    for i, kind in enumerate(("person", "blob", "held")):
        tex = textures[(seed + i) % len(textures)]
        tex = cv2.resize(tex, (w, h), interpolation=cv2.INTER_AREA)
        height = int(h * rng.uniform(0.3, 0.55))
        cx = int(rng.uniform(0.2, 0.8) * w)
        cy = int(rng.uniform(0.45, 0.6) * h)
        if kind == "blob":
            obj = blob_shape(h, w, cy, cx, height // 3, rng)
        else:
            obj = person_shape(h, w, cy, cx, height)
        truth = bg.copy()
        avoid = None
        if kind == "held":
            # a ball in the right hand, drawn over the person: kept, so `avoid`
            u = height / 8.0
            bc = (int(cx + 1.3 * u + 0.6 * u), int(cy - height // 2 + 4.2 * u))
            ball = np.zeros((h, w), np.uint8)
            cv2.circle(ball, bc, int(0.75 * u), 1, -1)
            ball = ball > 0
            btex = textures[(seed + i + 1) % len(textures)]
            btex = cv2.resize(btex, (w, h), interpolation=cv2.INTER_AREA)
            truth[ball] = btex[ball]
            obj &= ~ball
            avoid = ball
        scene = truth.copy()
        scene[obj] = tex[obj]
        amp = max(1.5, 0.012 * height)
        for mname in ("exact", "grounding"):
            hole = obj if mname == "exact" else grounding_like(obj, rng, amp)
            if avoid is not None:
                hole = hole & ~avoid
            region = cv2.dilate((obj | hole).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
            if avoid is not None:
                region &= ~avoid
            cases.append(Case(photo, kind, mname, scene, truth, hole, avoid, region))
    return cases


@dataclass
class Score:
    psnr: float
    mae: float
    ssim: float
    seconds: float
    object_mae: float  # the pasted scene's own error: what doing nothing scores


def score(out: np.ndarray, truth: np.ndarray, scene: np.ndarray, region: np.ndarray,
          seconds: float) -> Score:
    from skimage.metrics import structural_similarity

    d = out[region].astype(np.float64) - truth[region]
    mse = float((d ** 2).mean())
    psnr = 10 * np.log10(255.0 ** 2 / max(mse, 1e-6))
    ys, xs = np.nonzero(region)
    y0, y1 = max(0, ys.min() - 8), ys.max() + 9
    x0, x1 = max(0, xs.min() - 8), xs.max() + 9
    g_out = cv2.cvtColor(out[y0:y1, x0:x1], cv2.COLOR_RGB2GRAY)
    g_true = cv2.cvtColor(truth[y0:y1, x0:x1], cv2.COLOR_RGB2GRAY)
    _, smap = structural_similarity(g_true, g_out, full=True, data_range=255)
    ssim = float(smap[region[y0:y1, x0:x1]].mean())
    obj = float(np.abs(scene[region].astype(np.float64) - truth[region]).mean())
    return Score(psnr, float(np.abs(d).mean()), ssim, seconds, obj)


@dataclass
class RemovalBench:
    rows: list[tuple[str, str, str, Score]] = field(default_factory=list)  # half, photo, case
    big: list[tuple[str, float]] = field(default_factory=list)  # 18 MP timings
    skipped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = ["removal of pasted objects; figures on the hole (object + 2 px): PSNR dB "
               "(higher better), MAE 0..255 (lower), SSIM (higher), time per removal"]
        if self.skipped:
            out.append("skipped (not installed): " + ", ".join(self.skipped))
        for half in ("tune", "held-out"):
            rows = [r for r in self.rows if r[0] == half]
            if not rows:
                continue
            out.append(f"-- {half} --")
            for photo in dict.fromkeys(r[1] for r in rows):
                out.append(_fmt(f"  {photo}", [r[3] for r in rows if r[1] == photo]))
            for kind in ("person", "blob", "held", "exact", "grounding"):
                sel = [r[3] for r in rows if kind in r[2].split("/")]
                out.append(_fmt(f"  [{kind}]", sel))
            out.append(_fmt(f"{half} overall", [r[3] for r in rows]))
        for what, secs in self.big:
            out.append(f"18 MP: {what}: {secs:.2f} s")
        return out


def _fmt(label: str, scores: list[Score]) -> str:
    return (f"{label:<24} n={len(scores):<3} PSNR {np.mean([s.psnr for s in scores]):5.2f}  "
            f"MAE {np.mean([s.mae for s in scores]):5.2f}  "
            f"SSIM {np.mean([s.ssim for s in scores]):.3f}  "
            f"(object MAE {np.mean([s.object_mae for s in scores]):5.1f})  "
            f"{np.mean([s.seconds for s in scores]):.2f} s")


def run_removal_bench(fill: Fill | None = None, halves: tuple[str, ...] = ("tune", "held-out"),
                      big: bool = True, save_dir: str | None = None) -> RemovalBench:
    """Remove pasted objects from every photo; `fill(rgb, hole, avoid=...)` defaults to the
    app's inpainter. `save_dir`: write scene | result | truth PNGs side by side."""
    from lbie_desktop.core.inpaint import get_inpainter

    fill = fill or get_inpainter()
    res = RemovalBench()
    textures = [t for t in (load_photo(n) for n in TEXTURES) if t is not None]
    if not textures:
        res.skipped.append("texture photos (opencv-doc)")
        textures = [np.asarray(load_photo("astronaut"))[::-1]]
    names = {"tune": TUNE, "held-out": HELD_OUT}
    for half in halves:
        for k, photo in enumerate(names[half]):
            bg = load_photo(photo)
            if bg is None:
                res.skipped.append(photo)
                continue
            for case in make_cases(photo, bg, textures, seed=k + 17 * len(half)):
                t0 = time.perf_counter()
                out = fill(case.scene, case.hole, avoid=case.avoid)
                dt = time.perf_counter() - t0
                res.rows.append((half, photo, f"{case.kind}/{case.mask}",
                                 score(out, case.truth, case.scene, case.region, dt)))
                if save_dir:
                    os.makedirs(save_dir, exist_ok=True)
                    side = np.concatenate([case.scene, out, case.truth], axis=1)
                    fn = f"{half}-{photo.replace(':', '_')}-{case.kind}-{case.mask}.png"
                    cv2.imwrite(os.path.join(save_dir, fn), cv2.cvtColor(side, cv2.COLOR_RGB2BGR))
    if big:
        res.big = time_big(fill)
    return res


def time_big(fill: Fill, size: tuple[int, int] = (5184, 3456)) -> list[tuple[str, float]]:
    """Removal times on an 18 MP photo: a person a third of the frame tall, and a blob
    (a car, a sofa) of about a tenth of the frame."""
    bg = cv2.resize(np.asarray(load_photo("astronaut")), size, interpolation=cv2.INTER_CUBIC)
    w, h = size
    res = []
    for name, hole in (("person", person_shape(h, w, h // 2, w // 3, h // 3)),
                       ("blob", blob_shape(h, w, h // 2, w // 2, h // 5,
                                           np.random.default_rng(0)))):
        t0 = time.perf_counter()
        fill(bg, hole)
        res.append((f"{w}x{h}, {name} covering {hole.mean():.1%} of the frame",
                    time.perf_counter() - t0))
    return res
