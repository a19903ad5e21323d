"""Undo commands for everything a person changes: the predicted steps, their parameters and
masks, applied turns and reverts. Each command only calls DraftModel / Session methods."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from PySide6.QtGui import QUndoCommand

from lbie_desktop.core.ops import get_op
from lbie_desktop.core.plan import Plan, Step
from lbie_desktop.core.session import Session
from lbie_desktop.gui.draft import DraftModel

_MERGE_PARAM = 1001
# Slider moves on the same parameter within this many seconds are one undo entry (a drag).
MERGE_WINDOW_S = 1.0


class SetDraftCommand(QUndoCommand):
    """A request's predicted steps replace the pending ones."""

    def __init__(self, draft: DraftModel, request: str, steps: list[Step],
                 messages: list[str] | None = None):
        super().__init__(f"Request “{_short(request)}”")
        self.draft = draft
        self.new = (request, steps, list(messages or []))
        self.old = (draft.request, list(draft.steps), list(draft.messages))

    def redo(self) -> None:
        self.draft.set_all(*self.new)

    def undo(self) -> None:
        self.draft.set_all(*self.old)


class AddStepCommand(QUndoCommand):
    def __init__(self, draft: DraftModel, step: Step, index: int | None = None):
        super().__init__(f"Add {get_op(step.op).label}")
        self.draft, self.step = draft, step
        self.index = len(draft.steps) if index is None else index

    def redo(self) -> None:
        self.draft.insert(self.index, self.step)

    def undo(self) -> None:
        self.draft.remove(self.step.id)


class RemoveStepCommand(QUndoCommand):
    def __init__(self, draft: DraftModel, step_id: str):
        step = draft.get(step_id)
        super().__init__(f"Delete {get_op(step.op).label if step else 'step'}")
        self.draft, self.step_id = draft, step_id
        self.index, self.step = draft.index_of(step_id), step

    def redo(self) -> None:
        self.index, self.step = self.draft.remove(self.step_id)

    def undo(self) -> None:
        self.draft.insert(self.index, self.step)


class MoveStepCommand(QUndoCommand):
    def __init__(self, draft: DraftModel, step_id: str, new_index: int):
        super().__init__("Reorder steps")
        self.draft, self.step_id = draft, step_id
        self.old_index, self.new_index = draft.index_of(step_id), new_index

    def redo(self) -> None:
        self.draft.move(self.step_id, self.new_index)

    def undo(self) -> None:
        self.draft.move(self.step_id, self.old_index)


class SetParamsCommand(QUndoCommand):
    """One or more parameter values of a step; consecutive changes during a drag merge."""

    def __init__(self, draft: DraftModel, step_id: str, params: dict[str, Any]):
        step = draft.get(step_id)
        assert step is not None
        super().__init__(f"Change {get_op(step.op).label}")
        self.draft, self.step_id = draft, step_id
        self.new = dict(params)
        self.old = {k: step.params.get(k) for k in params}
        self.stamp = time.monotonic()

    def id(self) -> int:
        return _MERGE_PARAM

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetParamsCommand) or other.step_id != self.step_id \
                or set(other.new) != set(self.new) \
                or other.stamp - self.stamp > MERGE_WINDOW_S:
            return False
        self.new = other.new
        self.stamp = other.stamp
        return True

    def redo(self) -> None:
        self.draft.set_params(self.step_id, self.new)

    def undo(self) -> None:
        self.draft.set_params(self.step_id, self.old)


class SetEnabledCommand(QUndoCommand):
    def __init__(self, draft: DraftModel, step_id: str, enabled: bool):
        super().__init__("Turn step on" if enabled else "Turn step off")
        self.draft, self.step_id, self.enabled = draft, step_id, enabled

    def redo(self) -> None:
        self.draft.set_enabled(self.step_id, self.enabled)

    def undo(self) -> None:
        self.draft.set_enabled(self.step_id, not self.enabled)


class SetMaskCommand(QUndoCommand):
    """A brush stroke, segment click, invert, grow... (before/after arrays of the whole mask)."""

    def __init__(self, draft: DraftModel, step_id: str, before: np.ndarray | None,
                 after: np.ndarray | None, text: str = "Paint mask"):
        super().__init__(text)
        self.draft, self.step_id = draft, step_id
        self.before = None if before is None else before.copy()
        self.after = None if after is None else after.copy()

    def redo(self) -> None:
        self.draft.set_mask(self.step_id, None if self.after is None else self.after.copy())

    def undo(self) -> None:
        self.draft.set_mask(self.step_id, None if self.before is None else self.before.copy())


class ApplyTurnCommand(QUndoCommand):
    """Commit the pending steps as a turn of the session."""

    def __init__(self, session: Session, draft: DraftModel):
        super().__init__(f"Apply “{_short(draft.request) or 'manual edit'}”")
        self.session, self.draft = session, draft
        self.request = draft.request or "manual edit"
        self.steps = draft.snapshot()
        self.messages = list(draft.messages)
        self.old = (draft.request, list(draft.steps), list(draft.messages))
        self._applied_once = False

    def redo(self) -> None:
        if self._applied_once:
            self.session.redo()
        else:
            self.session.add_turn(self.request, Plan(self.steps), self.messages)
            self._applied_once = True
        self.draft.set_all("", [], [])

    def undo(self) -> None:
        self.session.undo()
        self.draft.set_all(*self.old)


class RevertCommand(QUndoCommand):
    """Go back to the state after `n_turns` turns; undo brings the later turns back."""

    def __init__(self, session: Session, n_turns: int):
        super().__init__("Revert to original" if n_turns == 0 else f"Revert to turn {n_turns}")
        self.session, self.n = session, n_turns
        self.count = 0

    def redo(self) -> None:
        self.count = max(0, len(self.session.turns) - self.n)
        self.session.revert_to(self.n)

    def undo(self) -> None:
        for _ in range(self.count):
            self.session.redo()


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
