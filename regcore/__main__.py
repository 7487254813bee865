"""``python -m regcore``: the headless CLI."""

import sys

from .cli import main

sys.exit(main())
