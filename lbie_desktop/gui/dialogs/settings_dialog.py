"""Settings: compute device, preview size, full-resolution follow-up, theme, and the local
folders of the optional open-vocabulary models (CLIPSeg for phrases, SAM for clicks)."""

from __future__ import annotations

import os

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from lbie_desktop.gui import settings


def gpu_available() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:  # noqa: BLE001 - a broken torch install must not break the dialog
        return False


class FolderField(QWidget):
    """A model folder: path, Browse…, and a line saying whether a checkpoint is there."""

    def __init__(self, key: str, current: str, parent: QWidget | None = None):
        from lbie_desktop.grounding.sources import openvocab

        super().__init__(parent)
        self.key = key
        self.edit = QLineEdit(current)
        self.edit.setPlaceholderText("not set (optional)")
        self.edit.setClearButtonEnabled(True)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(browse)
        box = QFormLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addRow(row)
        self.status = QLabel()
        self.status.setObjectName("stepWhy")
        self.status.setWordWrap(True)
        box.addRow(self.status)
        env = openvocab.ENV_FOR_KEY[key]
        if os.environ.get(env):  # the environment wins over settings; say so, don't pretend
            self.edit.setText(os.environ[env])
            self.edit.setEnabled(False)
            browse.setEnabled(False)
            self.edit.setToolTip(f"set by the environment variable {env}")
        self.edit.textChanged.connect(self._check)
        self._check()

    def _browse(self) -> None:
        d = QFileDialog.getExistingDirectory(self, "Model folder", self.edit.text())
        if d:
            self.edit.setText(d)

    def _check(self) -> None:
        from lbie_desktop.grounding.sources import openvocab

        text = self.edit.text().strip()
        problem = openvocab.folder_problem(text) if text else ""
        self.status.setText(f"⚠ {problem}" if problem else ("checkpoint found" if text else ""))
        self.status.setHidden(not text)

    def value(self) -> str:
        return self.edit.text().strip()


class SettingsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(420)
        self.device = QComboBox()
        self.device.addItem("Automatic", "auto")
        self.device.addItem("GPU (CUDA)", "gpu")
        self.device.addItem("CPU", "cpu")
        self.device.setCurrentIndex(max(0, self.device.findData(settings.get("device"))))
        if not gpu_available():
            self.device.setToolTip("No GPU found; Automatic uses the CPU")
        self.preview = QSpinBox()
        self.preview.setRange(512, 4096)
        self.preview.setSingleStep(256)
        self.preview.setSuffix(" px")
        self.preview.setValue(int(settings.get("preview_size")))
        self.follow = QCheckBox("Render full resolution in the background after edits")
        self.follow.setChecked(bool(settings.get("full_res_follow")))
        self.theme = QComboBox()
        self.theme.addItem("Dark", "dark")
        self.theme.addItem("Light", "light")
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.get("theme"))))
        form = QFormLayout(self)
        form.addRow("Device", self.device)
        dnote = QLabel("Used by the models from the next start (LBIE_DEVICE).")
        dnote.setObjectName("stepWhy")
        form.addRow("", dnote)
        form.addRow("Preview size", self.preview)
        note = QLabel("Sliders render on a preview this long; applies to photos opened next.")
        note.setWordWrap(True)
        note.setObjectName("stepWhy")
        form.addRow("", note)
        form.addRow("", self.follow)
        form.addRow("Theme", self.theme)
        from lbie_desktop.grounding.sources import openvocab

        self.clipseg = FolderField("clipseg_dir", str(openvocab.model_dir() or ""))
        self.sam = FolderField("sam_dir", str(openvocab.sam_dir() or ""))
        form.addRow("CLIPSeg folder", self.clipseg)
        form.addRow("SAM folder", self.sam)
        mnote = QLabel("Optional models you already have on disk: CLIPSeg finds things no "
                       "bundled model knows; SAM makes click-to-select follow object edges.")
        mnote.setWordWrap(True)
        mnote.setObjectName("stepWhy")
        form.addRow("", mnote)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        settings.put("device", self.device.currentData())
        settings.put("preview_size", self.preview.value())
        settings.put("full_res_follow", self.follow.isChecked())
        settings.put("theme", self.theme.currentData())
        from lbie_desktop.grounding.sources import openvocab

        for field in (self.clipseg, self.sam):
            if field.edit.isEnabled():
                openvocab.set_folder(field.key, field.value())
        super().accept()
