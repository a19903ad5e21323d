"""Painting a step's region on the canvas, and the mask tools."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt

from lbie_desktop.gui import commands as cmd
from tests.gui.conftest import shown, wait_idle


def _view_pos(window, x: float, y: float) -> QPoint:
    return window.canvas.mapFromScene(QPointF(x, y))


def _local_brighten(qtbot, window) -> str:
    window.add_step("brightness")
    sid = window.draft.steps[-1].id
    window.undo_stack.push(cmd.SetParamsCommand(window.draft, sid, {"amount": 1.0}))
    window.edit_mask(sid)
    wait_idle(qtbot, window)
    return sid


def test_painting_a_mask_limits_the_edit_to_the_stroke(qtbot, window):
    original = shown(window).astype(int)
    sid = _local_brighten(qtbot, window)
    np.testing.assert_array_equal(shown(window), original)  # empty region: no change yet
    window.canvas.set_brush_size(60)
    window.canvas.set_brush_softness(0.0)
    vp = window.canvas.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=_view_pos(window, 100, 190))
    for x in range(110, 290, 15):
        qtbot.mouseMove(vp, _view_pos(window, x, 190))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=_view_pos(window, 280, 190))
    wait_idle(qtbot, window)
    mask = window.draft.get(sid).mask
    assert mask[190, 190] == 1.0 and mask[20, 20] == 0.0
    overlay = window.canvas.overlay_item.image  # the painted region is tinted, the rest clear
    assert overlay.pixelColor(190, 190).alpha() > 80 and overlay.pixelColor(20, 20).alpha() == 0
    now = shown(window).astype(int)
    assert now[185:195, 150:230].mean() > original[185:195, 150:230].mean() + 10
    outside = mask == 0
    np.testing.assert_array_equal(now[outside], original[outside])
    # the stroke is one undo step
    window.undo_stack.undo()
    wait_idle(qtbot, window)
    assert window.draft.get(sid).mask.max() == 0.0
    np.testing.assert_array_equal(shown(window), original.astype(np.uint8))


def test_eraser_invert_and_clear(qtbot, window):
    sid = _local_brighten(qtbot, window)
    window._mask_op("invert")
    assert window.draft.get(sid).mask.min() == 1.0  # inverted empty region = everything
    window._set_tool("eraser")
    window.canvas.set_brush_size(40)
    vp = window.canvas.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=_view_pos(window, 200, 200))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=_view_pos(window, 200, 200))
    m = window.draft.get(sid).mask
    assert m[200, 200] == 0.0 and m[10, 10] == 1.0
    window._mask_op("clear")
    assert window.draft.get(sid).mask.max() == 0.0
    wait_idle(qtbot, window)


def test_click_to_select_adds_a_similar_region(qtbot, window):
    sid = _local_brighten(qtbot, window)
    window._set_tool("segment")
    # the astronaut's white background at the top right is one flat, bright area
    pos = _view_pos(window, 350, 20)
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    wait_idle(qtbot, window)
    m = window.draft.get(sid).mask
    assert m[20, 350] == 1.0
    assert 0.005 < m.mean() < 0.6  # a region, not the whole photo
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ShiftModifier, pos)
    wait_idle(qtbot, window)  # the pick runs on a worker
    assert window.draft.get(sid).mask[20, 350] == 0.0


def test_leaving_mask_edit_hides_the_overlay(qtbot, window):
    _local_brighten(qtbot, window)
    assert window.mask_bar.isVisible() and window.canvas.overlay_item.has_mask()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)
    assert not window.mask_bar.isVisible()
    assert not window.canvas.overlay_item.has_mask()


def test_a_fill_step_waits_for_its_region(qtbot, window):
    original = shown(window)
    errors: list[str] = []
    window.errorShown.connect(errors.append)
    window.add_step("color_bg")  # "replace the background": needs a region first
    wait_idle(qtbot, window)
    assert window.active_step == window.draft.steps[-1].id  # straight into painting
    np.testing.assert_array_equal(shown(window), original)
    assert errors == []
    window.canvas.set_brush_size(80)
    window.canvas.set_brush_softness(0.0)
    vp = window.canvas.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=_view_pos(window, 60, 60))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=_view_pos(window, 60, 60))
    wait_idle(qtbot, window)
    now = shown(window).astype(int)
    assert np.abs(now[50:70, 50:70] - original[50:70, 50:70].astype(int)).mean() > 5
    np.testing.assert_array_equal(now[300:, 300:], original[300:, 300:])
    assert errors == []


def test_painting_a_step_whose_region_was_not_found_turns_it_on(qtbot, window, monkeypatch):
    from lbie_desktop.core.plan import Plan, Step
    from lbie_desktop.dialogue import Outcome
    from lbie_desktop.gui import main_window as mw
    from tests.gui.conftest import run_request

    def not_found(request, session):
        step = Step("brightness", {"amount": 0.8}, enabled=False, local=True, target="the cat",
                    evidence=["the cat"], mask_note="I can't find “the cat”; paint it.")
        return Outcome("new", Plan([step]), None, [step.mask_note])

    monkeypatch.setattr(mw, "predict", not_found)
    run_request(qtbot, window, "brighten the cat")
    step = window.draft.steps[0]
    card = window.steps_panel.cards[step.id]
    assert "can't find" in card.mask_note.text() and not card.enabled_box.isChecked()
    qtbot.mouseClick(card.thumb, Qt.MouseButton.LeftButton)  # click the thumbnail to paint
    assert window.active_step == step.id and window.draft.get(step.id).enabled
    window.undo_stack.undo()  # one undo: back to "not found", off
    assert not window.draft.get(step.id).enabled and window.draft.get(step.id).mask is None
    assert window.active_step is None and not window.mask_bar.isVisible()


def test_a_transparent_fill_shows_a_checkerboard(qtbot, window):
    """A cut-out's cleared region is shown as transparency (grey squares), not as the photo
    it replaced; the rest of the photo is unchanged."""
    original = shown(window)
    window.add_step("color_bg")
    sid = window.draft.steps[-1].id
    window.undo_stack.push(cmd.SetParamsCommand(window.draft, sid, {"mode": "transparent"}))
    m = np.zeros_like(window.draft.get(sid).mask)
    m[: m.shape[0] // 2] = 1.0  # the top half cleared
    window.undo_stack.push(cmd.SetMaskCommand(window.draft, sid, window.draft.get(sid).mask, m))
    window.leave_mask_edit()
    wait_idle(qtbot, window)
    now = shown(window)
    h = now.shape[0]
    top = now[: h // 3].astype(int)
    # neutral greys in two shades, whatever the photo had there
    assert np.abs(top[..., 0] - top[..., 2]).max() <= 2
    assert set(np.unique(top[..., 1])) >= {153, 204}
    np.testing.assert_array_equal(now[-h // 4:], original[-h // 4:])
