"""Model packs: what is installed, and fetching a pack with a progress bar and cancel.

The list and the fetching come from the core pack manager (`lbie models`); the fetch runs on
a worker thread, so a slow download never freezes the window. `fetcher` is injectable so tests
(and a future mirror) can stand in for the network.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lbie_desktop.gui.worker import JobContext, LatestRunner
from lbie_desktop.models import manager
from lbie_desktop.paths import packs_dir

Fetcher = Callable[..., Path]  # manager.fetch's signature: (name, log, *, progress, cancelled)


def list_packs() -> list[dict[str, Any]]:
    """[{name, status, size, licence, description}] as the pack manager reports them."""
    out = []
    for p in manager.packs().values():
        present = [p.path(f) for f in p.files if p.path(f).exists()]
        installed = manager.status(p) == "ok"
        status = ("bundled" if p.kind == "bundled" else "installed") if installed else \
            ("incomplete" if present else "not installed")
        out.append({"name": p.name, "status": status, "installed": installed,
                    "size": sum(f.stat().st_size for f in present),
                    "licence": p.licence, "description": p.description})
    return out


def fetch_pack(fetcher: Fetcher, name: str, ctx: JobContext) -> Path:
    return fetcher(name, lambda _msg: None, progress=ctx.progress,
                   cancelled=lambda: ctx.cancelled)


class PacksDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, *, fetcher: Fetcher | None = None):
        super().__init__(parent)
        self.fetcher: Fetcher = fetcher or manager.fetch
        self.setWindowTitle("Model packs")
        self.resize(680, 380)
        lay = QVBoxLayout(self)
        where = QLabel(f"Downloaded packs live in {packs_dir()}")
        where.setObjectName("stepWhy")
        where.setWordWrap(True)
        lay.addWidget(where)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("packsTable")
        self.table.setHorizontalHeaderLabels(["Pack", "What it adds", "Status", "Size"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        lay.addWidget(self.table, 1)
        self.empty = QLabel("No model packs are known to this build. The editor works without "
                            "them; packs add better region finding.")
        self.empty.setWordWrap(True)
        self.empty.setObjectName("stepWhy")
        lay.addWidget(self.empty)
        self.message = QLabel("")  # progress stage, success, or a readable error
        self.message.setObjectName("packsMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.message)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        lay.addWidget(self.progress)
        self.fetch_button = QPushButton("Fetch selected")
        self.fetch_button.setObjectName("fetchButton")
        self.fetch_button.clicked.connect(self._fetch)
        self.cancel_button = QPushButton("Cancel fetch")
        self.cancel_button.setObjectName("cancelFetchButton")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel_fetch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.fetch_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.runner = LatestRunner(self)
        self.runner.progress.connect(self._on_progress)
        self.runner.busyChanged.connect(self._on_busy)
        self._fetching = ""
        self._cancelling = False
        self.refresh()

    @property
    def busy(self) -> bool:
        return self.runner.busy

    def refresh(self) -> None:
        try:
            packs = list_packs()
        except (OSError, ValueError, KeyError) as exc:  # unreadable pins file
            packs = []
            self.message.setText(f"Cannot read the model pack list: {exc}")
        self.packs = packs
        self.table.setRowCount(len(packs))
        for i, p in enumerate(packs):
            size = p.get("size") or 0
            cells = [p["name"], p["description"], p["status"], f"{size / 1e6:.1f} MB" if size else ""]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(str(text))
                item.setToolTip(f"{p['description']}\nLicence: {p['licence']}")
                if j == 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, j, item)
        self.empty.setVisible(not packs)
        if packs and self.table.currentRow() < 0:  # preselect the first pack still missing
            missing = [i for i, p in enumerate(packs) if not p["installed"]]
            self.table.selectRow(missing[0] if missing else 0)
        self._update_buttons()

    def select(self, name: str) -> None:
        for i, p in enumerate(self.packs):
            if p["name"] == name:
                self.table.selectRow(i)

    def _selected(self) -> dict[str, Any] | None:
        row = self.table.currentRow()
        return self.packs[row] if 0 <= row < len(self.packs) else None

    def _update_buttons(self) -> None:
        p = self._selected()
        fetching = bool(self._fetching)
        self.fetch_button.setEnabled(p is not None and not fetching)
        if p is not None:
            self.fetch_button.setText("Verify selected" if p["status"] == "bundled"
                                      else "Fetch again" if p["installed"] else "Fetch selected")
        self.cancel_button.setVisible(fetching)
        self.cancel_button.setEnabled(fetching and not self._cancelling)

    def _fetch(self) -> None:
        p = self._selected()
        if p is None or self._fetching:
            return
        name = self._fetching = p["name"]
        self._cancelling = False
        self.progress.setRange(0, 0)  # "busy" until the first figure arrives
        self.progress.setVisible(True)
        self.message.setText(f"Fetching {name}…")
        self._update_buttons()
        fetcher = self.fetcher
        self.runner.submit(lambda ctx: fetch_pack(fetcher, name, ctx),
                           lambda _r: self._finished(f"{name} is installed and verified."),
                           lambda exc: self._finished(f"Could not fetch {name}: {exc}",
                                                      error=True),
                           label=f"fetch {name}")

    def cancel_fetch(self) -> None:
        if not self._fetching:
            return
        self._cancelling = True
        self.message.setText(f"Cancelling {self._fetching}…")
        self._update_buttons()
        self.runner.cancel()  # the fetcher polls `cancelled` and stops between steps

    def _on_progress(self, fraction: float, message: str) -> None:
        if self._cancelling:
            return
        if fraction < 0:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(round(min(fraction, 1.0) * 1000))
        if message:
            self.message.setText(message)

    def _on_busy(self, busy: bool) -> None:
        if not busy and self._cancelling:  # a cancelled job reports neither result nor error
            self._finished(f"Cancelled; {self._fetching} was not installed.")

    def _finished(self, text: str, *, error: bool = False) -> None:
        self._fetching = ""
        self._cancelling = False
        self.progress.setVisible(False)
        self.message.setText(text)
        # failures in the theme's danger colour (the palette's BrightText)
        danger = self.palette().color(QPalette.ColorRole.BrightText).name()
        self.message.setStyleSheet(f"color: {danger};" if error else "")
        self.refresh()

    def reject(self) -> None:
        self.cancel_fetch()  # closing the dialog stops a download rather than orphaning it
        super().reject()


__all__ = ["PacksDialog", "list_packs"]
