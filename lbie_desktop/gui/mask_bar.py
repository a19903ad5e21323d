"""The bar shown above the canvas while a step's region is being edited: tools, brush size and
softness, invert, and a Refine menu (grow, shrink, feather, clear)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QMenu,
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
        self.title.setMaximumWidth(110)
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
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setObjectName("brushSize")
        self.size_slider.setRange(2, 400)
        self.size_slider.setValue(40)
        self.size_slider.setFixedWidth(80)
        self.size_slider.setToolTip("Brush diameter in image pixels ([ and ])")
        self.size_slider.valueChanged.connect(self.sizeChanged)
        lay.addWidget(self.size_slider)
        lay.addSpacing(6)
        lay.addWidget(QLabel("Soft"))
        self.soft_slider = QSlider(Qt.Orientation.Horizontal)
        self.soft_slider.setObjectName("brushSoftness")
        self.soft_slider.setRange(0, 100)
        self.soft_slider.setValue(50)
        self.soft_slider.setFixedWidth(60)
        self.soft_slider.setToolTip("Edge softness")
        self.soft_slider.valueChanged.connect(lambda v: self.softnessChanged.emit(v / 100.0))
        lay.addWidget(self.soft_slider)
        lay.addSpacing(6)
        invert = QToolButton()
        invert.setText("Invert")
        invert.setToolTip("Swap region and the rest (Ctrl+I)")
        invert.setObjectName("mask_invert")
        invert.clicked.connect(lambda: self.maskOp.emit("invert"))
        lay.addWidget(invert)
        more = QToolButton()
        more.setText("Refine ▾")
        more.setObjectName("mask_more")
        more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(more)
        for op, text, tip in (("grow", "Grow", "Expand the region by a few pixels"),
                              ("shrink", "Shrink", "Contract the region by a few pixels"),
                              ("feather", "Feather", "Soften the region's edge"),
                              ("clear", "Clear", "Empty the region")):
            act = menu.addAction(text)
            act.setToolTip(tip)
            act.triggered.connect(lambda _=False, o=op: self.maskOp.emit(o))
        more.setMenu(menu)
        lay.addWidget(more)
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
        self.title.setText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, 110))
        self.title.setToolTip(text)
