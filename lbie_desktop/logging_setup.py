"""A rotating log file in the user's log folder (paths.log_dir()) for bug reports.

Both entry points (the editor and `lbie`) call `setup_logging` first. Uncaught exceptions on
any thread are written with their traceback before the normal handling runs, so a crash of the
packaged app (which has no console on some platforms) still leaves a readable report.
"""

from __future__ import annotations

import logging
import sys
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path

from lbie_desktop.paths import log_dir

LOG_NAME = "lbie.log"
MAX_BYTES = 1_000_000
BACKUPS = 3  # lbie.log + lbie.log.1..3: a few MB at most
_FMT = "%(asctime)s %(process)d %(threadName)s %(levelname)s %(name)s: %(message)s"

log = logging.getLogger("lbie_desktop")


def log_file() -> Path:
    return log_dir() / LOG_NAME


def _handler_for(path: Path) -> logging.Handler | None:
    for h in log.handlers:
        if isinstance(h, RotatingFileHandler) and Path(h.baseFilename) == path.resolve():
            return h
    return None


def setup_logging(program: str, level: int = logging.INFO) -> Path:
    """Attach the rotating file handler (once per log path) and the uncaught-exception hooks.

    Returns the log file. A log folder that cannot be written is reported on stderr and the
    app runs on without a log file rather than failing to start."""
    from lbie_desktop import __version__

    log.setLevel(level)
    _install_hooks()
    try:
        path = log_file()
        if _handler_for(path) is not None:
            return path  # already logging there (entry script, then the app's main)
        handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                      encoding="utf-8")
        handler.setFormatter(logging.Formatter(_FMT))
        log.addHandler(handler)
    except OSError as exc:
        print(f"{program}: cannot write the log file: {exc}", file=sys.stderr)
        return Path()
    frozen = " (packaged)" if getattr(sys, "frozen", False) else ""
    log.info("%s %s%s started, Python %s on %s", program, __version__, frozen,
             sys.version.split()[0], sys.platform)
    return path


def log_exception(message: str, exc: BaseException) -> None:
    """For code that catches an unexpected error and shows it: keep the traceback in the log."""
    log.error(message, exc_info=(type(exc), exc, exc.__traceback__))


def _install_hooks() -> None:
    if getattr(sys.excepthook, "_lbie", False):
        return
    previous_sys, previous_thread = sys.excepthook, threading.excepthook

    def sys_hook(exc_type, exc, tb) -> None:
        if not issubclass(exc_type, KeyboardInterrupt):
            log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        previous_sys(exc_type, exc, tb)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        name = args.thread.name if args.thread else "?"
        log.critical("uncaught exception in thread %s", name,
                     exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
        previous_thread(args)

    sys_hook._lbie = True  # type: ignore[attr-defined]
    sys.excepthook = sys_hook
    threading.excepthook = thread_hook
