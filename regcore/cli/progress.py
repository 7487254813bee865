"""Progress on stderr for the long commands: a tqdm bar with rate and time left.

Shown only when stderr is a terminal and ``--quiet`` is not given, so pipes, files, CI logs and
``--json`` on stdout never see it. Lines the command prints to stdout while a bar is shown go
through `echo`, which clears the bar, prints, and redraws it.
"""

from __future__ import annotations

import os
import sys
import time

FALLBACK_COLUMNS = 80


def quiet_option(parser) -> None:
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar on stderr (it shows only when stderr is a terminal)")


def bar(args, total: int, description: str, *, delay: float = 0.0):
    """A progress bar over ``total`` iterations; ``delay``: seconds before it appears (short runs show none)."""
    from tqdm import tqdm

    hidden = getattr(args, "quiet", False) or not _is_terminal(sys.stderr)
    sized = _columns(sys.stderr) > 0  # some terminals (a bare pty, an editor's shell) report no width
    return tqdm(total=total, desc=description, unit="it", unit_scale=True, file=sys.stderr, delay=delay,
                disable=hidden, leave=False, dynamic_ncols=sized, ncols=None if sized else FALLBACK_COLUMNS)


def echo(progress, line: str, stdout) -> None:
    """Print ``line`` on ``stdout`` without tearing the progress bar: clear it, print, draw it again.

    (tqdm's own ``write`` clears bars only when both streams are sys.stdout or sys.stderr, which
    they are not while plugin output is redirected.) A bar still in its delay is not drawn early.
    """
    shown = not progress.disable and time.time() - progress.start_t >= progress.delay
    if shown:
        progress.clear()
    print(line, file=stdout, flush=True)
    if shown:
        progress.refresh()


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _columns(stream) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return 0
