"""How the command line stops when asked to: Ctrl-C (SIGINT), SIGTERM and SIGHUP.

All three arrive as `KeyboardInterrupt` (SIGTERM and SIGHUP as its subclass `Stopped`, raised by
the handlers `install` sets), so one clean-up path serves them all: a sweep stops its workers and
keeps what finished. `outcome` turns the exception into the line to print and the exit status, the
shell's convention of 128 + the signal's number (130 for Ctrl-C). Light on purpose: the console
script installs this before it imports anything slow.
"""

from __future__ import annotations

import signal


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where Ctrl-C raises KeyboardInterrupt."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def install() -> None:
    """Make SIGTERM and SIGHUP raise `Stopped` in the main thread (call from the main thread).

    A signal that is ignored stays ignored: ``nohup regcore sweep ...`` must survive its terminal.
    """
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) == signal.SIG_DFL:
            signal.signal(signum, _raise_stopped)


def outcome(interruption: KeyboardInterrupt) -> tuple[str, int]:
    """(what happened, in a few words; the exit status) for Ctrl-C or a `Stopped`."""
    if isinstance(interruption, Stopped):
        return f"terminated by {signal.Signals(interruption.signum).name}", 128 + interruption.signum
    return "interrupted", 128 + signal.SIGINT


def _raise_stopped(signum, frame) -> None:
    raise Stopped(signum)
