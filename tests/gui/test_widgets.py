"""Smaller pieces: the request box keys, the latest-only worker, cards built from params."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from lbie_desktop.core.ops import Param
from tests.gui.conftest import WAIT_MS


def test_enter_runs_shift_enter_adds_a_line_up_recalls(qtbot):
    from lbie_desktop.gui.request_box import RequestEdit

    edit = RequestEdit()
    qtbot.addWidget(edit)
    sent: list[str] = []
    edit.submitted.connect(sent.append)
    qtbot.keyClicks(edit, "warmer")
    qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(edit, "and brighter")
    assert edit.toPlainText() == "warmer\nand brighter"
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert sent == ["warmer\nand brighter"]
    edit.clear()
    qtbot.keyClicks(edit, "darken it")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    edit.clear()
    qtbot.keyClick(edit, Qt.Key.Key_Up)
    assert edit.toPlainText() == "darken it"
    qtbot.keyClick(edit, Qt.Key.Key_Up)
    assert edit.toPlainText() == "warmer\nand brighter"
    qtbot.keyClick(edit, Qt.Key.Key_Down)
    qtbot.keyClick(edit, Qt.Key.Key_Down)
    assert edit.toPlainText() == ""


def test_latest_runner_skips_superseded_work(qtbot):
    from lbie_desktop.gui.worker import LatestRunner

    runner = LatestRunner()
    gate = threading.Event()
    ran: list[int] = []
    results: list[int] = []

    def make(i: int):
        def job(ctx):
            if i == 0:
                gate.wait(10)  # hold the first job so the others pile up
            ran.append(i)
            return i
        return job

    for i in range(10):
        runner.submit(make(i), results.append)
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT_MS)
    assert ran in ([0, 9], [9])  # the 8 in between were replaced, never run
    # (the first may be cancelled before it even starts)
    assert results == [9]  # and the stale first result was dropped


def test_worker_error_and_cancel_reach_the_ui_thread(qtbot):
    from lbie_desktop.gui.worker import LatestRunner

    runner = LatestRunner()
    errors: list[Exception] = []
    runner.submit(lambda ctx: 1 / 0, lambda r: None, errors.append)
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT_MS)
    assert isinstance(errors[0], ZeroDivisionError)
    gate = threading.Event()
    results: list[int] = []

    def slow(ctx):
        gate.wait(10)
        ctx.check()
        return 1

    runner.submit(slow, results.append)
    runner.cancel()
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT_MS)
    assert results == []


def test_controls_follow_the_param_kind(qtbot):
    from lbie_desktop.gui.param_widgets import (
        ChoiceControl,
        ScalarControl,
        VectorControl,
        make_control,
    )

    f = make_control(Param("amount", "Amount", -1, 2, 0.0, 0.01))
    i = make_control(Param("radius", "Radius", 1, 50, 5, 1, kind="int"))
    c = make_control(Param("mode", "Mode", kind="choice", choices=("soft", "hard"), default="hard"))
    v = make_control(Param("tint", "Tint", 0, 1, (1.0, 0.5, 0.0), 0.01, kind="color", length=3))
    for w in (f, i, c, v):
        qtbot.addWidget(w)
    assert isinstance(f, ScalarControl) and isinstance(i, ScalarControl)
    assert isinstance(c, ChoiceControl) and c.value() == "hard"
    assert isinstance(v, VectorControl) and v.value() == [1.0, 0.5, 0.0]
    got: list = []
    i.edited.connect(got.append)
    i.slider.slider.setValue(i.slider.slider.maximum())
    assert got == [50] and isinstance(got[0], int)
    f.set_value(1.5)  # silent update (undo) emits nothing
    assert f.value() == 1.5


def test_op_labels_with_an_ampersand_are_shown_as_written(qtbot):
    """Qt turns a lone "&" into a mnemonic underline: "Black & white" must not read "Black _white"
    on its card or in the add-step menu."""
    from lbie_desktop.core.plan import Step
    from lbie_desktop.gui.draft import DraftModel
    from lbie_desktop.gui.step_card import StepCard
    from lbie_desktop.gui.steps_panel import StepsPanel

    def shown(text: str) -> str:  # what Qt draws: "&&" is a literal "&", a lone "&" vanishes
        return text.replace("&&", "\0").replace("&", "").replace("\0", "&")

    card = StepCard(Step("black_white", {}), 0, 1)
    qtbot.addWidget(card)
    assert shown(card.enabled_box.text()) == "Black & white"
    panel = StepsPanel(DraftModel())
    qtbot.addWidget(panel)
    menu = panel._op_menu()
    labels = [shown(a.text()) for m in [menu, *[a.menu() for a in menu.actions() if a.menu()]]
              for a in m.actions() if not a.menu()]
    assert "Black & white" in labels


def test_a_framed_crop_card_says_what_was_found_and_offers_no_brush(qtbot):
    """A crop is whole-photo: its card shows what it was framed on, with no "Paint…" region
    button (painting a crop's region does nothing)."""
    from PySide6.QtWidgets import QLabel

    from lbie_desktop.core.plan import Step
    from lbie_desktop.gui.step_card import StepCard

    step = Step("crop", {"left": 0.2}, target="her face", evidence=['words: "crop to her face"'],
                mask_note="her face found at 143x183 px")
    card = StepCard(step, 0, 1)
    qtbot.addWidget(card)
    assert not hasattr(card, "thumb")
    assert any("143x183" in lab.text() for lab in card.findChildren(QLabel))
