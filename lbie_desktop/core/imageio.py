"""Reading and writing photos: EXIF orientation applied, metadata kept, clear errors, atomic saves."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from lbie_desktop.errors import UserError

# Refuse images whose declared size would not fit comfortably in memory.
MAX_PIXELS = 120_000_000


@dataclass
class LoadedImage:
    rgb: np.ndarray  # HxWx3 uint8 or uint16
    alpha: np.ndarray | None = None  # HxW, same dtype as rgb
    path: Path | None = None
    format: str = ""
    exif: bytes | None = None
    icc_profile: bytes | None = None
    notes: list[str] = field(default_factory=list)  # things the user should know

    @property
    def size(self) -> tuple[int, int]:
        return self.rgb.shape[1], self.rgb.shape[0]


def load_image(path: str | Path) -> LoadedImage:
    path = Path(path)
    if not path.exists():
        raise UserError(f"no such file: {path}")
    if path.is_dir():
        raise UserError(f"{path} is a folder, not an image")
    if path.stat().st_size == 0:
        raise UserError(f"{path.name} is empty (0 bytes)")
    try:
        with Image.open(path) as im:
            w, h = im.size
            if w * h > MAX_PIXELS:
                raise UserError(f"{path.name} is {w}x{h} ({w * h / 1e6:.0f} MP); the largest "
                                f"supported image is {MAX_PIXELS / 1e6:.0f} MP")
            fmt = im.format or ""
            notes = []
            if getattr(im, "n_frames", 1) > 1:
                notes.append(f"{path.name} has {im.n_frames} frames; editing the first")
            im.load()
            exif = im.info.get("exif")
            icc = im.info.get("icc_profile")
            im = ImageOps.exif_transpose(im)
            rgb, alpha = _to_arrays(im)
    except UserError:
        raise
    except Image.DecompressionBombError:
        raise UserError(f"{path.name} declares an enormous size; refused to protect memory") from None
    except (OSError, SyntaxError, ValueError, Image.UnidentifiedImageError) as exc:
        raise UserError(f"{path.name} could not be read as an image ({exc})") from None
    return LoadedImage(rgb, alpha, path, fmt, exif, icc, notes)


def _to_arrays(im: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        a = np.asarray(im, dtype=np.float64)
        a = np.clip(a, 0, 65535).astype(np.uint16)
        return np.repeat(a[..., None], 3, axis=2), None
    if mode == "F":
        a = np.nan_to_num(np.asarray(im, dtype=np.float32))
        lo, hi = float(a.min()), float(a.max())
        a = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
        a = (a * 65535).round().astype(np.uint16)
        return np.repeat(a[..., None], 3, axis=2), None
    has_alpha = mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in im.info)
    if has_alpha:
        rgba = np.asarray(im.convert("RGBA"))
        return np.ascontiguousarray(rgba[..., :3]), np.ascontiguousarray(rgba[..., 3])
    return np.asarray(im.convert("RGB")), None


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename over the target."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_image(path: str | Path, rgb: np.ndarray, *, alpha: np.ndarray | None = None,
               quality: int = 92, exif: bytes | None = None, icc_profile: bytes | None = None,
               original: str | Path | None = None, overwrite_original: bool = False) -> Path:
    """Save atomically. Refuses to overwrite `original` unless `overwrite_original`."""
    import io

    path = Path(path)
    if original is not None and not overwrite_original and path.exists() \
            and path.resolve() == Path(original).resolve():
        raise UserError(f"refusing to overwrite the original photo {path.name}; "
                        "choose another name or confirm overwriting")
    if not path.parent.exists():
        raise UserError(f"folder does not exist: {path.parent}")
    fmt = Image.registered_extensions().get(path.suffix.lower())
    if fmt is None:
        raise UserError(f"unknown image type {path.suffix!r}; use .jpg, .png, .tif or .webp")
    img = Image.fromarray(_to_uint8(rgb) if fmt in ("JPEG", "WEBP") else rgb)
    if alpha is not None and fmt in ("PNG", "WEBP", "TIFF"):
        img = img.convert("RGBA")
        img.putalpha(Image.fromarray(_to_uint8(alpha)))
    kwargs: dict = {}
    if fmt in ("JPEG", "WEBP"):
        kwargs["quality"] = int(quality)
    if exif:
        kwargs["exif"] = _exif_without_orientation(exif)
    if icc_profile:
        kwargs["icc_profile"] = icc_profile
    buf = io.BytesIO()
    try:
        img.save(buf, fmt, **kwargs)
    except (OSError, ValueError) as exc:
        raise UserError(f"could not encode {path.name} as {fmt}: {exc}") from None
    try:
        atomic_write_bytes(path, buf.getvalue())
    except OSError as exc:
        raise UserError(f"could not save {path}: {exc.strerror or exc}") from None
    return path


def _to_uint8(a: np.ndarray) -> np.ndarray:
    if a.dtype == np.uint16:
        return (a.astype(np.float32) / 257.0).round().astype(np.uint8)
    return a.astype(np.uint8, copy=False)


def _exif_without_orientation(exif: bytes) -> bytes:
    # Pixels are saved upright, so the orientation tag must say "normal" or viewers rotate twice.
    try:
        e = Image.Exif()
        e.load(exif)
        e[0x0112] = 1
        return e.tobytes()
    except Exception:  # noqa: BLE001 - corrupt EXIF is dropped rather than failing the save
        return b""
