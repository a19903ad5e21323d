import sys

from lbie_desktop.cli import main

sys.exit(main())
