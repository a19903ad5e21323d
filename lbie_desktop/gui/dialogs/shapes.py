"""The "Shapes" sample (File > Open Sample): colour a CoSaL scene by describing it.

The person reads the black silhouettes, types sentences such as "diamond is red. the shape
left of diamond is blue", and sees the recurrent attentive model's colouring plus, per
inference step, how much attention went to each sentence (the paper's Figure 5, live).
The model runs on a worker thread; the core lives in lbie_desktop/research/cosal/demo.py.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lbie_desktop.errors import UserError
from lbie_desktop.gui.worker import LatestRunner

SCALE = 4  # 48 px scenes shown at 192 px, pixel-sharp
EXAMPLE = "diamond is red. the shape left of diamond is blue. circle is green. …"


def _pixmap(rgb: np.ndarray) -> QPixmap:
    a = np.ascontiguousarray(rgb if rgb.ndim == 3 else np.repeat(rgb[..., None], 3, axis=2))
    h, w = a.shape[:2]
    img = QImage(a.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(img.scaled(w * SCALE, h * SCALE,
                                        Qt.AspectRatioMode.KeepAspectRatio,
                                        Qt.TransformationMode.FastTransformation))


class ShapesDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, seed: int = 0):
        super().__init__(parent)
        from lbie_desktop.research.cosal.text import COLOURS, SHAPES

        self.setWindowTitle("Shapes (CoSaL sample)")
        self.setObjectName("shapesDialog")
        self.seed = seed
        self.result = None  # the last ShapesResult shown
        self._colorizer = None  # loaded on the worker at the first run
        lay = QVBoxLayout(self)
        intro = QLabel("Describe the colour of each shape; relational sentences refer to a "
                       "neighbouring cell (“the shape below circle is red”).")
        intro.setWordWrap(True)
        lay.addWidget(intro)

        images = QGridLayout()
        self.scene_view, self.result_view = QLabel(), QLabel()
        for col, (title, view) in enumerate((("Scene", self.scene_view),
                                             ("Colorized", self.result_view))):
            head = QLabel(title)
            head.setObjectName("paramLabel")
            images.addWidget(head, 0, col)
            view.setFixedSize(48 * SCALE, 48 * SCALE)
            view.setAlignment(Qt.AlignmentFlag.AlignCenter)
            view.setObjectName("shapesScene" if col == 0 else "shapesResult")
            images.addWidget(view, 1, col)
        lay.addLayout(images)

        self.description = QPlainTextEdit()
        self.description.setObjectName("shapesDescription")
        self.description.setPlaceholderText(EXAMPLE)
        self.description.setToolTip(f"Shapes: {', '.join(SHAPES)}.\nColours: "
                                    f"{', '.join(COLOURS)}.\nOne sentence per line or "
                                    "separated by full stops; at most 9.")
        self.description.setFixedHeight(80)
        lay.addWidget(self.description)
        vocab = QLabel(f"Shapes: {', '.join(SHAPES)} · colours: {', '.join(COLOURS)}")
        vocab.setObjectName("stepWhy")
        vocab.setWordWrap(True)
        lay.addWidget(vocab)

        row = QHBoxLayout()
        self.run_button = QPushButton("Colorize")
        self.run_button.setObjectName("shapesRun")
        self.run_button.setDefault(True)
        self.run_button.setToolTip("Colour the shapes as described (Ctrl+Enter)")
        self.run_button.clicked.connect(self.colorize)
        self.reference_button = QPushButton("Use the scene's description")
        self.reference_button.setToolTip("Fill in the generator's own 9-sentence description")
        self.reference_button.clicked.connect(self.use_reference)
        self.new_button = QPushButton("New scene")
        self.new_button.clicked.connect(lambda: self.load_scene(self.seed + 1))
        for b in (self.run_button, self.reference_button, self.new_button):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.colorize)

        self.message = QLabel("")
        self.message.setObjectName("shapesMessage")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        att_title = QLabel("Which sentence each step attends to")
        att_title.setObjectName("paramLabel")
        lay.addWidget(att_title)
        self.attention = QTableWidget(0, 0)
        self.attention.setObjectName("shapesAttention")
        self.attention.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.attention.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.attention.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.attention.verticalHeader().setDefaultSectionSize(22)
        self.attention.setMinimumHeight(9 * 22 + 30)  # nine sentences without scrolling
        lay.addWidget(self.attention, 1)

        self.runner = LatestRunner(self)
        self.resize(560, 700)  # fits a 1280x800 screen with its title bar
        self.load_scene(seed)

    @property
    def busy(self) -> bool:
        return self.runner.busy

    def load_scene(self, seed: int) -> None:
        from lbie_desktop.research.cosal.demo import sample_scene

        self.seed = seed
        self.scene = sample_scene(seed)
        self.scene_view.setPixmap(_pixmap(self.scene.image[0]))
        self.result_view.setPixmap(QPixmap())
        self.result_view.setText("type a description\nand press Colorize")
        self.attention.setRowCount(0)
        self.attention.setColumnCount(0)
        self.result = None
        self.message.setText("")

    def reference_description(self) -> str:
        from lbie_desktop.research.cosal.text import decode

        return ".\n".join(decode(c) for c in self.scene.caption[0] if c[0] != 0) + "."

    def use_reference(self) -> None:
        self.description.setPlainText(self.reference_description())

    def colorize(self) -> None:
        text = self.description.toPlainText()
        image = self.scene.image[0]
        self.message.setText("Colouring…")
        self.run_button.setEnabled(False)
        self.runner.submit(lambda _ctx: self._run(image, text), self._show,
                           self._failed, label="shapes")

    def _run(self, image: np.ndarray, text: str):  # worker thread
        from lbie_desktop.research.cosal.demo import ShapesColorizer

        if self._colorizer is None:
            self._colorizer = ShapesColorizer()
        return self._colorizer.colorize(image, text)

    def _show(self, result) -> None:
        self.result = result
        self.run_button.setEnabled(True)
        self.result_view.setPixmap(_pixmap(result.rgb))
        att = np.asarray(result.attention)  # (T, n sentences)
        steps, n = att.shape
        self.attention.setRowCount(n)
        self.attention.setColumnCount(steps)
        self.attention.setHorizontalHeaderLabels([f"Step {t + 1}" for t in range(steps)])
        self.attention.setVerticalHeaderLabels(result.sentences)
        accent = self.palette().color(self.palette().ColorRole.Highlight)
        for t in range(steps):
            top = int(att[t].argmax())
            lo, hi = float(att[t].min()), float(att[t].max())
            for k in range(n):
                v = float(att[t, k])
                item = QTableWidgetItem(f"{v:.0%}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                shade = QColor(accent)  # contrast within the step: where its focus is
                shade.setAlphaF(0.85 * (v - lo) / max(hi - lo, 1e-6))
                item.setBackground(shade)
                if k == top:  # the sentence this step reads most
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                item.setToolTip(f"step {t + 1} gives {v:.0%} of its attention to "
                                f"“{result.sentences[k]}”")
                self.attention.setItem(k, t, item)
        self.message.setText(f"{n} sentence{'s' if n != 1 else ''} read; the colouring "
                             f"took {steps} attention step{'s' if steps != 1 else ''}.")

    def _failed(self, exc: Exception) -> None:
        self.run_button.setEnabled(True)
        self.message.setText(str(exc) if isinstance(exc, UserError)
                             else f"Colouring failed: {type(exc).__name__}: {exc}")


__all__ = ["ShapesDialog"]
