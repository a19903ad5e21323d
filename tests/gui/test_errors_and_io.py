"""Failures a person can meet: a crashing model, a bad file; and export to disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt

from lbie_desktop.gui import main_window as mw
from tests.gui.conftest import WAIT_MS, fake_predict, run_request, shown, wait_idle


def test_worker_error_is_shown_and_the_window_stays_usable(qtbot, window, monkeypatch):
    def broken_model(request, session):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(mw, "predict", broken_model)
    with qtbot.waitSignal(window.errorShown, timeout=WAIT_MS) as sig:
        run_request(qtbot, window, "brighten it")
    assert "model exploded" in sig.args[0]
    assert window.message_bar.isVisible()
    assert window.session.turns == [] and window.draft.steps == []
    assert window.run_button.isEnabled()
    monkeypatch.setattr(mw, "predict", fake_predict)
    run_request(qtbot, window, "brighten it")  # the same window carries on
    assert [s.op for s in window.draft.steps] == ["brightness"]
    assert not window.message_bar.isVisible()


def test_unreadable_photo_shows_a_message_and_keeps_the_current_one(qtbot, window, tmp_path):
    bad = tmp_path / "not-a-photo.jpg"
    bad.write_text("hello")
    before = shown(window)
    with qtbot.waitSignal(window.errorShown, timeout=WAIT_MS) as sig:
        window.open_image(bad)
    wait_idle(qtbot, window)
    assert "not-a-photo.jpg" in sig.args[0]
    np.testing.assert_array_equal(shown(window), before)


def test_request_without_a_photo_explains(qtbot):
    from lbie_desktop.gui.app import build_app
    from lbie_desktop.gui.main_window import MainWindow

    build_app()
    w = MainWindow()
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.errorShown, timeout=WAIT_MS) as sig:
        w.run_request("brighten it")
    assert "Open a photo" in sig.args[0]


def test_export_writes_the_edited_photo(qtbot, window, tmp_path: Path, photo: Path):
    run_request(qtbot, window, "brighten it")
    window.apply_steps()
    wait_idle(qtbot, window)
    out = tmp_path / "out.jpg"
    window.export_image(out, quality=95)
    qtbot.waitUntil(lambda: out.exists() and not window.busy, timeout=WAIT_MS)
    saved = np.asarray(Image.open(out).convert("RGB"), dtype=float)
    source = np.asarray(Image.open(photo).convert("RGB"), dtype=float)
    assert saved.shape == source.shape
    assert saved.mean() > source.mean() + 2
    assert "Exported out.jpg" in window.status.currentMessage()


def test_export_refuses_to_overwrite_the_original(qtbot, window, photo: Path):
    data = photo.read_bytes()
    with qtbot.waitSignal(window.errorShown, timeout=WAIT_MS) as sig:
        window.export_image(photo)
    wait_idle(qtbot, window)
    assert "overwrite" in sig.args[0]
    assert photo.read_bytes() == data


def test_full_resolution_follows_the_proxy_preview(qtbot, photo: Path, tmp_path: Path,
                                                   monkeypatch):
    from lbie_desktop.gui import settings
    from lbie_desktop.gui.main_window import MainWindow

    settings.put("preview_size", 192)  # the 384 px photo gets a half-size proxy
    w = MainWindow()
    w.ask_before_discarding = False
    qtbot.addWidget(w)
    monkeypatch.setattr(mw, "predict", fake_predict)
    w.show()
    w.open_image(photo)
    qtbot.waitUntil(lambda: w.session is not None and not w.busy, timeout=WAIT_MS)
    assert w.session.renderer.proxy.shape[:2] == (192, 192)
    w.run_request("brighten it")
    # first the proxy, then (once edits pause) the full-resolution render replaces it
    qtbot.waitUntil(lambda: shown(w).shape[:2] == (384, 384) and not w.busy, timeout=WAIT_MS)
    source = np.asarray(Image.open(photo).convert("RGB"), dtype=float)
    assert shown(w).astype(float).mean() > source.mean() + 2
    out = tmp_path / "full.png"
    w.export_image(out)
    qtbot.waitUntil(lambda: out.exists() and not w.busy, timeout=WAIT_MS)
    assert Image.open(out).size == (384, 384)
    w.close()



def test_slow_work_shows_progress_and_cancel_leaves_the_session_intact(qtbot, window,
                                                                       monkeypatch):
    import threading

    gate = threading.Event()

    def slow_model(request, session):
        gate.wait(20)
        return fake_predict(request, session)

    monkeypatch.setattr(mw, "predict", slow_model)
    window.run_request("brighten it")
    status = window.status
    qtbot.waitUntil(lambda: status.progress.isVisible() and status.cancel.isVisible(),
                    timeout=WAIT_MS)
    assert not window.run_button.isEnabled()
    qtbot.mouseClick(status.cancel, Qt.MouseButton.LeftButton)
    gate.set()
    wait_idle(qtbot, window)
    assert not status.progress.isVisible()
    assert window.draft.steps == [] and window.session.turns == []  # the late answer is ignored
    assert window.run_button.isEnabled()


def test_a_newer_request_supersedes_a_running_one(qtbot, window, monkeypatch):
    import threading

    gate = threading.Event()

    def model(request, session):
        if "brighten" in request:
            gate.wait(20)  # the first request is slow...
        return fake_predict(request, session)

    monkeypatch.setattr(mw, "predict", model)
    window.run_request("brighten it")
    window.run_request("darken it")  # ...and replaced before it answers
    gate.set()
    wait_idle(qtbot, window)
    assert [s.params["amount"] for s in window.draft.steps] == [-0.25]
    assert window.draft.request == "darken it"
