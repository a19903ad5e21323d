"""Settings: compute device, preview size, full-resolution follow-up, theme."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
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
        super().accept()
