"""python3 -m genq_worker: see cli.py, or run with --help."""

import sys

from .cli import main

sys.exit(main())
