"""One card per step: what it does, why it was proposed, where (mask), and how much (sliders).

Built entirely from the op registry; a new op gets a card without any GUI code.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from lbie_desktop.core.ops import get_op
from lbie_desktop.core.ops.slider_forms import controls_for, move_controls
from lbie_desktop.core.plan import Step
from lbie_desktop.gui.param_widgets import NumberSlider, ParamControl, make_control

THUMB = QSize(56, 42)


class StepCard(QFrame):
    paramsEdited = Signal(str, dict)  # step id, {name: value}
    enabledToggled = Signal(str, bool)
    deleteRequested = Signal(str)
    moveRequested = Signal(str, int)  # step id, -1 up / +1 down
    maskEditRequested = Signal(str)  # click on the thumbnail (or "limit to a region")

    def __init__(self, step: Step, index: int, count: int,
                 control_values: dict[str, float] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.step_id = step.id
        self.op = get_op(step.op)
        self.setObjectName("stepCard")
        self.setProperty("active", False)
        self.controls: dict[str, ParamControl] = {}
        self.form_sliders: dict[str, NumberSlider] = {}
        self.control_values = control_values if control_values is not None else {}

        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 10, 12, 12)
        outer.setSpacing(6)

        # header: [x] Label   92%   ↑ ↓ ✕
        head = QHBoxLayout()
        head.setSpacing(6)
        # "&" marks a keyboard mnemonic in Qt buttons: "Black & white" would show "Black _white"
        self.enabled_box = QCheckBox(self.op.label.replace("&", "&&"))
        self.enabled_box.setObjectName("stepTitle")
        self.enabled_box.setToolTip("Turn this step on or off")
        self.enabled_box.setChecked(step.enabled)
        self.enabled_box.toggled.connect(lambda on: self.enabledToggled.emit(self.step_id, on))
        head.addWidget(self.enabled_box)
        head.addStretch(1)
        predicted = bool(step.evidence)
        self.confidence = QLabel(f"{round(step.confidence * 100)}%" if predicted else "manual")
        self.confidence.setObjectName("confidenceChip")
        self.confidence.setProperty("low", predicted and step.confidence < 0.5)
        self.confidence.setToolTip("How sure the model is that you asked for this step"
                                   if predicted else "Added by hand")
        head.addWidget(self.confidence)
        for text, tip, delta, enabled in (("▲", "Move up", -1, index > 0),
                                          ("▼", "Move down", +1, index < count - 1)):
            b = _tool(text, tip)
            b.setEnabled(enabled)
            b.clicked.connect(lambda _=False, d=delta: self.moveRequested.emit(self.step_id, d))
            head.addWidget(b)
        delete = _tool("✕", "Delete this step")
        delete.setObjectName("deleteStep")
        delete.clicked.connect(lambda: self.deleteRequested.emit(self.step_id))
        head.addWidget(delete)
        outer.addLayout(head)

        # why: evidence words, target and how the mask was made
        why = []
        if step.evidence:
            why.append(", ".join(str(w) for w in step.evidence[:4]))
        if step.target and self.op.can_be_local:  # (a crop's evidence says what it frames)
            why.append(f"on {step.target}")
        self.why = QLabel(" · ".join(why) or self.op.description)
        self.why.setToolTip(self.op.description)
        self.why.setObjectName("stepWhy")
        self.why.setWordWrap(True)
        outer.addWidget(self.why)

        # where: mask thumbnail for local steps, or an offer to limit a global one; a
        # whole-photo step (a crop framed on a subject) just says what was found
        if step.mask_note and not self.op.can_be_local:
            note = QLabel(step.mask_note)
            note.setObjectName("stepWhy")
            note.setWordWrap(True)
            outer.addWidget(note)
        elif step.mask is not None or step.local or step.mask_note:
            row = QHBoxLayout()
            self.thumb = QToolButton()
            self.thumb.setObjectName("maskThumb")
            self.thumb.setIconSize(THUMB)
            self.thumb.setToolTip("Edit this step's region (brush, eraser, click to add)")
            self.thumb.clicked.connect(lambda: self.maskEditRequested.emit(self.step_id))
            row.addWidget(self.thumb)
            self.mask_note = QLabel(step.mask_note or "Painted region · click to edit")
            self.mask_note.setObjectName("stepWhy")
            self.mask_note.setWordWrap(True)
            row.addWidget(self.mask_note, 1)
            outer.addLayout(row)
            self.set_mask(step.mask)
        elif self.op.can_be_local:
            limit = QToolButton()
            limit.setObjectName("linkButton")
            limit.setText("Limit to a region…")
            limit.setToolTip("Paint where this step applies")
            limit.clicked.connect(lambda: self.maskEditRequested.emit(self.step_id))
            outer.addWidget(limit, 0, Qt.AlignmentFlag.AlignLeft)

        # how much: slider forms first (e.g. curve shaped by shadows/highlights), then params
        body = QVBoxLayout()
        body.setSpacing(8)
        self._params: dict[str, Any] = dict(step.params)
        self._emitted: dict[str, Any] | None = None  # what the sliders last sent
        if self.op.controls and self.op.controls_to_params is not None:
            for c in self.op.controls:
                s = NumberSlider(c.label, c.min, c.max, c.step, float(c.default),
                                 unit=c.unit, tooltip=c.help)
                s.edited.connect(lambda _v: self._form_edited())
                self.form_sliders[c.name] = s
                body.addWidget(s)
            # values kept from an earlier card for this step, else fitted to its params (a
            # predicted curve shows where it is instead of all sliders at zero)
            self._show_form(self.control_values or controls_for(self.op, step.params))
        advanced = []
        for p in self.op.params:
            ctl = make_control(p)
            ctl.set_value(step.params.get(p.name, p.default))
            ctl.edited.connect(lambda v, name=p.name: self.paramsEdited.emit(self.step_id,
                                                                             {name: v}))
            self.controls[p.name] = ctl
            if p.advanced or self.form_sliders:
                advanced.append(ctl)
            else:
                body.addWidget(ctl)
        outer.addLayout(body)
        if advanced:
            toggle = QToolButton()
            toggle.setObjectName("linkButton")
            toggle.setText("Advanced ▸")
            toggle.setCheckable(True)
            box = QWidget()
            lay = QVBoxLayout(box)
            lay.setContentsMargins(0, 0, 0, 0)
            for c in advanced:
                lay.addWidget(c)
            box.setVisible(False)
            toggle.toggled.connect(box.setVisible)
            toggle.toggled.connect(lambda on: toggle.setText("Advanced ▾" if on else "Advanced ▸"))
            outer.addWidget(toggle, 0, Qt.AlignmentFlag.AlignLeft)
            outer.addWidget(box)
        self._apply_enabled(step.enabled)

    # --- updates from the model (no signals back) ---------------------------------------------
    def update_from(self, step: Step) -> None:
        self.enabled_box.blockSignals(True)
        self.enabled_box.setChecked(step.enabled)
        self.enabled_box.blockSignals(False)
        for name, ctl in self.controls.items():
            ctl.set_value(step.params.get(name))
        if self.form_sliders and not _same(step.params, self._emitted):
            # changed elsewhere (undo, raw points, a new prediction): sliders follow it
            self._show_form(controls_for(self.op, step.params))
        self._params = dict(step.params)
        self._apply_enabled(step.enabled)

    def set_mask(self, mask: np.ndarray | None) -> None:
        if not hasattr(self, "thumb"):
            return
        if mask is None:  # nothing found or painted yet: say what the button does
            self.thumb.setIcon(QIcon())
            self.thumb.setText("Paint…")
            self.thumb.setFixedSize(THUMB + QSize(6, 6))
            return
        self.thumb.setText("")
        dpr = self.devicePixelRatioF()  # sharp on high-DPI screens
        img = mask_thumbnail(mask, QSize(round(THUMB.width() * dpr), round(THUMB.height() * dpr)))
        img.setDevicePixelRatio(dpr)
        self.thumb.setIcon(QPixmap.fromImage(img))

    def set_active(self, active: bool) -> None:
        self.setProperty("active", active)
        self.style().unpolish(self)
        self.style().polish(self)

    def _apply_enabled(self, enabled: bool) -> None:
        for ctl in [*self.controls.values(), *self.form_sliders.values()]:
            ctl.setEnabled(enabled)

    def _show_form(self, values: dict[str, float]) -> None:
        for name, s in self.form_sliders.items():
            s.set_value(values.get(name, s.default))
        # remember what the sliders show (rounded to their step), the base for the next move
        self.control_values.clear()
        self.control_values.update({k: s.value() for k, s in self.form_sliders.items()})

    def _form_edited(self) -> None:
        values = {k: s.value() for k, s in self.form_sliders.items()}
        # the sliders' change bends the current curve; the part of a predicted curve they
        # cannot express stays instead of snapping back to what the sliders alone describe
        params: dict[str, Any] = move_controls(self.op, self._params, self.control_values, values)
        self.control_values.update(values)
        self._params = dict(params)
        self._emitted = dict(params)
        self.paramsEdited.emit(self.step_id, params)


def _same(a: dict[str, Any], b: dict[str, Any] | None) -> bool:
    if b is None or a.keys() != b.keys():
        return False
    return all(np.allclose(np.asarray(a[k], dtype=float), np.asarray(b[k], dtype=float),
                           atol=1e-6) if not isinstance(a[k], str) else a[k] == b[k] for k in a)


def _tool(text: str, tip: str) -> QToolButton:
    b = QToolButton()
    b.setText(text)
    b.setToolTip(tip)
    b.setObjectName("cardTool")
    b.setAutoRaise(True)
    return b


def mask_thumbnail(mask: np.ndarray | None, size: QSize) -> QImage:
    """Grey thumbnail of a mask (white = edited region); a dark box when empty."""
    if mask is None:
        img = QImage(size, QImage.Format.Format_Grayscale8)
        img.fill(40)
        return img
    a = np.ascontiguousarray(np.clip(mask * 255, 0, 255).astype(np.uint8))
    h, w = a.shape
    img = QImage(a.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
    return img.scaled(size, Qt.AspectRatioMode.KeepAspectRatio,
                      Qt.TransformationMode.SmoothTransformation)
