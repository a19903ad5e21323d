"""Model packs dialog: fetching on a worker with a moving bar, cancel, readable failures.

No network here: a fake fetcher with manager.fetch's signature stands in for npm, and a
temporary pins file describes one downloadable pack."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pytest

from lbie_desktop.errors import UserError
from lbie_desktop.models import manager
from tests.gui.conftest import WAIT_MS

CONTENT = b"pretend onnx weights"


@pytest.fixture
def pins(tmp_path: Path, monkeypatch) -> Path:
    spec = {"packs": {"demo": {
        "kind": "npm", "description": "a demo pack", "licence": "MIT",
        "package": "demo-weights@1.0.0", "package_sha256": "",
        "files": {"demo.onnx": hashlib.sha256(CONTENT).hexdigest()}}}}
    p = tmp_path / "pins.json"
    p.write_text(json.dumps(spec))
    monkeypatch.setattr(manager, "PINS", p)
    return p


class GatedFetcher:
    """Reports progress in quarters, pausing at each until the test opens the gate."""

    def __init__(self, fail: str = ""):
        self.fail = fail
        self.gate = threading.Semaphore(0)
        self.thread = ""

    def __call__(self, name, log, *, progress, cancelled):
        self.thread = threading.current_thread().name
        for k in range(1, 4):
            progress(k / 4, f"{name}: downloading part {k} of 3")
            while not self.gate.acquire(timeout=0.02):
                if cancelled():
                    raise manager.FetchCancelled(f"fetching {name} was cancelled")
        if self.fail:
            raise UserError(self.fail)
        pack = manager.get_pack(name)
        pack.folder().mkdir(parents=True, exist_ok=True)
        pack.path("demo.onnx").write_bytes(CONTENT)
        progress(1.0, f"{name}: installed")
        return pack.folder()


def _dialog(qtbot, fetcher):
    from lbie_desktop.gui.app import build_app
    from lbie_desktop.gui.dialogs.packs import PacksDialog

    build_app()
    dlg = PacksDialog(fetcher=fetcher)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def _status(dlg, name: str) -> str:
    row = next(i for i in range(dlg.table.rowCount()) if dlg.table.item(i, 0).text() == name)
    return dlg.table.item(row, 2).text()


def test_fetch_moves_the_bar_off_the_ui_thread_and_refreshes_the_list(qtbot, pins):
    fetcher = GatedFetcher()
    dlg = _dialog(qtbot, fetcher)
    assert _status(dlg, "demo") == "not installed"
    dlg.select("demo")
    qtbot.mouseClick(dlg.fetch_button, _left())
    assert dlg.progress.isVisible() and dlg.cancel_button.isVisible()
    seen = []
    for _ in range(3):
        qtbot.waitUntil(lambda: dlg.progress.value() not in (seen[-1:] or [-1]), timeout=WAIT_MS)
        seen.append(dlg.progress.value())
        assert "downloading" in dlg.message.text()
        fetcher.gate.release()
    assert seen == [250, 500, 750]  # the bar follows the fetch, step by step
    qtbot.waitUntil(lambda: not dlg.busy, timeout=WAIT_MS)
    assert fetcher.thread != threading.current_thread().name  # never on the UI thread
    assert _status(dlg, "demo") == "installed"
    assert "installed" in dlg.message.text() and not dlg.progress.isVisible()
    assert not dlg.cancel_button.isVisible() and dlg.fetch_button.text() == "Fetch again"


def test_cancel_stops_the_fetch_and_installs_nothing(qtbot, pins):
    fetcher = GatedFetcher()
    dlg = _dialog(qtbot, fetcher)
    dlg.select("demo")
    qtbot.mouseClick(dlg.fetch_button, _left())
    qtbot.waitUntil(lambda: dlg.progress.value() == 250, timeout=WAIT_MS)
    qtbot.mouseClick(dlg.cancel_button, _left())
    qtbot.waitUntil(lambda: not dlg.busy, timeout=WAIT_MS)
    assert "Cancelled" in dlg.message.text()
    assert _status(dlg, "demo") == "not installed"
    assert not manager.get_pack("demo").path("demo.onnx").exists()
    assert dlg.fetch_button.isEnabled()  # ready to try again


@pytest.mark.parametrize("error", [
    "npm pack demo-weights@1.0.0 failed (no network?): getaddrinfo ENOTFOUND",
    "demo-weights-1.0.0.tgz: sha256 differs from the pinned value; not installing",
])
def test_failure_is_a_readable_message_and_the_dialog_recovers(qtbot, pins, error):
    fetcher = GatedFetcher(fail=error)
    dlg = _dialog(qtbot, fetcher)
    dlg.select("demo")
    qtbot.mouseClick(dlg.fetch_button, _left())
    for _ in range(3):
        fetcher.gate.release()
    qtbot.waitUntil(lambda: not dlg.busy, timeout=WAIT_MS)
    assert dlg.message.text() == f"Could not fetch demo: {error}"
    assert "Traceback" not in dlg.message.text()
    assert _status(dlg, "demo") == "not installed" and dlg.fetch_button.isEnabled()


def test_real_pack_list_shows_bundled_and_missing_packs(qtbot):
    dlg = _dialog(qtbot, GatedFetcher())
    names = {dlg.table.item(i, 0).text(): _status(dlg, dlg.table.item(i, 0).text())
             for i in range(dlg.table.rowCount())}
    assert names["people"] == "bundled" and names["salient"] == "not installed"


def _left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_verifying_a_bundled_pack_with_the_real_manager(qtbot):
    from lbie_desktop.gui.app import build_app
    from lbie_desktop.gui.dialogs.packs import PacksDialog

    build_app()
    dlg = PacksDialog()  # the real manager.fetch: bundled packs are hashed, no network
    qtbot.addWidget(dlg)
    dlg.select("objects")
    assert dlg.fetch_button.text() == "Verify selected"
    qtbot.mouseClick(dlg.fetch_button, _left())
    qtbot.waitUntil(lambda: not dlg.busy, timeout=WAIT_MS)
    assert dlg.message.text() == "objects is installed and verified."
    assert _status(dlg, "objects") == "bundled"


def test_a_missing_pack_message_offers_the_dialog_on_that_pack(qtbot, window, monkeypatch):
    from lbie_desktop.gui.dialogs import packs

    opened: list[str] = []
    monkeypatch.setattr(packs.PacksDialog, "exec",
                        lambda self: opened.append(self.packs[self.table.currentRow()]["name"]))
    window.show_error("Photo background: needs the model pack 'salient': run "
                      "`lbie models fetch salient`")
    assert window.packs_link.isVisible()
    qtbot.mouseClick(window.packs_link, _left())
    assert opened == ["salient"]
    window.show_error("Export failed: disk full")
    assert not window.packs_link.isVisible()
