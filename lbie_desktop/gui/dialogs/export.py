"""Export: file name and format, JPEG/WebP quality, keep metadata (EXIF, colour profile)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from lbie_desktop.core.imageio import LoadedImage

FORMATS = {"JPEG": ".jpg", "PNG": ".png", "TIFF": ".tif", "WebP": ".webp"}


class ExportDialog(QDialog):
    def __init__(self, image: LoadedImage, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export image")
        self.setMinimumWidth(460)
        src = image.path or Path.home() / "photo.jpg"
        self.format = QComboBox()
        self.format.addItems(list(FORMATS))
        self.edit = QLineEdit(str(src.with_name(f"{src.stem}-edited.jpg")))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(browse)
        self.quality_box = QSpinBox()
        self.quality_box.setRange(1, 100)
        self.quality_box.setValue(92)
        self.quality_box.setSuffix(" %")
        self.meta = QCheckBox("Keep metadata (EXIF, colour profile)")
        self.meta.setChecked(True)
        form = QFormLayout(self)
        form.addRow("File", row)
        form.addRow("Format", self.format)
        form.addRow("Quality", self.quality_box)
        form.addRow("", self.meta)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.format.currentTextChanged.connect(self._format_changed)

    def _format_changed(self, fmt: str) -> None:
        p = Path(self.edit.text())
        self.edit.setText(str(p.with_suffix(FORMATS[fmt])))
        self.quality_box.setEnabled(fmt in ("JPEG", "WebP"))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export image", self.edit.text(),
                                              "Images (*.jpg *.png *.tif *.webp)")
        if path:
            self.edit.setText(path)

    def path(self) -> Path:
        return Path(self.edit.text()).expanduser()

    def quality(self) -> int:
        return self.quality_box.value()

    def keep_metadata(self) -> bool:
        return self.meta.isChecked()
