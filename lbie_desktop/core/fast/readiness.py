"""Whether the renderer may use its compiled (numba) fast path in this process.

numba compiles the fast path's kernels on first use with an empty cache: minutes of CPU,
holding the GIL. The editor cannot make a person wait for that, so it compiles them in a
separate process (warm.py) and renders through the reference path meanwhile.

States:
- COLD: nobody manages the kernels; the fast path compiles them in this process on first
  use (the command line and scripts: they need the kernels anyway).
- WARMING: a warm-up process is filling the cache; renders take the reference path and this
  process must not touch a kernel (compiling twice, contending for the cores).
- READY: the warm-up finished; the kernels load from the cache on first use.
- FAILED: the warm-up failed or numba is unusable; renders stay on the reference path and
  `reason` says why.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable

from lbie_desktop.logging_setup import log


class State(enum.Enum):
    COLD = "cold"
    WARMING = "warming"
    READY = "ready"
    FAILED = "failed"


Listener = Callable[[State], None]


class Readiness:
    """A thread-safe state with listeners (called on the thread that changes the state)."""

    def __init__(self, state: State = State.COLD):
        self._lock = threading.Lock()
        self._state = state
        self._reason = ""
        self._listeners: list[Listener] = []

    @property
    def state(self) -> State:
        with self._lock:
            return self._state

    @property
    def reason(self) -> str:
        """Why the fast path is off (FAILED), else ''."""
        with self._lock:
            return self._reason

    def use_fast(self) -> bool:
        """May a render use the compiled kernels now?"""
        return self.state in (State.COLD, State.READY)

    def set(self, state: State, reason: str = "") -> None:
        with self._lock:
            if self._state is State.FAILED and state is not State.FAILED \
                    and self._reason.startswith(NUMBA_BROKEN):
                return  # numba itself does not import here: no warm-up can change that
            changed = state is not self._state
            self._state, self._reason = state, reason
            listeners = list(self._listeners)
        if state is State.FAILED:
            log.warning("fast renderer off, using the reference path: %s", reason)
        elif changed:
            log.info("fast renderer: %s", state.value)
        if changed:
            for fn in listeners:
                fn(state)

    def subscribe(self, fn: Listener) -> Callable[[], None]:
        """Call fn(state) on every change; returns the function that unsubscribes."""
        with self._lock:
            self._listeners.append(fn)

        def unsubscribe() -> None:
            with self._lock:
                if fn in self._listeners:
                    self._listeners.remove(fn)

        return unsubscribe


NUMBA_BROKEN = "numba does not load"

# The process's one state: the renderer reads it, the editor's warm-up sets it.
FAST = Readiness()
