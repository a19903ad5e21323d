"""Window-level behaviour: layout at common sizes, themes, history navigation, sessions,
window state between runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QListWidget

from tests.gui.conftest import WAIT_MS, run_request, shown, wait_idle


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_nothing_is_cut_off(qtbot, window, size):
    window.resize(*size)
    run_request(qtbot, window, "brighten the sky")
    window.edit_mask(window.draft.steps[-1].id)  # the widest state: mask tools shown
    qtbot.wait(50)  # let layouts settle (no work to wait for)
    assert window.width() == size[0] and window.height() == size[1]
    inside = QRect(QPoint(0, 0), window.size())
    for w in (window.request_edit, window.run_button, window.steps_panel.apply_button,
              window.steps_panel.add_button, window.history_panel, window.mask_bar,
              window.canvas):
        assert w.isVisible()
        top_left = w.mapTo(window, QPoint(0, 0))
        assert inside.contains(QRect(top_left, w.size())), w.objectName()
    # every mask tool fits in its bar
    for b in window.mask_bar.tool_buttons.values():
        assert b.geometry().right() <= window.mask_bar.width()
    assert window.canvas.width() > window.width() / 2


def test_light_and_dark_themes_change_the_look(qtbot, window):
    window.set_theme("dark")
    dark = window.palette().color(window.backgroundRole()).lightness()
    window.set_theme("light")
    light = window.palette().color(window.backgroundRole()).lightness()
    assert light > dark + 100
    window.set_theme("dark")


def test_clicking_history_shows_that_state_and_revert_goes_back(qtbot, window):
    original = shown(window)
    run_request(qtbot, window, "brighten it")
    window.apply_steps()
    wait_idle(qtbot, window)
    edited = shown(window)
    history = window.findChild(QListWidget, "historyList")
    qtbot.mouseClick(history.viewport(), Qt.MouseButton.LeftButton,
                     pos=history.visualItemRect(history.item(0)).center())
    wait_idle(qtbot, window)
    np.testing.assert_array_equal(shown(window), original)
    assert window.viewing_banner.isVisible()
    assert len(window.session.turns) == 1  # only looking, nothing dropped
    qtbot.mouseClick(window.history_panel.revert_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert window.session.turns == []
    np.testing.assert_array_equal(shown(window), original)
    window.undo_stack.undo()  # revert is undoable
    wait_idle(qtbot, window)
    np.testing.assert_array_equal(shown(window), edited)


def test_compare_shows_the_original(qtbot, window):
    run_request(qtbot, window, "brighten it")
    assert not window.canvas.before_clip.isVisible()
    qtbot.keyPress(window.canvas, Qt.Key.Key_Backslash)
    assert window.canvas.before_clip.isVisible()
    assert window.canvas.before_clip.rect().width() == window.canvas.source_size[0]
    qtbot.keyRelease(window.canvas, Qt.Key.Key_Backslash)
    assert not window.canvas.before_clip.isVisible()
    window.act_split.trigger()
    assert window.canvas.before_clip.isVisible() and window.canvas.split_line.isVisible()


def test_saved_session_reopens_with_the_same_pixels(qtbot, window, tmp_path: Path):
    run_request(qtbot, window, "brighten the sky")
    window.apply_steps()
    wait_idle(qtbot, window)
    edited = shown(window)
    out = tmp_path / "edit.lbie"
    window.save_session(out)
    qtbot.waitUntil(lambda: out.exists() and not window.busy, timeout=WAIT_MS)
    window.open_image(tmp_path / "astronaut.png")
    qtbot.waitUntil(lambda: not window.session.turns and not window.busy, timeout=WAIT_MS)
    window.open_image(out)
    qtbot.waitUntil(lambda: bool(window.session.turns) and not window.busy, timeout=WAIT_MS)
    assert window.findChild(QListWidget, "historyList").count() == 2
    np.testing.assert_array_equal(shown(window), edited)


def test_window_size_and_requests_are_restored(qtbot, photo):
    from lbie_desktop.gui.main_window import MainWindow

    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.resize(1000, 640)  # the offscreen screen is 800 px wide: keep the height honest
    first.splitter.setSizes([600, 400])
    sizes = first.splitter.sizes()
    first.request_edit.history = ["make it warmer"]
    first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    second.show()
    assert abs(second.height() - 640) <= 40  # (window frame differences aside)
    assert second.splitter.sizes()[1] == sizes[1]  # the side panel keeps its width
    assert second.request_edit.history == ["make it warmer"]


def test_dialogs_open_and_settings_persist(qtbot, window):
    from PySide6.QtWidgets import QDialog

    from lbie_desktop.gui import settings
    from lbie_desktop.gui.dialogs.about import AboutDialog
    from lbie_desktop.gui.dialogs.export import ExportDialog
    from lbie_desktop.gui.dialogs.packs import PacksDialog
    from lbie_desktop.gui.dialogs.settings_dialog import SettingsDialog

    about = AboutDialog(window)
    qtbot.addWidget(about)
    from PySide6.QtWidgets import QTextBrowser

    assert "MIT" in about.findChild(QTextBrowser).toPlainText()
    packs = PacksDialog(window)
    qtbot.addWidget(packs)
    assert not packs.empty.isHidden() or packs.table.rowCount() > 0
    export = ExportDialog(window.session.image, window)
    qtbot.addWidget(export)
    export.format.setCurrentText("PNG")
    assert export.path().suffix == ".png" and not export.quality_box.isEnabled()
    dlg = SettingsDialog(window)
    qtbot.addWidget(dlg)
    dlg.preview.setValue(1024)
    dlg.theme.setCurrentIndex(dlg.theme.findData("light"))
    dlg.accept()
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert settings.get("preview_size") == 1024 and settings.get("theme") == "light"


def test_autosave_keeps_a_recovery_copy_until_a_clean_close(qtbot, window):
    from lbie_desktop.paths import autosave_dir

    run_request(qtbot, window, "brighten it")
    window.apply_steps()
    wait_idle(qtbot, window)
    copies = list(autosave_dir().glob("*.lbie"))
    assert len(copies) == 1
    from lbie_desktop.core.session_file import read_info

    assert read_info(copies[0]).requests == ["brighten it"]
    window.close()
    assert list(autosave_dir().glob("*.lbie")) == []


def test_reopened_session_gets_history_thumbnails(qtbot, window, tmp_path: Path):
    run_request(qtbot, window, "brighten it")
    window.apply_steps()
    wait_idle(qtbot, window)
    out = tmp_path / "s.lbie"
    window.save_session(out)
    qtbot.waitUntil(lambda: out.exists() and not window.busy, timeout=WAIT_MS)
    window.thumbs.clear()
    window.open_image(out)
    qtbot.waitUntil(lambda: bool(window.thumbs) and not window.busy, timeout=WAIT_MS)
    history = window.findChild(QListWidget, "historyList")
    assert not history.item(1).icon().isNull()


def test_arrow_keys_browse_the_history(qtbot, window):
    original = shown(window)
    run_request(qtbot, window, "brighten it")
    window.apply_steps()
    wait_idle(qtbot, window)
    edited = shown(window)
    history = window.findChild(QListWidget, "historyList")
    history.setFocus()
    qtbot.keyClick(history, Qt.Key.Key_Up)
    wait_idle(qtbot, window)
    np.testing.assert_array_equal(shown(window), original)
    qtbot.keyClick(history, Qt.Key.Key_Down)
    wait_idle(qtbot, window)
    np.testing.assert_array_equal(shown(window), edited)
    assert not window.viewing_banner.isVisible()


def test_unsaved_edits_are_not_dropped_without_asking(qtbot, window, tmp_path, coffee):
    from PIL import Image

    other = tmp_path / "coffee.png"
    Image.fromarray(coffee).save(other)
    window.ask_before_discarding = True
    asked: list[str] = []
    answer = ["cancel"]

    def ask(title, text):
        asked.append(title)
        return answer[0]

    window.ask_save_discard_cancel = ask
    window.open_image(other)  # nothing edited yet: no question
    qtbot.waitUntil(lambda: window.session.image.path == other and not window.busy,
                    timeout=WAIT_MS)
    assert asked == []
    run_request(qtbot, window, "brighten it")
    window.apply_steps()
    wait_idle(qtbot, window)
    window.open_image(tmp_path / "astronaut.png")  # "cancel": stay on this photo
    wait_idle(qtbot, window)
    assert len(asked) == 1 and window.session.image.path == other
    window.close()  # "cancel" again: the window stays open with its edits
    assert window.isVisible() and len(window.session.turns) == 1 and len(asked) == 2
    out = tmp_path / "kept.lbie"
    window.save_session(out)
    qtbot.waitUntil(lambda: out.exists() and not window.busy, timeout=WAIT_MS)
    window.open_image(tmp_path / "astronaut.png")  # saved: no question
    qtbot.waitUntil(lambda: window.session.image.path.name == "astronaut.png"
                    and not window.busy, timeout=WAIT_MS)
    assert len(asked) == 2  # saved edits need no question
    run_request(qtbot, window, "brighten it")
    answer[0] = "discard"
    window.close()
    assert not window.isVisible() and len(asked) == 3


def test_zoom_controls(qtbot, window):
    canvas = window.canvas
    fitted = canvas.zoom()
    window.act_zoom_in.trigger()
    assert canvas.zoom() > fitted
    window.act_100.trigger()
    assert abs(canvas.zoom() * canvas.devicePixelRatioF() - 1.0) < 1e-6
    assert window.status.zoom.text() == f"{canvas.zoom() * 100:.0f}%"
    qtbot.mouseDClick(canvas.viewport(), Qt.MouseButton.LeftButton,
                      pos=canvas.viewport().rect().center())
    assert abs(canvas.zoom() - fitted) < 1e-6  # double-click: back to the whole photo


def test_settings_remember_the_open_vocabulary_model_folders(qtbot, window, tmp_path: Path,
                                                             monkeypatch):
    """The CLIPSeg/SAM folders chosen in Settings are what grounding loads from; a folder
    without a checkpoint is flagged while choosing it."""
    from lbie_desktop.grounding.sources import openvocab
    from lbie_desktop.gui.dialogs.settings_dialog import SettingsDialog

    for env in openvocab.ENV_FOR_KEY.values():
        monkeypatch.delenv(env, raising=False)
    good = tmp_path / "clipseg"
    good.mkdir()
    (good / "config.json").write_text("{}")
    empty = tmp_path / "not a model"
    empty.mkdir()
    dlg = SettingsDialog(window)
    qtbot.addWidget(dlg)
    dlg.clipseg.edit.setText(str(good))
    assert dlg.clipseg.status.text() == "checkpoint found"
    dlg.sam.edit.setText(str(empty))
    assert "config.json" in dlg.sam.status.text()
    dlg.accept()
    assert openvocab.model_dir() == good and openvocab.configured()
    assert openvocab.sam_dir() == empty and not openvocab.sam_configured()
    again = SettingsDialog(window)  # reopened: shows what was saved; clearing forgets it
    qtbot.addWidget(again)
    assert again.clipseg.value() == str(good)
    again.sam.edit.clear()
    again.accept()
    assert openvocab.sam_dir() is None and openvocab.model_dir() == good
