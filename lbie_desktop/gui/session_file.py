"""Saving and reopening a session: a zip with session.json (source photo path, turns with
their requests and steps) and each mask as a PNG. Uses the core's session I/O when it exists."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from lbie_desktop.core.imageio import atomic_write_bytes
from lbie_desktop.core.plan import mask_to_png
from lbie_desktop.core.session import Session
from lbie_desktop.errors import UserError

SESSION_FILTER = "LBIE session (*.lbie);;All files (*)"
FORMAT = 1


def save_session(session: Session, path: str | Path) -> Path:
    core_save = getattr(session, "save", None)
    if callable(core_save):
        core_save(path)
        return Path(path)
    path = Path(path)
    if not path.parent.exists():
        raise UserError(f"folder does not exist: {path.parent}")
    buf = io.BytesIO()
    turns = []
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for t in session.turns:
            refs = {}
            for s in t.plan.steps:
                if s.mask is not None:
                    refs[s.id] = f"mask-{s.id}.png"
                    z.writestr(refs[s.id], mask_to_png(s.mask))
            turns.append({"id": t.id, "request": t.request, "created": t.created,
                          "messages": t.messages, "plan": t.plan.to_dict(refs)})
        src = session.image.path
        z.writestr("session.json", json.dumps({
            "format": FORMAT, "source": str(src.resolve()) if src else None, "turns": turns,
        }, indent=2))
    try:
        atomic_write_bytes(path, buf.getvalue())
    except OSError as exc:
        raise UserError(f"could not save {path}: {exc.strerror or exc}") from None
    return path
