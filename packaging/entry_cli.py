"""pyinstaller entry point for the `lbie` command line."""

import sys

from lbie_desktop.logging_setup import setup_logging

if __name__ == "__main__":
    setup_logging("lbie")
    from lbie_desktop.cli import main

    sys.exit(main())
