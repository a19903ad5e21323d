"""Issue 6 in the window: a three-turn conversation through the real dialogue tracker, an
undo, and a save/reopen that shows the same history and pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QListWidget

from lbie_desktop.gui import main_window as mw
from tests.gui.conftest import WAIT_MS, run_request, shown, wait_idle
from tests.test_dialogue import fake_ground, fake_understand


def _turn(qtbot, window, text: str) -> np.ndarray:
    run_request(qtbot, window, text)
    wait_idle(qtbot, window)
    window.apply_steps()
    wait_idle(qtbot, window)
    return shown(window)


def test_three_turns_undo_and_reopen(qtbot, window, monkeypatch, tmp_path: Path):
    from lbie_desktop.dialogue import interpret

    monkeypatch.setattr(mw, "predict", lambda request, session: interpret(
        request, session, understand=fake_understand, ground=fake_ground))
    original = shown(window)
    first = _turn(qtbot, window, "brighten it")
    second = _turn(qtbot, window, "a bit more")  # re-tunes the first turn's step
    third = _turn(qtbot, window, "increase the contrast")
    assert len(window.session.turns) == 3
    assert original.mean() < first.mean() < second.mean()
    assert not np.array_equal(third, second)
    steps = window.session.steps()
    assert [s.op for s in steps] == ["brightness", "contrast"]  # "more" replaced, not stacked
    history = window.findChild(QListWidget, "historyList")
    assert history.count() == 4  # the original + three turns

    window.undo_stack.undo()  # undo "apply": the contrast step is pending again
    qtbot.waitUntil(lambda: len(window.session.turns) == 2 and not window.busy,
                    timeout=WAIT_MS)
    assert [s.op for s in window.draft.steps] == ["contrast"]
    window.undo_stack.undo()  # undo the request itself
    qtbot.waitUntil(lambda: not window.draft.steps and not window.busy, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: np.array_equal(shown(window), second), timeout=WAIT_MS)

    out = tmp_path / "talk.lbie"
    window.save_session(out)
    qtbot.waitUntil(lambda: out.exists() and not window.busy, timeout=WAIT_MS)
    window.open_image(tmp_path / "astronaut.png")
    qtbot.waitUntil(lambda: not window.session.turns and not window.busy, timeout=WAIT_MS)
    window.open_image(out)
    qtbot.waitUntil(lambda: len(window.session.turns) == 2 and not window.busy,
                    timeout=WAIT_MS)
    assert [t.request for t in window.session.turns] == ["brighten it", "a bit more"]
    assert history.count() == 3
    np.testing.assert_array_equal(shown(window), second)
