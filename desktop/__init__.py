"""RegStudio's PySide6 window: live training, decision boundaries, comparisons and sweeps."""
