"""The editor window: canvas, request box, steps and history panels, menus, status bar.

Its larger concerns live in mixins: window_actions.py (menus, shortcuts), window_files.py
(open, autosave, save, export), window_masks.py (region editing), window_rendering.py
(previews and the full-resolution follow-up).

State lives in the core (Session) and in DraftModel (the pending turn); every change goes
through the QUndoStack. All model and render work runs on worker threads (worker.py): the
request runner drops superseded predictions, the preview runner renders only the newest
slider value, the full-resolution runner follows once edits settle.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from PySide6.QtCore import QByteArray, QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from lbie_desktop.core.fast import warm
from lbie_desktop.core.fast.readiness import FAST, State
from lbie_desktop.core.ops import get_op
from lbie_desktop.core.plan import Step, resolve_turn_steps
from lbie_desktop.core.render import Renderer, resize_long_side
from lbie_desktop.core.session import Session
from lbie_desktop.errors import UserError
from lbie_desktop.gui import commands as cmd
from lbie_desktop.gui import settings, theme
from lbie_desktop.gui.canvas import Canvas
from lbie_desktop.gui.draft import DraftModel
from lbie_desktop.gui.history_panel import HistoryPanel
from lbie_desktop.gui.mask_bar import MaskBar
from lbie_desktop.gui.request_box import RequestEdit
from lbie_desktop.gui.status import StatusBar
from lbie_desktop.gui.steps_panel import StepsPanel
from lbie_desktop.gui.window_actions import ActionsMixin
from lbie_desktop.gui.window_files import FilesMixin
from lbie_desktop.gui.window_masks import MaskEditingMixin
from lbie_desktop.gui.window_rendering import THUMB_SIDE, RenderingMixin
from lbie_desktop.gui.worker import JobContext, LatestRunner


def predict(request: str, session) -> Any:
    """Request -> dialogue outcome (new steps, re-tune, revert...). Runs on a worker thread;
    module-level so tests can swap in a failing or slow model."""
    from lbie_desktop.dialogue import interpret

    return interpret(request, session)


def _preload_kernels() -> None:
    try:
        warm.preload()
    except Exception:  # noqa: BLE001 - an optimisation: the first fast render loads them
        pass


class _LockedSession:
    """What the dialogue tracker needs from a session, safe to use from a worker thread."""

    def __init__(self, session: Session, lock: threading.Lock):
        self.turns = list(session.turns)
        self._session, self._lock = session, lock

    def render(self, *, upto: int | None = None, extra=None, full: bool = False) -> np.ndarray:
        with self._lock:
            steps = resolve_turn_steps([t.plan.steps for t in self.turns[:upto]])
            return self._session.renderer.render(steps + list(extra or []), full=full)


class MainWindow(ActionsMixin, FilesMixin, MaskEditingMixin, RenderingMixin, QMainWindow):
    busyChanged = Signal(bool)
    imageShown = Signal()  # the canvas shows a new render
    errorShown = Signal(str)
    fastRendererChanged = Signal(str)  # readiness.State value, from any thread

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("LBIE Desktop")
        self.setAcceptDrops(True)
        self.session: Session | None = None
        self.draft = DraftModel(self)
        self.undo_stack = QUndoStack(self)
        self.render_lock = threading.Lock()  # the renderer's cache is not thread-safe
        # Full-resolution renders (follow-up, export) use a renderer of their own, so a
        # seconds-long full render never holds up the next slider preview.
        self.full_lock = threading.Lock()
        self._full_renderer: Renderer | None = None
        self._render_gen = 0  # bumps on every edit: a full render of an older state is dropped
        self.view_turns: int | None = None  # showing an earlier state (history click)
        self.active_step: str | None = None  # step whose mask is being edited
        self.thumbs: dict[str, np.ndarray] = {}  # turn id -> thumbnail after that turn
        self._original_thumb: np.ndarray | None = None
        self.last_render: np.ndarray | None = None
        self.theme_name = "dark"
        self._busy = False
        # "Save your edits?" needs someone at a screen: offscreen runs (tests, self-test,
        # screenshots) never block on a modal question
        self.ask_before_discarding = QApplication.platformName() != "offscreen"
        self._saved_index = 0  # undo-stack index when last saved (or opened)

        # one thread each: predictions, previews, full-res/IO never wait behind each other
        self._pools = [QThreadPool(self) for _ in range(3)]
        for p in self._pools:
            p.setMaxThreadCount(1)
        self.model_runner = LatestRunner(self, pool=self._pools[0])
        self.preview_runner = LatestRunner(self, deliver_stale=True, pool=self._pools[1])
        self.io_runner = LatestRunner(self, pool=self._pools[2])
        self.autosave_runner = LatestRunner(self, pool=self._pools[2])
        self.thumb_runner = LatestRunner(self, pool=self._pools[1])
        # click-to-select shares the model thread (detectors) but never cancels a request
        self.select_runner = LatestRunner(self, pool=self._pools[0])
        self.autosaver = None
        for r in self._runners():
            r.busyChanged.connect(self._update_busy)
        self.model_runner.progress.connect(lambda f, m: self.status.report(f, m))
        self.io_runner.progress.connect(lambda f, m: self.status.report(f, m))
        self._full_timer = QTimer(self)
        self._full_timer.setSingleShot(True)
        self._full_timer.timeout.connect(self._render_full)

        self._build_ui()
        self._build_actions()
        self._connect()
        self._restore_state()
        self._update_actions()
        # the fast renderer's readiness (core/fast/readiness.py): a note while it warms up
        self._kernel_warm_up: warm.WarmUp | None = None
        self.fastRendererChanged.connect(self._show_fast_renderer)
        self._unsubscribe_fast = FAST.subscribe(self._fast_state_changed)
        self._show_fast_renderer(FAST.state.value)

    # ======================================================================= layout ==========
    def _build_ui(self) -> None:
        self.canvas = Canvas()
        self.mask_bar = MaskBar()
        self.mask_bar.setVisible(False)
        self.message_bar = QWidget()
        self.message_bar.setObjectName("messageBar")
        self.message_bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        mlay = QHBoxLayout(self.message_bar)
        mlay.setContentsMargins(10, 6, 6, 6)
        self.message_label = QLabel()
        self.message_label.setObjectName("messageLabel")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(lambda: self.message_bar.setVisible(False))
        # a message naming a missing model pack offers the dialog that fetches it
        self.packs_link = QToolButton()
        self.packs_link.setObjectName("linkButton")
        self.packs_link.setText("Model Packs…")
        self.packs_link.setToolTip("See and fetch the model packs")
        self.packs_link.clicked.connect(self._packs_for_message)
        self.packs_link.setVisible(False)
        mlay.addWidget(self.message_label, 1)
        mlay.addWidget(self.packs_link)
        mlay.addWidget(close)
        self.message_bar.setVisible(False)
        self.viewing_banner = QLabel()
        self.viewing_banner.setObjectName("viewingBanner")
        self.viewing_banner.setVisible(False)

        self.request_edit = RequestEdit()
        self.request_edit.setFixedHeight(58)
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("runButton")
        self.run_button.setToolTip("Predict the steps for this request (Enter)")
        self.run_button.setFixedHeight(58)
        self.run_button.setMinimumWidth(84)
        request_bar = QWidget()
        request_bar.setObjectName("requestBar")
        request_bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        rlay = QHBoxLayout(request_bar)
        rlay.setContentsMargins(12, 10, 12, 10)
        rlay.setSpacing(8)
        rlay.addWidget(self.request_edit, 1)
        rlay.addWidget(self.run_button)

        center = QWidget()
        clay = QVBoxLayout(center)
        clay.setContentsMargins(0, 0, 0, 0)
        clay.setSpacing(0)
        clay.addWidget(self.mask_bar)
        clay.addWidget(self.viewing_banner)
        msg_wrap = QWidget()
        wlay = QVBoxLayout(msg_wrap)
        wlay.setContentsMargins(10, 8, 10, 0)
        wlay.addWidget(self.message_bar)
        self.message_wrap = msg_wrap
        clay.addWidget(msg_wrap)
        msg_wrap.setVisible(False)
        clay.addWidget(self.canvas, 1)
        clay.addWidget(request_bar)

        self.steps_panel = StepsPanel(self.draft)
        self.history_panel = HistoryPanel()
        self.side = QSplitter(Qt.Orientation.Vertical)
        self.side.setObjectName("sidePanel")
        self.side.addWidget(self.steps_panel)
        self.side.addWidget(self.history_panel)
        self.side.setStretchFactor(0, 1)  # a taller window gives the cards the room
        self.side.setStretchFactor(1, 0)
        self.side.setSizes([520, 200])
        self.side.setMinimumWidth(300)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(center)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([900, 360])
        self.setCentralWidget(self.splitter)
        self.status = StatusBar()
        self.setStatusBar(self.status)
        self.resize(1280, 800)
        self.setMinimumSize(QSize(900, 600))

    def _connect(self) -> None:
        self.request_edit.submitted.connect(self.run_request)
        self.run_button.clicked.connect(self.request_edit.submit)
        sp = self.steps_panel
        sp.paramsEdited.connect(self._params_edited)
        sp.enabledToggled.connect(
            lambda sid, on: self.undo_stack.push(cmd.SetEnabledCommand(self.draft, sid, on)))
        sp.deleteRequested.connect(
            lambda sid: self.undo_stack.push(cmd.RemoveStepCommand(self.draft, sid)))
        sp.moveRequested.connect(self._move_step)
        sp.maskEditRequested.connect(self.edit_mask)
        sp.addRequested.connect(self.add_step)
        sp.applyRequested.connect(self.apply_steps)
        sp.discardRequested.connect(self.discard_steps)
        self.draft.reset.connect(self._draft_reset)
        self.draft.stepChanged.connect(lambda _sid: self.schedule_render())
        self.draft.maskChanged.connect(self._draft_mask_changed)
        self.history_panel.stateSelected.connect(self.show_state)
        self.history_panel.revertRequested.connect(self.revert_to)
        self.canvas.compareHeld.connect(lambda on: self.canvas.set_compare(
            on or self.act_compare.isChecked()))
        self.canvas.zoomChanged.connect(self.status.set_zoom)
        self.canvas.strokeLive.connect(self.schedule_render)
        self.canvas.strokeFinished.connect(self._stroke_finished)
        self.canvas.segmentClicked.connect(self._segment_clicked)
        self.canvas.fileDropped.connect(self.open_image)
        self.mask_bar.toolChanged.connect(self._set_tool)
        self.mask_bar.sizeChanged.connect(self.canvas.set_brush_size)
        self.mask_bar.softnessChanged.connect(self.canvas.set_brush_softness)
        self.mask_bar.maskOp.connect(self._mask_op)
        self.mask_bar.doneRequested.connect(self.leave_mask_edit)
        self.status.cancelRequested.connect(self.cancel_work)
        self.undo_stack.cleanChanged.connect(lambda _c: self._update_actions())
        self.undo_stack.indexChanged.connect(lambda _i: self._update_actions())

    # ======================================================================= state ==========
    def _runners(self) -> tuple[LatestRunner, ...]:
        return (self.model_runner, self.preview_runner, self.io_runner, self.autosave_runner,
                self.thumb_runner, self.select_runner)

    @property
    def busy(self) -> bool:
        """True while any background work runs; `busyChanged` signals the transitions."""
        return self._busy

    def _update_busy(self, _flag: bool = False) -> None:
        busy = any(r.busy for r in self._runners())
        if busy != self._busy:
            self._busy = busy
            self.busyChanged.emit(busy)
        if self.model_runner.busy or self.io_runner.busy:
            pass  # their callers started the status line with what they do
        elif self.preview_runner.busy:
            if not self.status.working:  # shows only if it lasts (inpainting, big photos)
                self.status.start("Rendering…", cancellable=False)
        else:
            self.status.stop()
        if not self.model_runner.busy:
            self.steps_panel.set_working("")
        self.run_button.setEnabled(not self.model_runner.busy)

    def warm_up_models(self) -> None:
        """Load the language model in the background while the person looks at the photo, so
        the first request does not pay for it. Runs on the model thread, so a request typed
        meanwhile simply waits for it (never loads twice); failures surface at that request."""

        def warm() -> None:
            try:
                from lbie_desktop.understanding import understand

                understand("brighten it", None)
            except Exception:  # noqa: BLE001 - the real request will report the problem
                pass

        self._pools[0].start(warm)

    def warm_up_renderer(self) -> None:
        """Make the fast renderer ready without compiling in this process: numba compiles it
        in a process of its own (core/fast/warm.py) while previews use the reference path.
        With a warm cache (every launch after the first) it is ready at once."""
        if self._kernel_warm_up is None:
            self._kernel_warm_up = warm.start(FAST)

    def _fast_state_changed(self, state: State) -> None:
        # called on the warm-up's waiting thread: the signal queues it to the UI thread
        try:
            self.fastRendererChanged.emit(state.value)
        except RuntimeError:  # this window's Qt object is gone
            self._unsubscribe_fast()

    def _show_fast_renderer(self, state: str) -> None:
        if state == State.WARMING.value:
            self.status.set_note("Preparing the fast renderer (first launch only)…",
                                 "Editing works meanwhile, with slower previews.")
            return
        self.status.set_note("")
        if state == State.READY.value:
            # load the kernels from the cache now, while the person looks at the photo, not
            # at the first edit (~2 s). A thread of its own: the photo's first preview needs
            # no kernel and must not queue behind it (a render that does waits on numba's lock)
            threading.Thread(target=_preload_kernels, name="lbie-preload-kernels",
                             daemon=True).start()
        if state == State.FAILED.value and FAST.reason:
            self.status.showMessage("Using the slower renderer (details in the log)", 8000)

    def wait_idle_blocking(self, msecs: int = 30000) -> None:
        """For shutdown and scripts: finish worker jobs (events still need processing)."""
        for p in self._pools:
            p.waitForDone(msecs)

    def _update_actions(self) -> None:
        has = self.session is not None
        for a in (self.act_save_session, self.act_export, self.act_fit, self.act_100,
                  self.act_zoom_in, self.act_zoom_out, self.act_compare, self.act_split):
            a.setEnabled(has)
        self.act_apply.setEnabled(bool(self.draft.steps))
        self.act_discard.setEnabled(bool(self.draft.steps))
        editing = self.active_step is not None
        for a in (self.act_brush, self.act_eraser, self.act_segment, self.act_invert,
                  self.act_leave_mask):
            a.setEnabled(editing)
        self.steps_panel.add_button.setEnabled(has)
        self.run_button.setEnabled(has and not self.model_runner.busy)

    def show_error(self, message: str) -> None:
        """A readable message above the canvas (non-modal: work can go on)."""
        self.message_label.setText(message)
        self.packs_link.setVisible("lbie models fetch" in message)
        self.message_bar.setVisible(True)
        self.message_wrap.setVisible(True)
        self.status.showMessage(message.splitlines()[0] if message else "", 6000)
        self.errorShown.emit(message)

    def show_info(self, message: str) -> None:
        self.status.showMessage(message, 6000)

    def _hide_message(self) -> None:
        self.message_bar.setVisible(False)
        self.message_wrap.setVisible(False)

    def _job_error(self, what: str):
        def handler(exc: Exception) -> None:
            if isinstance(exc, UserError):
                self.show_error(str(exc))
            else:
                from lbie_desktop.logging_setup import log_exception

                log_exception(f"{what} failed", exc)  # the traceback goes to the log file
                self.show_error(f"{what} failed: {type(exc).__name__}: {exc}\n"
                                "Your edits are unchanged; try again or adjust the request.")
        return handler

    # ======================================================================= requests =======
    def run_request(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        if self.session is None:
            self.show_error("Open a photo first (File ▸ Open, or drop one on the window).")
            return
        if self.draft.steps:
            # a follow-up builds on what is on screen: the pending steps become a turn first
            # (Ctrl+Z twice takes back the new proposal and this apply)
            self.apply_steps()
            self.show_info("Applied the pending steps; the new request builds on them.")
        if self.view_turns is not None:
            self.show_state(len(self.session.turns))
        self._hide_message()
        self.status.start(f"Working out “{text}”…")
        view = _LockedSession(self.session, self.render_lock)

        def job(ctx: JobContext):
            ctx.progress(-1, f"Working out “{text}”…")
            return predict(text, view)

        def done(outcome) -> None:
            self._outcome_ready(text, outcome)

        self.steps_panel.set_working(f"Working out “{text}”…")
        self.model_runner.submit(job, done, self._job_error("Understanding the request"),
                                 label="request")

    def _outcome_ready(self, text: str, outcome: Any) -> None:
        assert self.session is not None
        if outcome.kind == "compare":
            self.act_split.setChecked(True)
            self.canvas.set_split(True)
        steps = list(outcome.plan.steps)
        if outcome.revert_to is not None or steps:
            self.undo_stack.beginMacro(f"Request “{text}”")
            if outcome.revert_to is not None:
                self.undo_stack.push(cmd.RevertCommand(self.session, outcome.revert_to))
            if steps:
                self.undo_stack.push(cmd.SetDraftCommand(self.draft, text, steps,
                                                         outcome.messages))
            self.undo_stack.endMacro()
        if outcome.messages and not steps:
            self.show_info(" ".join(outcome.messages))
            self.draft.messages = list(outcome.messages)
            self.draft.request = text
            self.steps_panel.rebuild()
        if steps or outcome.revert_to is not None:
            self.request_edit.clear()  # else keep the words, so they can be rephrased
        self.status.stop(f"{len(steps)} step{'s' if len(steps) != 1 else ''} proposed"
                         if steps else "")

    # ======================================================================= steps ==========
    def _params_edited(self, step_id: str, params: dict) -> None:
        self.undo_stack.push(cmd.SetParamsCommand(self.draft, step_id, params))

    def _move_step(self, step_id: str, delta: int) -> None:
        i = self.draft.index_of(step_id)
        j = i + delta
        if 0 <= j < len(self.draft.steps):
            self.undo_stack.push(cmd.MoveStepCommand(self.draft, step_id, j))

    def add_step(self, op_name: str) -> None:
        if self.session is None:
            return
        step = Step(op_name, {}, confidence=1.0)  # no evidence: the card says "added by hand"
        self.undo_stack.push(cmd.AddStepCommand(self.draft, step))
        self.steps_panel.reveal(step.id)
        if get_op(op_name).extra.get("needs_mask"):
            self.edit_mask(step.id)  # nothing to do until the region is painted

    def apply_steps(self) -> None:
        if self.session is None or not self.draft.steps:
            return
        self.leave_mask_edit()
        preview = self.last_render
        self.undo_stack.push(cmd.ApplyTurnCommand(self.session, self.draft))
        if preview is not None and self.session.turns:
            self.thumbs[self.session.turns[-1].id] = resize_long_side(preview, THUMB_SIDE)
            self._session_changed()

    def discard_steps(self) -> None:
        if self.draft.steps:
            self.leave_mask_edit()
            self.undo_stack.push(cmd.SetDraftCommand(self.draft, "", [], []))

    def revert_to(self, n_turns: int) -> None:
        if self.session is None or n_turns >= len(self.session.turns):
            return
        self.undo_stack.push(cmd.RevertCommand(self.session, n_turns))

    def show_state(self, n_turns: int) -> None:
        """Show the photo after `n_turns` turns (history click); the last entry is live."""
        if self.session is None:
            return
        live = n_turns >= len(self.session.turns)
        self.view_turns = None if live else n_turns
        self.viewing_banner.setVisible(not live)
        if not live:
            label = "the original" if n_turns == 0 else f"turn {n_turns}"
            self.viewing_banner.setText(f"Viewing {label}. Click the last history entry to "
                                        "return, or “Revert to here” to continue from it.")
        self.schedule_render()

    def _draft_reset(self) -> None:
        if self.active_step is not None and self.draft.get(self.active_step) is None:
            self.leave_mask_edit()
        self._update_actions()
        self.schedule_render()

    def _session_changed(self) -> None:
        if self.session is None:
            return
        turns = self.session.turns
        if self.view_turns is not None and self.view_turns >= len(turns):
            self.view_turns = None
            self.viewing_banner.setVisible(False)
        if self._original_thumb is None:
            self._original_thumb = resize_long_side(self.session.renderer.proxy, THUMB_SIDE)
        thumbs = [self._original_thumb]
        thumbs += [self.thumbs.get(t.id) for t in turns]
        self.history_panel.set_turns(turns, thumbs)
        self._update_actions()
        self.schedule_render()
        self._schedule_autosave()
        if any(t is None for t in thumbs):
            self._render_missing_thumbs()

    # ======================================================================= view ===========
    def _toggle_compare(self, on: bool) -> None:
        self.canvas.set_compare(on)

    def _toggle_theme(self, dark: bool) -> None:
        self.set_theme("dark" if dark else "light")

    def set_theme(self, name: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            self.theme_name = theme.apply_theme(app, name)
        self.canvas.setBackgroundBrush(theme.canvas_colour(self.theme_name))
        self.act_theme.blockSignals(True)
        self.act_theme.setChecked(self.theme_name == "dark")
        self.act_theme.blockSignals(False)
        settings.put("theme", self.theme_name)

    # ======================================================================= work control ===
    def cancel_work(self) -> None:
        self.model_runner.cancel()
        self.io_runner.cancel()
        self.status.stop("Cancelled")

    # ======================================================================= dialogs ========

    def settings_dialog(self) -> None:
        from lbie_desktop.gui.dialogs.settings_dialog import SettingsDialog

        dlg = SettingsDialog(self)
        if dlg.exec():
            self.set_theme(settings.get("theme"))

    def packs_dialog(self) -> None:
        self._open_packs("")

    def _packs_for_message(self) -> None:
        """The message bar's "Model Packs…": open the dialog on the pack the message names."""
        import re

        m = re.search(r"lbie models fetch ([\w-]+)", self.message_label.text())
        self._open_packs(m.group(1) if m else "")

    def _open_packs(self, pack: str) -> None:
        from lbie_desktop.gui.dialogs.packs import PacksDialog

        dlg = PacksDialog(self)
        if pack:
            dlg.select(pack)
        dlg.exec()

    def about_dialog(self) -> None:
        from lbie_desktop.gui.dialogs.about import AboutDialog

        AboutDialog(self).exec()

    # ======================================================================= persistence ====
    def _restore_state(self) -> None:
        s = settings.settings()
        geo = s.value("window/geometry")
        if isinstance(geo, QByteArray | bytes):
            self.restoreGeometry(QByteArray(geo))
        state = s.value("window/state")
        if isinstance(state, QByteArray | bytes):
            self.restoreState(QByteArray(state))
        for key, splitter in (("window/splitter", self.splitter), ("window/side", self.side)):
            v = s.value(key)
            if isinstance(v, QByteArray | bytes):
                splitter.restoreState(QByteArray(v))
        requests = s.value("requests") or []
        if isinstance(requests, str):  # INI files return a one-item list as a plain string
            requests = [requests]
        self.request_edit.set_history([str(x) for x in requests][-50:])
        self.theme_name = settings.get("theme")
        self.act_theme.setChecked(self.theme_name == "dark")
        self.canvas.setBackgroundBrush(theme.canvas_colour(self.theme_name))

    def save_state(self) -> None:
        s = settings.settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/side", self.side.saveState())
        s.setValue("requests", self.request_edit.history[-50:])
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.confirm_discard("Quitting"):
            event.ignore()
            return
        self.save_state()
        for r in self._runners():
            r.cancel()
        self.wait_idle_blocking(10000)
        self._close_session()
        self._unsubscribe_fast()
        if self._kernel_warm_up is not None:
            self._kernel_warm_up.stop()
        super().closeEvent(event)


__all__ = ["MainWindow"]
