"""Entry point of the ``regstudio`` command (filled in by the desktop issue)."""

import sys


def main(argv=None) -> int:
    print("regstudio: the desktop window is not built yet", file=sys.stderr)
    return 1
