"""Background work for the GUI: jobs on a QThreadPool with signals, and a "latest only" runner.

Model and render work never runs on the UI thread. A `Job` wraps a plain function that takes a
`JobContext` (progress reporting, cancellation flag). `LatestRunner` runs one job at a time and
keeps at most one waiting: a newer submission replaces the waiting one and marks the running
one stale, so a slider drag renders only its latest value instead of queueing every position.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal


class Cancelled(Exception):
    """Raised inside a job function when it notices it was cancelled."""


class JobContext:
    """Handed to the job function: report progress, check for cancellation."""

    def __init__(self, signals: JobSignals):
        self._signals = signals
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def progress(self, fraction: float, message: str = "") -> None:
        self._signals.progress.emit(float(fraction), message)


class JobSignals(QObject):
    started = Signal()
    progress = Signal(float, str)  # fraction in [0,1] (or <0 for "unknown"), message
    result = Signal(object)
    error = Signal(object)  # the exception
    cancelled = Signal()
    finished = Signal()


class Job:
    """Runs `fn(ctx)` on a pool thread; outcome arrives through `signals` on the UI thread.

    A plain object handed to `QThreadPool.start` as a callable (a QRunnable subclass would be
    kept alive by the binding forever, one leak per slider position)."""

    def __init__(self, fn: Callable[[JobContext], Any], label: str = ""):
        self.fn = fn
        self.label = label
        self.signals = JobSignals()
        self.ctx = JobContext(self.signals)

    def run(self) -> None:  # pool thread
        self.signals.started.emit()
        try:
            if self.ctx.cancelled:
                raise Cancelled()
            out = self.fn(self.ctx)
            if self.ctx.cancelled:
                raise Cancelled()
        except Cancelled:
            self.signals.cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - every failure is reported, never raised
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            self.signals.error.emit(exc)
        else:
            self.signals.result.emit(out)
        self.signals.finished.emit()


@dataclass
class _Pending:
    fn: Callable[[JobContext], Any]
    on_result: Callable[[Any], None]
    on_error: Callable[[Exception], None] | None
    label: str


class LatestRunner(QObject):
    """One job at a time, newest wins.

    `deliver_stale=True` still hands a superseded job's result to `on_result` (useful for
    previews: a slightly old frame beats no frame during a drag); errors of stale jobs are
    dropped either way.
    """

    busyChanged = Signal(bool)
    progress = Signal(float, str)
    started = Signal(str)

    def __init__(self, parent: QObject | None = None, *, deliver_stale: bool = False,
                 pool: QThreadPool | None = None):
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._deliver_stale = deliver_stale
        self._running: Job | None = None
        self._pending: _Pending | None = None
        self._generation = 0
        self._job_generation = 0

    @property
    def busy(self) -> bool:
        return self._running is not None or self._pending is not None

    def submit(self, fn: Callable[[JobContext], Any], on_result: Callable[[Any], None],
               on_error: Callable[[Exception], None] | None = None, label: str = "") -> None:
        was_busy = self.busy
        self._generation += 1
        self._pending = _Pending(fn, on_result, on_error, label)
        if self._running is None:
            self._start_pending()
        elif not self._deliver_stale:
            self._running.ctx.cancel()
        if not was_busy:
            self.busyChanged.emit(True)

    def cancel(self) -> None:
        """Drop waiting work and ask the running job to stop; its result is ignored."""
        was_busy = self.busy
        self._pending = None
        self._generation += 1
        if self._running is not None:
            self._running.ctx.cancel()  # its finished signal reports "not busy"
        elif was_busy:
            self.busyChanged.emit(False)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the pool is idle (for shutdown only; never call from a UI handler)."""
        return self._pool.waitForDone(msecs)

    def _start_pending(self) -> None:
        p, self._pending = self._pending, None
        assert p is not None
        job = Job(p.fn, p.label)
        gen = self._generation
        job.signals.progress.connect(self.progress)
        job.signals.result.connect(lambda out: self._on_result(gen, p, out))
        job.signals.error.connect(lambda exc: self._on_error(gen, p, exc))
        job.signals.finished.connect(self._on_finished)
        self._running = job
        self.started.emit(p.label)
        self._pool.start(job.run)

    def _on_result(self, gen: int, p: _Pending, out: Any) -> None:
        if gen == self._generation or self._deliver_stale:
            p.on_result(out)

    def _on_error(self, gen: int, p: _Pending, exc: Exception) -> None:
        if gen == self._generation and p.on_error is not None:
            p.on_error(exc)

    def _on_finished(self) -> None:
        self._running = None
        if self._pending is not None:
            self._start_pending()
        else:
            self.busyChanged.emit(False)
