"""An editing session: the source photo and the turns applied to it, with undo/redo.

Non-destructive: the source is never modified; every state is re-rendered from it by
replaying the steps of the turns up to that state (the renderer's cache makes that cheap).
Listeners (the GUI, autosave) subscribe with `on_change`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from lbie_desktop.core.imageio import LoadedImage, to_uint8
from lbie_desktop.core.plan import Plan, Step, resolve_turn_steps
from lbie_desktop.core.render import Renderer


@dataclass
class Turn:
    request: str
    plan: Plan
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    created: float = field(default_factory=time.time)
    messages: list[str] = field(default_factory=list)


class Session:
    def __init__(self, image: LoadedImage, *, preview_long_side: int | None = None,
                 id: str | None = None):
        self.image = image
        # Stable across save/reopen and crash recovery (names the autosave file).
        self.id = id or uuid.uuid4().hex
        self.turns: list[Turn] = []
        self._redo: list[Turn] = []
        kw = {} if preview_long_side is None else {"preview_long_side": preview_long_side}
        self.renderer = Renderer(to_uint8(image.rgb), **kw)
        self._listeners: list[Callable[[Session], None]] = []
        self._close_listeners: list[Callable[[Session], None]] = []

    @classmethod
    def restore(cls, image: LoadedImage, turns: list[Turn], undone: list[Turn] | None = None,
                *, id: str | None = None, preview_long_side: int | None = None) -> Session:
        """A session with a saved history (`undone` = the redo stack, next redo last)."""
        s = cls(image, preview_long_side=preview_long_side, id=id)
        s.turns = list(turns)
        s._redo = list(undone or [])
        return s

    @property
    def undone(self) -> list[Turn]:
        """Turns that redo would bring back (the next one last)."""
        return list(self._redo)

    # --- lifetime -------------------------------------------------------------------------
    def on_close(self, fn: Callable[[Session], None]) -> None:
        self._close_listeners.append(fn)

    def close(self) -> None:
        """The person closed the session on purpose (autosave removes its recovery file)."""
        for fn in list(self._close_listeners):
            fn(self)

    # --- observation -------------------------------------------------------------------
    def on_change(self, fn: Callable[[Session], None]) -> None:
        self._listeners.append(fn)

    def _changed(self) -> None:
        for fn in list(self._listeners):
            fn(self)

    # --- turns ---------------------------------------------------------------------------
    def add_turn(self, request: str, plan: Plan, messages: list[str] | None = None) -> Turn:
        turn = Turn(request, plan, messages=list(messages or []))
        self.turns.append(turn)
        self._redo.clear()
        self._changed()
        return turn

    def replace_turn(self, index: int, plan: Plan) -> None:
        self.turns[index].plan = plan
        self._changed()

    @property
    def can_undo(self) -> bool:
        return bool(self.turns)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> Turn | None:
        if not self.turns:
            return None
        turn = self.turns.pop()
        self._redo.append(turn)
        self._changed()
        return turn

    def redo(self) -> Turn | None:
        if not self._redo:
            return None
        turn = self._redo.pop()
        self.turns.append(turn)
        self._changed()
        return turn

    def revert_to(self, n_turns: int) -> None:
        """Go back to the state after `n_turns` turns (0 = the original); redoable."""
        while len(self.turns) > max(0, n_turns):
            self._redo.append(self.turns.pop())
        self._changed()

    # --- rendering ------------------------------------------------------------------------
    def steps(self, upto: int | None = None) -> list[Step]:
        turns = self.turns if upto is None else self.turns[:upto]
        return resolve_turn_steps([t.plan.steps for t in turns])

    def render(self, *, upto: int | None = None, extra: list[Step] | None = None,
               full: bool = False) -> np.ndarray:
        """The image after `upto` turns (default all) plus `extra` pending steps."""
        return self.renderer.render(self.steps(upto) + list(extra or []), full=full)

    def current(self, full: bool = False) -> np.ndarray:
        return self.render(full=full)
