"""Autosave and crash recovery.

An `Autosaver` writes the session to `<autosave dir>/<session id>.lbie` after every change
(atomically, so a kill -9 mid-write leaves the previous autosave) and holds an OS lock on
`<session id>.lock` while the session is open. A clean `close()` deletes both. At start-up
`find_recoverable()` lists autosaves whose lock nobody holds: their app died.

The lock, not a pid file, decides "still running": the OS releases it when a process dies,
however it dies, and a recycled pid cannot fool it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lbie_desktop import paths
from lbie_desktop.core.session import Session
from lbie_desktop.core.session_file import SessionFileInfo, open_session, read_info, save_session
from lbie_desktop.errors import UserError

if os.name == "nt":  # pragma: no cover - exercised on Windows builds only
    import msvcrt

    def _try_lock(f: IO) -> bool:
        try:
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(f: IO) -> None:
        try:
            f.seek(0)
            msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
else:
    import fcntl

    def _try_lock(f: IO) -> bool:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(f: IO) -> None:
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)


@dataclass
class Recoverable:
    """A session left behind by an app that did not close cleanly."""

    path: Path
    session_id: str
    info: SessionFileInfo | None  # None when even the manifest is unreadable
    error: str = ""  # why it cannot be recovered, if it cannot

    @property
    def description(self) -> str:
        if self.info is None:
            return f"{self.path.name}: {self.error}"
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.info.saved))
        n = len(self.info.requests)
        return f"{self.info.source_name}: {n} turn{'s' * (n != 1)}, autosaved {when}"


class Autosaver:
    """Keeps an up-to-date recovery copy of `session` until `close()`."""

    def __init__(self, session: Session, folder: Path | None = None, *, auto: bool = True):
        """auto=False: do not save on every change; the caller calls `save_now()` (e.g. the
        GUI, from a worker thread under its render lock)."""
        self.session = session
        self.folder = Path(folder) if folder is not None else paths.autosave_dir()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / f"{session.id}.lbie"
        self.last_error = ""  # shown by the GUI's status bar; autosave never stops editing
        self.saves = 0
        self._closed = False
        self._lock_file: IO | None = open(self.folder / f"{session.id}.lock", "a+b")  # noqa: SIM115
        if not _try_lock(self._lock_file):
            self._lock_file.close()
            self._lock_file = None
            raise UserError("this session is already open in another LBIE window")
        if auto:
            session.on_change(self._on_change)
        session.on_close(lambda _s: self.close())

    def _on_change(self, _session: Session) -> None:
        if not self._closed:
            self.save_now()

    def save_now(self) -> bool:
        try:
            # Embed the photo only when its bytes are in memory (no disk read per turn);
            # thumbnails of edited states cost renders and are for saved files only.
            save_session(self.session, self.path, embed_source=None, thumbnails=False)
        except (UserError, OSError) as exc:
            self.last_error = f"autosave failed: {exc}"
            return False
        self.last_error = ""
        self.saves += 1
        return True

    def close(self) -> None:
        """The session ended cleanly: nothing to recover."""
        if self._closed:
            return
        self._closed = True
        self.path.unlink(missing_ok=True)
        if self._lock_file is not None:
            _unlock(self._lock_file)
            self._lock_file.close()
            self._lock_file = None
        (self.folder / f"{self.session.id}.lock").unlink(missing_ok=True)


def find_recoverable(folder: Path | None = None) -> list[Recoverable]:
    """Autosaves of sessions whose app is no longer running, newest first."""
    folder = Path(folder) if folder is not None else paths.autosave_dir()
    found: list[Recoverable] = []
    for path in folder.glob("*.lbie"):
        sid = path.stem
        if _in_use(folder / f"{sid}.lock"):
            continue
        _remove_stale_temps(folder, path.name)
        try:
            found.append(Recoverable(path, sid, read_info(path)))
        except UserError as exc:
            found.append(Recoverable(path, sid, None, str(exc)))
    for lock in folder.glob("*.lock"):  # a crash before the first autosave leaves only this
        if not lock.with_suffix(".lbie").exists() and not _in_use(lock):
            lock.unlink(missing_ok=True)
    found.sort(key=lambda r: r.info.saved if r.info else 0.0, reverse=True)
    return found


def recover(entry: Recoverable, *, preview_long_side: int | None = None) -> Session:
    """The session as it was at its last autosave. It keeps its id, so attaching a new
    Autosaver continues the same recovery file (nothing is lost if the app dies again)."""
    return open_session(entry.path, preview_long_side=preview_long_side)


def discard(entry: Recoverable) -> None:
    entry.path.unlink(missing_ok=True)
    (entry.path.parent / f"{entry.session_id}.lock").unlink(missing_ok=True)


def _in_use(lock_path: Path) -> bool:
    if not lock_path.exists():
        return False
    try:
        f = open(lock_path, "a+b")  # noqa: SIM115
    except OSError:
        return True  # cannot tell: leave it alone
    try:
        if _try_lock(f):
            _unlock(f)
            return False
        return True
    finally:
        f.close()


def _remove_stale_temps(folder: Path, name: str) -> None:
    # A kill during an autosave leaves the temp file of the atomic write behind.
    for tmp in folder.glob(f".{name}.*.tmp"):
        tmp.unlink(missing_ok=True)
