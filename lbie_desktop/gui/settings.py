"""Persistent GUI settings (theme, device, preview size, recent files, window layout).

An INI file in the app's data folder (appdirs; LBIE_DATA_DIR in tests) rather than the
platform registry, so tests and portable installs stay self-contained."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from lbie_desktop.paths import data_dir

DEFAULTS: dict[str, Any] = {
    "theme": "dark",
    "device": "auto",  # auto / gpu / cpu
    "preview_size": 1280,  # long side of the proxy the sliders render on (full res follows)
    "full_res_follow": True,  # render full resolution in the background after edits
}
MAX_RECENT = 10


def settings() -> QSettings:
    return QSettings(str(data_dir() / "desktop.ini"), QSettings.Format.IniFormat)


def get(key: str) -> Any:
    default = DEFAULTS.get(key)
    value = settings().value(key, default)
    if isinstance(default, bool):
        return value in (True, "true", "1", 1)
    if isinstance(default, int):
        try:
            return int(value)
        except (TypeError, ValueError):
            return default
    return value


def put(key: str, value: Any) -> None:
    s = settings()
    s.setValue(key, value)
    s.sync()


def recent_files() -> list[str]:
    v = settings().value("recent_files", [])
    if isinstance(v, str):
        v = [v]
    return [p for p in (v or []) if Path(p).exists()]


def add_recent(path: str | Path) -> None:
    p = str(Path(path).resolve())
    items = [x for x in recent_files() if x != p]
    put("recent_files", [p, *items][:MAX_RECENT])
