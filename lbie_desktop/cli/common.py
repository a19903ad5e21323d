"""Helpers shared by CLI subcommands."""

from __future__ import annotations

from pathlib import Path

from lbie_desktop.core.imageio import LoadedImage, load_image, save_image
from lbie_desktop.errors import UserError


def load(path: str) -> LoadedImage:
    return load_image(path)


def save_result(img: LoadedImage, rgb, out: str, quality: int = 92) -> Path:
    if not out:
        raise UserError("say where to save the result with -o OUT")
    return save_image(out, rgb, alpha=img.alpha, quality=quality, exif=img.exif,
                      icc_profile=img.icc_profile, original=img.path)
