"""File > Open Sample > Shapes: describe a CoSaL scene and see it coloured, with attention."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from lbie_desktop.gui.dialogs.shapes import SCALE
from lbie_desktop.paths import MODEL_CARDS
from tests.gui.conftest import WAIT_MS, qimage_to_array

pytestmark = pytest.mark.skipif(not (MODEL_CARDS / "cosal_improved.safetensors").exists(),
                                reason="the CoSaL weights are not in models/")


def _open(qtbot, window):
    window.sample_menu.actions()[1].trigger()  # File > Open Sample > Shapes (CoSaL)
    dlg = window.shapes_dialog
    qtbot.waitUntil(dlg.isVisible, timeout=WAIT_MS)
    return dlg


def _colorize(qtbot, dlg, text: str) -> np.ndarray:
    dlg.description.clear()
    dlg.description.setFocus()
    qtbot.keyClicks(dlg.description, text)
    qtbot.mouseClick(dlg.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.busy, timeout=WAIT_MS)
    img = qimage_to_array(dlg.result_view.pixmap().toImage())
    return img[::SCALE, ::SCALE]  # back to the 48 px scene


def test_typing_a_description_colours_the_shapes(qtbot, window):
    from lbie_desktop.research.cosal.text import COLOUR_RGB, SHAPES

    dlg = _open(qtbot, window)
    fg = dlg.scene.shape_map[0] >= 0  # silhouette pixels
    for colour, rgb in zip(("red", "green", "blue"), COLOUR_RGB, strict=True):
        out = _colorize(qtbot, dlg, ". ".join(f"{s} is {colour}" for s in SHAPES))
        assert (out[fg] == rgb).all(-1).mean() > 0.9, colour  # every shape in that colour
        assert (out[~fg] == 255).all(-1).mean() > 0.9  # the background stays white
    assert dlg.attention.rowCount() == 9 and dlg.attention.columnCount() >= 1


def test_the_scenes_own_description_mostly_matches_its_colours(qtbot, window):
    from lbie_desktop.research.cosal.figure import colourise

    dlg = _open(qtbot, window)
    dlg.load_scene(1)
    out = _colorize(qtbot, dlg, dlg.reference_description().replace("\n", " "))
    truth = colourise(dlg.scene.label[0])
    fg = dlg.scene.shape_map[0] >= 0
    assert (out[fg] == truth[fg]).all(-1).mean() > 0.6  # chance is 1/3 per shape
    # attention per step over the sentences: one row per sentence, each step sums to ~1
    att = dlg.result.attention
    assert att.shape[1] == 9 and np.allclose(att.sum(1), 1.0, atol=0.05)
    assert dlg.attention.item(0, 0).text().endswith("%")


def test_an_unreadable_sentence_is_a_readable_message(qtbot, window):
    dlg = _open(qtbot, window)
    _ = dlg.result_view.pixmap()
    dlg.description.setPlainText("banana is purple")
    qtbot.mouseClick(dlg.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.busy, timeout=WAIT_MS)
    assert "cannot read" in dlg.message.text() and "Traceback" not in dlg.message.text()
    assert dlg.result is None and dlg.run_button.isEnabled()
    assert window.session is not None  # the photo in the editor is untouched
