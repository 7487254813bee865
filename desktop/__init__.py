"""RegStudio's PySide6 window: live training, decision boundaries, comparisons and sweeps."""

from .compat import make_singletons_immortal

make_singletons_immortal()
