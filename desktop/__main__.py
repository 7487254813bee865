"""``python -m regstudio``: open RegStudio."""

from .app import run

run()
