"""Exporting onto a full disk (a real, tiny tmpfs): a readable message, the original photo and
the previous export untouched, and the session still usable. Needs root to mount; skipped
(with the reason) otherwise."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.gui.conftest import WAIT_MS, run_request, wait_idle


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def small_disk(tmp_path: Path):
    if sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a real full disk needs root to mount a small tmpfs (Linux)")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill(disk: Path, leave: int) -> None:
    """Leave about `leave` bytes free on the file system."""
    st = os.statvfs(disk)
    free = st.f_bavail * st.f_frsize
    with open(disk / "filler.bin", "wb") as f:
        f.write(b"\0" * max(0, free - leave))


def test_export_to_a_full_disk_loses_nothing(qtbot, window, small_disk: Path, photo: Path,
                                             tmp_path: Path):
    original = small_disk / "holiday.png"
    shutil.copy(photo, original)
    window.open_image(original)
    qtbot.waitUntil(lambda: window.session is not None and not window.busy
                    and window.session.image.path == original, timeout=WAIT_MS)
    before_original = _sha(original)
    run_request(qtbot, window, "brighten it")
    window.apply_steps()
    wait_idle(qtbot, window)
    previous = small_disk / "holiday-edited.png"
    window.export_image(previous)  # a first export that fits
    qtbot.waitUntil(lambda: previous.exists() and not window.busy, timeout=WAIT_MS)
    before_previous = _sha(previous)

    run_request(qtbot, window, "brighten it")  # a second turn, then the disk fills up
    window.apply_steps()
    wait_idle(qtbot, window)
    _fill(small_disk, leave=8 * 1024)
    errors: list[str] = []
    window.errorShown.connect(errors.append)
    window.export_image(previous)  # the same name again: must not be half-overwritten
    qtbot.waitUntil(lambda: bool(errors) and not window.busy, timeout=WAIT_MS)

    assert "disk space" in errors[0] and "Traceback" not in errors[0], errors[0]
    assert window.message_bar.isVisible()
    assert _sha(previous) == before_previous  # the earlier export is intact
    assert _sha(original) == before_original  # and the photo itself
    assert sorted(p.name for p in small_disk.iterdir()) == [
        "filler.bin", "holiday-edited.png", "holiday.png"]  # no temp file left behind

    # the session goes on: both turns are there, and exporting elsewhere works
    assert len(window.session.turns) == 2
    out = tmp_path / "elsewhere.png"
    window.export_image(out)
    qtbot.waitUntil(lambda: out.exists() and not window.busy, timeout=WAIT_MS)
    first = np.asarray(Image.open(previous).convert("RGB"), dtype=float)
    second = np.asarray(Image.open(out).convert("RGB"), dtype=float)
    assert second.mean() > first.mean() + 2  # the second turn's brightening is in it
    window.undo_stack.undo()
    wait_idle(qtbot, window)
    assert len(window.session.turns) == 1
