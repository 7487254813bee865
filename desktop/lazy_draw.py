"""Drawing a tab's view lazily: only while it is on screen, a little after new data arrives.

A view with several plots costs tens of milliseconds to draw and repaint. Drawn in the same turn of
the event loop as the Training tab's frame, the two together kept the window from answering for
longer than a person notices; drawn ``delay_ms`` later, each is a short pause of its own. Data that
arrives while the view is hidden waits, and is drawn (at once) when the view is shown.
"""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QTimer


class LazyDraw:
    """Call ``render`` for ``widget``'s latest data: `request` when it changes, `shown` from showEvent."""

    def __init__(self, widget, render: Callable[[], None], delay_ms: int):
        self.widget, self.render, self.delay_ms = widget, render, delay_ms
        self.pending = False
        self.scheduled = False
        self.seconds = 0.0          # how long the last render took (for the worker's frame budget)

    def request(self, at_once: bool = False) -> None:
        """New data to draw; ``at_once``: no run's frame competes (a finished run shown, a replay)."""
        self.pending = True
        if at_once and self.widget.isVisible():
            self.now()
        elif self.widget.isVisible() and not self.scheduled:
            self.scheduled = True
            QTimer.singleShot(self.delay_ms, self.widget, self._fire)

    def shown(self) -> None:
        if self.pending:
            self.now()

    def now(self) -> None:
        """Draw the waiting data now (tests, and a view just shown)."""
        self.pending = False
        started = time.perf_counter()
        self.render()
        self.seconds = time.perf_counter() - started

    def _fire(self) -> None:
        self.scheduled = False
        if self.pending and self.widget.isVisible():
            self.now()
