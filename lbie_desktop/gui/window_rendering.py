"""What the canvas shows: proxy previews (newest wins), the full-resolution follow-up,
history thumbnails.

A mixin of MainWindow (main_window.py), which owns the widgets and state it uses."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from lbie_desktop.core.ops import get_op
from lbie_desktop.core.plan import Step, resolve_turn_steps
from lbie_desktop.core.render import Renderer, resize_long_side
from lbie_desktop.core.session import Session
from lbie_desktop.gui import settings
from lbie_desktop.gui.canvas import over_checkerboard, rgb_to_display_image
from lbie_desktop.gui.worker import JobContext

FULL_RES_DELAY_MS = 500  # full-resolution render starts once edits pause this long
THUMB_SIDE = 128


def _waiting_for_region(step: Step) -> bool:
    """A fill step (remove object, replace background) whose region is not painted yet."""
    return bool(get_op(step.op).extra.get("needs_mask")) and (
        step.mask is None or not bool(np.any(step.mask > 0)))


class RenderingMixin:
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
                rgb = session.renderer.render_view(steps)  # read-only: shown, never edited
                alpha = session.renderer.render_alpha(steps)  # the same frame, from the cache
            return session, rgb, False, rgb_to_display_image(over_checkerboard(rgb, alpha))

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

    def _render_full_res(self, session: Session, steps: list[Step], *, view: bool = False
                         ) -> tuple[np.ndarray, np.ndarray | None]:
        """(rgb, alpha or None) at full resolution; worker threads only. view=True: rgb is a
        read-only view of the renderer's cache (for display: saves copying the photo)."""
        with self.full_lock:
            r = self._full_renderer
            if r is None or r.source is not session.renderer.source:
                # a tiny proxy: this renderer only ever renders full size
                r = self._full_renderer = Renderer(session.renderer.source, 64)
            rgb = r.render_view(steps, full=True) if view else r.render(steps, full=True)
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
            rgb, alpha = self._render_full_res(s, steps, view=True)
            shown = over_checkerboard(rgb, None if alpha is None else alpha / 255.0)
            return s, rgb, True, rgb_to_display_image(shown)

        def done(result: tuple[Session, np.ndarray, bool, QImage]) -> None:
            if gen == self._render_gen:  # nothing changed while it rendered
                self._preview_ready(result)

        self.io_runner.submit(job, done, self._job_error("Full-resolution render"), label="full")

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
