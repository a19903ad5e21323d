"""Click-to-select in "add segment" mode picks the whole person under the cursor (found on a
worker by the grounding sources), falls back to a colour region elsewhere, Shift removes."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from lbie_desktop.gui import click_select, mask_tools
from lbie_desktop.models import manager
from tests.gui.conftest import wait_idle
from tests.gui.test_masks import _local_brighten, _view_pos

pytestmark = pytest.mark.skipif(not manager.available("people"),
                                reason="the bundled people pack is missing")

# points on the 384 px astronaut photo: on her (hair, face, suit left/centre/right) and off
# her (rocket, grey backdrop on both sides of the head, the flag's corner)
ON = [(165, 40), (165, 90), (100, 230), (60, 300), (240, 240)]
OFF = [(300, 100), (250, 40), (80, 60), (340, 200), (15, 15)]


def _click(qtbot, window, x: int, y: int, shift: bool = False) -> None:
    mods = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, mods,
                     _view_pos(window, x, y))
    wait_idle(qtbot, window)


def test_clicking_the_astronaut_selects_her_whole_and_little_else(qtbot, window, monkeypatch):
    threads: list[str] = []
    real_pick = click_select.pick
    monkeypatch.setattr(click_select, "pick", lambda *a: (threads.append(
        threading.current_thread().name), real_pick(*a))[1])
    sid = _local_brighten(qtbot, window)
    window._set_tool("segment")
    _click(qtbot, window, 100, 230)  # on the orange suit
    m = window.draft.get(sid).mask
    assert all(m[y, x] > 0.5 for x, y in ON)  # head to suit, not just the orange patch
    assert all(m[y, x] == 0 for x, y in OFF)
    assert 0.3 < m.mean() < 0.55  # she fills a bit under half the frame
    assert m[:, 300:].mean() < 0.05  # the rocket side stays out
    assert threads and threads[0] != threading.current_thread().name  # picked on a worker
    # the colour flood fill alone (what a click did before) stops at the suit's edge
    flood = mask_tools.segment_at(window.session.renderer.proxy, 100, 230)
    assert flood[90, 165] == 0 and flood.mean() < 0.6 * m.mean()
    assert "person" in window.undo_stack.undoText()
    _click(qtbot, window, 165, 90, shift=True)  # Shift-click on her face removes her
    assert window.draft.get(sid).mask.max() == 0.0


def test_a_click_off_every_instance_falls_back_to_the_colour_region(qtbot, window):
    sid = _local_brighten(qtbot, window)
    window._set_tool("segment")
    _click(qtbot, window, 250, 40)  # the grey backdrop
    m = window.draft.get(sid).mask
    assert m[40, 250] == 1.0 and m[90, 165] == 0.0 and 0.005 < m.mean() < 0.4
    assert "similar colours" in window.undo_stack.undoText()
    window.undo_stack.undo()
    assert window.draft.get(sid).mask.max() == 0.0


def test_a_failing_detector_still_selects_by_colour(qtbot, window, monkeypatch):
    def broken(_image):
        raise RuntimeError("onnxruntime: bad model")

    from collections import OrderedDict

    monkeypatch.setattr(click_select, "_find", broken)
    monkeypatch.setattr(click_select, "_cache", OrderedDict())  # no instances memoised
    errors: list[str] = []
    window.errorShown.connect(errors.append)
    sid = _local_brighten(qtbot, window)
    window._set_tool("segment")
    _click(qtbot, window, 100, 230)
    m = window.draft.get(sid).mask
    assert m[230, 100] == 1.0 and m[90, 165] == 0.0  # the suit's colour region, not her
    assert errors == []
