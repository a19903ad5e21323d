"""The request box: multi-line; Enter runs, Shift+Enter adds a line, Up/Down recall earlier
requests (like a shell) when the cursor is on the first/last line."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

EXAMPLES = (
    "brighten it a little",
    "make the sky bluer",
    "remove the people in the background",
    "warmer and more contrast",
    "blur the background",
)


class RequestEdit(QPlainTextEdit):
    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("requestEdit")
        self.setPlaceholderText("Describe an edit… e.g. “" + EXAMPLES[0] + "”, “"
                                + EXAMPLES[1] + "”  (Enter to run, Shift+Enter for a new line)")
        self.setTabChangesFocus(True)
        self.history: list[str] = []
        self._recall = 0  # index into history while browsing; len(history) = the new text
        self._stash = ""

    def set_history(self, requests: list[str]) -> None:
        """Earlier requests (oldest first), e.g. restored from the last run."""
        self.history = list(requests)
        self._recall = len(self.history)

    def text(self) -> str:
        return self.toPlainText().strip()

    def set_text(self, text: str) -> None:
        self.setPlainText(text)
        self.moveCursor(QTextCursor.MoveOperation.End)

    def submit(self) -> None:
        text = self.text()
        if not text:
            return
        if not self.history or self.history[-1] != text:
            self.history.append(text)
        self._recall = len(self.history)
        self.submitted.emit(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key, mods = event.key(), event.modifiers()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not mods & Qt.KeyboardModifier.ShiftModifier:
            if mods & Qt.KeyboardModifier.ControlModifier:
                event.ignore()  # Ctrl+Enter belongs to the window (Apply)
                return
            self.submit()
            return
        cursor = self.textCursor()
        if key == Qt.Key.Key_Up and self.history and cursor.blockNumber() == 0:
            if self._recall == len(self.history):
                self._stash = self.toPlainText()
            self._recall = max(0, self._recall - 1)
            self.set_text(self.history[self._recall])
            return
        if key == Qt.Key.Key_Down and self._recall < len(self.history) \
                and cursor.blockNumber() == self.document().blockCount() - 1:
            self._recall += 1
            self.set_text(self.history[self._recall] if self._recall < len(self.history)
                          else self._stash)
            return
        super().keyPressEvent(event)
