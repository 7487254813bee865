"""The two kinds of plot: loss curves against iterations, and a decision boundary over the points.

Both are pyqtgraph `PlotItem`s so a view can lay several out in one `GraphicsLayoutWidget` (the
Training tab: one of each; the Compare tab: one cost plot and a boundary per run, on linked axes)
and export the whole layout to one PNG. Only the GUI thread calls these; they draw copies they are
handed. As in pyqtgraph's isocurve example, the probabilities are an `ImageItem` with fixed levels
(0, 1), so colours mean the same probability in every frame; the 0.5 contour arrives traced (see
`regcore.boundary`) and is drawn as line segments. Legends get a row of their own under the x axis
(`legend_below`), so they never cover data; type sizes come from `presenter`; the points are
drawn by `points`, cheaply at any size.
"""

from __future__ import annotations

import math
import re
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QGraphicsView

from regcore.data import Dataset

from regcore.boundary import Boundary

from . import presenter
from .points import PointLayers, prepare

CLASS_COLOURS = ("#1f77b4", "#ff7f0e")          # label 0, label 1
PROBABILITY_MAP = pg.ColorMap([0.0, 0.5, 1.0], ["#9ecae1", "#f7f7f7", "#fdbe85"])
RUN_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22")
WRONG_COLOUR = "#d62728"
STOP_COLOUR = "#444444"                          # the live plot's early-stopping lines


def run_colour(index: int) -> str:
    return RUN_COLOURS[index % len(RUN_COLOURS)]


class TimedLayoutWidget(pg.GraphicsLayoutWidget):
    """A plot layout that remembers how long its last repaint took, for the worker's frame budget."""

    paint_seconds = 0.0

    def paintEvent(self, event):
        started = time.perf_counter()
        super().paintEvent(event)
        self.paint_seconds = time.perf_counter() - started


class TimedGraphicsView(QGraphicsView):
    """A graphics view that remembers how long its last repaint took (as `TimedLayoutWidget` does)."""

    paint_seconds = 0.0

    def paintEvent(self, event):
        started = time.perf_counter()
        super().paintEvent(event)
        self.paint_seconds = time.perf_counter() - started
def wrap_title(line: str, fits) -> list[str]:
    """``line`` broken into lines that each ``fits(text)``: first where it says " — " (the dash goes)
    or " · " (kept at the end of the line), then between words; a single word too long stays whole."""
    if fits(line):
        return [line]
    for separator, kept in ((" — ", ""), (" · ", " ·")):
        if separator in line:
            parts = line.split(separator)
            pieces = [part + kept for part in parts[:-1]] + [parts[-1]]
            break
    else:
        words = line.split(" ")
        if len(words) == 1:  # "dropout(keep_prob=0.86," breaks after its bracket, if that helps
            head, bracket, tail = line.partition("(")
            return [head + bracket, *wrap_title(tail, fits)] if bracket and tail and not fits(line) else [line]
        lines, current = [], words[0]
        for word in words[1:]:
            if fits(f"{current} {word}"):
                current = f"{current} {word}"
            else:
                lines.append(current)
                current = word
        return [piece for line in lines + [current] for piece in wrap_title(line, fits)]
    lines, current = [], pieces[0]
    for piece in pieces[1:]:
        if fits(f"{current} {piece}"):
            current = f"{current} {piece}"
        else:
            lines.extend(wrap_title(current, fits))
            current = piece
    return lines + wrap_title(current, fits)


class FittingTitle(pg.LabelItem):
    """A plot title that fits the width its column gets instead of widening the column: wrapped onto
    more lines (at " — ", " · ", then between words); only a single word longer than the width is
    elided (the full text as tooltip).

    pyqtgraph's title makes its text width the plot's minimum width, so a long title ("#5
    dropout(keep_prob=0.86, mask=course)", or the accuracies added when a run ends) widened its
    plot, squeezed its neighbours, and pushed side-by-side plots out of the view; eliding it instead
    hid the accuracies in presenter mode.
    """

    def setText(self, text, **args):
        self.full_text = text
        self._fit(**args)

    def _fit(self, **args) -> None:
        width = self.rect().width()
        lines = self.full_text.split("<br>")
        if width > 0:
            font = QFont(self.item.font())
            size = self.opts.get("size", "")
            if size.endswith("pt"):
                font.setPointSizeF(float(size[:-2]))
            metrics = QFontMetrics(font)
            room = int(width) - 8
            fits = lambda text: metrics.horizontalAdvance(text) <= room  # noqa: E731
            lines = [metrics.elidedText(piece, Qt.TextElideMode.ElideRight, room)
                     for line in lines for piece in wrap_title(line, fits)]
        self._fitted_width = width
        elided = any("…" in line for line in lines) and "…" not in self.full_text
        self.setToolTip(self.full_text.replace("<br>", "\n") if elided else "")
        super().setText("<br>".join(lines), **args)
        self.text = self.full_text  # what was asked for, as pyqtgraph's `text` holds it
        plot = self.parentItem()
        if isinstance(plot, pg.PlotItem) and plot.titleLabel is self:  # the title row grows with its lines
            self.setMaximumHeight(10_000)
            plot.layout.setRowMaximumHeight(0, 10_000)  # pyqtgraph fixes it at 30 px
            plot.layout.setRowMinimumHeight(0, max(30.0, self.item.boundingRect().height()))

    def updateMin(self):
        height = self.itemRect().height()
        self.setMinimumWidth(0)
        self.setMinimumHeight(height)
        self._sizeHint = {Qt.SizeHint.MinimumSize: (0, height), Qt.SizeHint.PreferredSize: (0, height),
                          Qt.SizeHint.MaximumSize: (-1, -1), Qt.SizeHint.MinimumDescent: (0, 0)}
        self.updateGeometry()

    def resizeEvent(self, ev):
        if hasattr(self, "full_text") and self.rect().width() != self._fitted_width:
            self._fit()  # sets the text again, which lays it out through this method
        else:
            super().resizeEvent(ev)


def fit_title(plot: pg.PlotItem) -> None:
    """Give ``plot`` a `FittingTitle`, and a title row as tall as its (wrapped) text."""
    old = plot.titleLabel
    plot.layout.removeItem(old)
    old.setParentItem(None)
    plot.titleLabel = FittingTitle("", size="11pt", parent=plot)
    plot.layout.addItem(plot.titleLabel, 0, 1)


class LegendBelow(pg.LegendItem):
    """A legend in its own row under a plot's x axis: it never covers a curve or a point.

    pyqtgraph anchors legends inside the data area, where on a log scale or a sweep they sat on the
    curves. Here the plot's layout gives the legend a row, and the legend asks for the size of its
    entries instead of setting its own geometry (which is how it sizes itself when floating).
    """

    def __init__(self, columns: int = 4):
        super().__init__(offset=None, brush=None, pen=None, horSpacing=16, verSpacing=-4)
        self.max_columns = columns
        self.collapsed = False  # hidden, and no room kept for it
        super().setColumnCount(columns)
        self._fitting = False
        self.geometryChanged.connect(lambda: self._fit_columns(self.geometry().width()))

    def setColumnCount(self, columns: int) -> None:
        """At most ``columns`` entries a row: fewer when the plot is too narrow for them (large type,
        a 1280 px screen), so the legend never widens its plot past its column."""
        self.max_columns = columns
        self._fit_columns(self.geometry().width())

    def _fit_columns(self, width: float) -> None:
        if getattr(self, "_fitting", True):  # True until __init__ is done; then not while re-laying out
            return
        columns = self.max_columns
        if width > 0 and self.items:
            entries = [sample.effectiveSizeHint(Qt.SizeHint.PreferredSize).width()
                       + label.effectiveSizeHint(Qt.SizeHint.PreferredSize).width() + 16 for sample, label in self.items]
            while columns > 1 and sum(max(entries[c::columns]) for c in range(min(columns, len(entries)))) > width:
                columns -= 1
            for (sample, label), entry in zip(self.items, entries):  # one entry still too wide: two lines
                name = getattr(label, "name", None) or label.text
                label.name = name
                if label.text == name:  # decide on the width of the one-line entry, or it flips back and forth
                    label.one_line_width = entry
                wide = getattr(label, "one_line_width", entry) > width
                wanted = name.replace(" (", "<br>(", 1) if columns == 1 and wide else name
                if label.text != wanted:
                    label.setText(wanted)
        if columns != self.columnCount:
            self._fitting = True  # re-laying out resizes the legend, which calls this again
            try:
                super().setColumnCount(columns)
            finally:
                self._fitting = False

    def collapse(self, collapsed: bool) -> None:
        self.collapsed = collapsed
        self.setVisible(not collapsed)
        self.updateSize()

    def addItem(self, item, name):
        super().addItem(item, name)
        self._fit_columns(self.geometry().width())

    def updateSize(self):
        width = height = 0.0
        for row in range(self.layout.rowCount()):
            row_width = row_height = 0.0
            for col in range(self.layout.columnCount()):
                item = self.layout.itemAt(row, col)
                if item:
                    hint = item.effectiveSizeHint(Qt.SizeHint.PreferredSize)
                    row_width += hint.width() + 16
                    row_height = max(row_height, hint.height())
            width, height = max(width, row_width), height + row_height
        if getattr(self, "collapsed", False):
            height = 0.0
        self.setMinimumHeight(height)
        self.setMaximumHeight(height if height else 0)
        self.setMinimumWidth(0)  # its entries wrap to fewer columns instead (`_fit_columns`)
        self.setPreferredSize(width, height)
        self.updateGeometry()


def legend_below(plot: pg.PlotItem, columns: int = 4) -> LegendBelow:
    """Give ``plot`` a `LegendBelow` (call before adding named items: they join it as they are added)."""
    legend = LegendBelow(columns)
    plot.layout.addItem(legend, 4, 1)
    plot.legend = legend
    legend.updateSize()
    return legend


class _FittedTitlePlot(pg.PlotItem):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        fit_title(self)

    def setTitle(self, title=None, **args):
        super().setTitle(title, **args)
        if title is not None:  # pyqtgraph fixes the row at 30 px: too low for a wrapped or two-line title
            self.titleLabel.setMaximumHeight(10_000)
            self.layout.setRowMaximumHeight(0, 10_000)
            self.layout.setRowMinimumHeight(0, max(30.0, self.titleLabel.item.boundingRect().height()))


# (legend name, Record field, colour) of the live curves; the objective is drawn only when a
# regularizer makes it differ from the train loss, the penalty only when there is one
TRAIN_LOSS = "train loss"
TEST_LOSS = "test loss"
OBJECTIVE = "training objective (with penalty / dropout)"
PENALTY = "penalty"
LIVE_SERIES = ((TRAIN_LOSS, "train_loss", "#1f77b4"), (TEST_LOSS, "test_cost", "#ff7f0e"),
               (OBJECTIVE, "cost", "#9467bd"), (PENALTY, "penalty", "#7f7f7f"))
FIRST_X_SPAN = 1000   # iterations the live x axis shows at first; it doubles as the run passes its end
LONE_POINT_SIZE = 9   # a curve of a single record is drawn as a dot, or it would not show at all
CHANGE_COLOUR = "#444444"  # the line marking a setting changed mid-run
CURSOR_COLOUR = "#7b3294"  # the replay's cursor
X_PADDING = 0.04      # room left of iteration 0, so that dot is not cut in half by the axis


class CostPlot(_FittedTitlePlot):
    """Losses against iteration. One run live, or several runs overlaid.

    The curves are honest about what they measure: "train loss" and "test loss" are the data loss of
    the clean network (no dropout, no penalty) on each set, the pair to compare for over-fitting;
    the "training objective" is what gradient descent minimises (penalty and dropout noise
    included), which may well end above the test loss.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.setTitle("Loss")
        self.setLabel("bottom", "iteration")
        self.setLabel("left", "loss (cross-entropy)")  # no grid: it doubled the cost of every live repaint
        self.getAxis("left").enableAutoSIPrefix(False)  # "cost (x0.001)" puzzles more than it helps
        self.getAxis("bottom").enableAutoSIPrefix(False)
        legend_below(self, columns=2)  # two columns: one row of four would widen the plot
        self.overlay = False  # several runs overlaid (the Runs tab), or one run live
        self._curves: list[pg.PlotDataItem] = []
        self.markers: list[pg.InfiniteLine] = []   # the changes made mid-run, where they took effect
        self.cursor: pg.InfiniteLine | None = None  # the iteration a replay shows
        self._live: dict[str, tuple[pg.PlotDataItem, list, list]] = {}
        self._y_top = 0.0
        self._x_right = 0.0
        self._iterations = 0
        self.clear_stops()
        presenter.style_plot(self)

    def clear_curves(self) -> None:
        for item in (*self._curves, *self.markers):
            self.removeItem(item)
        self._curves, self._live, self.markers = [], {}, []
        self.set_cursor(None)

    def mark_change(self, iteration: int, text: str, colour=CHANGE_COLOUR) -> pg.InfiniteLine:
        """A vertical line at ``iteration`` labelled ``text`` near the top: a setting changed there."""
        line = pg.InfiniteLine(pos=iteration, angle=90, movable=False, pen=pg.mkPen(colour, width=1),
                               label=text, labelOpts={"position": 0.92, "color": colour, "anchors": [(0, 0.5), (0, 0.5)],
                                                      "fill": pg.mkBrush(255, 255, 255, 200)})
        line.setZValue(-5)  # under the curves
        self.addItem(line, ignoreBounds=True)
        self.markers.append(line)
        return line
        self.clear_stops()

    def set_cursor(self, iteration: int | None) -> None:
        """A vertical cursor at ``iteration`` (the replayed moment of a run); None removes it."""
        if iteration is None:
            if self.cursor is not None:
                self.removeItem(self.cursor)
                self.cursor = None
            return
        if self.cursor is None:
            self.cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(CURSOR_COLOUR, width=2),
                                          label="{value:,.0f}", labelOpts={"position": 0.05, "color": CURSOR_COLOUR})
            self.addItem(self.cursor, ignoreBounds=True)
        self.cursor.setValue(iteration)

    # -------------------------------------------------------------- where early stopping stopped

    def mark_stop(self, stopped_at: int, kept_from: int, colour=STOP_COLOUR, prefix: str = "") -> None:
        """A vertical line at the iteration where early stopping stopped the run, labelled, and (when it
        kept earlier parameters) one at the record it kept. -1 (trained to the end) marks nothing;
        marking the same again does nothing, so a live run may say it with every frame."""
        if stopped_at < 0 or (prefix, stopped_at, kept_from) in self._stops_marked:
            return
        self._stops_marked.add((prefix, stopped_at, kept_from))
        marks = [(stopped_at, f"{prefix}stopped at {stopped_at:,}", Qt.PenStyle.SolidLine, 0.95)]
        if 0 <= kept_from != stopped_at:
            marks.append((kept_from, f"{prefix}kept {kept_from:,}", Qt.PenStyle.DashLine, 0.8))
        for x, text, style, height in marks:
            line = pg.InfiniteLine(pos=x, angle=90, movable=False, pen=pg.mkPen(colour, width=1, style=style),
                                   label=text, labelOpts={"position": height, "color": colour, "anchors": [(1, 0), (1, 0)]})
            self.addItem(line, ignoreBounds=True)
            self.stop_lines.append(line)

    def clear_stops(self) -> None:
        for line in getattr(self, "stop_lines", ()):
            self.removeItem(line)
        self.stop_lines: list[pg.InfiniteLine] = []
        self._stops_marked: set = set()

    def _curve(self, name: str | None, colour, width: float = 2.0) -> pg.PlotDataItem:
        # Solid pens only: Qt gives up dashing a long, dense path part-way (the rest is drawn faint),
        # which made 30,000-iteration test-cost curves seem to stop early.
        curve = self.plot([], [], pen=pg.mkPen(colour, width=width), name=name,
                          symbolBrush=colour, symbolPen=None, symbolSize=LONE_POINT_SIZE)
        self._curves.append(curve)
        return curve

    @staticmethod
    def _set_curve(curve: pg.PlotDataItem, xs, ys) -> None:
        """Set a curve's points; a single point is drawn as a dot (a line needs two)."""
        lone = len(xs) == 1
        if lone != (curve.opts["symbol"] is not None):
            curve.setSymbol("o" if lone else None)
        curve.setData(xs, ys)

    # -------------------------------------------------------------- one run, live

    def start_live(self, iterations: int, with_penalty: bool, with_objective: bool | None = None) -> None:
        """Empty curves for a new run: train and test loss, and the objective and penalty if they differ.

        Both axes only grow, in steps (see `add_records`): the x axis doubles when the run reaches its
        end, the y axis grows by a quarter, so the axes are not regenerated with every frame (that
        was a third of each repaint) and a long run is not a vertical line at the left for minutes.
        """
        self.clear_curves()
        with_objective = with_penalty if with_objective is None else with_objective
        self._iterations = iterations
        self._x_right = float(min(iterations, FIRST_X_SPAN))
        self.setXRange(0, self._x_right, padding=X_PADDING)
        self._y_top = 0.0
        shown = {TRAIN_LOSS, TEST_LOSS} | ({OBJECTIVE} if with_objective else set()) | (
            {PENALTY} if with_penalty else set())
        # one-pixel pens: Qt's raster engine draws wider lines several times slower, on every frame
        self._live = {name: (self._curve(name, colour, width=1), [], [], field)
                      for name, field, colour in LIVE_SERIES if name in shown}

    def add_records(self, records) -> None:
        """Append `Record`s of the first model, then redraw once."""
        if not records or not self._live:
            return
        for record in records:
            for _, xs, ys, field in self._live.values():
                xs.append(record.iteration)
                ys.append(getattr(record, field)[0])
        log = self.ctrl.logYCheck.isChecked()
        for curve, xs, ys, _ in self._live.values():
            self._set_curve(curve, xs, _plottable(ys, log))
        last = records[-1].iteration
        if last > self._x_right and self._x_right < self._iterations:  # double: a handful of changes a run
            while self._x_right < last:
                self._x_right *= 2
            self._x_right = float(min(self._x_right, self._iterations))
            self.setXRange(0, self._x_right, padding=X_PADDING)
        top = max(np.nanmax(ys) if np.isfinite(ys).any() else 0.0 for _, _, ys, _ in self._live.values())
        if log:
            self.enableAutoRange(y=True)
        elif top > self._y_top:  # grow by a quarter at a time, not with every record
            self._y_top = top * 1.25 if self._y_top else top * 1.05
            self.setYRange(0, self._y_top, padding=0)

    # -------------------------------------------------------------- several runs, overlaid

    def show_runs(self, runs) -> None:
        """Overlay (label, history, colour, marks, (stopped_at, kept_from)) runs: train loss bold, test loss
        pale, objective thin (one legend entry per run; the title says which line is which); ``marks`` are
        (iteration, text) of the changes made during the run, drawn in its colour; a run that early
        stopping stopped gets its lines (`mark_stop`), labelled with the first word of its label (#2)."""
        self.clear_curves()
        self.overlay = True
        self.restyle(presenter.current())
        self.setTitle("Selected runs — bold: train loss · pale: test loss · thin: training objective")
        self.enableAutoRange(x=True, y=True)
        log = self.ctrl.logYCheck.isChecked()
        for label, history, colour, marks, (stopped_at, kept_from) in runs:
            for iteration, text in marks:
                self.mark_change(iteration, text, colour)
            self.mark_stop(stopped_at, kept_from, colour, prefix=f"{label.split(' ')[0]} ")
            x = history["iterations"]
            train = history.get("train_loss")
            objective = history["cost"][:, 0]
            if train is None or not np.isfinite(train).any():  # saved before the clean loss was recorded
                self._set_curve(self._curve(f"{label} (objective)", colour), x, _plottable(objective, log))
            else:
                self._set_curve(self._curve(label, colour), x, _plottable(train[:, 0], log))
                if not np.allclose(objective, train[:, 0], equal_nan=True):
                    self._set_curve(self._curve(None, colour, 1), x, _plottable(objective, log))
            pale = pg.mkColor(colour)
            pale.setAlpha(110)
            self._set_curve(self._curve(None, pale, 3), x, _plottable(history["test_cost"][:, 0], log))

    def restyle(self, sizes) -> None:
        """In large type the overlay drops its legend: the boundary plots under it name each run in its
        colour, and on a 800 px screen the legend's rows left the curves no height."""
        cramped = getattr(self, "overlay", False) and sizes.widgets is not None
        if self.legend is not None:
            self.legend.collapse(cramped)
        axis = self.getAxis("left")  # a long label, turned up the axis, ran past a low plot's ends
        wanted = "loss" if cramped else "loss (cross-entropy)"
        if axis.labelText != wanted:
            self.setLabel("left", wanted)

    def set_log(self, log: bool) -> None:
        self.setLogMode(y=log)
        self.enableAutoRange(y=True)
        self._y_top = 0.0
        for curve, xs, ys, _ in self._live.values():  # zeros (no penalty yet) become gaps on a log axis
            self._set_curve(curve, xs, _plottable(ys, log))


def _plottable(values, log: bool) -> np.ndarray:
    """Values as an array; on a log axis zeros and negatives (a zero penalty) become gaps, not errors."""
    array = np.asarray(values, dtype=float)
    return np.where(array > 0, array, np.nan) if log else array


class BoundaryPlot(_FittedTitlePlot):
    """P(class 1) as a heatmap with the 0.5 contour, the train and test points, mistakes marked.

    One unit is as long across as up (the aspect is locked), and a full-size plot explains itself: a
    legend under it (the class colours, filled train / hollow test, the red ×, the contour) and a
    colour bar of the probability beside it. Compact plots (several side by side) leave both out.
    """

    def __init__(self, title: str = "Decision boundary", compact: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.base_title = title
        self.compact = compact  # accuracies on a second title line, for narrow side-by-side plots
        self.setTitle(title)
        self.hideButtons()
        self.setAspectLocked(True, ratio=1.0)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(PROBABILITY_MAP.getLookupTable(nPts=256))
        self.image.setLevels((0.0, 1.0))
        self.addItem(self.image)
        self.contour = pg.PlotCurveItem(pen=pg.mkPen("#333333", width=2), connect="pairs")
        self.addItem(self.contour)
        self.points = PointLayers(self, CLASS_COLOURS, WRONG_COLOUR)
        self.note = pg.LabelItem("", size="9pt", color="#555555")  # says when only a sample is drawn
        self.layout.addItem(self.note, 5, 1)
        self.colour_bar = None
        if not compact:
            self._add_key()
        self.data: Dataset | None = None
        self.show_test = True
        self._last: Boundary | None = None
        presenter.style_plot(self)

    def _add_key(self) -> None:
        """The legend under the plot and the probability colour bar at its right."""
        legend = legend_below(self, columns=2)
        for label, colour in enumerate(CLASS_COLOURS):
            legend.addItem(_sample(brush=colour, pen="w"), f"class {label}")
        legend.addItem(_sample(brush="#444444", pen="w"), "training point (filled)")
        legend.addItem(_sample(brush=None, pen=pg.mkPen("#444444", width=2)), "test point (hollow)")
        legend.addItem(_sample(symbol="x", brush=WRONG_COLOUR, pen=None, size=13), "misclassified")
        legend.addItem(pg.PlotDataItem(pen=pg.mkPen("#333333", width=2)), "boundary, P = 0.5")
        self.colour_bar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=PROBABILITY_MAP, label="P(class 1)",
                                          interactive=False, width=14, colorMapMenu=False)
        self.colour_bar.getAxis("right").enableAutoSIPrefix(False)
        self.layout.addItem(self.colour_bar, 2, 3)

    def setObjectName(self, name: str) -> None:
        """Name the plot, and its colour bar after it (``<name>_colour_bar``), so both have stable names."""
        super().setObjectName(name)
        if getattr(self, "colour_bar", None) is not None:  # pyqtgraph names the plot before it is built
            self.colour_bar.setObjectName(f"{name}_colour_bar")

    def restyle(self, sizes) -> None:
        """Presenter mode: the colour bar's numbers and label, and the note, follow the plot's sizes; a
        compact plot (one of several side by side) has its title at the axes' size, or three lines of
        title took the height of the plot on a 800 px screen."""
        if self.compact:
            self.titleLabel.setAttr("size", f"{sizes.ticks}pt")
            self._retitle()
        if self.legend is not None:  # two entries a row at most: fewer where the plot is narrow (large type)
            self.legend.setColumnCount(2)
        self.note.setAttr("size", f"{sizes.legend - 1}pt")
        self.note.setText(self.note.text)
        if self.colour_bar is not None:  # a vertical bar: numbers on its right, its label on its left
            font = QFont()
            font.setPointSizeF(sizes.ticks)
            self.colour_bar.getAxis("right").setTickFont(font)
            label = self.colour_bar.getAxis("left")
            label.labelStyle = {**label.labelStyle, "font-size": f"{sizes.label}pt"}
            label._updateLabel()

    def set_data(self, data: Dataset, show_test: bool = True) -> None:
        """Draw the points of ``data`` (and clear any boundary of other data)."""
        self.data, self.show_test = data, show_test
        self.clear_boundary()
        self.points.set_data(data)
        self.points.set_test_visible(show_test)
        self.note.setText(self.points.sample_note())
        x0, x1, y0, y1 = prepare(data).bounds
        self.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def show_edited(self, data: Dataset) -> None:
        """Draw the points of ``data``, an edit of the data shown: the boundary and the view stay where they are."""
        self.data = data
        self.points.set_data(data)
        self.points.set_test_visible(self.show_test)
        self.points.clear_wrong()  # the marks were of the old points
        self.note.setText(self.points.sample_note())

    def clear_boundary(self) -> None:
        """Keep the points, remove the heatmap, the contour and the marks."""
        self.image.clear()
        self.contour.setData([], [])
        self._last = None
        self.points.clear_wrong()
        self._accuracy = ""
        self._retitle()

    @property
    def boundary(self) -> Boundary | None:
        """The boundary drawn (None: none)."""
        return self._last

    def set_show_test(self, show: bool) -> None:
        self.show_test = show
        self.points.set_test_visible(show)
        if self._last is not None:
            self._mark_wrong(self._last)

    def set_boundary(self, boundary: Boundary, title: bool = True) -> None:
        """Draw ``boundary``; ``title`` puts its accuracies in the title (skipped while live: it re-lays out the plot)."""
        x0, x1, y0, y1 = boundary.grid.bounds
        self.image.setImage(boundary.image, levels=(0.0, 1.0), autoLevels=False)
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.contour.setData(*boundary.contour)
        self._last = boundary
        self._mark_wrong(boundary)
        if title:
            self._accuracy = accuracy_text(boundary.train_accuracy, boundary.test_accuracy)
            self._retitle()

    def _retitle(self) -> None:
        """The title, with the accuracies once a boundary is drawn. A compact plot says only which run it
        is ("#3 dropout + l2"): its values are in the runs table, the cost plot's legend and the title's
        tooltip. (A title of more lines than its neighbours' made its plot lower, and on axes linked
        with theirs at a locked aspect that cut its points off.)"""
        base = self.base_title
        if self.compact and "(" in base:
            base = re.sub(r"\([^)]*\)", "", base).strip()
        accuracy = getattr(self, "_accuracy", "")
        if not accuracy:
            self.setTitle(base)
        else:
            self.setTitle(f"{base}<br>{accuracy}" if self.compact else f"{base} — {accuracy}")
        if base != self.base_title:
            self.titleLabel.setToolTip(self.base_title)

    def _mark_wrong(self, boundary: Boundary) -> None:
        data = self.data
        if data is None or len(boundary.train_wrong) != data.X_train.shape[1]:
            return
        test = self.show_test and len(boundary.test_wrong) == data.X_test.shape[1]
        self.points.mark_wrong(data, boundary.train_wrong, boundary.test_wrong if test else None)


def _sample(symbol: str = "o", brush=None, pen=None, size: float = 10) -> pg.ScatterPlotItem:
    """A symbol for a legend entry only (never added to a plot)."""
    return pg.ScatterPlotItem(symbol=symbol, size=size, brush=pg.mkBrush(brush) if brush else None,
                              pen=pg.mkPen(pen) if isinstance(pen, str) else pen)


def accuracy_text(train: float, test: float) -> str:
    test_text = "–" if math.isnan(test) else f"{test:.1%}"
    return f"train {train:.1%} · test {test_text}"
