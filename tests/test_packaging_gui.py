"""The editor's --self-test and Help > Open Log Folder, driven offscreen from source."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")


@pytest.mark.slow
def test_self_test_runs_a_request_through_the_window_and_exports(qapp, tmp_path, capsys):
    from lbie_desktop.gui.selftest_window import main
    from lbie_desktop.paths import sample_photo

    assert main(tmp_path) == 0
    out = capsys.readouterr().out
    assert "self-test passed" in out and "FAIL" not in out
    assert "request 1" in out and "request 2" in out
    exported = np.asarray(Image.open(tmp_path / "selftest.jpg").convert("RGB"))
    sample = np.asarray(Image.open(sample_photo()).convert("RGB"))
    assert exported.shape == sample.shape
    assert np.abs(exported.astype(int) - sample).mean() > 1.0  # the edit shows in the file
    log = (Path(os.environ["LBIE_DATA_DIR"]) / "logs" / "lbie.log").read_text()
    assert "self-test: [ok] request 1" in log


def test_self_test_fails_with_a_readable_reason(qapp, tmp_path, capsys, monkeypatch):
    from lbie_desktop.gui import main_window
    from lbie_desktop.gui.selftest_window import main

    def broken(request, session):
        raise RuntimeError("the understanding model file is damaged")

    monkeypatch.setattr(main_window, "predict", broken)
    assert main(tmp_path) == 1
    out = capsys.readouterr().out
    assert "self-test FAILED" in out
    assert "the understanding model file is damaged" in out
    assert not (tmp_path / "selftest.jpg").exists()


def test_help_menu_gets_open_log_folder_once(qapp, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    from lbie_desktop.gui import log_folder
    from lbie_desktop.gui.main_window import MainWindow
    from lbie_desktop.paths import log_dir

    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        staticmethod(lambda url: opened.append(url.toLocalFile()) or True))
    w = MainWindow()
    try:
        action = log_folder.add_log_folder_action(w)
        assert action is not None
        assert log_folder.add_log_folder_action(w) is action  # not added twice
        help_menu = next(a.menu() for a in w.menuBar().actions() if "Help" in a.text())
        assert action in help_menu.actions()
        action.trigger()
        assert opened == [str(log_dir())]
        assert Path(opened[0]).is_dir()
    finally:
        w.close()
