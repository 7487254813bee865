"""Standard output belongs to the command: plugins' prints go to stderr, and a failed write is one line.

`to_stderr` wraps the places where plugin code runs in this process (loading the plugins, a data
set's maker, the regularizers during training) and gives the command the real stdout to print its
own lines to, so a chatty plugin cannot corrupt ``--json``. `GuardedOutput` turns an output that
cannot be written (a full disk, a read-only or closed descriptor) into an `OutputError`: one line
and exit status 2, never a traceback.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager, redirect_stdout

from ..errors import RegcoreError


class OutputError(RegcoreError):
    """An output cannot be written: standard output (a full disk, a read-only or closed descriptor), or a
    file asked for (``--csv``)."""


@contextmanager
def to_stderr():
    """Send what ``print`` writes to stderr for the duration; yields the stdout the command prints to."""
    stdout = sys.stdout
    with redirect_stdout(sys.stderr):
        yield stdout


class GuardedOutput:
    """A stdout whose failed writes raise `OutputError` (a closed pipe stays BrokenPipeError)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        return self._guard(lambda: self._stream.write(text))

    def flush(self):
        return self._guard(lambda: self._stream.flush())

    def __getattr__(self, name):
        return getattr(self._stream, name)

    def _guard(self, call):
        if self._stream is None:  # Python sets sys.stdout to None when the program starts with it closed
            raise OutputError("cannot write the output: standard output is closed")
        try:
            return call()
        except BrokenPipeError:
            raise
        except OSError as error:
            raise OutputError(f"cannot write the output: {error.strerror or error}") from None
