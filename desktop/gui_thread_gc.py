"""Garbage collection only in the GUI thread.

Python's cyclic garbage collector runs in whichever thread happens to allocate when a threshold is
crossed — often a training worker, which allocates arrays all the time. A collected cycle can hold a
Qt widget (a closed dialog, pyqtgraph's parentless context menus, an old window's plot items), and a
widget destroyed outside the GUI thread corrupts Qt's list of widgets: a segmentation fault later,
somewhere unrelated (seen in CI while iterating the top-level widgets). pyqtgraph's
`GarbageCollector` turns automatic collection off and collects on a timer in the GUI thread instead.
"""

from __future__ import annotations

from pyqtgraph.util.garbage_collector import GarbageCollector

INTERVAL_SECONDS = 1.0
_collector: GarbageCollector | None = None


def install() -> None:
    """Start collecting on the GUI thread's timer (once per process; call from the GUI thread)."""
    global _collector
    if _collector is None:
        _collector = GarbageCollector(interval=INTERVAL_SECONDS)
