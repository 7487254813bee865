"""``python -m regstudio``: open RegStudio."""

import sys

from .app import main

sys.exit(main())
