"""Light and dark looks: the Fusion style, a matching palette, and resources/style.qss with
the palette's colours substituted (one style sheet for both themes)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from lbie_desktop.paths import RESOURCES

THEMES: dict[str, dict[str, str]] = {
    "dark": {
        "window": "#1f2023", "panel": "#26272b", "card": "#2e3035", "card_border": "#3a3c42",
        "input": "#1a1b1e", "text": "#e6e6e9", "muted": "#9a9ca3", "accent": "#4c8dff",
        "accent_text": "#ffffff", "hover": "#383a40", "canvas": "#161618", "danger": "#ff6b6b",
        "groove": "#45474e",
    },
    "light": {
        "window": "#eceef1", "panel": "#f6f7f9", "card": "#ffffff", "card_border": "#d5d8de",
        "input": "#ffffff", "text": "#1d1e21", "muted": "#60646c", "accent": "#2f6fe4",
        "accent_text": "#ffffff", "hover": "#e3e6eb", "canvas": "#d9dce1", "danger": "#d64545",
        "groove": "#c5c9d0",
    },
}


def palette(name: str) -> QPalette:
    c = THEMES[name]
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: c["window"], QPalette.ColorRole.WindowText: c["text"],
        QPalette.ColorRole.Base: c["input"], QPalette.ColorRole.AlternateBase: c["panel"],
        QPalette.ColorRole.ToolTipBase: c["card"], QPalette.ColorRole.ToolTipText: c["text"],
        QPalette.ColorRole.Text: c["text"], QPalette.ColorRole.Button: c["card"],
        QPalette.ColorRole.ButtonText: c["text"], QPalette.ColorRole.BrightText: c["danger"],
        QPalette.ColorRole.Highlight: c["accent"],
        QPalette.ColorRole.HighlightedText: c["accent_text"],
        QPalette.ColorRole.Link: c["accent"], QPalette.ColorRole.PlaceholderText: c["muted"],
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(c["muted"]))
    return p


def style_sheet(name: str) -> str:
    qss = (RESOURCES / "style.qss").read_text(encoding="utf-8")
    for key, value in THEMES[name].items():
        qss = qss.replace(f"@{key}@", value)
    return qss


def apply_theme(app: QApplication, name: str) -> str:
    name = name if name in THEMES else "dark"
    app.setStyle("Fusion")
    app.setPalette(palette(name))
    app.setStyleSheet(style_sheet(name))
    return name


def canvas_colour(name: str) -> QColor:
    return QColor(THEMES.get(name, THEMES["dark"])["canvas"])
