"""The bar shown above the canvas while a step's region is being edited: tools, brush size and
softness, and whole-mask operations (invert, grow, shrink, feather, clear)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QToolButton,
    QWidget,
)


class MaskBar(QWidget):
    toolChanged = Signal(str)
    sizeChanged = Signal(int)
    softnessChanged = Signal(float)
    maskOp = Signal(str)  # invert / grow / shrink / feather / clear
    doneRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("maskBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 5, 10, 5)
        lay.setSpacing(6)
        self.title = QLabel("Region")
        self.title.setObjectName("maskTitle")
        self.title.setMaximumWidth(140)
        lay.addWidget(self.title)
        lay.addSpacing(4)
        self.group = QButtonGroup(self)
        self.tool_buttons: dict[str, QToolButton] = {}
        for tool, text, tip in (("brush", "Brush", "Paint the region (B)"),
                                ("eraser", "Eraser", "Erase from the region (E)"),
                                ("segment", "Select", "Click to add a similar-coloured area, "
                                                      "Shift+click to remove it (W)")):
            b = QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.setCheckable(True)
            b.setObjectName(f"tool_{tool}")
            self.group.addButton(b)
            self.tool_buttons[tool] = b
            b.clicked.connect(lambda _=False, t=tool: self.toolChanged.emit(t))
            lay.addWidget(b)
        self.tool_buttons["brush"].setChecked(True)
        lay.addSpacing(6)
        lay.addWidget(QLabel("Size"))
        self.size = QSlider(Qt.Orientation.Horizontal)
        self.size.setObjectName("brushSize")
        self.size.setRange(2, 400)
        self.size.setValue(40)
        self.size.setFixedWidth(90)
        self.size.setToolTip("Brush diameter in image pixels ([ and ])")
        self.size.valueChanged.connect(self.sizeChanged)
        lay.addWidget(self.size)
        lay.addWidget(QLabel("Soft"))
        self.soft = QSlider(Qt.Orientation.Horizontal)
        self.soft.setObjectName("brushSoftness")
        self.soft.setRange(0, 100)
        self.soft.setValue(50)
        self.soft.setFixedWidth(70)
        self.soft.setToolTip("Edge softness")
        self.soft.valueChanged.connect(lambda v: self.softnessChanged.emit(v / 100.0))
        lay.addWidget(self.soft)
        lay.addSpacing(6)
        for op, text, tip in (("invert", "Invert", "Swap region and the rest"),
                              ("grow", "Grow", "Expand the region by a few pixels"),
                              ("shrink", "Shrink", "Contract the region by a few pixels"),
                              ("feather", "Feather", "Soften the region's edge"),
                              ("clear", "Clear", "Empty the region")):
            b = QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.setObjectName(f"mask_{op}")
            b.clicked.connect(lambda _=False, o=op: self.maskOp.emit(o))
            lay.addWidget(b)
        lay.addStretch(1)
        done = QPushButton("Done")
        done.setObjectName("maskDone")
        done.setToolTip("Stop editing the region (Esc)")
        done.clicked.connect(self.doneRequested)
        lay.addWidget(done)

    def set_tool(self, tool: str) -> None:
        self.tool_buttons[tool].setChecked(True)

    def set_title(self, text: str) -> None:
        metrics = self.title.fontMetrics()
        self.title.setText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, 140))
        self.title.setToolTip(text)
