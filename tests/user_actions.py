"""What a user does to the window, as pytest-qt events: type into a field, press a toolbar button, click
table rows, click a point of a plot. Tests that walk a user's journey use these rather than setters, so
they go through the same validation, focus changes and hit testing as a person at the keyboard."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QStyle, QStyleOptionGroupBox, QToolBar

CTRL = Qt.KeyboardModifier.ControlModifier


def type_into(qtbot, field, text: str) -> None:
    """Select all in ``field`` (a line edit or spin box), type ``text``, then Tab out as a person would."""
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Tab)


def press(qtbot, window, action) -> None:
    """Click the toolbar button of ``action`` (Start, Stop, Reset...)."""
    button = window.findChild(QToolBar, "run_controls").widgetForAction(action)
    assert button is not None and button.isEnabled(), f"{action.text()} cannot be pressed now"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def click_rows(qtbot, table, rows) -> None:
    """Click the first of ``rows`` in ``table``, then Ctrl-click the others."""
    for i, row in enumerate(rows):
        rect = table.visualRect(table.model().index(row, 0))
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, CTRL if i else Qt.KeyboardModifier.NoModifier,
                         rect.center())


def click_plot_point(qtbot, widget, plot, x: float, y: float) -> None:
    """Left-click the point (x, y), in ``plot``'s data coordinates, of the pyqtgraph ``widget`` holding it.

    As a person would, it waits (up to 2 s) for the point to be drawn inside the plot: the axes and
    the layout settle in the event loop after new data, later on a busy machine."""
    widget.grab()  # render it as the screen would: pyqtgraph sets an auto range when it is drawn

    def where():
        return widget.mapFromScene(plot.getViewBox().mapViewToScene(QPointF(x, y)))

    try:
        qtbot.waitUntil(lambda: widget.rect().contains(where()), timeout=2000)
    except Exception:  # noqa: BLE001 - pytest-qt's timeout error: say which point, as below
        pass
    at = where()
    assert widget.rect().contains(at), f"({x}, {y}) is outside the plot"
    qtbot.mouseClick(widget.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(at.x(), at.y()))


def tick(qtbot, box) -> None:
    """Click the tick box in the title of the checkable group box ``box`` (a regularizer's)."""
    option = QStyleOptionGroupBox()
    box.initStyleOption(option)
    where = box.style().subControlRect(QStyle.ComplexControl.CC_GroupBox, option,
                                       QStyle.SubControl.SC_GroupBoxCheckBox, box)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=where.center())
