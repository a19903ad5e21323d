"""History: the original photo and one entry per applied turn (thumbnail, request, steps).
Clicking an entry shows that state; "Revert" goes back to it (undoable)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lbie_desktop.core.ops import get_op
from lbie_desktop.core.session import Turn
from lbie_desktop.gui.canvas import rgb_to_qimage

THUMB = QSize(64, 48)


class HistoryPanel(QWidget):
    stateSelected = Signal(int)  # number of turns of the state to show
    revertRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("historyPanel")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        head = QHBoxLayout()
        head.setContentsMargins(12, 10, 8, 6)
        title = QLabel("History")
        title.setObjectName("panelTitle")
        head.addWidget(title)
        head.addStretch(1)
        self.revert_button = QPushButton("Revert to here")
        self.revert_button.setObjectName("revertButton")
        self.revert_button.setToolTip("Drop the turns after the selected one (undoable)")
        self.revert_button.setEnabled(False)
        head.addWidget(self.revert_button)
        lay.addLayout(head)
        self.list = QListWidget()
        self.list.setObjectName("historyList")
        self.list.setIconSize(THUMB)
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setSpacing(2)
        lay.addWidget(self.list, 1)
        self.list.currentRowChanged.connect(self._row_changed)
        self.list.itemClicked.connect(lambda it: self.stateSelected.emit(self.list.row(it)))
        self.revert_button.clicked.connect(
            lambda: self.revertRequested.emit(self.list.currentRow()))

    def set_turns(self, turns: list[Turn], thumbs: list[np.ndarray | None]) -> None:
        """thumbs[0] is the original, thumbs[i] the state after turn i."""
        self.list.blockSignals(True)
        self.list.clear()
        entries = [("Original", "the photo as opened")]
        for t in turns:
            ops = ", ".join(get_op(s.op).label for s in t.plan.steps if s.enabled) or "no change"
            entries.append((t.request, ops))
        for i, (title, sub) in enumerate(entries):
            item = QListWidgetItem(f"{title}\n{sub}")
            item.setToolTip(f"{title}\n{sub}")
            thumb = thumbs[i] if i < len(thumbs) else None
            if thumb is not None:
                pm = QPixmap.fromImage(rgb_to_qimage(thumb)).scaled(
                    THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation)
                item.setIcon(QIcon(pm))
            self.list.addItem(item)
        self.list.setCurrentRow(len(entries) - 1)
        self.list.blockSignals(False)
        self.revert_button.setEnabled(False)

    def count(self) -> int:
        return self.list.count()

    def _row_changed(self, row: int) -> None:
        self.revert_button.setEnabled(0 <= row < self.list.count() - 1)
        if row >= 0:
            self.stateSelected.emit(row)  # arrow keys browse the history too
