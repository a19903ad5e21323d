"""Fixtures for driving the real editor window offscreen with pytest-qt."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

WAIT_MS = 30_000  # generous: the CI machine is shared; waits end as soon as work is done


def qimage_to_array(img) -> np.ndarray:
    from PySide6.QtGui import QImage

    img = img.convertToFormat(QImage.Format.Format_RGB888)
    w, h, bpl = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), np.uint8, count=bpl * h).reshape(h, bpl)
    return buf[:, : 3 * w].reshape(h, w, 3).copy()


def shown(window) -> np.ndarray:
    """What the canvas displays right now (the rendered pixmap, not the screen)."""
    return qimage_to_array(window.canvas.displayed_qimage())


def wait_idle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)


@pytest.fixture
def photo(tmp_path: Path, astronaut: np.ndarray) -> Path:
    # PNG keeps pixels exact, so "undo restores the exact image" compares like for like
    p = tmp_path / "astronaut.png"
    Image.fromarray(astronaut).resize((384, 384), Image.Resampling.LANCZOS).save(p)
    return p


def fake_predict(request: str, session):
    """A deterministic stand-in for the language model (which other work keeps improving):
    "brighten"/"darken" -> one global brightness step, "sky" -> a local step on the top third."""
    from lbie_desktop.core.plan import Plan, Step
    from lbie_desktop.dialogue import Outcome

    text = request.lower()
    steps = []
    if "brighten" in text:
        steps.append(Step("brightness", {"amount": 0.25}, confidence=0.9, evidence=["brighten"]))
    if "darken" in text:
        steps.append(Step("brightness", {"amount": -0.25}, confidence=0.8, evidence=["darken"]))
    if "sky" in text:
        h, w = session.render().shape[:2]
        mask = np.zeros((h, w), np.float32)
        mask[: h // 3] = 1.0
        steps.append(Step("brightness", {"amount": 0.5}, mask=mask, confidence=0.7,
                          evidence=["sky"], target="the sky", mask_note="top third (test)"))
    messages = [] if steps else ["Nothing to do: I didn't recognise an edit in that request."]
    return Outcome("new", Plan(steps), None, messages)


@pytest.fixture
def real_model(monkeypatch):
    """Marks a test that wants the real understanding + grounding pipeline."""
    return True


@pytest.fixture
def window(qtbot, photo: Path, monkeypatch, request):
    if "real_model" not in request.fixturenames:
        from lbie_desktop.gui import main_window

        monkeypatch.setattr(main_window, "predict", fake_predict)
    from lbie_desktop.gui.app import build_app
    from lbie_desktop.gui.main_window import MainWindow

    build_app()
    w = MainWindow()
    w.ask_before_discarding = False  # no modal "save your edits?" in tests (one test asks)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=WAIT_MS)
    w.open_image(photo)
    qtbot.waitUntil(lambda: w.session is not None and not w.busy, timeout=WAIT_MS)
    yield w
    w.close()


def run_request(qtbot, window, text: str) -> None:
    from PySide6.QtCore import Qt

    edit = window.request_edit
    edit.setFocus()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.model_runner.busy, timeout=WAIT_MS)
    wait_idle(qtbot, window)
