"""``regcore sweep``: filled in by the sweep issue."""


def add_sweep_command(commands) -> None:
    """Register the ``sweep`` sub-command (none yet)."""
