"""pyinstaller entry point for the desktop app (`lbie-desktop`)."""

import os
import time

# before the heavy imports: the self-test reports the time from launch to a usable window
os.environ.setdefault("LBIE_T0", repr(time.time()))

import sys  # noqa: E402

from lbie_desktop.logging_setup import setup_logging  # noqa: E402

if __name__ == "__main__":
    # the self-test logs into its own throw-away data folder; the kernel warm-up's output
    # goes to the editor that started it (two processes must not share one rotating log)
    if "--self-test" not in sys.argv and "--warm-kernels" not in sys.argv:
        setup_logging("lbie-desktop")
    from lbie_desktop.gui.app import main

    sys.exit(main())
