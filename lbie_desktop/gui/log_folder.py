"""Help ▸ Open Log Folder: shows the folder holding lbie.log for bug reports."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QMainWindow, QMenu

from lbie_desktop.paths import log_dir

ACTION_TEXT = "Open &Log Folder"


def open_log_folder() -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_dir())))


def add_log_folder_action(window: QMainWindow) -> QAction | None:
    """Append the action to the window's Help menu (unless the window already has one)."""
    help_menu: QMenu | None = None
    for action in window.menuBar().actions():
        menu = action.menu()
        if menu is not None and action.text().replace("&", "") == "Help":
            help_menu = menu
    if help_menu is None:
        return None
    for action in help_menu.actions():
        if "log folder" in action.text().replace("&", "").lower():
            return action
    action = QAction(ACTION_TEXT, window)
    action.setStatusTip("Show the folder with the log file to attach to a bug report")
    action.triggered.connect(open_log_folder)
    help_menu.addSeparator()
    help_menu.addAction(action)
    return action
