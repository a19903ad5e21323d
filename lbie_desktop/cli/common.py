"""Helpers shared by CLI subcommands."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lbie_desktop.core.imageio import LoadedImage, load_image, save_image
from lbie_desktop.core.plan import Step
from lbie_desktop.core.render import Renderer
from lbie_desktop.errors import UserError


def fmt_value(v) -> str:
    """A parameter value as a person reads it: 3 significant digits, curves compact."""
    if isinstance(v, float):
        return f"{v:.3g}"
    if isinstance(v, list):
        return "[" + ",".join(f"{x:.2g}" for x in v) + "]"
    return str(v)


def describe(step: Step, *, why: bool = True) -> str:
    """One line per step: op, region, parameters, on/off and (optionally) why it was proposed."""
    state = "" if step.enabled else " (off)"
    where = f" on “{step.target}”" if step.local else ""
    params = ", ".join(f"{k}={fmt_value(v)}" for k, v in step.params.items())
    if not why:
        return f"{step.op}{where} ({params}){state}"
    reasons = f" [{'; '.join(step.evidence)}]" if step.evidence else ""
    return f"{step.op}{where} ({params}) conf {step.confidence:.2f}{state}{reasons}"


def load(path: str) -> LoadedImage:
    return load_image(path)


def save_result(img: LoadedImage, renderer: Renderer, steps: Sequence[Step], out: str,
                quality: int = 92) -> Path:
    """Render `steps` at full resolution and save with the photo's metadata.

    The alpha saved is the photo's own (when the geometry is unchanged) times whatever the
    steps made transparent (a transparent background fill), so PNG/WebP/TIFF keep both."""
    if not out:
        raise UserError("say where to save the result with -o OUT")
    rgb = renderer.render(steps, full=True)
    alpha = renderer.render_alpha(steps, full=True)
    if img.alpha is not None and img.alpha.shape == rgb.shape[:2]:
        src = img.alpha.astype(np.float32) / (65535.0 if img.alpha.dtype == np.uint16 else 255.0)
        alpha = src if alpha is None else src * alpha
    alpha_u8 = None if alpha is None else np.round(np.clip(alpha, 0, 1) * 255).astype(np.uint8)
    if alpha_u8 is not None and Path(out).suffix.lower() in (".jpg", ".jpeg") \
            and alpha_u8.min() < 255:
        print("note: JPEG has no transparency; save as .png to keep it")
    return save_image(out, rgb, alpha=alpha_u8, quality=quality, exif=img.exif,
                      icc_profile=img.icc_profile, original=img.path)
