"""About: version and the licences of what ships with the app."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from lbie_desktop import __version__

LICENCES = """
<h3>LBIE Desktop {version}</h3>
<p>A local-first photo editor driven by language. Everything runs on this computer.</p>
<p>LBIE Desktop is released under the MIT licence.</p>
<h4>Built with</h4>
<ul>
<li>Qt for Python (PySide6) — LGPL-3.0</li>
<li>PyTorch — BSD-3-Clause</li>
<li>Kornia — Apache-2.0</li>
<li>Hugging Face Transformers — Apache-2.0</li>
<li>ONNX Runtime — MIT</li>
<li>OpenCV — Apache-2.0</li>
<li>Pillow — MIT-CMU (HPND)</li>
<li>NumPy — BSD-3-Clause</li>
<li>appdirs — MIT</li>
<li>all-MiniLM-L6-v2 sentence encoder — Apache-2.0</li>
</ul>
<p>Model packs list their own licences in Help ▸ Model Packs.</p>
<p>Sample photos: NASA, public domain (as shipped by scikit-image).</p>
"""


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("About LBIE Desktop")
        self.resize(480, 460)
        text = QTextBrowser()
        text.setOpenExternalLinks(False)
        text.setHtml(LICENCES.format(version=__version__))
        lay = QVBoxLayout(self)
        lay.addWidget(text)
        hint = QLabel("Shortcuts: Enter run · Ctrl+Return apply · Ctrl+Z / Ctrl+Shift+Z undo/redo"
                      " · \\ hold for before · Y split · B/E/W brush/eraser/select")
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setObjectName("stepWhy")
        lay.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
