"""``python -m desktop``: open RegStudio."""

import sys

from .app import main

sys.exit(main())
