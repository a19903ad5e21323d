"""Saving photos: metadata kept, 16 bits kept, atomic, the original protected, clear errors."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest
import tifffile
from PIL import Image, ImageCms

from lbie_desktop.core import atomic
from lbie_desktop.core.imageio import load_image, save_image
from lbie_desktop.errors import UserError

REPO = Path(__file__).resolve().parent.parent


# Made once: a new profile carries its creation time, so two calls can differ.
ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _icc() -> bytes:
    return ICC


def _exif(orientation: int) -> bytes:
    e = Image.Exif()
    e[0x0112] = orientation
    e[0x010F] = "LBIE test camera"
    return e.tobytes()


def _deep(photo: np.ndarray) -> np.ndarray:
    rng = np.random.default_rng(1)
    return (photo[:80, :100].astype(np.uint16) * 257 + rng.integers(0, 200, (80, 100, 3))
            ).astype(np.uint16)


@pytest.mark.parametrize("ext", [".jpg", ".png", ".webp", ".tif"])
def test_exif_kept_with_orientation_reset_and_icc_kept(tmp_path, astronaut, ext):
    src = tmp_path / "src.jpg"
    Image.fromarray(astronaut[:60, :90]).save(src, exif=_exif(6), icc_profile=_icc(), quality=95)
    img = load_image(src)
    assert img.size == (60, 90)  # upright
    out = save_image(tmp_path / f"out{ext}", img.rgb, exif=img.exif, icc_profile=img.icc_profile)
    with Image.open(out) as im:
        exif = im.getexif()
        assert im.info.get("icc_profile") == _icc()
        assert exif.get(0x0112, 1) == 1  # pixels are upright, so the tag must say so
        assert exif.get(0x010F) == "LBIE test camera"
        assert im.size == (60, 90)
    assert load_image(out).size == (60, 90)  # a viewer does not rotate it again


@pytest.mark.parametrize("ext", [".png", ".tif"])
def test_16bit_round_trip_is_exact_and_keeps_icc(tmp_path, astronaut, ext):
    deep = _deep(astronaut)
    alpha = (np.arange(100, dtype=np.uint16) * 600)[None].repeat(80, 0)
    out = save_image(tmp_path / f"deep{ext}", deep, alpha=alpha, icc_profile=_icc())
    back = load_image(out)
    assert back.rgb.dtype == np.uint16
    assert np.array_equal(back.rgb, deep) and np.array_equal(back.alpha, alpha)
    assert back.icc_profile == _icc()
    # an independent reader agrees
    raw = cv2.imread(str(out), cv2.IMREAD_UNCHANGED) if ext == ".png" else tifffile.imread(out)
    rgb = raw[..., 2::-1] if ext == ".png" else raw[..., :3]
    assert np.array_equal(rgb, deep)


def test_16bit_png_keeps_exif(tmp_path, astronaut):
    out = save_image(tmp_path / "deep.png", _deep(astronaut), exif=_exif(3))
    with Image.open(out) as im:
        assert im.getexif().get(0x010F) == "LBIE test camera"
        assert im.getexif().get(0x0112) == 1


def test_16bit_to_jpeg_is_rounded_to_8bit(tmp_path, astronaut):
    deep = _deep(astronaut)
    back = load_image(save_image(tmp_path / "d.png", deep[..., :3] // 257 * 257))
    assert np.array_equal(back.rgb, deep // 257 * 257)
    jpg = load_image(save_image(tmp_path / "d.jpg", deep, quality=100))
    assert jpg.rgb.dtype == np.uint8
    assert np.abs(jpg.rgb.astype(int) - deep / 257).mean() < 2


def test_never_overwrites_the_original_unless_asked(tmp_path, astronaut):
    src = tmp_path / "photo.png"
    Image.fromarray(astronaut).save(src)
    before = src.read_bytes()
    dark = astronaut // 2
    for same in (src, tmp_path / "." / "photo.png"):
        with pytest.raises(UserError, match="original"):
            save_image(same, dark, original=src)
    link = tmp_path / "link.png"
    link.symlink_to(src)
    with pytest.raises(UserError, match="original"):
        save_image(link, dark, original=src)
    assert src.read_bytes() == before
    save_image(src, dark, original=src, overwrite_original=True)
    assert np.array_equal(load_image(src).rgb, dark)


def test_failed_save_leaves_previous_file_and_no_temp(tmp_path, astronaut, monkeypatch):
    out = tmp_path / "out.png"
    save_image(out, astronaut)
    before = out.read_bytes()

    def full_disk(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full_disk)
    with pytest.raises(UserError, match="not enough disk space.*nothing was overwritten"):
        save_image(out, astronaut // 3)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


def test_permission_error_message(tmp_path, astronaut, monkeypatch):
    def denied(*_a, **_k):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", denied)
    with pytest.raises(UserError, match="read-only or you lack permission"):
        save_image(tmp_path / "x.jpg", astronaut)


def test_clear_messages_for_bad_targets(tmp_path, astronaut):
    with pytest.raises(UserError, match="folder does not exist"):
        save_image(tmp_path / "missing" / "x.jpg", astronaut)
    with pytest.raises(UserError, match="is a folder"):
        (tmp_path / "d.jpg").mkdir()
        save_image(tmp_path / "d.jpg", astronaut)
    with pytest.raises(UserError, match="unknown image type"):
        save_image(tmp_path / "x.psd", astronaut)
    with pytest.raises(UserError, match="shape"):
        save_image(tmp_path / "x.png", np.zeros((0, 5, 3), np.uint8))


def test_saved_file_has_normal_permissions_and_odd_names_work(tmp_path, astronaut):
    folder = tmp_path / "mes photos d'été"
    folder.mkdir()
    out = save_image(folder / "ça va.jpg", astronaut)
    assert out.exists()
    assert out.stat().st_mode & 0o644 == 0o644  # not the 0600 of a temp file


def test_alpha_dropped_for_jpeg_kept_for_png(tmp_path, astronaut):
    alpha = np.full(astronaut.shape[:2], 128, np.uint8)
    assert load_image(save_image(tmp_path / "a.jpg", astronaut, alpha=alpha)).alpha is None
    png = load_image(save_image(tmp_path / "a.png", astronaut, alpha=alpha))
    assert np.array_equal(png.alpha, alpha) and np.array_equal(png.rgb, astronaut)


def test_huge_exif_does_not_stop_a_jpeg_save(tmp_path, astronaut):
    e = Image.Exif()
    e[0x010E] = "x" * 70_000  # ImageDescription bigger than a JPEG APP1 segment can hold
    out = save_image(tmp_path / "big-exif.jpg", astronaut, exif=e.tobytes())
    assert load_image(out).size == (512, 512)


# --- real read-only and full file systems (a private mount namespace, Linux only) -------------

def _can_unshare() -> bool:
    if not shutil.which("unshare") or sys.platform != "linux":
        return False
    r = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    return r.returncode == 0


SAVE_SCRIPT = textwrap.dedent("""
    import sys, numpy as np
    from skimage import data
    from lbie_desktop.core.imageio import save_image
    from lbie_desktop.errors import UserError
    try:
        save_image(sys.argv[1], data.astronaut())
        print("SAVED")
    except UserError as exc:
        print("USERERROR", exc)
""")


@pytest.mark.skipif(not _can_unshare(), reason="needs unshare (Linux user namespaces)")
@pytest.mark.parametrize("case", ["full", "readonly"])
def test_real_full_disk_and_read_only_folder(tmp_path, case):
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = tmp_path / "save.py"
    script.write_text(SAVE_SCRIPT)
    opts = "size=64k" if case == "full" else "size=1m"
    shell = (f"mount -t tmpfs -o {opts} tmpfs '{mnt}' && "
             "printf previous > '{m}/out.png' && "
             + ("mount -o remount,ro '{m}' && " if case == "readonly" else "")
             + "'{py}' '{script}' '{m}/out.png'; cat '{m}/out.png'; echo; ls -a '{m}'")
    shell = shell.format(m=mnt, py=sys.executable, script=script)
    r = subprocess.run(["unshare", "-rm", "sh", "-c", shell], capture_output=True, text=True,
                       cwd=REPO, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    out = r.stdout
    assert "USERERROR" in out, out + r.stderr
    assert ("not enough disk space" if case == "full" else "read-only") in out
    assert "previous" in out  # the earlier file survived untouched
    assert ".tmp" not in out  # no temp file left behind


def test_overwriting_an_original_that_changed_on_disk_is_refused(tmp_path, astronaut):
    src = tmp_path / "photo.png"
    Image.fromarray(astronaut).save(src)
    img = load_image(src)
    Image.fromarray(astronaut[::-1]).save(src)  # another program edits it meanwhile
    changed = src.read_bytes()
    with pytest.raises(UserError, match="changed on disk since it was opened"):
        save_image(src, img.rgb // 2, original=src, overwrite_original=True,
                   original_sha256=img.sha256)
    assert src.read_bytes() == changed
    fresh = load_image(src)
    save_image(src, fresh.rgb // 2, original=src, overwrite_original=True,
               original_sha256=fresh.sha256)
    assert np.array_equal(load_image(src).rgb, astronaut[::-1] // 2)
