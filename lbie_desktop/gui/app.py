"""`lbie-desktop [PHOTO]`: start the editor (on the bundled sample photo when none is given)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from lbie_desktop import __version__

WARM_FLAG = "--warm-kernels"  # as core/fast/warm.WARM_FLAG (not imported: it loads numba)


def build_app(argv: list[str] | None = None):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from lbie_desktop.gui import settings, theme

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("LBIE Desktop")
    app.setOrganizationName("LBIE")
    app.setApplicationVersion(__version__)
    from PySide6.QtGui import QIcon

    from lbie_desktop.paths import RESOURCES

    app.setWindowIcon(QIcon(str(RESOURCES / "icons" / "lbie.svg")))
    theme.apply_theme(app, settings.get("theme"))
    # The model code reads the device choice from the environment (auto / gpu / cpu).
    os.environ.setdefault("LBIE_DEVICE", str(settings.get("device")))
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lbie-desktop", description="LBIE Desktop photo editor")
    parser.add_argument("photo", nargs="?", help="photo to open (default: the bundled sample)")
    parser.add_argument("--version", action="version", version=f"lbie-desktop {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check the app end to end offscreen and exit (0 = passed)")
    # the editor's own kernel warm-up process (core/fast/warm.py): sys.executable is this
    # program in the packaged app
    parser.add_argument(WARM_FLAG, action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.warm_kernels:
        from lbie_desktop.core.fast.warm import main as warm_kernels

        return warm_kernels()
    if args.self_test:
        from lbie_desktop.gui.selftest_window import main as self_test

        return self_test()

    from lbie_desktop.logging_setup import setup_logging
    from lbie_desktop.paths import sample_photo

    setup_logging("lbie-desktop")

    app = build_app()
    from lbie_desktop.gui.log_folder import add_log_folder_action
    from lbie_desktop.gui.main_window import MainWindow

    window = MainWindow()
    window.warm_up_renderer()  # before the first preview: it must not compile in this process
    add_log_folder_action(window)  # Help > Open Log Folder
    window.show()
    if args.photo or not window.offer_recovery():
        photo = Path(args.photo) if args.photo else sample_photo()
        window.open_image(photo)  # a bad path shows a message in the window, not a traceback
    window.warm_up_models()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
