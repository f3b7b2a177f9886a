import sys

from dynotui.cli import main

sys.exit(main())
