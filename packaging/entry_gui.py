"""pyinstaller entry point for the desktop app (`LBIE Desktop`)."""

import sys

from lbie_desktop.gui.app import main

if __name__ == "__main__":
    sys.exit(main())
