"""Editing a step's region: entering and leaving, brush strokes, segment clicks and
whole-mask operations.

A mixin of MainWindow (main_window.py), which owns the widgets and state it uses."""

from __future__ import annotations

import cv2
import numpy as np

from lbie_desktop.core.ops import get_op
from lbie_desktop.gui import click_select, mask_tools
from lbie_desktop.gui import commands as cmd


class MaskEditingMixin:
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
        """Add (or with Shift remove) the person/object under the click, found on a worker;
        where no instance covers the point, the similar-coloured region around it."""
        step = self.draft.get(self.active_step or "")
        if step is None or step.mask is None or self.session is None:
            return
        base = self.session.renderer.proxy
        mh, mw = step.mask.shape
        bh, bw = base.shape[:2]
        bx, by = int(x * bw / mw), int(y * bh / mh)
        sid = step.id
        self.show_info("Finding what you clicked…")
        self.select_runner.submit(lambda _ctx: click_select.pick(base, bx, by),
                                  lambda picked: self._apply_pick(sid, picked, add),
                                  self._job_error("Selecting"), label="select")

    def _apply_pick(self, step_id: str, picked: click_select.Picked, add: bool) -> None:
        step = self.draft.get(step_id)
        if step is None or step.mask is None:
            return  # the step went away while the worker looked
        seg = picked.mask
        mh, mw = step.mask.shape
        if seg.shape != step.mask.shape:
            seg = cv2.resize(seg, (mw, mh), interpolation=cv2.INTER_LINEAR)
        new = np.maximum(step.mask, seg) if add else np.minimum(step.mask, 1 - seg)
        what = "similar colours" if picked.label == "similar colours" else f"the {picked.label}"
        self.undo_stack.push(cmd.SetMaskCommand(self.draft, step.id, step.mask, new,
                                                f"Add {what}" if add else f"Remove {what}"))
        self.show_info(f"{'Added' if add else 'Removed'} {what}")

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
