"""Generates the bad-image corpus (issue 9) into a folder: broken, strange and huge files.

Run directly to build a corpus and print what it holds:
    python tests/bad_images.py /tmp/corpus
Nothing here is committed as binaries; tests build the corpus in a temp folder.
"""

from __future__ import annotations

import io
import random
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

FORMATS = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP", "tif": "TIFF", "gif": "GIF",
           "bmp": "BMP"}


def _base(size: int = 64) -> Image.Image:
    from skimage import data

    return Image.fromarray(data.astronaut()).resize((size, size))


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def _png_bomb(w: int, h: int) -> bytes:
    """A valid PNG header declaring a w x h image with a tiny compressed body."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00" * (3 * min(w, 4096))
    body = zlib.compress(row * 16, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


# The transform a viewer applies for each EXIF orientation has this inverse; storing the
# inverse-transformed pixels means a correct loader shows the original rectangle.
_INVERSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
            4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
            6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_270}


def _with_orientation(img: Image.Image, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored = img.transpose(_INVERSE[orientation]) if orientation in _INVERSE else img
    return _encode(stored, "JPEG", exif=exif.tobytes(), quality=95)


def build(folder: str | Path) -> dict[str, str]:
    """Write the corpus; returns {file name: what kind of case it is}."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    kinds: dict[str, str] = {}
    rng = random.Random(1234)
    base = _base()
    rect = base.crop((0, 0, 64, 40))  # non-square, so orientation mistakes show

    def put(name: str, data: bytes, kind: str) -> None:
        (out / name).write_bytes(data)
        kinds[name] = kind

    good = {ext: _encode(base if fmt != "GIF" else base.convert("P"), fmt)
            for ext, fmt in FORMATS.items()}
    for ext, data in good.items():
        put(f"ok.{ext}", data, "valid")
        for frac in (0.05, 0.25, 0.5, 0.75, 0.95):
            put(f"truncated-{int(frac * 100)}.{ext}", data[: max(1, int(len(data) * frac))],
                "truncated")
        for seed in range(20):
            b = bytearray(data)
            for _ in range(1 + seed % 8):
                i = rng.randrange(len(b))
                b[i] ^= 1 << rng.randrange(8)
            put(f"bitflip-{seed:02d}.{ext}", bytes(b), "bit-flipped")
        put(f"empty.{ext}", b"", "zero bytes")
        put(f"text.{ext}", b"this is not an image\n" * 20, "text with image extension")
    exts = list(FORMATS)
    for i, ext in enumerate(exts):
        other = exts[(i + 1) % len(exts)]
        put(f"wrong-ext-{ext}-as.{other}", good[ext], "wrong extension")
        put(f"wrong-ext2-{ext}-as.{exts[(i + 3) % len(exts)]}", good[ext], "wrong extension")
    # decompression bombs: huge declared sizes
    put("bomb-100k.png", _png_bomb(100_000, 100_000), "decompression bomb")
    put("bomb-wide.png", _png_bomb(400_000, 2_000), "decompression bomb")
    put("bomb-gif.gif", b"GIF89a" + struct.pack("<HH", 65535, 65535) + b"\x00\x00\x00" +
        b"\x2c\x00\x00\x00\x00" + struct.pack("<HH", 65535, 65535) + b"\x00\x02\x02\x44\x01\x00\x3b",
        "decompression bomb")
    # bit depths and modes
    a16 = (np.asarray(base.convert("L"), dtype=np.uint16) * 257)
    put("gray16.png", _encode(Image.fromarray(a16), "PNG"), "16-bit")
    put("gray16.tif", _encode(Image.fromarray(a16), "TIFF"), "16-bit")
    put("float.tif", _encode(Image.fromarray(a16.astype(np.float32) / 65535.0), "TIFF"), "float")
    put("cmyk.jpg", _encode(base.convert("CMYK"), "JPEG"), "CMYK JPEG")
    put("cmyk.tif", _encode(base.convert("CMYK"), "TIFF"), "CMYK TIFF")
    pal = base.convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    put("palette-transparent.png", _encode(pal, "PNG", transparency=0), "palette + transparency")
    put("la.png", _encode(base.convert("LA"), "PNG"), "gray + alpha")
    put("rgba.png", _encode(base.convert("RGBA"), "PNG"), "alpha")
    put("rgba.webp", _encode(base.convert("RGBA"), "WEBP"), "alpha")
    put("bilevel.png", _encode(base.convert("1"), "PNG"), "1-bit")
    put("gray.jpg", _encode(base.convert("L"), "JPEG"), "grayscale")
    frames = [base.convert("P"), base.rotate(90).convert("P"), base.rotate(180).convert("P")]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    put("animated.gif", buf.getvalue(), "animated")
    buf = io.BytesIO()
    base.save(buf, "WEBP", save_all=True, append_images=[base.rotate(90)], duration=100)
    put("animated.webp", buf.getvalue(), "animated")
    for o in range(1, 9):
        put(f"orientation-{o}.jpg", _with_orientation(rect, o), f"EXIF orientation {o}")
    # corrupt metadata blocks
    jpg = _encode(base, "JPEG", quality=90)
    junk = bytes(rng.randrange(256) for _ in range(200))
    app1 = b"\xff\xe1" + struct.pack(">H", len(junk) + 8) + b"Exif\x00\x00" + junk
    put("corrupt-exif.jpg", jpg[:2] + app1 + jpg[2:], "corrupt EXIF")
    put("corrupt-icc.jpg", _encode(base, "JPEG", icc_profile=junk), "corrupt ICC")
    put("corrupt-icc.png", _encode(base, "PNG", icc_profile=junk), "corrupt ICC")
    # extreme shapes
    put("one-pixel.png", _encode(Image.new("RGB", (1, 1), (200, 10, 10)), "PNG"), "1x1")
    put("long-20000x20.png", _encode(Image.new("RGB", (20000, 20), (10, 200, 10)), "PNG"),
        "20000x20")
    return kinds


def build_huge(folder: str | Path, megapixels: int = 100) -> Path:
    """A real (not declared-only) image of `megapixels` MP, cheap to write as PNG."""
    side = int((megapixels * 1e6) ** 0.5)
    p = Path(folder) / f"huge-{megapixels}mp.png"
    Image.new("RGB", (side, side), (90, 120, 150)).save(p, "PNG", compress_level=1)
    return p


if __name__ == "__main__":
    k = build(sys.argv[1] if len(sys.argv) > 1 else "bad-images")
    print(f"{len(k)} files")
