"""pyinstaller entry point for the `lbie` command line."""

import sys

from lbie_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
