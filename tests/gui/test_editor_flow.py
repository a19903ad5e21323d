"""The main path a person takes: request -> cards -> slider -> apply -> history -> undo."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QPlainTextEdit, QPushButton, QSlider

from tests.gui.conftest import run_request, shown, wait_idle


def _cards(window) -> list:
    panel = window.findChild(object, "stepsPanel")
    live = panel.cards  # findChildren would also see cards awaiting deleteLater
    return [live[s.id] for s in window.draft.steps]


def test_public_handles_exist(window):
    from PySide6.QtWidgets import QGraphicsView

    assert isinstance(window.findChild(QGraphicsView, "canvas"), QGraphicsView)
    assert isinstance(window.findChild(QPlainTextEdit, "requestEdit"), QPlainTextEdit)
    assert isinstance(window.findChild(QPushButton, "runButton"), QPushButton)
    assert window.findChild(object, "stepsPanel") is not None
    assert window.findChild(object, "historyPanel") is not None


def test_request_produces_cards_with_sliders(qtbot, window):
    run_request(qtbot, window, "brighten it")
    cards = _cards(window)
    assert len(cards) == 1
    assert cards[0].op.name == "brightness"
    assert cards[0].findChildren(QSlider), "a card has a slider per parameter"
    assert "brighten" in cards[0].why.text()
    assert window.request_edit.toPlainText() == ""


def test_predicted_step_brightens_the_preview(qtbot, window):
    before = shown(window).astype(float)
    run_request(qtbot, window, "brighten it")
    after = shown(window).astype(float)
    assert after.mean() > before.mean() + 2


def test_moving_a_slider_changes_the_canvas(qtbot, window):
    run_request(qtbot, window, "brighten it")
    start = shown(window).astype(float)
    slider = _cards(window)[0].controls["amount"].slider.slider
    slider.setValue(slider.maximum())  # as a drag ends: amount at its max
    wait_idle(qtbot, window)
    brighter = shown(window).astype(float)
    assert brighter.mean() > start.mean() + 5
    slider.setValue(slider.minimum())
    wait_idle(qtbot, window)
    assert shown(window).astype(float).mean() < start.mean() - 20


def test_apply_adds_a_history_entry(qtbot, window):
    history = window.findChild(QListWidget, "historyList")
    assert history.count() == 1  # the original
    run_request(qtbot, window, "brighten it")
    qtbot.mouseClick(window.steps_panel.apply_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert history.count() == 2
    assert "brighten it" in history.item(1).text()
    assert len(window.session.turns) == 1
    assert _cards(window) == []


def test_undo_restores_the_exact_image(qtbot, window):
    original = shown(window)
    run_request(qtbot, window, "brighten it")
    slider = _cards(window)[0].controls["amount"].slider.slider
    slider.setValue(int(slider.maximum() * 0.8))
    wait_idle(qtbot, window)
    window.apply_steps()
    wait_idle(qtbot, window)
    assert not np.array_equal(shown(window), original)
    while window.undo_stack.canUndo():
        qtbot.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        wait_idle(qtbot, window)
    assert window.session.turns == []
    np.testing.assert_array_equal(shown(window), original)
    # and redo brings the edit back
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    wait_idle(qtbot, window)
    assert shown(window).astype(float).mean() > original.astype(float).mean() + 2


def test_undo_of_a_slider_drag_restores_the_value(qtbot, window):
    run_request(qtbot, window, "brighten it")
    card = _cards(window)[0]
    step_id = card.step_id
    first = window.draft.get(step_id).params["amount"]
    slider = card.controls["amount"].slider.slider
    for v in range(slider.value(), slider.value() + 60, 10):  # one drag, many positions
        slider.setValue(v)
    wait_idle(qtbot, window)
    assert window.draft.get(step_id).params["amount"] > first
    window.undo_stack.undo()  # the whole drag is one undo entry
    wait_idle(qtbot, window)
    assert window.draft.get(step_id).params["amount"] == first
    assert abs(_cards(window)[0].controls["amount"].value() - first) < 1e-6


def test_step_can_be_turned_off_deleted_and_added_by_hand(qtbot, window):
    original = shown(window)
    run_request(qtbot, window, "brighten it")
    card = _cards(window)[0]
    card.enabled_box.setChecked(False)
    wait_idle(qtbot, window)
    np.testing.assert_array_equal(shown(window), original)
    window.add_step("brightness")
    assert len(_cards(window)) == 2
    assert _cards(window)[1].confidence.text() == "manual"
    window.undo_stack.push(__import__("lbie_desktop.gui.commands", fromlist=["x"])
                           .RemoveStepCommand(window.draft, window.draft.steps[0].id))
    assert len(_cards(window)) == 1


def test_follow_up_request_builds_a_second_turn(qtbot, window):
    run_request(qtbot, window, "brighten it")
    run_request(qtbot, window, "darken it")  # the pending brighten step is applied first
    assert len(window.session.turns) == 1
    assert window.draft.steps
    window.apply_steps()
    wait_idle(qtbot, window)
    assert window.findChild(QListWidget, "historyList").count() == 3


def test_the_real_pipeline_answers_without_error(qtbot, real_model, window):
    errors: list[str] = []
    window.errorShown.connect(errors.append)
    run_request(qtbot, window, "brighten it")
    assert errors == []
    # either steps to adjust, or a message saying why not: never silence
    assert window.draft.steps or window.draft.messages


def test_a_local_step_shows_its_mask_and_leaves_the_rest_alone(qtbot, window):
    original = shown(window)
    run_request(qtbot, window, "make the sky lighter")
    card = _cards(window)[0]
    assert hasattr(card, "thumb") and "top third" in card.mask_note.text()
    now = shown(window)
    h = now.shape[0]
    np.testing.assert_array_equal(now[h // 3 + 2:], original[h // 3 + 2:])
    assert now[: h // 3 - 2].mean() > original[: h // 3 - 2].mean() + 5


def test_an_unrecognised_request_says_so_and_keeps_the_words(qtbot, window):
    run_request(qtbot, window, "sing me a song")
    assert window.draft.steps == []
    assert "didn't recognise" in window.steps_panel.messages.text()
    assert not window.steps_panel.messages.isHidden()
    assert window.request_edit.toPlainText() == "sing me a song"  # ready to rephrase


def test_slider_forms_drive_curve_parameters(qtbot, window):
    window.add_step("tint")  # a tone curve shaped by shadows / midtones / highlights
    wait_idle(qtbot, window)
    before = shown(window).astype(float)
    card = _cards(window)[0]
    assert set(card.form_sliders) == {"shadows", "midtones", "highlights"}
    card.form_sliders["midtones"].set_value(0.8)
    card.form_sliders["midtones"].edited.emit(0.8)  # as the drag does
    wait_idle(qtbot, window)
    assert shown(window).astype(float).mean() > before.mean() + 3
    step = window.draft.steps[0]
    assert step.params["points"] != [1.0] * len(step.params["points"])


def test_steps_can_be_reordered_and_undo_restores_the_order(qtbot, window):
    window.add_step("brightness")
    window.add_step("contrast")
    first, second = (s.id for s in window.draft.steps)
    qtbot.mouseClick(_move_button(window.steps_panel.cards[second], "Move up"),
                     Qt.MouseButton.LeftButton)
    assert [s.id for s in window.draft.steps] == [second, first]
    window.undo_stack.undo()
    assert [s.id for s in window.draft.steps] == [first, second]


def _move_button(card, tip: str):
    from PySide6.QtWidgets import QToolButton

    return next(b for b in card.findChildren(QToolButton) if b.toolTip() == tip)


def test_ctrl_return_applies_from_the_request_box(qtbot, window):
    run_request(qtbot, window, "brighten it")
    qtbot.keyClick(window.request_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window)
    assert len(window.session.turns) == 1 and window.draft.steps == []


def test_dropping_a_photo_opens_it(qtbot, window, tmp_path, coffee):
    from PIL import Image
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    from lbie_desktop.gui import settings

    path = tmp_path / "coffee.png"
    Image.fromarray(coffee).save(path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    window.canvas.dropEvent(event)
    qtbot.waitUntil(lambda: window.session.image.path == path and not window.busy,
                    timeout=30_000)
    assert shown(window).shape[:2] == coffee.shape[:2]
    assert str(path.resolve()) == settings.recent_files()[0]


def test_a_follow_up_re_tunes_the_earlier_step(qtbot, window, monkeypatch):
    """The real dialogue tracker (with a keyword stand-in for the language model): "a bit
    more" after "brighten it" replaces the brightness step instead of stacking another."""
    from lbie_desktop.core.plan import Step
    from lbie_desktop.dialogue import tracker
    from lbie_desktop.gui import main_window as mw

    def understand(request, image):
        if "brighten" in request:
            return [Step("brightness", {"amount": 0.2}, confidence=0.9, evidence=["brighten"])]
        return []

    monkeypatch.setattr(tracker, "default_understand", understand)
    monkeypatch.setattr(mw, "predict", lambda text, s: tracker.interpret(text, s))
    run_request(qtbot, window, "brighten it")
    window.apply_steps()
    wait_idle(qtbot, window)
    after_first = shown(window)
    first_id = window.session.turns[0].plan.steps[0].id
    run_request(qtbot, window, "a bit more")
    assert len(window.draft.steps) == 1
    step = window.draft.steps[0]
    assert step.replaces == first_id and step.params["amount"] > 0.2
    assert shown(window).astype(float).mean() > after_first.astype(float).mean() + 1
    window.apply_steps()
    wait_idle(qtbot, window)
    assert window.findChild(QListWidget, "historyList").count() == 3
    window.undo_stack.undo()  # un-apply the follow-up
    window.undo_stack.undo()  # and its proposal
    wait_idle(qtbot, window)
    np.testing.assert_array_equal(shown(window), after_first)
