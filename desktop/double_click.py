"""Buttons that a double click presses once: for toggles like Start/Pause, where a second press flips
the first back.

People double-click buttons out of habit (desktop icons open that way). On a toggle the second click
of the pair undid the first: Start, then at once Pause. A double-click event, which Qt sends in
place of the second press, is dropped here before the button sees it; deliberate presses — two
single clicks, the keyboard shortcut — still toggle.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject


class _DropDoubleClicks(QObject):
    def eventFilter(self, watched, event) -> bool:
        return event.type() == QEvent.Type.MouseButtonDblClick


def single_press_on_double_click(widget) -> None:
    """Make a double click on ``widget`` one press (the filter lives as long as the widget)."""
    widget._double_click_filter = _DropDoubleClicks(widget)
    widget.installEventFilter(widget._double_click_filter)
