"""Menus, toolbar and keyboard shortcuts of the editor window.

A mixin of MainWindow (main_window.py), which owns the widgets and state it uses."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QMenu,
)

from lbie_desktop.gui import settings


class ActionsMixin:
    def _action(self, text: str, slot, shortcut: QKeySequence | str | None = None,
                tip: str = "", checkable: bool = False) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        if tip:
            a.setToolTip(f"{tip} ({a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                         if shortcut is not None else tip)
            a.setStatusTip(tip)
        a.setCheckable(checkable)
        a.triggered.connect(slot)
        self.addAction(a)  # shortcuts work even when menus are hidden
        return a

    def _build_actions(self) -> None:
        Std = QKeySequence.StandardKey
        self.act_open = self._action("&Open…", self.open_dialog, Std.Open, "Open a photo")
        self.act_save_session = self._action("&Save Session…", self.save_session_dialog, Std.Save,
                                             "Save the photo's edits to a session file")
        self.act_export = self._action("&Export Image…", self.export_dialog, "Ctrl+E",
                                       "Render at full resolution and save")
        self.act_sample_photo = self._action("&Photo", self.open_sample_photo, None,
                                             "Open the bundled sample photo")
        self.act_sample_shapes = self._action("&Shapes (CoSaL)…", self.open_shapes_sample, None,
                                              "Colour shapes by describing them")
        self.act_quit = self._action("&Quit", self.close, Std.Quit)
        self.act_undo = self.undo_stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcut(QKeySequence(Std.Undo))
        self.act_redo = self.undo_stack.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.addAction(self.act_undo)
        self.addAction(self.act_redo)
        self.act_apply = self._action("&Apply Steps", self.apply_steps, "Ctrl+Return",
                                      "Commit the pending steps as a turn")
        self.act_discard = self._action("&Discard Steps", self.discard_steps, None,
                                        "Drop the pending steps")
        self.act_focus = self._action("Type a &Request", self.request_edit.setFocus, "Ctrl+L")
        self.act_settings = self._action("Settings…", self.settings_dialog, Std.Preferences)
        self.act_fit = self._action("&Fit", self.canvas.fit, "Ctrl+0", "Fit the photo")
        self.act_100 = self._action("&100%", self.canvas.actual_size, "Ctrl+1", "Actual pixels")
        self.act_zoom_in = self._action("Zoom &In", self.canvas.zoom_in, Std.ZoomIn)
        self.act_zoom_out = self._action("Zoom &Out", self.canvas.zoom_out, Std.ZoomOut)
        self.act_compare = self._action("&Before", self._toggle_compare, None,
                                        "Show the original (hold \\ on the photo)", True)
        self.act_split = self._action("&Split", self.canvas.set_split, "Y",
                                      "Before | after split view (drag the divider)", True)
        self.act_overlay = self._action("&Mask Overlay", self.canvas.set_overlay_visible, "O",
                                        "Show the region being edited", True)
        self.act_overlay.setChecked(True)
        self.act_theme = self._action("&Dark Theme", self._toggle_theme, None,
                                      "Switch light/dark look", True)
        self.act_brush = self._action("Brush", lambda: self._set_tool("brush"), "B")
        self.act_eraser = self._action("Eraser", lambda: self._set_tool("eraser"), "E")
        self.act_segment = self._action("Select Similar", lambda: self._set_tool("segment"), "W")
        self.act_invert = self._action("Invert Region", lambda: self._mask_op("invert"),
                                       "Ctrl+I")
        self.act_leave_mask = self._action("Stop Editing Region", self.leave_mask_edit, "Esc")
        self.act_packs = self._action("&Model Packs…", self.packs_dialog, None,
                                      "Installed models and downloads")
        self.act_about = self._action("&About LBIE Desktop", self.about_dialog)
        self.act_cancel = self._action("Cancel Work", self.cancel_work, "Ctrl+.")

        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addAction(self.act_open)
        self.recent_menu = m.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.sample_menu = m.addMenu("Open &Sample")
        self.sample_menu.addAction(self.act_sample_photo)
        self.sample_menu.addAction(self.act_sample_shapes)
        m.addSeparator()
        m.addAction(self.act_save_session)
        m.addAction(self.act_export)
        m.addSeparator()
        m.addAction(self.act_quit)
        m = mb.addMenu("&Edit")
        for a in (self.act_undo, self.act_redo, None, self.act_apply, self.act_discard,
                  self.act_focus, None, self.act_settings):
            m.addSeparator() if a is None else m.addAction(a)
        self.add_menu = m.addMenu("Add &Step")
        self.add_menu.aboutToShow.connect(self._fill_add_menu)
        m = mb.addMenu("&View")
        for a in (self.act_fit, self.act_100, self.act_zoom_in, self.act_zoom_out, None,
                  self.act_compare, self.act_split, self.act_overlay, None, self.act_theme):
            m.addSeparator() if a is None else m.addAction(a)
        m = mb.addMenu("&Region")
        for a in (self.act_brush, self.act_eraser, self.act_segment, self.act_invert, None,
                  self.act_leave_mask):
            m.addSeparator() if a is None else m.addAction(a)
        m = mb.addMenu("&Help")
        m.addAction(self.act_packs)
        m.addAction(self.act_about)

        tb = self.addToolBar("Main")
        tb.setObjectName("mainToolBar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for a in (self.act_open, self.act_export, None, self.act_undo, self.act_redo, None,
                  self.act_fit, self.act_100, self.act_zoom_in, self.act_zoom_out, None,
                  self.act_compare, self.act_split, self.act_overlay):
            tb.addSeparator() if a is None else tb.addAction(a)
        self.act_undo.setIconText("Undo")  # the menu keeps the full "Undo Change …" text
        self.act_redo.setIconText("Redo")
        self.act_zoom_in.setIconText("+")
        self.act_zoom_out.setIconText("−")
        self.act_compare.setIconText("Before")
        self.act_overlay.setIconText("Overlay")
        self.toolbar = tb

    def open_sample_photo(self) -> None:
        from lbie_desktop.paths import sample_photo

        self.open_image(sample_photo())

    def open_shapes_sample(self) -> None:
        """A separate, non-modal window: the photo being edited stays as it is."""
        from lbie_desktop.gui.dialogs.shapes import ShapesDialog

        if getattr(self, "shapes_dialog", None) is None:
            self.shapes_dialog = ShapesDialog(self)
        self.shapes_dialog.show()
        self.shapes_dialog.raise_()
        self.shapes_dialog.activateWindow()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = settings.recent_files()
        for p in files:
            a = self.recent_menu.addAction(Path(p).name)
            a.setToolTip(p)
            a.triggered.connect(lambda _=False, p=p: self.open_image(p))
        if not files:
            self.recent_menu.addAction("No recent photos").setEnabled(False)

    def _fill_add_menu(self) -> None:
        self.add_menu.clear()
        menu: QMenu = self.steps_panel.add_button.menu()
        for a in menu.actions():
            self.add_menu.addAction(a)
