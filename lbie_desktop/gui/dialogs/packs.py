"""Model packs: what is installed (in the app's data folder), and fetching with progress.

Packs are managed by the core (`lbie models`); this dialog shows what that API reports and
falls back to listing the packs folder when the API is not available."""

from __future__ import annotations

from PySide6.QtCore import Qt
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
from lbie_desktop.paths import MODEL_CARDS, packs_dir


def list_packs() -> list[dict]:
    """[{name, installed, size, licence, description}]: the core pack manager's answer when it
    exists, else the model cards shipped in the repository plus the packs folder's contents."""
    try:
        from lbie_desktop.models import packs as api  # type: ignore[attr-defined]

        return [dict(p) if isinstance(p, dict) else vars(p) for p in api.list_packs()]
    except (ImportError, AttributeError):
        pass
    out = []
    if MODEL_CARDS.is_dir():
        for card in sorted(MODEL_CARDS.glob("*.md")):
            weights = [f for f in MODEL_CARDS.glob(f"{card.stem}.*") if f.suffix != ".md"]
            text = card.read_text(encoding="utf-8", errors="replace")
            title = text.splitlines()[0].lstrip("# ").strip() if text else card.stem
            out.append({"name": card.stem, "installed": bool(weights),
                        "size": sum(f.stat().st_size for f in weights),
                        "licence": "see model card" if "licen" in text.lower() else "",
                        "description": title, "status": "bundled" if weights else "card only"})
    for p in sorted(packs_dir().iterdir()):
        size = sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.is_dir() \
            else p.stat().st_size
        out.append({"name": p.name, "installed": True, "size": size, "licence": "",
                    "description": str(p), "status": "installed"})
    return out


def has_pack_manager() -> bool:
    try:
        from lbie_desktop.models import packs  # type: ignore[attr-defined]  # noqa: F401
    except ImportError:
        return False
    return True


def fetch_pack(name: str, ctx: JobContext) -> None:
    try:
        from lbie_desktop.models import packs as api  # type: ignore[attr-defined]
    except ImportError as exc:
        raise RuntimeError("fetching packs needs the model pack manager (`lbie models`)") from exc
    api.fetch(name, progress=lambda f, msg="": ctx.progress(f, msg))


class PacksDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Model packs")
        self.resize(620, 380)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"Installed in {packs_dir()}"))
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Pack", "Status", "Size", "Licence"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        lay.addWidget(self.table, 1)
        self.empty = QLabel("No model packs installed yet. The editor works without them; "
                            "packs add better understanding and region finding.")
        self.empty.setWordWrap(True)
        self.empty.setObjectName("stepWhy")
        lay.addWidget(self.empty)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        lay.addWidget(self.progress)
        self.fetch_button = QPushButton("Fetch selected")
        self.fetch_button.clicked.connect(self._fetch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.fetch_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.runner = LatestRunner(self)
        self.refresh()

    def refresh(self) -> None:
        packs = list_packs()
        self.table.setRowCount(len(packs))
        for i, p in enumerate(packs):
            size = p.get("size") or 0
            status = p.get("status") or ("installed" if p.get("installed") else "not installed")
            cells = [p.get("name", "?"), status,
                     f"{size / 1e6:.1f} MB" if size else "", p.get("licence", "")]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(str(text))
                item.setToolTip(str(p.get("description", "")))
                if j == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, j, item)
        self.empty.setVisible(not packs)
        self.fetch_button.setEnabled(bool(packs) and has_pack_manager())
        if not has_pack_manager():
            self.fetch_button.setToolTip("Packs are fetched with `lbie models` once available")

    def _fetch(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            return
        name = self.table.item(row, 0).text()
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.runner.progress.connect(lambda f, _m: (self.progress.setRange(0, 1000),
                                                    self.progress.setValue(int(f * 1000))))
        self.runner.submit(lambda ctx: fetch_pack(name, ctx), lambda _r: self._done(""),
                           lambda exc: self._done(str(exc)), label="fetch")

    def _done(self, error: str) -> None:
        self.progress.setVisible(False)
        if error:
            self.empty.setText(error)
            self.empty.setVisible(True)
        self.refresh()


__all__ = ["PacksDialog"]
