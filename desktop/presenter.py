"""Type sizes of the window and its plots, normal or for a projector (presenter mode).

A class at the back of a room must read the axes, the titles and the legends, so sizes are in
points and chosen for a projected 1280-1920 px screen; presenter mode makes everything larger. The
mode is one flag: `set_presenter` restyles every plot already in a window and the window's widgets,
and plots made later (a boundary per selected run) style themselves from `current()` when built.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import QApplication, QComboBox, QFormLayout, QScrollArea


@dataclass(frozen=True)
class Sizes:
    """Point sizes of the text in plots, and of the window's widgets (None: the system's)."""

    title: float
    label: float
    ticks: float
    legend: float
    widgets: float | None


TEXT = "#222222"   # near-black text: pyqtgraph's default grey fades on a projector
AXIS = "#444444"

NORMAL = Sizes(title=12, label=11, ticks=10, legend=10, widgets=None)
PRESENTER = Sizes(title=20, label=18, ticks=16, legend=16, widgets=15)

_presenting = [False]  # the mode of this process's windows (one flag: a projector shows one window)


def current() -> Sizes:
    return PRESENTER if _presenting[0] else NORMAL


def is_presenting() -> bool:
    return _presenting[0]


def style_plot(plot: pg.PlotItem, sizes: Sizes | None = None) -> None:
    """Give ``plot``'s title, axis labels, tick numbers and legend the sizes of ``sizes`` (default: current)."""
    sizes = sizes or current()
    plot.titleLabel.setAttr("size", f"{sizes.title}pt")
    if plot.titleLabel.opts.get("color") in (None, pg.getConfigOption("foreground")):
        plot.titleLabel.setAttr("color", TEXT)  # (a run's colour, as the Runs tab sets it, is kept)
    plot.titleLabel.setText(getattr(plot.titleLabel, "full_text", plot.titleLabel.text))
    if plot.titleLabel.isVisible():  # pyqtgraph fixes the title row at 30 px: too low for large type
        plot.layout.setRowMinimumHeight(0, max(30.0, plot.titleLabel.item.boundingRect().height()))
        plot.layout.setRowMaximumHeight(0, 10_000)
    ticks = QFont()
    ticks.setPointSizeF(sizes.ticks)
    for name in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(name)
        axis.setTickFont(ticks)
        axis.setPen(AXIS)
        axis.setTextPen(TEXT)
        axis.setStyle(tickTextOffset=max(3, int(sizes.ticks // 3)))
        axis.labelStyle = {**axis.labelStyle, "font-size": f"{sizes.label}pt"}
        axis._updateLabel()
    if plot.legend is not None:
        plot.legend.setLabelTextSize(f"{sizes.legend}pt")
        plot.legend.setLabelTextColor(TEXT)
        for _, label in plot.legend.items:  # entries made before: pyqtgraph styles only new ones
            label.setAttr("color", TEXT)
            label.setAttr("size", f"{sizes.legend}pt")
            label.setText(label.text)
        plot.legend.updateSize()
    restyle = getattr(plot, "restyle", None)  # a plot's own extras (a colour bar, a note)
    if restyle is not None:
        restyle(sizes)


def set_presenter(window, on: bool) -> None:
    """Switch presenter mode for ``window``: its widgets' font and every plot in it."""
    _presenting[0] = bool(on)
    sizes = current()
    font = QFont(window.font())
    if sizes.widgets is None:
        font = QFont()
    else:
        font.setPointSizeF(sizes.widgets)
    window.setFont(font)
    fit_narrow_screen(window, on)
    # the new type and wrapped rows lay out on posted events: measure the columns after them (before,
    # a column's fields still asked for their old width, 601 px where they need 464)
    QApplication.sendPostedEvents()
    for column in window.findChildren(QScrollArea):  # settings columns keep fitting their fields
        if column.widget() is None:
            continue
        if column.property("normal_min_width") is None:
            column.setProperty("normal_min_width", column.minimumWidth())
        normal = int(column.property("normal_min_width"))
        # the fields' minimum, not their preferred width: the preferred one kept a 1280 px screen from holding the window
        column.setMinimumWidth(max(normal, column.widget().minimumSizeHint().width() + 24) if on else normal)
    for view in window.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            if isinstance(item, pg.PlotItem):
                style_plot(item, sizes)


def fit_narrow_screen(window, on: bool) -> None:
    """In large type, let the settings shrink to a 1280 px screen: a form row too wide for its column
    puts its field under its label, and a combo box is as wide as ten letters, not its longest item
    (label beside field and full-width combo boxes made the window 1552 px wide at its minimum)."""
    wrap = QFormLayout.RowWrapPolicy.WrapLongRows if on else QFormLayout.RowWrapPolicy.DontWrapRows
    for form in window.findChildren(QFormLayout):
        form.setRowWrapPolicy(wrap)
    for combo in window.findChildren(QComboBox):
        if on:
            combo.setMinimumContentsLength(10)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon if on
                                  else QComboBox.SizeAdjustPolicy.AdjustToContentsOnFirstShow)


def presenter_action(window) -> QAction:
    """The View menu's checkable "Presenter mode" action (objectName ``presenter_mode``)."""
    action = QAction("Presenter mode (large fonts)", window, checkable=True)
    action.setObjectName("presenter_mode")
    action.setShortcut("Ctrl+Shift+P")
    action.setStatusTip("Large titles, axes and legends, legible on a projector")
    action.toggled.connect(lambda on: set_presenter(window, on))
    return action
