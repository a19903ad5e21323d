"""Where the app keeps user data (settings, model packs, autosaves, logs): appdirs locations.

`LBIE_DATA_DIR` overrides the root (tests point it at a temp folder)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import appdirs

APP = "LBIE Desktop"
# In a pyinstaller bundle, resources/ and models/ sit in the bundle's data folder.
REPO_ROOT = (Path(sys._MEIPASS) if getattr(sys, "frozen", False)  # type: ignore[attr-defined]
             else Path(__file__).resolve().parent.parent)
RESOURCES = REPO_ROOT / "resources"
MODEL_CARDS = REPO_ROOT / "models"


def data_dir() -> Path:
    root = os.environ.get("LBIE_DATA_DIR")
    p = Path(root) if root else Path(appdirs.user_data_dir(APP, appauthor=False))
    p.mkdir(parents=True, exist_ok=True)
    return p


def sub_dir(name: str) -> Path:
    p = data_dir() / name
    p.mkdir(parents=True, exist_ok=True)
    return p


def packs_dir() -> Path:
    return sub_dir("models")


def autosave_dir() -> Path:
    return sub_dir("autosave")


def log_dir() -> Path:
    return sub_dir("logs")


def sample_photo() -> Path:
    return RESOURCES / "sample.jpg"
