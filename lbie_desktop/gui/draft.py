"""The pending turn being edited: the steps predicted for the last request, before "Apply".

All mutations go through undo commands (commands.py) which call these methods; the model
emits signals so the steps panel and canvas follow, whatever caused the change.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from lbie_desktop.core.plan import Step


class DraftModel(QObject):
    reset = Signal()  # the list of steps changed shape (added/removed/moved/replaced)
    stepChanged = Signal(str)  # step id whose params/enabled/mask changed
    maskChanged = Signal(str)  # step id whose mask changed (overlay must redraw)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.request = ""
        self.steps: list[Step] = []
        self.messages: list[str] = []

    # --- queries --------------------------------------------------------------------------
    def index_of(self, step_id: str) -> int:
        for i, s in enumerate(self.steps):
            if s.id == step_id:
                return i
        raise KeyError(step_id)

    def get(self, step_id: str) -> Step | None:
        for s in self.steps:
            if s.id == step_id:
                return s
        return None

    def snapshot(self) -> list[Step]:
        """Copies safe to hand to a worker thread. Masks are shared, not copied: a step's mask
        is replaced, never edited in place (the brush paints the canvas's own copy), so a
        slider move neither copies nor re-hashes it."""
        return [s.copy() for s in self.steps]

    # --- mutations (called by undo commands) ------------------------------------------------
    def set_all(self, request: str, steps: list[Step], messages: list[str] | None = None) -> None:
        self.request = request
        self.steps = list(steps)
        self.messages = list(messages or [])
        self.reset.emit()

    def insert(self, index: int, step: Step) -> None:
        self.steps.insert(index, step)
        self.reset.emit()

    def remove(self, step_id: str) -> tuple[int, Step]:
        i = self.index_of(step_id)
        step = self.steps.pop(i)
        self.reset.emit()
        return i, step

    def move(self, step_id: str, new_index: int) -> None:
        i = self.index_of(step_id)
        step = self.steps.pop(i)
        self.steps.insert(max(0, min(new_index, len(self.steps))), step)
        self.reset.emit()

    def set_param(self, step_id: str, name: str, value: Any) -> None:
        s = self.get(step_id)
        if s is None:
            return
        s.params = {**s.params, name: value}
        self.stepChanged.emit(step_id)

    def set_params(self, step_id: str, params: dict[str, Any]) -> None:
        s = self.get(step_id)
        if s is None:
            return
        s.params = {**s.params, **params}
        self.stepChanged.emit(step_id)

    def set_enabled(self, step_id: str, enabled: bool) -> None:
        s = self.get(step_id)
        if s is None:
            return
        s.enabled = enabled
        self.stepChanged.emit(step_id)

    def set_mask(self, step_id: str, mask: np.ndarray | None) -> None:
        s = self.get(step_id)
        if s is None:
            return
        s.mask = None if mask is None else np.clip(mask.astype(np.float32, copy=False), 0, 1)
        s.local = mask is not None
        self.stepChanged.emit(step_id)
        self.maskChanged.emit(step_id)
