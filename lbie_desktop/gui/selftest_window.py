"""`lbie-desktop --self-test`: the packaged editor checks itself end to end, offscreen.

The real main window opens the bundled sample photo, runs two requests through its worker
(understanding, grounding, rendering), applies them, exports a JPEG and reads it back. Each
check prints a line (and goes to the log file); exit status 0 means every check passed, 1 names
the first one that failed. Timings are printed as figures for the packaging README.

User data goes to a throw-away folder (unless LBIE_DATA_DIR is set) so a self-test never
leaves recent files, window state or autosaves in the person's own settings.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from lbie_desktop.logging_setup import log
from lbie_desktop.selftest import REQUEST, SelfTestError

FOLLOW_UP = "make it a little warmer"
OPEN_TIMEOUT_S = 120.0
REQUEST_TIMEOUT_S = 900.0  # the first request loads the models; the machine may be busy
# set by the packaged entry point at the top of the script, before the heavy imports
START_ENV = "LBIE_T0"


class _Checker:
    def __init__(self, log: Callable[[str], None]):
        self.log = log

    def __call__(self, ok: bool, what: str) -> None:
        self.log(f"[{'ok' if ok else 'FAIL'}] {what}")
        if not ok:
            raise SelfTestError(what)


def _default_data_dir() -> Path:
    import appdirs

    from lbie_desktop.paths import APP

    return Path(appdirs.user_data_dir(APP, appauthor=False)).resolve()


def _bundle_dir() -> Path | None:
    return Path(sys.executable).resolve().parent if getattr(sys, "frozen", False) else None


def main(out_dir: str | Path | None = None) -> int:
    """Run the GUI self-test; returns the process exit status."""
    t_start = float(os.environ.get(START_ENV) or time.time())
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    default_data = _default_data_dir()
    os.environ.setdefault("LBIE_DATA_DIR", tempfile.mkdtemp(prefix="lbie-selftest-data-"))
    from lbie_desktop.logging_setup import setup_logging

    log_path = setup_logging("lbie-desktop --self-test")

    def out(line: str) -> None:
        print(line, flush=True)
        log.info("self-test: %s", line)

    try:
        _run(_Checker(out), out, t_start, default_data, log_path, out_dir)
    except SelfTestError as exc:
        out(f"self-test FAILED: {exc}")
        return 1
    except Exception as exc:  # noqa: BLE001 - any crash is a failed self-test with a reason
        log.exception("self-test crashed")
        out(f"self-test FAILED: {type(exc).__name__}: {exc} (traceback in {log_path})")
        return 1
    out(f"self-test passed in {time.time() - t_start:.1f} s since launch")
    return 0


def _run(check: _Checker, out: Callable[[str], None], t_start: float, default_data: Path,
         log_path: Path, out_dir: str | Path | None) -> None:
    from PySide6.QtCore import QEventLoop

    from lbie_desktop.core.imageio import load_image
    from lbie_desktop.gui.app import build_app
    from lbie_desktop.paths import sample_photo

    bundle = _bundle_dir()
    if bundle is not None:
        check(not default_data.is_relative_to(bundle),
              f"user data lives outside the app folder ({default_data})")
    check(log_path.is_file(), f"log file written ({log_path})")

    app = build_app()
    from lbie_desktop.gui.main_window import MainWindow

    window = MainWindow()
    errors: list[str] = []
    window.errorShown.connect(errors.append)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    out(f"window shown {time.time() - t_start:.2f} s after launch")

    def busy_runners() -> str:
        names = ("model", "preview", "io", "autosave", "thumbnails", "select")
        return ", ".join(n for n, r in zip(names, window._runners()) if r.busy) or "none"

    def pump_until(cond: Callable[[], bool], timeout: float, what: str) -> float:
        t0 = next_note = time.perf_counter()
        while not cond():
            if errors:
                raise SelfTestError(f"{what}: the window showed an error: {errors[0]}")
            now = time.perf_counter()
            if now - t0 > timeout:
                raise SelfTestError(f"{what}: no result after {timeout:.0f} s "
                                    f"(busy: {busy_runners()})")
            if now >= next_note:  # a hang leaves a trail in the log
                log.info("self-test: waiting for %s, %.0f s, busy: %s", what, now - t0,
                         busy_runners())
                next_note = now + 30
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.01)  # processEvents returns at once when idle: do not spin a core
        return time.perf_counter() - t0

    try:
        photo = sample_photo()
        check(photo.is_file(), f"bundled sample photo present ({photo})")
        shown = [False]
        window.imageShown.connect(lambda: shown.__setitem__(0, True))
        window.open_image(photo)
        pump_until(lambda: window.session is not None and shown[0] and not window.busy,
                   OPEN_TIMEOUT_S, "opening the sample photo")
        original = window.session.image.rgb
        check(original.ndim == 3, f"sample photo shown ({original.shape[1]}x{original.shape[0]}),"
              f" window usable {time.time() - t_start:.2f} s after launch")

        for n, request in enumerate((REQUEST, FOLLOW_UP), start=1):
            turns = len(window.session.turns)
            window.run_request(request)
            secs = pump_until(lambda: not window.model_runner.busy, REQUEST_TIMEOUT_S,
                              f"request “{request}”")
            if not window.draft.steps:
                note = " ".join(window.draft.messages) or window.status.currentMessage()
                raise SelfTestError(f"request “{request}” gave no steps after {secs:.1f} s: "
                                    f"{note or 'no message'}")
            pump_until(lambda: not window.busy, OPEN_TIMEOUT_S, "rendering the preview")
            ops = [f"{s.op}{' on ' + s.target if s.local and s.target else ''}"
                   for s in window.draft.steps]
            check(bool(ops), f"request {n} “{request}” -> {', '.join(ops)} in {secs:.2f} s"
                  f"{' (includes loading the models)' if n == 1 else ''}")
            window.apply_steps()
            pump_until(lambda: not window.busy, OPEN_TIMEOUT_S, "applying the steps")
            check(len(window.session.turns) == turns + 1, f"request {n} applied as a turn")

        target = Path(out_dir or tempfile.mkdtemp(prefix="lbie-selftest-")) / "selftest.jpg"
        target.parent.mkdir(parents=True, exist_ok=True)
        window.export_image(target, quality=92)
        secs = pump_until(lambda: target.is_file() and not window.busy, OPEN_TIMEOUT_S,
                          "exporting the JPEG")
        exported = load_image(target).rgb
        expected = window.session.current(full=True)
        check(exported.shape == original.shape,
              f"exported JPEG at full resolution in {secs:.2f} s ({target})")
        changed = float(np.abs(exported.astype(np.float32) - original).mean())
        check(changed > 1.0, f"the export differs from the original (mean abs {changed:.2f})")
        diff = float(np.abs(exported.astype(np.float32) - expected).mean())
        check(diff < 4.0, f"the export matches the session's render (mean abs diff {diff:.2f})")
    finally:
        window.close()
        app.processEvents()
