"""Status bar contents: a message, the zoom level, and a progress bar (with Cancel where that
means something) that appears only for work that lasts: model loading, predicting, slow
renders such as inpainting, full-resolution export."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar, QWidget

SHOW_AFTER_MS = 250  # quick work never flashes a progress bar


class StatusBar(QStatusBar):
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.info = QLabel("")
        self.info.setObjectName("imageInfo")
        self.zoom = QLabel("")
        self.zoom.setObjectName("zoomLabel")
        # a lasting note beside the messages (which come and go): the fast renderer warming up
        self.note = QLabel("")
        self.note.setObjectName("statusNote")
        self.note.setVisible(False)
        self.progress = QProgressBar()
        self.progress.setObjectName("progressBar")
        self.progress.setFixedWidth(160)
        self.progress.setTextVisible(False)
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("cancelButton")
        self.cancel.setToolTip("Stop the running work")
        self.cancel.clicked.connect(self.cancelRequested)
        self.addPermanentWidget(self.note)
        self.addPermanentWidget(self.info)
        self.addPermanentWidget(self.progress)
        self.addPermanentWidget(self.cancel)
        self.addPermanentWidget(self.zoom)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._reveal)
        self._working = False
        self._cancellable = True
        self.progress.setVisible(False)
        self.cancel.setVisible(False)

    @property
    def working(self) -> bool:
        return self._working

    def start(self, message: str, cancellable: bool = True) -> None:
        self._working = True
        self._cancellable = cancellable
        self.showMessage(message)
        self.progress.setRange(0, 0)  # busy indicator until the first progress report
        if not self.progress.isVisible():
            self._timer.start(SHOW_AFTER_MS)

    def report(self, fraction: float, message: str = "") -> None:
        if fraction >= 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(fraction * 1000))
        if message:
            self.showMessage(message)

    def stop(self, message: str = "") -> None:
        if not self._working and not message:
            return
        self._working = False
        self._timer.stop()
        self.progress.setVisible(False)
        self.cancel.setVisible(False)
        if message:  # else keep what a finished job just said ("Exported …")
            self.showMessage(message, 4000)
        elif self.currentMessage().endswith("…"):
            self.clearMessage()

    def _reveal(self) -> None:
        if self._working:
            self.progress.setVisible(True)
            self.cancel.setVisible(self._cancellable)

    def set_note(self, text: str, tooltip: str = "") -> None:
        """Show a lasting note ('' hides it)."""
        self.note.setText(text)
        self.note.setToolTip(tooltip)
        self.note.setVisible(bool(text))

    def set_zoom(self, z: float) -> None:
        self.zoom.setText(f"{z * 100:.0f}%")
