"""Autosave and crash recovery: a session killed with SIGKILL comes back with every finished
turn and the exact pixels; a session closed cleanly leaves nothing to recover."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lbie_desktop import paths
from lbie_desktop.core import autosave
from lbie_desktop.core.autosave import Autosaver, discard, find_recoverable, recover
from lbie_desktop.core.imageio import load_image
from lbie_desktop.core.session import Session
from lbie_desktop.errors import UserError

REPO = Path(__file__).resolve().parent.parent
NEEDS_KILL = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX kill -9")

# Shared by the test and the child process, so both build the very same turns.
PLAN_CODE = textwrap.dedent("""
    import numpy as np
    from lbie_desktop.core.plan import Plan, Step

    def plan_for(k, h, w):
        if k % 3 == 1:  # a local step with a soft mask (not exact in 8 bits)
            yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
            m = np.exp(-(((yy - h * 0.5) / (h * 0.3)) ** 2 + ((xx - w * 0.3) / (w * 0.2)) ** 2))
            return Plan([Step("saturation", {"amount": 0.3 + 0.01 * k}, mask=m, target="cat")])
        if k % 3 == 2:
            return Plan([Step("contrast", {"amount": 0.05 * (k % 5) - 0.1})])
        return Plan([Step("brightness", {"amount": 0.04 if k % 2 else -0.03})])
""")
_ns: dict = {}
exec(PLAN_CODE, _ns)
plan_for = _ns["plan_for"]

CHILD = PLAN_CODE + textwrap.dedent("""
    import sys, random
    import torch
    torch.set_num_threads(1)
    from lbie_desktop.core.autosave import Autosaver
    from lbie_desktop.core.imageio import load_image
    from lbie_desktop.core.session import Session
    from lbie_desktop.core.plan import Step

    s = Session(load_image(sys.argv[1]))
    a = Autosaver(s)
    h, w = s.image.rgb.shape[:2]
    n = int(sys.argv[2])
    k = 0
    while n < 0 or k < n:
        s.add_turn(f"turn {k + 1}", plan_for(k, h, w))
        k += 1
        print(f"DONE {k}", flush=True)
    print("RENDERING", flush=True)
    while True:  # a render in progress when the kill comes
        s.render(extra=[Step("gaussian_blur", {"sigma": random.uniform(1, 5)})], full=True)
""")


def _expected(photo: Path, n: int) -> np.ndarray:
    s = Session(load_image(photo))
    h, w = s.image.rgb.shape[:2]
    for k in range(n):
        s.add_turn(f"turn {k + 1}", plan_for(k, h, w))
    return s.current(full=True)


@pytest.fixture
def photo(tmp_path, chelsea) -> Path:
    p = tmp_path / "cat.jpg"
    Image.fromarray(chelsea).save(p, quality=90)
    return p


def _start_child(tmp_path: Path, photo: Path, n: int) -> subprocess.Popen:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, str(script), str(photo), str(n)], cwd=REPO,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(proc: subprocess.Popen, prefix: str, timeout: float = 120) -> list[str]:
    lines, end = [], time.monotonic() + timeout
    while time.monotonic() < end:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.strip())
        if line.startswith(prefix):
            return lines
    proc.kill()
    raise AssertionError(f"child never printed {prefix!r}: {lines} {proc.stderr.read()[-2000:]}")


@NEEDS_KILL
def test_sigkill_mid_render_recovers_every_finished_turn_exactly(tmp_path, photo):
    proc = _start_child(tmp_path, photo, 3)
    _wait_for(proc, "RENDERING")
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)

    found = find_recoverable()
    assert len(found) == 1
    entry = found[0]
    assert entry.info.requests == ["turn 1", "turn 2", "turn 3"]
    assert entry.info.source_name == "cat.jpg" and "3 turns" in entry.description
    session = recover(entry)
    assert [t.request for t in session.turns] == ["turn 1", "turn 2", "turn 3"]
    assert np.array_equal(session.current(full=True), _expected(photo, 3))

    # Recovery continues the same autosave; closing cleanly leaves nothing behind.
    saver = Autosaver(session)
    assert saver.path == entry.path
    session.close()
    assert find_recoverable() == []
    assert not list(paths.autosave_dir().glob("*.lbie"))


@NEEDS_KILL
def test_sigkill_at_random_moments_while_autosaving(tmp_path, photo):
    rng = random.Random(7)
    for _round in range(3):
        proc = _start_child(tmp_path, photo, -1)
        lines = _wait_for(proc, "DONE 2")
        time.sleep(rng.uniform(0.0, 0.8))
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        lines += proc.stdout.read().split()  # anything printed before the kill
        finished = max(int(x) for x in " ".join(lines).split() if x.isdigit())
        found = find_recoverable()
        assert len(found) == 1, found
        session = recover(found[0])
        n = len(session.turns)
        # every turn reported finished is there; at most the turn in progress is lost
        assert n >= finished, (n, finished)
        assert n <= finished + 1
        assert np.array_equal(session.current(full=True), _expected(photo, n))
        assert not list(paths.autosave_dir().glob(".*.tmp"))  # stale temp files cleaned
        discard(found[0])
        assert find_recoverable() == []


def test_running_session_is_not_offered_for_recovery(photo):
    s = Session(load_image(photo))
    saver = Autosaver(s)
    s.add_turn("turn 1", plan_for(0, *s.image.rgb.shape[:2]))
    assert saver.path.exists() and saver.saves == 1
    assert find_recoverable() == []  # we hold its lock
    with pytest.raises(UserError, match="already open"):
        Autosaver(s)
    saver.close()
    assert not saver.path.exists()


def test_autosave_follows_undo_and_redo(photo):
    s = Session(load_image(photo))
    saver = Autosaver(s)
    h, w = s.image.rgb.shape[:2]
    s.add_turn("turn 1", plan_for(0, h, w))
    s.add_turn("turn 2", plan_for(1, h, w))
    s.undo()
    from lbie_desktop.core.session_file import read_info

    info = read_info(saver.path)
    assert info.requests == ["turn 1"] and info.undone == ["turn 2"]
    saver.close()


def test_failing_autosave_never_stops_editing(photo, monkeypatch):
    s = Session(load_image(photo))
    saver = Autosaver(s)

    def full(*_a, **_k):
        raise UserError("not enough disk space to save it")

    monkeypatch.setattr(autosave, "save_session", full)
    s.add_turn("turn 1", plan_for(0, *s.image.rgb.shape[:2]))
    assert len(s.turns) == 1
    assert "disk space" in saver.last_error
    saver.close()


def test_unreadable_autosave_is_listed_with_its_error(photo):
    bad = paths.autosave_dir() / "deadbeef.lbie"
    bad.write_bytes(b"garbage")
    found = find_recoverable()
    assert len(found) == 1 and found[0].info is None
    assert "not an LBIE session" in found[0].description
    discard(found[0])
    assert not bad.exists()


def test_cli_lists_and_recovers_a_crashed_session(tmp_path, photo, capsys):
    from lbie_desktop.cli import main
    from lbie_desktop.core.session_file import open_session

    s = Session(load_image(photo))
    saver = Autosaver(s)
    s.add_turn("turn 1", plan_for(0, *s.image.rgb.shape[:2]))
    saver._lock_file.close()  # what the OS does when the process dies
    assert main(["session", "recoverable"]) == 0
    out = capsys.readouterr().out
    assert s.id[:12] in out and "cat.jpg: 1 turn" in out
    target = tmp_path / "rescued.lbie"
    assert main(["session", "recover", s.id[:8], "-o", str(target)]) == 0
    assert np.array_equal(open_session(target).current(full=True), s.current(full=True))
    assert find_recoverable() == []
    assert main(["session", "recover", "zzz", "-o", str(target)]) == 2
    assert "no recoverable session" in capsys.readouterr().err


def test_manual_autosaver_saves_only_when_asked(photo):
    s = Session(load_image(photo))
    saver = Autosaver(s, auto=False)
    s.add_turn("turn 1", plan_for(0, *s.image.rgb.shape[:2]))
    assert not saver.path.exists()
    assert saver.save_now() and saver.path.exists()
    s.close()  # closing the session cleanly removes the recovery copy
    assert not saver.path.exists()


def test_lock_left_by_a_crash_before_the_first_autosave_is_cleaned(photo):
    stale = paths.autosave_dir() / "0123abcd.lock"
    stale.write_bytes(b"")
    assert find_recoverable() == []
    assert not stale.exists()
