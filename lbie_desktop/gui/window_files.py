"""Opening photos and sessions, autosave and crash recovery, saving and exporting.

A mixin of MainWindow (main_window.py), which owns the widgets and state it uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QFileDialog,
)

from lbie_desktop.core.imageio import LoadedImage, load_image
from lbie_desktop.core.session import Session
from lbie_desktop.errors import UserError
from lbie_desktop.gui import settings
from lbie_desktop.gui.worker import JobContext

IMAGE_FILTER = ("Photos and sessions (*.jpg *.jpeg *.png *.tif *.tiff *.webp *.bmp *.lbie);;"
                "All files (*)")
SESSION_FILTER = "LBIE session (*.lbie);;All files (*)"


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


class FilesMixin:
    def open_dialog(self) -> None:
        start = str(Path(settings.recent_files()[0]).parent) if settings.recent_files() else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open photo", start, IMAGE_FILTER)
        if path:
            self.open_image(path)

    def has_unsaved_edits(self) -> bool:
        """Edits (turns or pending steps) made since the photo was opened or last saved."""
        return self.session is not None and bool(self.session.turns or self.draft.steps) \
            and self.undo_stack.index() != self._saved_index

    def confirm_discard(self, action: str) -> bool:
        """Before edits would be dropped (another photo, quitting): save, discard or cancel."""
        if not self.ask_before_discarding or not self.has_unsaved_edits():
            return True
        name = self.session.image.path.name if self.session.image.path else "this photo"
        answer = self.ask_save_discard_cancel(
            f"Save the edits to {name}?",
            f"{action} drops the edits to {name} unless you save them as a session "
            "(exports keep only the pixels).")
        if answer == "save":
            return self.save_session_now()
        return answer == "discard"

    def ask_save_discard_cancel(self, title: str, text: str) -> str:
        """"save" / "discard" / "cancel" (a method, so tests can answer without a dialog)."""
        from PySide6.QtWidgets import QMessageBox

        buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                   | QMessageBox.StandardButton.Cancel)
        answer = QMessageBox.question(self, title, text, buttons,
                                      QMessageBox.StandardButton.Save)
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(answer, "cancel")

    def save_session_now(self) -> bool:
        """Ask for a file and save right away (the person is waiting on a dialog anyway)."""
        from lbie_desktop.core.session_file import save_session

        path = self._ask_session_path()
        if path is None or self.session is None:
            return False
        try:
            with self.render_lock:
                save_session(self.session, path)
        except UserError as exc:
            self.show_error(str(exc))
            return False
        self._saved_index = self.undo_stack.index()
        settings.add_recent(path)
        return True

    def _ask_session_path(self) -> Path | None:
        base = self.session.image.path if self.session is not None else None
        start = str(base.with_suffix(".lbie")) if base else ""
        path, _ = QFileDialog.getSaveFileName(self, "Save session", start, SESSION_FILTER)
        if not path:
            return None
        return Path(path if path.endswith(".lbie") else path + ".lbie")

    def open_image(self, path: str | Path) -> None:
        """Load a photo (or a saved .lbie session) in the background; the window stays
        responsive meanwhile."""
        from lbie_desktop.core.session_file import open_session

        if not self.confirm_discard("Opening another photo"):
            return
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
        self._saved_index = 0
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

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            self.open_image(urls[0].toLocalFile())

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
        path = self._ask_session_path()
        if path is not None:
            self.save_session(path)

    def save_session(self, path: str | Path) -> None:
        """Write the applied turns (with the photo) to a .lbie file, in the background."""
        from lbie_desktop.core.session_file import save_session

        if self.session is None:
            return
        s, lock, path = self.session, self.render_lock, Path(path)
        index = self.undo_stack.index()  # what is saved: edits made meanwhile stay unsaved
        self.status.start(f"Saving {path.name}…")

        def job(_ctx: JobContext) -> Path:
            with lock:
                return save_session(s, path)

        def done(p: Path) -> None:
            if s is self.session:
                self._saved_index = index
            self.status.stop(f"Saved {Path(p).name}")
            settings.add_recent(p)

        self.io_runner.submit(job, done, self._job_error("Saving the session"), label="save")
