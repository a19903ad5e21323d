"""The editor window: canvas, request box, steps and history panels, menus, status bar.

State lives in the core (Session) and in DraftModel (the pending turn); every change goes
through the QUndoStack. All model and render work runs on worker threads (worker.py): the
request runner drops superseded predictions, the preview runner renders only the newest
slider value, the full-resolution runner follows once edits settle.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QByteArray, QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QImage, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from lbie_desktop.core.imageio import LoadedImage, load_image
from lbie_desktop.core.ops import get_op
from lbie_desktop.core.plan import Step, resolve_turn_steps
from lbie_desktop.core.render import Renderer, resize_long_side
from lbie_desktop.core.session import Session
from lbie_desktop.errors import UserError
from lbie_desktop.gui import commands as cmd
from lbie_desktop.gui import mask_tools, settings, theme
from lbie_desktop.gui.canvas import Canvas, rgb_to_display_image
from lbie_desktop.gui.draft import DraftModel
from lbie_desktop.gui.history_panel import HistoryPanel
from lbie_desktop.gui.mask_bar import MaskBar
from lbie_desktop.gui.request_box import RequestEdit
from lbie_desktop.gui.status import StatusBar
from lbie_desktop.gui.steps_panel import StepsPanel
from lbie_desktop.gui.worker import JobContext, LatestRunner

IMAGE_FILTER = ("Photos and sessions (*.jpg *.jpeg *.png *.tif *.tiff *.webp *.bmp *.lbie);;"
                "All files (*)")
SESSION_FILTER = "LBIE session (*.lbie);;All files (*)"
FULL_RES_DELAY_MS = 500  # full-resolution render starts once edits pause this long
THUMB_SIDE = 128


def _waiting_for_region(step: Step) -> bool:
    """A fill step (remove object, replace background) whose region is not painted yet."""
    return bool(get_op(step.op).extra.get("needs_mask")) and (
        step.mask is None or not bool(np.any(step.mask > 0)))


def predict(request: str, session) -> Any:
    """Request -> dialogue outcome (new steps, re-tune, revert...). Runs on a worker thread;
    module-level so tests can swap in a failing or slow model."""
    from lbie_desktop.dialogue import interpret

    return interpret(request, session)


class _LockedSession:
    """What the dialogue tracker needs from a session, safe to use from a worker thread."""

    def __init__(self, session: Session, lock: threading.Lock):
        self.turns = list(session.turns)
        self._session, self._lock = session, lock

    def render(self, *, upto: int | None = None, extra=None, full: bool = False) -> np.ndarray:
        with self._lock:
            steps = resolve_turn_steps([t.plan.steps for t in self.turns[:upto]])
            return self._session.renderer.render(steps + list(extra or []), full=full)


class _QuietSession:
    """The session as the autosaver sees it: it must not save synchronously on every change
    (that would block the UI and race the preview renderer); the window schedules saves on
    a worker under the render lock instead."""

    def __init__(self, session: Session):
        self._session = session

    def on_change(self, fn) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


class MainWindow(QMainWindow):
    busyChanged = Signal(bool)
    imageShown = Signal()  # the canvas shows a new render
    errorShown = Signal(str)

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

        # one thread each: predictions, previews, full-res/IO never wait behind each other
        self._pools = [QThreadPool(self) for _ in range(3)]
        for p in self._pools:
            p.setMaxThreadCount(1)
        self.model_runner = LatestRunner(self, pool=self._pools[0])
        self.preview_runner = LatestRunner(self, deliver_stale=True, pool=self._pools[1])
        self.io_runner = LatestRunner(self, pool=self._pools[2])
        self.autosave_runner = LatestRunner(self, pool=self._pools[2])
        self.thumb_runner = LatestRunner(self, pool=self._pools[1])
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
        mlay.addWidget(self.message_label, 1)
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

    def _action(self, text: str, slot, shortcut: QKeySequence | str | None = None,
                tip: str = "", checkable: bool = False) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        if tip:
            a.setToolTip(f"{tip} ({a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                         if shortcut is not None else tip)
            a.setStatusTip(tip)
        a.setCheckable(checkable)
        a.triggered.connect(slot)
        self.addAction(a)  # shortcuts work even when menus are hidden
        return a

    def _build_actions(self) -> None:
        Std = QKeySequence.StandardKey
        self.act_open = self._action("&Open…", self.open_dialog, Std.Open, "Open a photo")
        self.act_save_session = self._action("&Save Session…", self.save_session_dialog, Std.Save,
                                             "Save the photo's edits to a session file")
        self.act_export = self._action("&Export Image…", self.export_dialog, "Ctrl+E",
                                       "Render at full resolution and save")
        self.act_quit = self._action("&Quit", self.close, Std.Quit)
        self.act_undo = self.undo_stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcut(QKeySequence(Std.Undo))
        self.act_redo = self.undo_stack.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.addAction(self.act_undo)
        self.addAction(self.act_redo)
        self.act_apply = self._action("&Apply Steps", self.apply_steps, "Ctrl+Return",
                                      "Commit the pending steps as a turn")
        self.act_discard = self._action("&Discard Steps", self.discard_steps, None,
                                        "Drop the pending steps")
        self.act_focus = self._action("Type a &Request", self.request_edit.setFocus, "Ctrl+L")
        self.act_settings = self._action("Settings…", self.settings_dialog, Std.Preferences)
        self.act_fit = self._action("&Fit", self.canvas.fit, "Ctrl+0", "Fit the photo")
        self.act_100 = self._action("&100%", self.canvas.actual_size, "Ctrl+1", "Actual pixels")
        self.act_zoom_in = self._action("Zoom &In", self.canvas.zoom_in, Std.ZoomIn)
        self.act_zoom_out = self._action("Zoom &Out", self.canvas.zoom_out, Std.ZoomOut)
        self.act_compare = self._action("&Before", self._toggle_compare, None,
                                        "Show the original (hold \\ on the photo)", True)
        self.act_split = self._action("&Split", self.canvas.set_split, "Y",
                                      "Before | after split view (drag the divider)", True)
        self.act_overlay = self._action("&Mask Overlay", self.canvas.set_overlay_visible, "O",
                                        "Show the region being edited", True)
        self.act_overlay.setChecked(True)
        self.act_theme = self._action("&Dark Theme", self._toggle_theme, None,
                                      "Switch light/dark look", True)
        self.act_brush = self._action("Brush", lambda: self._set_tool("brush"), "B")
        self.act_eraser = self._action("Eraser", lambda: self._set_tool("eraser"), "E")
        self.act_segment = self._action("Select Similar", lambda: self._set_tool("segment"), "W")
        self.act_invert = self._action("Invert Region", lambda: self._mask_op("invert"),
                                       "Ctrl+I")
        self.act_leave_mask = self._action("Stop Editing Region", self.leave_mask_edit, "Esc")
        self.act_packs = self._action("&Model Packs…", self.packs_dialog, None,
                                      "Installed models and downloads")
        self.act_about = self._action("&About LBIE Desktop", self.about_dialog)
        self.act_cancel = self._action("Cancel Work", self.cancel_work, "Ctrl+.")

        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addAction(self.act_open)
        self.recent_menu = m.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        m.addSeparator()
        m.addAction(self.act_save_session)
        m.addAction(self.act_export)
        m.addSeparator()
        m.addAction(self.act_quit)
        m = mb.addMenu("&Edit")
        for a in (self.act_undo, self.act_redo, None, self.act_apply, self.act_discard,
                  self.act_focus, None, self.act_settings):
            m.addSeparator() if a is None else m.addAction(a)
        self.add_menu = m.addMenu("Add &Step")
        self.add_menu.aboutToShow.connect(self._fill_add_menu)
        m = mb.addMenu("&View")
        for a in (self.act_fit, self.act_100, self.act_zoom_in, self.act_zoom_out, None,
                  self.act_compare, self.act_split, self.act_overlay, None, self.act_theme):
            m.addSeparator() if a is None else m.addAction(a)
        m = mb.addMenu("&Region")
        for a in (self.act_brush, self.act_eraser, self.act_segment, self.act_invert, None,
                  self.act_leave_mask):
            m.addSeparator() if a is None else m.addAction(a)
        m = mb.addMenu("&Help")
        m.addAction(self.act_packs)
        m.addAction(self.act_about)

        tb = self.addToolBar("Main")
        tb.setObjectName("mainToolBar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for a in (self.act_open, self.act_export, None, self.act_undo, self.act_redo, None,
                  self.act_fit, self.act_100, self.act_zoom_in, self.act_zoom_out, None,
                  self.act_compare, self.act_split, self.act_overlay):
            tb.addSeparator() if a is None else tb.addAction(a)
        self.act_undo.setIconText("Undo")  # the menu keeps the full "Undo Change …" text
        self.act_redo.setIconText("Redo")
        self.act_zoom_in.setIconText("+")
        self.act_zoom_out.setIconText("−")
        self.act_compare.setIconText("Before")
        self.act_overlay.setIconText("Overlay")
        self.toolbar = tb

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
                self.thumb_runner)

    @property
    def busy(self) -> bool:
        """True while any background work runs; `busyChanged` signals the transitions."""
        return self._busy

    def _update_busy(self, _flag: bool = False) -> None:
        busy = any(r.busy for r in self._runners())
        if busy != self._busy:
            self._busy = busy
            self.busyChanged.emit(busy)
        if not (self.model_runner.busy or self.io_runner.busy):
            self.status.stop()
        if not self.model_runner.busy:
            self.steps_panel.set_working("")
        self.run_button.setEnabled(not self.model_runner.busy)

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
                self.show_error(f"{what} failed: {type(exc).__name__}: {exc}\n"
                                "Your edits are unchanged; try again or adjust the request.")
        return handler

    # ======================================================================= open ===========
    def open_dialog(self) -> None:
        start = str(Path(settings.recent_files()[0]).parent) if settings.recent_files() else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open photo", start, IMAGE_FILTER)
        if path:
            self.open_image(path)

    def open_image(self, path: str | Path) -> None:
        """Load a photo (or a saved .lbie session) in the background; the window stays
        responsive meanwhile."""
        from lbie_desktop.core.session_file import open_session

        path = Path(path)
        preview = int(settings.get("preview_size"))
        self.status.start(f"Opening {path.name}…")

        def job(ctx: JobContext) -> tuple[LoadedImage, Session]:
            if path.suffix.lower() == ".lbie":
                session = open_session(path, preview_long_side=preview)
                return session.image, session
            image = load_image(path)
            ctx.check()
            return image, Session(image, preview_long_side=preview)

        self.io_runner.submit(job, self._opened, self._job_error(f"Opening {path.name}"),
                              label="open")

    def set_session(self, session: Session) -> None:
        """Show an already built session (e.g. recovered after a crash)."""
        self._opened((session.image, session))

    def _opened(self, result: tuple[LoadedImage, Session]) -> None:
        image, session = result
        self.model_runner.cancel()
        self.preview_runner.cancel()
        self._close_session()
        self.session = session
        self._start_autosave(session)
        self.undo_stack.clear()
        self.draft.set_all("", [], [])
        self.view_turns = None
        self.thumbs.clear()
        self._original_thumb = None
        self.leave_mask_edit()
        self._hide_message()
        session.on_change(lambda _s: self._session_changed())
        w, h = image.size
        self.canvas.set_source_size(w, h)
        self.canvas.set_before(session.renderer.proxy)
        self.canvas.set_image(session.renderer.proxy)
        self.last_render = session.renderer.proxy
        name = image.path.name if image.path else "photo"
        self.setWindowTitle(f"{name} — LBIE Desktop")
        self.status.info.setText(f"{w} × {h}")
        for note in image.notes:
            self.show_info(note)
        if image.path is not None:
            settings.add_recent(image.path)
        self._session_changed()
        self._update_actions()
        self.request_edit.setFocus()

    def _start_autosave(self, session: Session) -> None:
        from lbie_desktop.core.autosave import Autosaver

        try:
            self.autosaver = Autosaver(_QuietSession(session))  # type: ignore[arg-type]
        except (UserError, OSError) as exc:
            self.autosaver = None
            self.show_info(f"Autosave is off for this photo: {exc}")

    def _schedule_autosave(self) -> None:
        saver, lock = self.autosaver, self.render_lock
        if saver is None:
            return

        def job(_ctx: JobContext) -> str:
            with lock:
                saver.save_now()
            return saver.last_error

        self.autosave_runner.submit(job, lambda err: err and self.show_info(err),
                                    label="autosave")

    def _close_session(self) -> None:
        """The person moved on from this photo on purpose: drop its recovery copy."""
        if self.session is None:
            return
        self.autosave_runner.cancel()
        self.autosave_runner.wait(10000)
        self.session.close()
        self.autosaver = None

    def offer_recovery(self) -> bool:
        """After a crash: offer to reopen the newest unsaved session. True if one was."""
        from PySide6.QtWidgets import QMessageBox

        from lbie_desktop.core.autosave import discard, find_recoverable, recover

        entries = [e for e in find_recoverable() if e.info is not None]
        if not entries:
            return False
        e = entries[0]
        answer = QMessageBox.question(
            self, "Recover edits?",
            f"LBIE Desktop did not close cleanly last time.\n\n{e.description}\n\n"
            "Reopen these edits?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Discard)
        if answer == QMessageBox.StandardButton.Yes:
            try:
                self.set_session(recover(e, preview_long_side=int(settings.get("preview_size"))))
                return True
            except UserError as exc:
                self.show_error(str(exc))
                return False
        discard(e)
        return False

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = settings.recent_files()
        for p in files:
            a = self.recent_menu.addAction(Path(p).name)
            a.setToolTip(p)
            a.triggered.connect(lambda _=False, p=p: self.open_image(p))
        if not files:
            self.recent_menu.addAction("No recent photos").setEnabled(False)

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            self.open_image(urls[0].toLocalFile())

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
            self.apply_steps()
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

    def _fill_add_menu(self) -> None:
        self.add_menu.clear()
        menu: QMenu = self.steps_panel.add_button.menu()
        for a in menu.actions():
            self.add_menu.addAction(a)

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

    def _render_missing_thumbs(self) -> None:
        """Thumbnails for turns that came from a file (the window renders the others)."""
        s, lock = self.session, self.render_lock
        assert s is not None
        missing = [(i + 1, t.id) for i, t in enumerate(s.turns) if t.id not in self.thumbs]

        def job(ctx: JobContext) -> dict[str, np.ndarray]:
            out = {}
            for upto, tid in missing:  # increasing: each render extends the cached chain
                ctx.check()
                with lock:
                    rgb = s.render(upto=upto)
                out[tid] = resize_long_side(rgb, THUMB_SIDE)
            return out

        def done(thumbs: dict[str, np.ndarray]) -> None:
            if s is self.session and thumbs:
                self.thumbs.update(thumbs)
                self._session_changed()

        self.thumb_runner.submit(job, done, label="thumbnails")

    # ======================================================================= rendering ======
    def _render_steps(self) -> list[Step]:
        assert self.session is not None
        turns = self.session.turns
        if self.view_turns is not None:
            return resolve_turn_steps([t.plan.steps for t in turns[: self.view_turns]])
        draft = self.draft.snapshot()
        if self.active_step is not None and self.canvas.mask is not None:
            # show the stroke in progress, before it becomes an undo command
            draft = [s.copy(mask=self.canvas.mask.copy()) if s.id == self.active_step else s
                     for s in draft]
        draft = [s for s in draft if not _waiting_for_region(s)]
        return resolve_turn_steps([t.plan.steps for t in turns] + [draft])

    def schedule_render(self) -> None:
        """Render the preview of what should be on screen now (newest request wins)."""
        if self.session is None:
            return
        steps = self._render_steps()
        session, lock = self.session, self.render_lock
        self._render_gen += 1

        def job(_ctx: JobContext) -> tuple[Session, np.ndarray, bool, QImage]:
            with lock:
                rgb = session.renderer.render(steps)
            return session, rgb, False, rgb_to_display_image(rgb)

        self.preview_runner.submit(job, self._preview_ready, self._job_error("Rendering"),
                                   label="preview")
        self._full_timer.start(FULL_RES_DELAY_MS)

    def _preview_ready(self, result: tuple[Session, np.ndarray, bool, QImage]) -> None:
        session, rgb, full, qimage = result
        if session is not self.session:
            return  # a photo opened since
        if not full:
            self.last_render = rgb
        base = session.renderer.source if full else session.renderer.proxy
        self.canvas.set_image(rgb, session.renderer.source.shape[1] / base.shape[1], qimage)
        self.imageShown.emit()

    def _render_full_res(self, session: Session,
                         steps: list[Step]) -> tuple[np.ndarray, np.ndarray | None]:
        """(rgb, alpha or None) at full resolution; worker threads only."""
        with self.full_lock:
            r = self._full_renderer
            if r is None or r.source is not session.renderer.source:
                # a tiny proxy: this renderer only ever renders full size
                r = self._full_renderer = Renderer(session.renderer.source, 64)
            rgb = r.render(steps, full=True)
            alpha_fn = getattr(r, "render_alpha", None)
            alpha = alpha_fn(steps, full=True) if alpha_fn is not None else None
        if alpha is not None:
            alpha = np.round(np.clip(alpha, 0, 1) * 255).astype(np.uint8)
        return rgb, alpha

    def _render_full(self) -> None:
        """Once edits pause, swap the proxy for a full-resolution render (if they differ)."""
        s = self.session
        if s is None or not settings.get("full_res_follow") \
                or s.renderer.proxy.shape == s.renderer.source.shape or self.preview_runner.busy:
            return
        steps = self._render_steps()
        gen = self._render_gen

        def job(_ctx: JobContext) -> tuple[Session, np.ndarray, bool, QImage]:
            rgb = self._render_full_res(s, steps)[0]
            return s, rgb, True, rgb_to_display_image(rgb)

        def done(result: tuple[Session, np.ndarray, bool, QImage]) -> None:
            if gen == self._render_gen:  # nothing changed while it rendered
                self._preview_ready(result)

        self.io_runner.submit(job, done, self._job_error("Full-resolution render"), label="full")

    # ======================================================================= masks ==========
    def edit_mask(self, step_id: str) -> None:
        step = self.draft.get(step_id)
        if step is None or self.session is None:
            return
        op = get_op(step.op)
        if not op.can_be_local:
            self.show_info(f"{op.label} always applies to the whole photo.")
            return
        self.active_step = step_id
        if step.mask is None:
            ph, pw = self.session.renderer.proxy.shape[:2]
            self.undo_stack.beginMacro("Limit to a region")
            self.undo_stack.push(cmd.SetMaskCommand(self.draft, step_id, None,
                                                    np.zeros((ph, pw), np.float32),
                                                    "Limit to a region"))
            if not step.enabled:
                # the region could not be found, so the step was off: painting it is the fix
                self.undo_stack.push(cmd.SetEnabledCommand(self.draft, step_id, True))
            self.undo_stack.endMacro()
        self.canvas.set_mask(self.draft.get(step_id).mask)
        self.mask_bar.set_title(op.label)
        self.mask_bar.setVisible(True)
        self.steps_panel.set_active(step_id)
        self.act_overlay.setChecked(True)
        self.canvas.set_overlay_visible(True)
        self.canvas.setFocus()
        self._update_actions()

    def leave_mask_edit(self) -> None:
        if self.active_step is None:
            return
        self.active_step = None
        self.canvas.set_mask(None)
        self.mask_bar.setVisible(False)
        self.steps_panel.set_active(None)
        self._update_actions()

    def _draft_mask_changed(self, step_id: str) -> None:
        if step_id == self.active_step:
            step = self.draft.get(step_id)
            if step is None or step.mask is None:
                self.leave_mask_edit()  # undone back to "no region"
            else:
                self.canvas.set_mask(step.mask)
        self.schedule_render()

    def _set_tool(self, tool: str) -> None:
        if self.active_step is None:
            return
        self.canvas.set_tool(tool)
        self.mask_bar.set_tool(tool)

    def _stroke_finished(self, before: np.ndarray, after: np.ndarray) -> None:
        if self.active_step is not None:
            self.undo_stack.push(cmd.SetMaskCommand(self.draft, self.active_step, before, after))

    def _segment_clicked(self, x: float, y: float, add: bool) -> None:
        step = self.draft.get(self.active_step or "")
        if step is None or step.mask is None or self.session is None:
            return
        base = self.session.renderer.proxy
        mh, mw = step.mask.shape
        bh, bw = base.shape[:2]
        seg = mask_tools.segment_at(base, int(x * bw / mw), int(y * bh / mh))
        if seg.shape != step.mask.shape:
            import cv2

            seg = cv2.resize(seg, (mw, mh), interpolation=cv2.INTER_LINEAR)
        new = np.maximum(step.mask, seg) if add else np.minimum(step.mask, 1 - seg)
        self.undo_stack.push(cmd.SetMaskCommand(self.draft, step.id, step.mask, new,
                                                "Add area" if add else "Remove area"))

    def _mask_op(self, op: str) -> None:
        step = self.draft.get(self.active_step or "")
        if step is None or step.mask is None:
            return
        m = step.mask
        px = max(2, round(max(m.shape) / 150))
        new = {"invert": lambda: mask_tools.invert(m), "grow": lambda: mask_tools.grow(m, px),
               "shrink": lambda: mask_tools.grow(m, -px),
               "feather": lambda: mask_tools.feather(m, px),
               "clear": lambda: np.zeros_like(m)}[op]()
        self.undo_stack.push(cmd.SetMaskCommand(self.draft, step.id, m, new, op.capitalize()))

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
    def export_dialog(self) -> None:
        from lbie_desktop.gui.dialogs.export import ExportDialog

        if self.session is None:
            return
        dlg = ExportDialog(self.session.image, self)
        if dlg.exec():
            self.export_image(dlg.path(), quality=dlg.quality(), keep_metadata=dlg.keep_metadata())

    def export_image(self, path: str | Path, *, quality: int = 92,
                     keep_metadata: bool = True) -> None:
        """Render the current state at full resolution and save it (in the background)."""
        from lbie_desktop.core.imageio import save_image

        if self.session is None:
            self.show_error("Open a photo first.")
            return
        s, steps = self.session, self._render_steps()
        path = Path(path)
        self.status.start(f"Exporting {path.name}…")

        def job(ctx: JobContext) -> Path:
            ctx.progress(0.1, f"Rendering {path.name} at full resolution…")
            rgb, alpha = self._render_full_res(s, steps)
            ctx.check()
            ctx.progress(0.8, f"Saving {path.name}…")
            img = s.image
            return save_image(path, rgb, alpha=alpha if alpha is not None else img.alpha,
                              quality=quality,
                              exif=img.exif if keep_metadata else None,
                              icc_profile=img.icc_profile if keep_metadata else None,
                              original=img.path)

        self.io_runner.submit(job, lambda p: self.status.stop(f"Exported {Path(p).name}"),
                              self._job_error("Export"), label="export")

    def save_session_dialog(self) -> None:
        if self.session is None:
            return
        base = self.session.image.path
        start = str(base.with_suffix(".lbie")) if base else ""
        path, _ = QFileDialog.getSaveFileName(self, "Save session", start, SESSION_FILTER)
        if path:
            self.save_session(path if path.endswith(".lbie") else path + ".lbie")

    def save_session(self, path: str | Path) -> None:
        """Write the applied turns (with the photo) to a .lbie file, in the background."""
        from lbie_desktop.core.session_file import save_session

        if self.session is None:
            return
        s, lock, path = self.session, self.render_lock, Path(path)
        self.status.start(f"Saving {path.name}…")

        def job(_ctx: JobContext) -> Path:
            with lock:
                return save_session(s, path)

        self.io_runner.submit(job, lambda p: (self.status.stop(f"Saved {Path(p).name}"),
                                              settings.add_recent(p)),
                              self._job_error("Saving the session"), label="save")

    def settings_dialog(self) -> None:
        from lbie_desktop.gui.dialogs.settings_dialog import SettingsDialog

        dlg = SettingsDialog(self)
        if dlg.exec():
            self.set_theme(settings.get("theme"))

    def packs_dialog(self) -> None:
        from lbie_desktop.gui.dialogs.packs import PacksDialog

        PacksDialog(self).exec()

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
        self.request_edit.history = [str(x) for x in (s.value("requests") or [])
                                     if isinstance(x, str)][-50:] \
            if isinstance(s.value("requests"), list) else []
        self.request_edit._recall = len(self.request_edit.history)
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
        self.save_state()
        for r in self._runners():
            r.cancel()
        self.wait_idle_blocking(10000)
        self._close_session()
        super().closeEvent(event)


__all__ = ["MainWindow"]
