"""Reading and writing photos: EXIF orientation applied, metadata kept, clear errors, atomic saves.

Pillow decodes almost everything; two gaps are filled by libraries already installed:
Pillow reduces 16-bit RGB PNG/TIFF to 8 bits, so those go through OpenCV (PNG) and tifffile
(TIFF, also float and multi-sample TIFF Pillow cannot open). Every failure to decode becomes
a UserError naming the file: a bad file must never crash or hang the app.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms

from lbie_desktop.core.atomic import atomic_write_bytes
from lbie_desktop.errors import UserError

__all__ = ["LoadedImage", "load_image", "load_image_bytes", "save_image", "encode_image",
           "atomic_write_bytes", "MAX_PIXELS", "SAVE_FORMATS"]

# Refuse images whose size would not fit comfortably in memory (the renderer keeps float
# copies per step): 120 MP covers every current camera.
MAX_PIXELS = 120_000_000
# 120 MP at 16 bits with alpha, uncompressed, is ~1 GB.
MAX_FILE_BYTES = 2 * 2**30
# Keep the file's bytes in memory up to this size, so a session file can embed the exact
# original even if it changes on disk later; bigger files are re-read and hash-checked.
KEEP_BYTES_UP_TO = 64 * 2**20

SAVE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".tif": "TIFF", ".tiff": "TIFF",
                ".webp": "WEBP", ".bmp": "BMP"}
# tifffile logs every damaged tag it meets; the UserError already says the file is damaged.
logging.getLogger("tifffile").addHandler(logging.NullHandler())
logging.getLogger("tifffile").propagate = False

# Only photo formats: Pillow's other plugins (EPS, PDF, ...) may run external programs or
# mistake random bytes for an obscure format.
_READ_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "AVIF", "GIF", "BMP", "DIB", "PPM", "TGA")
_SAME_FORMAT = {"MPO": "JPEG"}  # a multi-picture JPEG is still a JPEG to the person
_ORIENT = {
    2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1], 4: lambda a: a[::-1],
    5: lambda a: a.swapaxes(0, 1), 6: lambda a: np.rot90(a, -1),
    7: lambda a: a.swapaxes(0, 1)[::-1, ::-1], 8: lambda a: np.rot90(a, 1),
}


@dataclass
class LoadedImage:
    rgb: np.ndarray  # HxWx3 uint8 or uint16, upright (EXIF orientation applied)
    alpha: np.ndarray | None = None  # HxW, same dtype as rgb
    path: Path | None = None
    format: str = ""
    exif: bytes | None = None
    icc_profile: bytes | None = None  # always describes `rgb` (CMYK/gray profiles are converted)
    notes: list[str] = field(default_factory=list)  # things the user should know
    sha256: str = ""  # of the file's bytes as read
    source_bytes: bytes | None = field(default=None, repr=False)  # the file, when small enough

    @property
    def size(self) -> tuple[int, int]:
        return self.rgb.shape[1], self.rgb.shape[0]

    @property
    def bit_depth(self) -> int:
        return 16 if self.rgb.dtype == np.uint16 else 8


# --- loading -------------------------------------------------------------------------------

def load_image(path: str | Path) -> LoadedImage:
    path = Path(path)
    if not path.exists():
        raise UserError(f"no such file: {path}")
    if path.is_dir():
        raise UserError(f"{path} is a folder, not an image")
    if not path.is_file():  # a pipe or device would block or never end
        raise UserError(f"{path} is not a regular file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UserError(f"{path.name} is {size / 2**30:.1f} GB; the largest supported file is "
                        f"{MAX_FILE_BYTES / 2**30:.0f} GB")
    try:
        data = path.read_bytes()
    except PermissionError:
        raise UserError(f"no permission to read {path}") from None
    except MemoryError:
        raise UserError(f"{path.name} is too large to open") from None
    except OSError as exc:
        raise UserError(f"could not read {path}: {exc.strerror or exc}") from None
    img = load_image_bytes(data, path.name)
    img.path = path
    return img


def load_image_bytes(data: bytes, name: str = "image") -> LoadedImage:
    """Decode an image file's bytes (as read from disk or from a session file)."""
    if not data:
        raise UserError(f"{name} is empty (0 bytes)")
    try:
        with warnings.catch_warnings():
            # Pillow warns about damaged tags it skips; the notes/errors say what matters.
            warnings.simplefilter("ignore")
            img = _decode(data, name)
    except UserError:
        raise
    except Image.DecompressionBombError:
        raise UserError(f"{name} declares an enormous size; refused to protect memory") from None
    except MemoryError:
        raise UserError(f"{name} is too large to open with the memory available") from None
    except Exception as exc:  # noqa: BLE001 - decoders raise anything on damaged data
        raise UserError(f"{name} is damaged or incomplete and could not be read "
                        f"({type(exc).__name__}: {_short(exc)})") from None
    img.sha256 = hashlib.sha256(data).hexdigest()
    img.source_bytes = data if len(data) <= KEEP_BYTES_UP_TO else None
    img.rgb = np.ascontiguousarray(img.rgb)
    if img.alpha is not None:
        img.alpha = np.ascontiguousarray(img.alpha)
    return img


def _decode(data: bytes, name: str) -> LoadedImage:
    notes: list[str] = []
    try:
        im = Image.open(io.BytesIO(data), formats=_READ_FORMATS)
    except Image.UnidentifiedImageError:
        if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
            return _decode_tiff(data, name, notes, exif=None, orientation=1)
        raise UserError(_not_an_image(data, name)) from None
    with im:
        fmt = _SAME_FORMAT.get(im.format or "", im.format or "")
        _check_size(im.size, name)
        _note_extension(name, fmt, notes)
        exif = im.info.get("exif") if isinstance(im.info.get("exif"), bytes) else None
        # Pillow decodes a whole PNG to look for an eXIf chunk after the pixels; skip that
        # when the file has none.
        has_exif = fmt != "PNG" or b"eXIf" in data
        orientation = _orientation(im, notes) if has_exif else 1
        if fmt == "PNG" and len(data) > 25 and data[24] == 16:
            return _decode_cv2_png(data, name, notes, exif, orientation, im.info)
        if fmt == "TIFF" and _tiff_is_deep(im):
            return _decode_tiff(data, name, notes, exif, orientation)
        if getattr(im, "is_animated", False):
            # Camera JPEGs often carry extra preview pictures (MPO): not worth a note.
            if im.format != "MPO":
                notes.append(f"{name} has several frames; editing the first")
            im.seek(0)
        im.load()
        icc = im.info.get("icc_profile") or None
        rgb, alpha, icc = _pil_to_arrays(im, icc, notes)
    return LoadedImage(_orient(rgb, orientation), _orient(alpha, orientation), None, fmt,
                       exif, icc, notes)


def _check_size(size: tuple[int, int], name: str) -> None:
    w, h = size
    if w <= 0 or h <= 0:
        raise UserError(f"{name} declares an empty size ({w}x{h})")
    if w * h > MAX_PIXELS:
        raise UserError(f"{name} is {w}x{h} ({w * h / 1e6:.0f} MP); the largest supported "
                        f"image is {MAX_PIXELS / 1e6:.0f} MP. Downscale it in another app first.")


def _note_extension(name: str, fmt: str, notes: list[str]) -> None:
    ext = Path(name).suffix.lower()
    said = Image.registered_extensions().get(ext, "")
    said = _SAME_FORMAT.get(said, said)
    if ext and said and fmt and said != fmt:
        notes.append(f"{name} is actually a {fmt} file (its name says {ext})")


def _orientation(im: Image.Image, notes: list[str]) -> int:
    try:
        value = im.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 - a corrupt EXIF block must not stop the photo opening
        notes.append("the photo's EXIF data is damaged; orientation and metadata ignored")
        return 1
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = 1
    return value if value in _ORIENT or value == 1 else 1


def _orient(a: np.ndarray | None, orientation: int) -> np.ndarray | None:
    if a is None or orientation not in _ORIENT:
        return a
    return np.ascontiguousarray(_ORIENT[orientation](a))


_MAGIC = [(b"\xff\xd8", "JPEG"), (b"\x89PNG", "PNG"), (b"GIF8", "GIF"), (b"II*\x00", "TIFF"),
          (b"MM\x00*", "TIFF"), (b"BM", "BMP")]


def _not_an_image(data: bytes, name: str) -> str:
    head = data[:512]
    kind = next((k for magic, k in _MAGIC if head.startswith(magic)), None)
    if kind is None and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = "WebP"
    if kind:
        return f"{name} looks like a {kind} file but is damaged and could not be read"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"hevc", b"mif1", b"msf1"):
        return (f"{name} is a HEIC photo, which this app cannot read yet; export it as JPEG "
                "(or set the camera to 'Most Compatible')")
    try:
        text = head.decode("utf-8")
        if text and all(c.isprintable() or c.isspace() for c in text):
            return f"{name} is not an image (it contains text)"
    except UnicodeDecodeError:
        pass
    return (f"{name} is not an image this app can read "
            "(supported: JPEG, PNG, TIFF, WebP, GIF, BMP)")


def _short(exc: Exception) -> str:
    s = str(exc) or "no details"
    return s if len(s) < 160 else s[:157] + "..."


# --- Pillow path -----------------------------------------------------------------------------

def _pil_to_arrays(im: Image.Image, icc: bytes | None, notes: list[str]
                   ) -> tuple[np.ndarray, np.ndarray | None, bytes | None]:
    mode = im.mode
    if mode.startswith("I;16") or mode == "I":
        a = np.asarray(im)
        if a.dtype != np.uint16:
            a = _int_to_uint16(a, notes)
        # A gray profile cannot describe the 3-channel pixels handed on: drop it.
        return _gray3(a.astype(np.uint16, copy=False)), None, None
    if mode == "F":
        return _gray3(_float_to_uint16(np.asarray(im), notes)), None, None
    space = _icc_space(icc, notes)
    if icc and space and space != "RGB" and mode in ("CMYK", "L") and \
            space == ("CMYK" if mode == "CMYK" else "GRAY"):
        # The profile describes CMYK/gray data: convert through it so colours stay right,
        # and carry the sRGB profile that now describes the pixels.
        try:
            srgb = ImageCms.createProfile("sRGB")
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            out = ImageCms.profileToProfile(im, src, srgb, outputMode="RGB")
            return np.asarray(out), None, ImageCms.ImageCmsProfile(srgb).tobytes()
        except (ImageCms.PyCMSError, OSError, ValueError):
            notes.append("the photo's colour profile could not be applied; colours may be off")
            icc = None
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or \
        (mode == "P" and "transparency" in im.info)
    if has_alpha:
        rgba = _as_array(im, "RGBA")
        icc = icc if space == "RGB" else None
        return rgba[..., :3], rgba[..., 3], icc
    rgb = _as_array(im, "RGB")
    return rgb, None, icc if space == "RGB" else None


_STRIP_PIXELS = 4_000_000


def _as_array(im: Image.Image, mode: str) -> np.ndarray:
    """`np.asarray(im.convert(mode))` in strips: the one-shot version briefly holds the
    pixels three times (Pillow's copy, its byte chunks, their join), ~1 GB for 100 MP."""
    w, h = im.size
    rows = max(1, _STRIP_PIXELS // w)
    if h <= rows:
        return np.asarray(im if im.mode == mode else im.convert(mode))
    out = np.empty((h, w, len(mode)), np.uint8)
    for y in range(0, h, rows):
        strip = im.crop((0, y, w, min(h, y + rows)))
        out[y:y + rows] = np.asarray(strip if strip.mode == mode else strip.convert(mode))
    return out


def _icc_space(icc: bytes | None, notes: list[str]) -> str | None:
    if not icc:
        return None
    try:
        return ImageCms.ImageCmsProfile(io.BytesIO(icc)).profile.xcolor_space.strip()
    except Exception:  # noqa: BLE001 - damaged profile: open the photo without it
        notes.append("the photo's colour profile is damaged and was ignored")
        return None


def _gray3(a: np.ndarray) -> np.ndarray:
    return np.repeat(a[..., None], 3, axis=2)


def _float_to_uint16(a: np.ndarray, notes: list[str]) -> np.ndarray:
    """Float pixels are taken as 0..1; data in another range is scaled to fit (with a note)."""
    a = np.nan_to_num(np.asarray(a, dtype=np.float32), nan=0.0, posinf=1.0, neginf=0.0)
    lo, hi = float(a.min(initial=0.0)), float(a.max(initial=0.0))
    if lo < 0.0 or hi > 1.0:
        span = hi - min(lo, 0.0)
        a = (a - min(lo, 0.0)) / span if span > 0 else np.zeros_like(a)
        notes.append(f"floating-point values ran from {lo:.3g} to {hi:.3g}; scaled to fit")
    return np.round(np.clip(a, 0, 1) * 65535).astype(np.uint16)


def _int_to_uint16(a: np.ndarray, notes: list[str]) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype == np.bool_:
        return a.astype(np.uint16) * 65535
    lo, hi = int(a.min(initial=0)), int(a.max(initial=0))
    if lo >= 0 and hi <= 65535:
        return a.astype(np.uint16)
    notes.append(f"pixel values ran from {lo} to {hi}; scaled to 16 bits")
    span = max(hi - min(lo, 0), 1)
    return np.round((a.astype(np.float64) - min(lo, 0)) / span * 65535).astype(np.uint16)


# --- 16-bit and float paths ------------------------------------------------------------------

def _decode_cv2_png(data: bytes, name: str, notes: list[str], exif: bytes | None,
                    orientation: int, info: dict) -> LoadedImage:
    import cv2

    # Check chunk CRCs and completeness first: Pillow raises cleanly, while libpng inside
    # OpenCV prints its complaints to the terminal.
    with Image.open(io.BytesIO(data), formats=("PNG",)) as check:
        check.verify()
    a = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if a is None:
        raise UserError(f"{name} is damaged or incomplete and could not be read")
    rgb, alpha = _split_channels(a, bgr=True)
    icc = info.get("icc_profile") or None
    icc = icc if _icc_space(icc, notes) == "RGB" else None
    return LoadedImage(_orient(rgb, orientation), _orient(alpha, orientation), None, "PNG",
                       exif, icc, notes)


def _tiff_is_deep(im: Image.Image) -> bool:
    tags = getattr(im, "tag_v2", {})
    bits = tags.get(258, 8)
    bits = max(bits) if isinstance(bits, tuple) else bits
    fmt = tags.get(339, 1)
    fmt = fmt[0] if isinstance(fmt, tuple) else fmt
    # Pillow keeps 16-bit gray and 32-bit float gray exactly; everything else deeper than
    # 8 bits it reduces or refuses.
    return (int(bits) > 8 or int(fmt) == 3) and im.mode not in ("I;16", "I;16B", "I;16L", "F")


def _decode_tiff(data: bytes, name: str, notes: list[str], exif: bytes | None,
                 orientation: int) -> LoadedImage:
    import tifffile

    try:
        with tifffile.TiffFile(io.BytesIO(data)) as tf:
            if not tf.pages:
                raise UserError(f"{name} holds no image")
            page = tf.pages.first
            shape = dict(zip(page.axes, page.shape))
            _check_size((shape.get("X", 0), shape.get("Y", 0)), name)
            if len(tf.pages) > 1:
                notes.append(f"{name} has several pages; editing the first")
            a = page.asarray()
            axes, photometric = page.axes, int(page.photometric)
            icc_tag = page.tags.get(34675)
            icc = bytes(icc_tag.value) if icc_tag is not None else None
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - tifffile raises many kinds on damaged files
        raise UserError(f"{name} is damaged or not a readable TIFF ({_short(exc)})") from None
    if a.ndim == 3 and axes.startswith("S"):
        a = np.moveaxis(a, 0, -1)
    a = a.reshape(a.shape[0], a.shape[1], -1) if a.ndim >= 2 else a
    if a.dtype.kind == "f":
        a = _float_to_uint16(a, notes)
    elif a.dtype not in (np.uint8, np.uint16):
        a = _int_to_uint16(a, notes)
    if photometric == 0:  # min-is-white
        a = np.iinfo(a.dtype).max - a
    if photometric == 5 and a.shape[2] >= 4:  # separated (CMYK), no profile handling here
        top = float(np.iinfo(a.dtype).max)
        c, m, y, k = (a[..., i].astype(np.float32) / top for i in range(4))
        a = np.round(np.stack([(1 - c), (1 - m), (1 - y)], -1) * (1 - k)[..., None] * top)
        a = a.astype(np.uint16 if top > 255 else np.uint8)
        icc = None
    rgb, alpha = _split_channels(a, bgr=False)
    if icc is not None and _icc_space(icc, notes) != "RGB":
        icc = None
    return LoadedImage(_orient(rgb, orientation), _orient(alpha, orientation), None, "TIFF",
                       exif, icc, notes)


def _split_channels(a: np.ndarray, *, bgr: bool) -> tuple[np.ndarray, np.ndarray | None]:
    if a.ndim == 2:
        return _gray3(a), None
    c = a.shape[2]
    if c == 1:
        return _gray3(a[..., 0]), None
    if c == 2:
        return _gray3(a[..., 0]), a[..., 1]
    rgb = a[..., 2::-1] if bgr else a[..., :3]
    return rgb, (a[..., 3] if c >= 4 else None)


# --- saving ----------------------------------------------------------------------------------

def save_image(path: str | Path, rgb: np.ndarray, *, alpha: np.ndarray | None = None,
               quality: int = 92, exif: bytes | None = None, icc_profile: bytes | None = None,
               original: str | Path | None = None, overwrite_original: bool = False,
               original_sha256: str | None = None) -> Path:
    """Save atomically (the previous file survives any failure).

    Refuses to overwrite `original` (the photo that was opened) unless `overwrite_original`;
    even then refuses if the original no longer matches `original_sha256` (someone changed
    it since it was opened, and overwriting would lose that).
    uint16 pixels stay 16-bit in PNG and TIFF; JPEG, WebP and BMP get 8 bits.
    """
    path = Path(path)
    if original is not None and _same_file(path, Path(original)):
        if not overwrite_original:
            raise UserError(f"refusing to overwrite the original photo {path.name}; "
                            "choose another name or confirm overwriting")
        if original_sha256 and _sha256_of(path) not in (original_sha256, None):
            raise UserError(f"{path.name} changed on disk since it was opened; overwriting it "
                            "would lose those changes, so save under another name")
    fmt = SAVE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UserError(f"unknown image type {path.suffix or '(no extension)'!r} for "
                        f"{path.name}; use .jpg, .png, .tif or .webp")
    data = encode_image(rgb, fmt, alpha=alpha, quality=quality, exif=exif,
                        icc_profile=icc_profile, name=path.name)
    atomic_write_bytes(path, data)
    return path


def encode_image(rgb: np.ndarray, fmt: str, *, alpha: np.ndarray | None = None,
                 quality: int = 92, exif: bytes | None = None, icc_profile: bytes | None = None,
                 name: str = "image") -> bytes:
    rgb = _as_rgb_array(rgb)
    if fmt in ("PNG", "TIFF") and rgb.dtype == np.uint16:
        return _encode16(rgb, fmt, alpha, exif, icc_profile)
    img = Image.fromarray(_to_uint8(rgb))
    if alpha is not None and fmt in ("PNG", "WEBP", "TIFF"):
        img = img.convert("RGBA")
        img.putalpha(Image.fromarray(_to_uint8(np.asarray(alpha))))
    kwargs: dict = {}
    if fmt in ("JPEG", "WEBP"):
        kwargs["quality"] = max(1, min(100, int(quality)))
    if exif and fmt != "BMP":
        kwargs["exif"] = _exif_without_orientation(exif)
    if icc_profile and fmt != "BMP":
        kwargs["icc_profile"] = icc_profile
    try:
        return _pil_encode(img, fmt, kwargs)
    except (OSError, ValueError, TypeError):
        # e.g. EXIF longer than a JPEG segment allows: the pixels matter more than metadata.
        kwargs.pop("exif", None)
        kwargs.pop("icc_profile", None)
    try:
        return _pil_encode(img, fmt, kwargs)
    except (OSError, ValueError, TypeError) as exc:
        raise UserError(f"could not encode {name} as {fmt}: {_short(exc)}") from None


def _pil_encode(img: Image.Image, fmt: str, kwargs: dict) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kwargs)
    return buf.getvalue()


def _as_rgb_array(rgb: np.ndarray) -> np.ndarray:
    a = np.asarray(rgb)
    if a.ndim == 2:
        a = _gray3(a)
    if a.ndim != 3 or a.shape[2] < 3 or a.shape[0] == 0 or a.shape[1] == 0:
        raise UserError(f"cannot save an image of shape {a.shape}")
    a = a[..., :3]
    if a.dtype.kind == "f":
        a = np.round(np.clip(np.nan_to_num(a), 0, 1) * 255).astype(np.uint8)
    elif a.dtype not in (np.uint8, np.uint16):
        a = np.clip(a, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(a)


def _encode16(rgb: np.ndarray, fmt: str, alpha: np.ndarray | None, exif: bytes | None,
              icc: bytes | None) -> bytes:
    arr = rgb
    if alpha is not None:
        a16 = np.asarray(alpha)
        a16 = a16.astype(np.uint16) * 257 if a16.dtype == np.uint8 else a16.astype(np.uint16)
        arr = np.dstack([rgb, a16])
    if fmt == "PNG":
        import cv2

        bgr = arr[..., [2, 1, 0, 3]] if arr.shape[2] == 4 else arr[..., ::-1]
        ok, buf = cv2.imencode(".png", np.ascontiguousarray(bgr))
        if not ok:
            raise UserError("could not encode a 16-bit PNG")
        return _png_with_metadata(buf.tobytes(), icc,
                                  _exif_without_orientation(exif) if exif else None)
    import tifffile

    out = io.BytesIO()
    extratags = [(34675, 7, len(icc), icc, True)] if icc else []
    # EXIF in TIFF is a sub-IFD tifffile cannot write; a 16-bit TIFF keeps its colour
    # profile but not its camera metadata.
    tifffile.imwrite(out, arr, photometric="rgb", compression="zlib",
                     extrasamples=("unassalpha",) if arr.shape[2] == 4 else None,
                     extratags=extratags)
    return out.getvalue()


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return len(payload).to_bytes(4, "big") + kind + payload + crc.to_bytes(4, "big")


def _png_with_metadata(png: bytes, icc: bytes | None, exif: bytes | None) -> bytes:
    """Insert iCCP and eXIf chunks right after IHDR (both must precede the pixel data)."""
    extra = b""
    if icc:
        extra += _png_chunk(b"iCCP", b"ICC profile\x00\x00" + zlib.compress(icc))
    if exif:
        extra += _png_chunk(b"eXIf", exif[6:] if exif.startswith(b"Exif\x00\x00") else exif)
    end_of_ihdr = 8 + 8 + 13 + 4
    return png[:end_of_ihdr] + extra + png[end_of_ihdr:]


def _sha256_of(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return a.samefile(b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def to_uint8(a: np.ndarray) -> np.ndarray:
    """uint16 (or float 0..1) pixels -> uint8, rounded; uint8 passes through."""
    return _to_uint8(a)


def _to_uint8(a: np.ndarray) -> np.ndarray:
    if a.dtype == np.uint16:
        return ((a.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    if a.dtype.kind == "f":
        return np.round(np.clip(a, 0, 1) * 255).astype(np.uint8)
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
