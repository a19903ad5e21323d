"""Atomic file writes: a temp file in the target's folder, fsync, then one rename.

A reader (or a crash, or a full disk) sees either the previous file or the complete new one,
never a half-written file. OS errors become UserErrors that say what to do.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from lbie_desktop.errors import UserError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_write(path: str | Path) -> Iterator[BinaryIO]:
    """Yield a binary file; on clean exit it replaces `path` in one step.

    On any exception the temp file is removed and `path` is left exactly as it was.
    """
    path = Path(path)
    check_writable_target(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:80]}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise UserError(describe_os_error(exc, path)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes 0600 files; a saved photo should get the permissions of the file it
        # replaces, or the user's normal ones.
        try:
            mode = path.stat().st_mode & 0o777
        except OSError:
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UserError(describe_os_error(exc, path)) from None
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_write(path) as f:
        f.write(data)


def check_writable_target(path: Path) -> None:
    """Clear messages for the mistakes that would otherwise surface as odd OS errors."""
    parent = path.parent
    if not parent.exists():
        raise UserError(f"folder does not exist: {parent}")
    if not parent.is_dir():
        raise UserError(f"{parent} is a file, not a folder")
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name to save to")


def describe_os_error(exc: OSError, path: Path) -> str:
    kept = " (nothing was overwritten)" if path.exists() else ""
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return f"not enough disk space to save {path}{kept}; free some space or save elsewhere"
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"cannot write to {path.parent}: the folder is read-only or you lack "
                f"permission{kept}; choose another folder")
    if code == errno.ENOENT:
        return f"folder does not exist: {path.parent}"
    if code == errno.ENAMETOOLONG:
        return f"the file name is too long: {path.name[:60]}..."
    if code == errno.EISDIR:
        return f"{path} is a folder; give a file name to save to"
    return f"could not save {path}: {exc.strerror or exc}{kept}"


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
