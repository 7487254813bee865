"""The headless command line: ``regcore train | compare | sweep | biasvar | plugins | datasets | gradcheck |
replay``.

Each command is one module of this package with a ``register(commands)`` function that adds its
sub-parser and sets ``handler`` (called as ``handler(args, registry)``, returning the exit status);
`regcore.cli.parser` puts them together. Shared options live in `regcore.cli.options`.

Every failure a user can cause ends with one line on stderr (``regcore: error: ...``) and exit
status 2; no traceback. Text output follows the notebook's wording so runs can be compared by eye.
Long commands show a progress bar on stderr when it is a terminal (`regcore.cli.progress`).

This module stays light (no NumPy, no plugins) so that the console script, `console`, can install
its signal handling before anything slow is imported: Ctrl-C at any moment is ``regcore:
interrupted`` and exit status 130; SIGTERM and SIGHUP end the command the same clean way (a sweep's
workers stopped, its finished results kept), with status 128 + the signal's number
(`regcore.cli.stopping`). Standard output belongs to the command (`regcore.cli.output`): a plugin
printing while it loads or runs writes to stderr instead, an output that cannot be written (a full
disk) is one line and status 2; and a thread a plugin left running does not keep the program alive
once its work is done.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Sequence

from ..errors import RegcoreError
from . import output, stopping


def load_registry():
    """The plugins' registry; imported when called, since loading plugins is the slow part of starting."""
    from ..plugins import load_registry as load

    return load()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command line and return its exit status (`console` is the script that exits with it)."""
    real_stdout = sys.stdout
    sys.stdout = output.GuardedOutput(real_stdout)
    try:
        from .parser import build_parser

        args = build_parser().parse_args(argv)
        with output.to_stderr():  # a plugin printing while it loads must not corrupt --json
            registry = load_registry()
        status = args.handler(args, registry)
        sys.stdout.flush()
        return status
    except RegcoreError as error:
        print(f"regcore: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as interruption:  # Ctrl-C, or SIGTERM/SIGHUP once `console` set them up
        what, status = stopping.outcome(interruption)
        print(f"regcore: {what}", file=sys.stderr)
        return status
    except BrokenPipeError:  # ``regcore ... | head``: the reader has what it wanted
        return 0
    finally:
        sys.stdout = real_stdout


def console() -> None:
    """The ``regcore`` script: signal handling first, then `main`, then exit, whatever threads remain."""
    stopping.install()
    try:
        status = main()
        _flush_stdout()
    except KeyboardInterrupt:  # between main's return and here: nothing left to clean up
        status = 130
    sys.stderr.flush()
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        os._exit(status)  # a plugin's thread would keep the interpreter waiting for it forever
    sys.exit(status)


def _flush_stdout() -> None:
    """Flush stdout; if it cannot take the data (already reported), let the interpreter's last flush be silent."""
    if sys.stdout is None:  # started with stdout closed: nothing to flush
        return
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass


if __name__ == "__main__":
    console()
