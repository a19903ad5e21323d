"""Loading photos: orientation, bit depth, colour models, alpha, frames, and bad files.

Every file is generated in tmp_path from the scikit-image photos (no committed binaries).
"""

from __future__ import annotations

import io
import os
import struct
import time
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
import tifffile
from PIL import Image, ImageCms, ImageOps

from lbie_desktop.core.imageio import MAX_PIXELS, load_image, load_image_bytes
from lbie_desktop.errors import UserError


def _save_pil(path: Path, im: Image.Image, fmt: str | None = None, **kw) -> Path:
    im.save(path, fmt, **kw)
    return path


def _exif(orientation: int = 1, make: str = "LBIE test camera") -> bytes:
    e = Image.Exif()
    e[0x0112] = orientation
    e[0x010F] = make
    return e.tobytes()


# Made once: a new profile carries its creation time, so two calls can differ.
ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _srgb_icc() -> bytes:
    return ICC


def _deep(astronaut: np.ndarray) -> np.ndarray:
    # 16-bit data whose low byte matters, so an 8-bit reduction is detectable.
    rng = np.random.default_rng(0)
    a = astronaut[:96, :128].astype(np.uint16) * 257
    return (a + rng.integers(0, 200, a.shape)).astype(np.uint16)


# --- orientation -----------------------------------------------------------------------------

@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_comes_out_upright(tmp_path, astronaut, orientation):
    raw = Image.fromarray(astronaut[:60, :90])
    p = _save_pil(tmp_path / f"o{orientation}.png", raw, exif=_exif(orientation))
    img = load_image(p)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(p)).convert("RGB"))
    assert img.rgb.shape == expected.shape
    assert np.array_equal(img.rgb, expected)
    if orientation >= 5:
        assert img.size == (60, 90)  # width and height swap


def test_jpeg_rotated_by_exif_puts_the_top_left_corner_top_right(tmp_path):
    a = np.zeros((40, 80, 3), np.uint8)
    a[:10, :10] = 255  # white corner at top-left of the stored pixels
    p = _save_pil(tmp_path / "rot.jpg", Image.fromarray(a), exif=_exif(6), quality=95)
    img = load_image(p)
    assert img.rgb.shape == (80, 40, 3)
    assert img.rgb[:10, -10:].mean() > 200  # orientation 6 = rotate 90 clockwise
    assert img.rgb[:10, :10].mean() < 50


# --- formats and bit depths ------------------------------------------------------------------

def test_jpeg_keeps_exif_and_icc(tmp_path, astronaut):
    icc = _srgb_icc()
    p = _save_pil(tmp_path / "a.jpg", Image.fromarray(astronaut), exif=_exif(1), icc_profile=icc)
    img = load_image(p)
    assert img.format == "JPEG" and img.rgb.dtype == np.uint8
    assert img.icc_profile == icc
    e = Image.Exif()
    e.load(img.exif)
    assert e[0x010F] == "LBIE test camera"
    assert img.sha256 and img.source_bytes == p.read_bytes()


@pytest.mark.parametrize("ext", [".png", ".tif"])
def test_16bit_rgb_keeps_every_bit(tmp_path, astronaut, ext):
    deep = _deep(astronaut)
    p = tmp_path / f"deep{ext}"
    if ext == ".png":
        cv2.imwrite(str(p), deep[..., ::-1])
    else:
        tifffile.imwrite(p, deep, photometric="rgb")
    img = load_image(p)
    assert img.rgb.dtype == np.uint16 and img.bit_depth == 16
    assert np.array_equal(img.rgb, deep)


def test_16bit_rgba_png_keeps_16bit_alpha(tmp_path, astronaut):
    deep = _deep(astronaut)
    alpha = np.linspace(0, 65535, deep.shape[1]).astype(np.uint16)[None].repeat(deep.shape[0], 0)
    p = tmp_path / "deep-alpha.png"
    cv2.imwrite(str(p), np.dstack([deep[..., ::-1], alpha]))
    img = load_image(p)
    assert np.array_equal(img.rgb, deep) and np.array_equal(img.alpha, alpha)


@pytest.mark.parametrize("ext", [".png", ".tif"])
def test_16bit_gray_becomes_three_equal_16bit_channels(tmp_path, astronaut, ext):
    gray = _deep(astronaut)[..., 1]
    p = tmp_path / f"gray16{ext}"
    Image.fromarray(gray).save(p)
    img = load_image(p)
    assert img.rgb.dtype == np.uint16
    for c in range(3):
        assert np.array_equal(img.rgb[..., c], gray)


def test_16bit_png_with_exif_orientation_is_rotated(tmp_path, astronaut):
    deep = _deep(astronaut)
    ok, buf = cv2.imencode(".png", deep[..., ::-1])
    png = buf.tobytes()
    exif = _exif(8)[6:]  # eXIf holds the TIFF block without the "Exif\0\0" prefix
    chunk = struct.pack(">I", len(exif)) + b"eXIf" + exif + \
        struct.pack(">I", zlib.crc32(b"eXIf" + exif) & 0xFFFFFFFF)
    p = tmp_path / "deep-rot.png"
    p.write_bytes(png[:33] + chunk + png[33:])
    img = load_image(p)
    assert np.array_equal(img.rgb, np.rot90(deep, 1))


def test_float_tiff_gray_and_rgb(tmp_path, astronaut):
    f = astronaut[:64, :64].astype(np.float32) / 255.0
    Image.fromarray(f[..., 0]).save(tmp_path / "gray-f.tif")  # Pillow mode F
    tifffile.imwrite(tmp_path / "rgb-f.tif", f, photometric="rgb")  # Pillow cannot open
    gray = load_image(tmp_path / "gray-f.tif")
    rgb = load_image(tmp_path / "rgb-f.tif")
    assert gray.rgb.dtype == rgb.rgb.dtype == np.uint16
    assert np.abs(gray.rgb[..., 0] / 65535.0 - f[..., 0]).max() < 1e-4
    assert np.abs(rgb.rgb / 65535.0 - f).max() < 1e-4


def test_float_tiff_outside_0_1_is_scaled_with_a_note(tmp_path):
    f = np.linspace(0, 1000, 64 * 64, dtype=np.float32).reshape(64, 64)
    tifffile.imwrite(tmp_path / "hdr.tif", np.dstack([f, f, f]), photometric="rgb")
    img = load_image(tmp_path / "hdr.tif")
    assert img.rgb.max() == 65535 and img.rgb.min() == 0
    assert any("scaled" in n for n in img.notes)


def test_grayscale_jpeg_becomes_rgb(tmp_path, astronaut):
    gray = Image.fromarray(astronaut).convert("L")
    img = load_image(_save_pil(tmp_path / "g.jpg", gray, quality=95))
    assert img.rgb.shape == astronaut.shape
    assert np.array_equal(img.rgb[..., 0], img.rgb[..., 2])


def test_palette_png_with_transparency_gives_alpha(tmp_path):
    im = Image.new("P", (20, 10), 0)
    im.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    im.paste(1, (10, 0, 20, 10))
    im.info["transparency"] = 1
    img = load_image(_save_pil(tmp_path / "pal.png", im, transparency=1))
    assert img.alpha is not None
    assert (img.alpha[:, :10] == 255).all() and (img.alpha[:, 10:] == 0).all()
    assert tuple(img.rgb[0, 0]) == (255, 0, 0)


@pytest.mark.parametrize("mode,ext", [("LA", ".png"), ("RGBA", ".png"), ("RGBA", ".webp")])
def test_alpha_modes(tmp_path, astronaut, mode, ext):
    rgba = np.dstack([astronaut[:50, :60], np.tile(np.arange(60, dtype=np.uint8) * 4, (50, 1))])
    im = Image.fromarray(rgba, "RGBA").convert(mode)
    kw = {"lossless": True} if ext == ".webp" else {}
    img = load_image(_save_pil(tmp_path / f"a{ext}", im, **kw))
    assert img.alpha is not None and img.alpha.dtype == np.uint8
    assert np.array_equal(img.alpha, rgba[..., 3])


_PATCHES = [((0, 255, 255, 0), (255, 0, 0)), ((255, 0, 255, 0), (0, 255, 0)),
            ((255, 255, 0, 0), (0, 0, 255)), ((0, 0, 0, 255), (0, 0, 0)),
            ((0, 0, 0, 0), (255, 255, 255))]


def _cmyk_patches() -> np.ndarray:
    x = np.zeros((16, 16 * len(_PATCHES), 4), np.uint8)
    for i, (cmyk, _) in enumerate(_PATCHES):
        x[:, 16 * i:16 * i + 16] = cmyk
    return x


def _check_patches(rgb: np.ndarray) -> None:
    for i, (_, expected) in enumerate(_PATCHES):
        got = rgb[8, 16 * i + 8].astype(int)
        assert np.abs(got - expected).max() <= 8, (i, got, expected)


def test_cmyk_jpeg_converted_to_the_right_colours(tmp_path):
    p = _save_pil(tmp_path / "cmyk.jpg", Image.fromarray(_cmyk_patches(), "CMYK"), quality=98)
    img = load_image(p)
    assert img.rgb.shape[2] == 3 and img.icc_profile is None
    _check_patches(img.rgb)


def test_ycck_jpeg_converted_to_the_right_colours(tmp_path):
    # Encode YCC+K by hand (libjpeg's cmyk->ycck transform), then mark it YCCK in the Adobe
    # segment, as Photoshop-style files are.
    x = _cmyk_patches().astype(np.float64)
    r, g, b = 255 - x[..., 0], 255 - x[..., 1], 255 - x[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
    cr = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
    ycck = np.stack([y, cb, cr, x[..., 3]], -1).round().clip(0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(ycck, "CMYK").save(buf, "JPEG", quality=100)
    data = bytearray(buf.getvalue())
    i = data.find(b"Adobe")
    data[i + 11] = 2  # transform = YCCK
    p = tmp_path / "ycck.jpg"
    p.write_bytes(bytes(data))
    _check_patches(load_image(p).rgb)


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_animated_file_opens_first_frame_with_a_note(tmp_path, fmt):
    frames = [Image.new("RGB", (16, 16), c) for c in [(200, 30, 30), (0, 255, 0), (0, 0, 255)]]
    p = tmp_path / f"anim.{fmt.lower()}"
    kw = {"lossless": True} if fmt == "WEBP" else {}
    frames[0].save(p, fmt, save_all=True, append_images=frames[1:], duration=100, **kw)
    img = load_image(p)
    assert np.abs(img.rgb[8, 8].astype(int) - (200, 30, 30)).max() <= 3
    assert any("frames" in n and "first" in n for n in img.notes)


def test_extreme_shapes_open(tmp_path):
    tiny = load_image(_save_pil(tmp_path / "1x1.png", Image.new("RGB", (1, 1), (1, 2, 3))))
    assert tiny.rgb.shape == (1, 1, 3) and tuple(tiny.rgb[0, 0]) == (1, 2, 3)
    strip = load_image(_save_pil(tmp_path / "strip.png", Image.new("L", (20000, 20), 9)))
    assert strip.rgb.shape == (20, 20000, 3)


def test_right_image_wrong_extension_opens_with_a_note(tmp_path, astronaut):
    p = tmp_path / "really-a-png.jpg"
    Image.fromarray(astronaut).save(p, "PNG")
    img = load_image(p)
    assert np.array_equal(img.rgb, astronaut)
    assert any("actually a PNG" in n for n in img.notes)


def test_load_from_bytes_matches_load_from_file(tmp_path, coffee):
    p = _save_pil(tmp_path / "c.jpg", Image.fromarray(coffee))
    assert np.array_equal(load_image_bytes(p.read_bytes(), "c.jpg").rgb, load_image(p).rgb)


# --- bad files: a clear UserError, quickly ---------------------------------------------------

def _png_header_only(w: int, h: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + \
            struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _bad_files(tmp_path: Path, photo: np.ndarray) -> dict[str, tuple[Path, str]]:
    """name -> (file, a word the message must contain)."""
    good = {}
    for fmt, ext in [("JPEG", ".jpg"), ("PNG", ".png"), ("WEBP", ".webp"), ("TIFF", ".tif")]:
        buf = io.BytesIO()
        Image.fromarray(photo).save(buf, fmt)
        good[ext] = buf.getvalue()
    files: dict[str, tuple[bytes, str, str]] = {
        "empty": (b"", ".jpg", "empty"),
        "text": (b"hello, this is not a photo\n" * 20, ".jpg", "text"),
        "zip named png": (b"PK\x03\x04" + bytes(200), ".png", "not an image"),
        "pdf named jpg": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(100), ".jpg", "not an image"),
        "bomb png": (_png_header_only(100_000, 100_000), ".png", "enormous"),
        "too big png": (_png_header_only(12_000, 11_000), ".png", "MP"),
    }
    for ext, data in good.items():
        files[f"truncated {ext}"] = (data[: len(data) // 2], ext, "")
        files[f"header only {ext}"] = (data[:40], ext, "")
        flipped = bytearray(data)
        for i in range(20, min(400, len(data)), 7):  # wreck the headers and first tables
            flipped[i] ^= 0xFF
        files[f"bit-flipped {ext}"] = (bytes(flipped), ext, "")
    out = {}
    for name, (data, ext, word) in files.items():
        p = tmp_path / (name.replace(" ", "_") + ext)
        p.write_bytes(data)
        out[name] = (p, word)
    return out


def test_bad_files_give_a_clear_error_never_a_crash(tmp_path, astronaut):
    photo = astronaut[:128, :128]
    for name, (p, word) in _bad_files(tmp_path, photo).items():
        start = time.monotonic()
        try:
            img = load_image(p)
        except UserError as exc:
            msg = str(exc)
            assert p.name in msg, (name, msg)
            assert word in msg, (name, msg)
            assert "Traceback" not in msg
        else:
            # Some damage is survivable (e.g. flipped bytes inside JPEG entropy data); then the
            # result must still be a proper image.
            assert word == "", f"{name} opened but should have been refused"
            assert img.rgb.ndim == 3 and img.rgb.shape[2] == 3, name
        assert time.monotonic() - start < 20, f"{name} took too long"


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    p = tmp_path / "bomb.png"
    p.write_bytes(_png_header_only(30_000, 30_000))
    with pytest.raises(UserError, match=f"{MAX_PIXELS / 1e6:.0f} MP|enormous"):
        load_image(p)


def test_missing_and_folder_paths(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        load_image(tmp_path / "nope.jpg")
    with pytest.raises(UserError, match="folder"):
        load_image(tmp_path)


def test_damaged_exif_still_opens(tmp_path, astronaut):
    p = _save_pil(tmp_path / "e.jpg", Image.fromarray(astronaut[:32, :32]), exif=_exif(1))
    data = bytearray(p.read_bytes())
    i = data.find(b"Exif\x00\x00")
    data[i + 6:i + 14] = b"\xff" * 8  # destroy the TIFF header inside the EXIF block
    p.write_bytes(bytes(data))
    img = load_image(p)
    assert img.rgb.shape == (32, 32, 3)


def test_damaged_icc_profile_is_dropped_with_a_note(tmp_path, astronaut):
    p = _save_pil(tmp_path / "icc.png", Image.fromarray(astronaut[:32, :32]),
                  icc_profile=b"not a real profile" * 10)
    img = load_image(p)
    assert img.icc_profile is None
    assert any("profile" in n for n in img.notes)


def test_16bit_gray_alpha_png(tmp_path):
    w, h = 6, 4
    gray = (np.arange(w * h, dtype=np.uint16).reshape(h, w) * 2711)
    alpha = np.full((h, w), 40000, np.uint16)
    rows = np.dstack([gray, alpha]).astype(">u2")
    raw = b"".join(b"\x00" + rows[y].tobytes() for y in range(h))

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + \
            struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    p = tmp_path / "ga16.png"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 4, 0, 0, 0))
                  + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    img = load_image(p)
    assert img.rgb.dtype == np.uint16 and np.array_equal(img.rgb[..., 1], gray)
    assert np.array_equal(img.alpha, alpha)


@pytest.mark.parametrize("deep", [False, True])
def test_tiff_whose_page_chain_loops_opens_without_hanging(tmp_path, deep):
    buf = io.BytesIO()
    if deep:
        tifffile.imwrite(buf, np.full((8, 8, 3), 1234, np.uint16), photometric="rgb")
    else:
        Image.fromarray(np.full((8, 8, 3), 77, np.uint8)).save(buf, "TIFF")
    data = bytearray(buf.getvalue())
    ifd = struct.unpack("<I", data[4:8])[0]
    n = struct.unpack("<H", data[ifd:ifd + 2])[0]
    data[ifd + 2 + 12 * n: ifd + 6 + 12 * n] = struct.pack("<I", ifd)  # next IFD = itself
    p = tmp_path / "loop.tif"
    p.write_bytes(bytes(data))
    img = load_image(p)
    assert img.rgb[0, 0, 0] == (1234 if deep else 77)


def test_postscript_is_refused_without_running_anything(tmp_path):
    p = tmp_path / "drawing.jpg"
    p.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")
    with pytest.raises(UserError, match="not an image"):
        load_image(p)


@pytest.mark.parametrize("mode", ["RGB", "P", "CMYK"])
def test_large_images_convert_in_strips_identically(tmp_path, astronaut, mode, monkeypatch):
    from lbie_desktop.core import imageio

    monkeypatch.setattr(imageio, "_STRIP_PIXELS", 512 * 37)  # strips of 37 rows, last partial
    big = Image.fromarray(astronaut)
    big = big.convert(mode) if mode != "P" else big.quantize(64)
    p = tmp_path / ("big.tif" if mode == "CMYK" else "big.png")
    big.save(p)
    img = load_image(p)
    assert np.array_equal(img.rgb, np.asarray(Image.open(p).convert("RGB")))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX pipes and devices")
def test_pipe_or_device_is_refused_not_read_forever(tmp_path):
    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)
    with pytest.raises(UserError, match="not a regular file"):
        load_image(fifo)
    with pytest.raises(UserError, match="not a regular file"):
        load_image("/dev/zero")


def test_heic_gets_a_specific_message(tmp_path):
    p = tmp_path / "IMG_0001.HEIC"
    p.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200))
    with pytest.raises(UserError, match="HEIC"):
        load_image(p)


def test_camera_jpeg_with_preview_pictures_gets_no_frames_note(tmp_path, astronaut):
    p = tmp_path / "camera.jpg"
    Image.fromarray(astronaut).save(p, "MPO", save_all=True,
                                    append_images=[Image.fromarray(astronaut[::4, ::4])])
    img = load_image(p)
    assert img.format == "JPEG" and img.rgb.shape == astronaut.shape
    assert not any("frames" in n for n in img.notes)


# --- CMYK with its colour profile ------------------------------------------------------------

def _s15(x: float) -> bytes:
    return struct.pack(">i", int(round(x * 65536)))


def _cmyk_icc(corner_rgb) -> bytes:
    """A minimal ICC v2 CMYK output profile: one lut8 A2B0 table (2-point grid) mapping each
    ink corner to the Lab of `corner_rgb(c, m, y, k)`. Enough for LittleCMS to convert with."""
    import itertools

    from skimage.color import rgb2lab

    lut = b"mft1" + bytes(4) + bytes([4, 3, 2, 0])
    lut += b"".join(_s15(1.0 if r == c else 0.0) for r in range(3) for c in range(3))
    lut += bytes(range(256)) * 4
    for cmyk in itertools.product((0, 1), repeat=4):
        lab = rgb2lab(np.array(corner_rgb(*cmyk), float).reshape(1, 1, 3), illuminant="D50")
        L, a, b = lab[0, 0]
        lut += bytes(int(round(np.clip(v, 0, 255))) for v in (L * 2.55, a + 128, b + 128))
    lut += bytes(range(256)) * 3
    text = b"LBIE test press\0"
    desc = b"desc" + bytes(4) + struct.pack(">I", len(text)) + text + bytes(8 + 3 + 67)
    wtpt = b"XYZ " + bytes(4) + _s15(0.9642) + _s15(1.0) + _s15(0.8249)
    tags = [(b"desc", desc), (b"wtpt", wtpt), (b"A2B0", lut)]
    table, body, offset = b"", b"", 128 + 4 + 12 * len(tags)
    for sig, data in tags:
        body += bytes(-(offset + len(body)) % 4)
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    header = (struct.pack(">I", offset + len(body)) + bytes(4) + struct.pack(">I", 0x02100000)
              + b"prtrCMYKLab " + bytes(12) + b"acsp" + bytes(28) + _s15(0.9642) + _s15(1.0)
              + _s15(0.8249) + bytes(48))
    return header + struct.pack(">I", len(tags)) + table + body


def test_cmyk_jpeg_with_profile_is_converted_through_it(tmp_path):
    def press(c, m, y, k):  # a press whose cyan ink prints blue: unlike the naive formula
        if (c, m, y, k) == (1, 0, 0, 0):
            return (0.1, 0.3, 0.9)
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))

    icc = _cmyk_icc(press)
    x = np.zeros((16, 32, 4), np.uint8)
    x[:, :16] = (255, 0, 0, 0)  # cyan ink
    x[:, 16:] = (0, 255, 255, 0)  # red
    p = tmp_path / "press.jpg"
    Image.fromarray(x, "CMYK").save(p, quality=98, icc_profile=icc)
    img = load_image(p)
    cyan, red = img.rgb[8, 8].astype(int), img.rgb[8, 24].astype(int)
    assert cyan[2] > 200 and cyan[1] < 120  # blue-ish as the profile says, not (0,255,255)
    assert red[0] > 200 and red[1] < 60 and red[2] < 60
    space = ImageCms.ImageCmsProfile(io.BytesIO(img.icc_profile)).profile.xcolor_space
    assert space.strip() == "RGB"  # the CMYK profile no longer describes the pixels


def test_mutated_files_of_every_kind_open_or_are_refused(astronaut):
    """Seeded random damage (byte flips, truncation, spliced garbage) to every format we
    decode, including the OpenCV and tifffile paths: only UserErrors may come out."""
    import random

    a = astronaut[:48, :64]
    seeds = {}
    for fmt in ("JPEG", "PNG", "WEBP", "TIFF", "GIF", "BMP"):
        buf = io.BytesIO()
        Image.fromarray(a).save(buf, fmt)
        seeds[fmt] = buf.getvalue()
    seeds["PNG16"] = cv2.imencode(".png", a.astype(np.uint16) * 257)[1].tobytes()
    for key, arr in (("TIFF16", a.astype(np.uint16) * 257), ("TIFF32F", a / np.float32(255))):
        buf = io.BytesIO()
        tifffile.imwrite(buf, arr, photometric="rgb")
        seeds[key] = buf.getvalue()
    rng = random.Random(20261122)
    outcomes = {"opened": 0, "refused": 0}
    for _ in range(400):
        name, data = rng.choice(sorted(seeds.items()))
        d = bytearray(data)
        r = rng.random()
        if r < 0.4:
            for _ in range(rng.randint(1, 20)):
                d[rng.randrange(len(d))] = rng.randrange(256)
        elif r < 0.7:
            d = d[: rng.randrange(len(d))]
        else:
            j = rng.randrange(len(d))
            d[j:j + rng.randint(1, 64)] = rng.randbytes(rng.randint(0, 64))
        try:
            img = load_image_bytes(bytes(d), f"damaged-{name}")
        except UserError as exc:
            assert f"damaged-{name}" in str(exc)
            outcomes["refused"] += 1
        else:
            assert img.rgb.ndim == 3 and img.rgb.shape[2] == 3 and img.rgb.size
            outcomes["opened"] += 1
    assert outcomes["refused"] > 100 and outcomes["opened"] > 50
