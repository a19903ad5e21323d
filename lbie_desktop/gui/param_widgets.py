"""Parameter controls built from an op's `Param` description (no per-op widget code).

float/int -> slider + numeric field; choice -> combo box; color/curve -> one slider per
component (a colour also shows a swatch). Every control emits `edited(value)` on user changes
only; `set_value` updates it silently (undo, reset).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QStyle,
    QStyleOptionSlider,
    QVBoxLayout,
    QWidget,
)

from lbie_desktop.core.ops import Param

MAX_TICKS = 1000  # slider resolution cap; the numeric field keeps full precision


class ParamControl(QWidget):
    edited = Signal(object)

    def __init__(self, param: Param, parent: QWidget | None = None):
        super().__init__(parent)
        self.param = param

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError


class ResettableSlider(QSlider):
    """A slider that returns to its default on double click (as in most photo editors).

    With an `origin` tick (the identity value of a bipolar parameter such as -1..1), the fill
    runs from the origin to the handle, so "less" and "more" read at a glance."""

    resetRequested = Signal()

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None):
        super().__init__(orientation, parent)
        self.origin: int | None = None

    def set_origin(self, tick: int | None) -> None:
        self.origin = tick
        self.setProperty("bipolar", tick is not None)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.resetRequested.emit()
        event.accept()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.origin is None:
            super().paintEvent(event)
            return
        style, opt = self.style(), QStyleOptionSlider()
        self.initStyleOption(opt)
        cc, painter = QStyle.ComplexControl.CC_Slider, QPainter(self)
        groove = style.subControlRect(cc, opt, QStyle.SubControl.SC_SliderGroove, self)
        handle = style.subControlRect(cc, opt, QStyle.SubControl.SC_SliderHandle, self)
        opt.subControls = QStyle.SubControl.SC_SliderGroove
        style.drawComplexControl(cc, opt, painter, self)
        span = groove.width() - handle.width()
        x0 = groove.x() + handle.width() / 2 + QStyle.sliderPositionFromValue(
            self.minimum(), self.maximum(), self.origin, span)
        x1 = handle.center().x()
        colour = self.palette().color(QPalette.ColorRole.Highlight)
        if not self.isEnabled():
            colour = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        painter.fillRect(QRectF(min(x0, x1), groove.center().y() - 1.5, abs(x1 - x0), 4), colour)
        painter.fillRect(QRectF(x0 - 0.5, groove.center().y() - 4, 1.5, 9), colour)
        opt.subControls = QStyle.SubControl.SC_SliderHandle
        style.drawComplexControl(cc, opt, painter, self)
        painter.end()


class NumberSlider(QWidget):
    """Label, slider and numeric field for one number in [lo, hi]."""

    edited = Signal(float)

    def __init__(self, label: str, lo: float, hi: float, step: float, default: float,
                 *, integer: bool = False, unit: str = "", tooltip: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.lo, self.hi, self.default, self.integer = lo, hi, float(default), integer
        span = max(hi - lo, 1e-9)
        self.ticks = int(min(MAX_TICKS, max(1, round(span / (step or span / 100)))))
        self.label = QLabel(label)
        self.label.setObjectName("paramLabel")
        self.slider = ResettableSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, self.ticks)
        self.slider.setToolTip(tooltip or f"{label}: {lo:g} … {hi:g}{unit}. Double-click to reset.")
        self.slider.setObjectName("paramSlider")
        if lo < self.default < hi and (lo < 0 < hi or self.default != lo):
            self.slider.set_origin(self._to_tick(self.default))
        if integer:
            self.field: QSpinBox | QDoubleSpinBox = QSpinBox()
            self.field.setRange(int(lo), int(hi))
        else:
            self.field = QDoubleSpinBox()
            self.field.setRange(lo, hi)
            decimals = 0 if step >= 1 else max(1, min(4, len(f"{step:g}".split(".")[-1])))
            self.field.setDecimals(decimals)
            self.field.setSingleStep(step or span / 100)
        if unit in ("%", "°", "px"):
            self.field.setSuffix(unit if unit != "px" else " px")
        elif unit and unit != "x":  # long units ("% of short side") read better by the name
            self.label.setText(f"{label} ({unit})")
        self.field.setObjectName("paramField")
        self.field.setKeyboardTracking(False)
        self.field.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.field.setFixedWidth(64)
        lay = QGridLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setHorizontalSpacing(8)
        lay.setVerticalSpacing(0)
        lay.addWidget(self.label, 0, 0)
        lay.addWidget(self.field, 0, 1, Qt.AlignmentFlag.AlignRight)
        lay.addWidget(self.slider, 1, 0, 1, 2)
        self.slider.valueChanged.connect(self._from_slider)
        self.slider.resetRequested.connect(self._reset)
        self.field.valueChanged.connect(self._from_field)
        self._set(self.default)

    def value(self) -> float:
        return float(self.field.value())

    def set_value(self, v: float) -> None:
        self._set(float(v))

    def _set(self, v: float) -> None:
        for w in (self.slider, self.field):
            w.blockSignals(True)
        self.field.setValue(int(round(v)) if self.integer else v)
        self.slider.setValue(self._to_tick(v))
        for w in (self.slider, self.field):
            w.blockSignals(False)

    def _to_tick(self, v: float) -> int:
        return int(round((v - self.lo) / max(self.hi - self.lo, 1e-9) * self.ticks))

    def _from_slider(self, tick: int) -> None:
        v = self.lo + (self.hi - self.lo) * tick / self.ticks
        if self.integer:
            v = round(v)
        self.field.blockSignals(True)
        self.field.setValue(v)
        self.field.blockSignals(False)
        self.edited.emit(float(v))

    def _from_field(self, v: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(self._to_tick(v))
        self.slider.blockSignals(False)
        self.edited.emit(float(v))

    def _reset(self) -> None:
        self._set(self.default)
        self.edited.emit(self.default)


class ScalarControl(ParamControl):
    def __init__(self, param: Param, parent: QWidget | None = None):
        super().__init__(param, parent)
        default = float(param.default) if not isinstance(param.default, str) else 0.0
        self.slider = NumberSlider(param.label, param.min, param.max, param.step, default,
                                   integer=param.kind == "int", unit=param.unit,
                                   tooltip=param.help)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.slider)
        self.slider.edited.connect(
            lambda v: self.edited.emit(int(round(v)) if param.kind == "int" else v))

    def value(self) -> float | int:
        v = self.slider.value()
        return int(round(v)) if self.param.kind == "int" else v

    def set_value(self, value: Any) -> None:
        self.slider.set_value(float(value))


class ChoiceControl(ParamControl):
    def __init__(self, param: Param, parent: QWidget | None = None):
        super().__init__(param, parent)
        self.combo = QComboBox()
        self.combo.addItems(list(param.choices))
        self.combo.setToolTip(param.help)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        label = QLabel(param.label)
        label.setObjectName("paramLabel")
        lay.addWidget(label)
        lay.addStretch(1)
        lay.addWidget(self.combo)
        self.set_value(param.default)
        self.combo.currentTextChanged.connect(self.edited.emit)

    def value(self) -> str:
        return self.combo.currentText()

    def set_value(self, value: Any) -> None:
        self.combo.blockSignals(True)
        self.combo.setCurrentText(str(value))
        self.combo.blockSignals(False)


class VectorControl(ParamControl):
    """Colours and curves: one slider per component; colours show a live swatch."""

    def __init__(self, param: Param, parent: QWidget | None = None):
        super().__init__(param, parent)
        default = list(param.default) if isinstance(param.default, list | tuple) \
            else [float(param.default)] * param.length
        is_rgb = param.kind == "color" and param.length == 3
        names = ["R", "G", "B"] if is_rgb else [f"{i + 1}" for i in range(param.length)]
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        head = QHBoxLayout()
        title = QLabel(param.label)
        title.setObjectName("paramLabel")
        head.addWidget(title)
        head.addStretch(1)
        self.swatch: QFrame | None = None
        if is_rgb:
            self.swatch = QFrame()
            self.swatch.setObjectName("colorSwatch")
            self.swatch.setFixedSize(28, 14)
            head.addWidget(self.swatch)
        lay.addLayout(head)
        self.sliders = []
        for i, name in enumerate(names):
            s = NumberSlider(f"{param.label} {name}" if not is_rgb else name, param.min,
                             param.max, param.step, default[i], unit=param.unit)
            s.edited.connect(lambda _v: self._emit())
            self.sliders.append(s)
            lay.addWidget(s)
        self._update_swatch()

    def value(self) -> list[float]:
        return [s.value() for s in self.sliders]

    def set_value(self, value: Any) -> None:
        for s, v in zip(self.sliders, list(value)):
            s.set_value(float(v))
        self._update_swatch()

    def _emit(self) -> None:
        self._update_swatch()
        self.edited.emit(self.value())

    def _update_swatch(self) -> None:
        if self.swatch is None:
            return
        span = max(self.param.max - self.param.min, 1e-9)
        rgb = [int(255 * (v - self.param.min) / span) for v in self.value()]
        self.swatch.setStyleSheet(f"background: {QColor(*rgb).name()}; border-radius: 3px;")


def make_control(param: Param, parent: QWidget | None = None) -> ParamControl:
    if param.kind == "choice":
        return ChoiceControl(param, parent)
    if param.kind in ("color", "curve"):
        return VectorControl(param, parent)
    return ScalarControl(param, parent)
