"""The two kinds of plot: cost curves against iterations, and a decision boundary over the points.

Both are pyqtgraph `PlotItem`s so a view can lay several out in one `GraphicsLayoutWidget` (the
Training tab: one of each; the Compare tab: one cost plot and a boundary per run, on linked axes)
and export the whole layout to one PNG. Only the GUI thread calls these; they draw copies they are
handed. As in pyqtgraph's isocurve example, the probabilities are an `ImageItem` with fixed levels
(0, 1), so colours mean the same probability in every frame; the 0.5 contour arrives traced (see
`regcore.boundary`) and is drawn as line segments.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetrics

from regcore.data import Dataset

from regcore.boundary import Boundary

CLASS_COLOURS = ("#1f77b4", "#ff7f0e")          # label 0, label 1
PROBABILITY_MAP = pg.ColorMap([0.0, 0.5, 1.0], ["#9ecae1", "#f7f7f7", "#fdbe85"])
RUN_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22")
WRONG_COLOUR = "#d62728"


def run_colour(index: int) -> str:
    return RUN_COLOURS[index % len(RUN_COLOURS)]


class TimedLayoutWidget(pg.GraphicsLayoutWidget):
    """A plot layout that remembers how long its last repaint took, for the worker's frame budget."""

    paint_seconds = 0.0

    def paintEvent(self, event):
        started = time.perf_counter()
        super().paintEvent(event)
        self.paint_seconds = time.perf_counter() - started


class FittingTitle(pg.LabelItem):
    """A plot title that fits the width its column gets (each line elided, the full text as tooltip)
    instead of widening the column.

    pyqtgraph's title makes its text width the plot's minimum width, so a long title ("#5
    dropout(keep_prob=0.86, mask=course)", or the accuracies added when a run ends) widened its
    plot, squeezed its neighbours, and pushed side-by-side plots out of the view.
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
            lines = [metrics.elidedText(line, Qt.TextElideMode.ElideRight, int(width) - 4) for line in lines]
        self._fitted_width = width
        elided = lines != self.full_text.split("<br>")
        self.setToolTip(self.full_text.replace("<br>", "\n") if elided else "")
        super().setText("<br>".join(lines), **args)
        self.text = self.full_text  # what was asked for, as pyqtgraph's `text` holds it

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


class _FittedTitlePlot(pg.PlotItem):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        fit_title(self)

    def setTitle(self, title=None, **args):
        super().setTitle(title, **args)
        if title is not None:  # pyqtgraph fixes the row at 30 px: too low for a wrapped or two-line title
            self.titleLabel.setMaximumHeight(10_000)
            self.layout.setRowMaximumHeight(0, 10_000)
            self.layout.setRowMinimumHeight(0, 30)


class CostPlot(_FittedTitlePlot):
    """Cost against iteration. One run live (train, test, penalty), or several runs overlaid."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.setTitle("Cost")
        self.setLabel("bottom", "iteration")
        self.setLabel("left", "cost")  # no grid: it doubled the cost of every live repaint
        self.getAxis("left").enableAutoSIPrefix(False)  # "cost (x0.001)" puzzles more than it helps
        self.addLegend(offset=(-10, 10), brush=pg.mkBrush(255, 255, 255, 120))  # curves show through it
        self._curves: list[pg.PlotDataItem] = []
        self._live: dict[str, tuple[pg.PlotDataItem, list, list]] = {}
        self._y_top = 0.0

    def clear_curves(self) -> None:
        for curve in self._curves:
            self.removeItem(curve)
        self._curves, self._live = [], {}

    def _curve(self, name: str, colour, width: float = 2.0) -> pg.PlotDataItem:
        # Solid pens only: Qt gives up dashing a long, dense path part-way (the rest is drawn faint),
        # which made 30,000-iteration test-cost curves seem to stop early.
        curve = self.plot([], [], pen=pg.mkPen(colour, width=width), name=name)
        self._curves.append(curve)
        return curve

    # -------------------------------------------------------------- one run, live

    def start_live(self, iterations: int, with_penalty: bool) -> None:
        """Empty curves for a new run: train and test cost, and the penalty if the run has one.

        The x axis spans the whole run from the start and the y axis only grows (see `add_records`),
        so the axes are not regenerated with every frame: that was a third of each repaint.
        """
        self.clear_curves()
        self.setXRange(0, iterations, padding=0.02)
        self._y_top = 0.0
        series = [("train cost", "#1f77b4"), ("test cost", "#ff7f0e")]
        if with_penalty:
            series.append(("penalty", "#7f7f7f"))
        # one-pixel pens: Qt's raster engine draws wider lines several times slower, on every frame
        self._live = {name: (self._curve(name, colour, width=1), [], []) for name, colour in series}

    def add_records(self, records) -> None:
        """Append (iteration, cost, penalty, test_cost) records of the first model, then redraw once."""
        if not records or not self._live:
            return
        for record in records:
            for name, value in (("train cost", record.cost[0]), ("test cost", record.test_cost[0]),
                                ("penalty", record.penalty[0])):
                if name in self._live:
                    self._live[name][1].append(record.iteration)
                    self._live[name][2].append(value)
        log = self.ctrl.logYCheck.isChecked()
        for curve, xs, ys in self._live.values():
            curve.setData(xs, _plottable(ys, log))
        top = max(max(ys) for _, _, ys in self._live.values())
        if log:
            self.enableAutoRange(y=True)
        elif top > self._y_top:  # grow by a quarter at a time, not with every record
            self._y_top = top * 1.25 if self._y_top else top * 1.05
            self.setYRange(0, self._y_top, padding=0)

    # -------------------------------------------------------------- several runs, overlaid

    def show_runs(self, runs) -> None:
        """Overlay (label, history, colour) runs: training cost bold, test cost pale (one legend entry each)."""
        self.clear_curves()
        self.enableAutoRange(x=True, y=True)
        log = self.ctrl.logYCheck.isChecked()
        for label, history, colour in runs:
            x = history["iterations"]
            self._curve(label, colour).setData(x, _plottable(history["cost"][:, 0], log))
            pale = pg.mkColor(colour)
            pale.setAlpha(150)
            self._curve(None, pale, 1).setData(x, _plottable(history["test_cost"][:, 0], log))

    def set_log(self, log: bool) -> None:
        self.setLogMode(y=log)
        self.enableAutoRange(y=True)
        self._y_top = 0.0
        for curve, xs, ys in self._live.values():  # zeros (no penalty yet) become gaps on a log axis
            curve.setData(xs, _plottable(ys, log))


def _plottable(values, log: bool) -> np.ndarray:
    """Values as an array; on a log axis zeros and negatives (a zero penalty) become gaps, not errors."""
    array = np.asarray(values, dtype=float)
    return np.where(array > 0, array, np.nan) if log else array


class BoundaryPlot(_FittedTitlePlot):
    """P(y = 1) as a heatmap with the 0.5 contour, the train and test points, mistakes marked."""

    def __init__(self, title: str = "Decision boundary", compact: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.base_title = title
        self.compact = compact  # accuracies on a second title line, for narrow side-by-side plots
        self.setTitle(title)
        self.hideButtons()  # the heatmap fills the plot: aspect not locked, so side-by-side plots fit
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(PROBABILITY_MAP.getLookupTable(nPts=256))
        self.image.setLevels((0.0, 1.0))
        self.addItem(self.image)
        self.contour = pg.PlotCurveItem(pen=pg.mkPen("#333333", width=2), connect="pairs", name="P = 0.5")
        self.addItem(self.contour)
        self.train_points = pg.ScatterPlotItem(size=8, pen=pg.mkPen("w", width=1), name="train")
        self.test_points = pg.ScatterPlotItem(size=8, brush=None, name="test")
        self.wrong_points = pg.ScatterPlotItem(size=13, symbol="x", pen=None, brush=pg.mkBrush(WRONG_COLOUR),
                                               name="misclassified")
        for item in (self.train_points, self.test_points, self.wrong_points):
            self.addItem(item)
        self.data: Dataset | None = None
        self.show_test = True
        self._last: Boundary | None = None

    def set_data(self, data: Dataset, show_test: bool = True) -> None:
        """Draw the points of ``data`` (and clear any boundary of other data)."""
        self.data, self.show_test = data, show_test
        self.clear_boundary()
        train_brushes = [pg.mkBrush(CLASS_COLOURS[int(y)]) for y in data.Y_train[0]]
        self.train_points.setData(x=data.X_train[0], y=data.X_train[1], brush=train_brushes)
        test_pens = [pg.mkPen(CLASS_COLOURS[int(y)], width=2) for y in data.Y_test[0]]
        self.test_points.setData(x=data.X_test[0], y=data.X_test[1], pen=test_pens, brush=None)
        self.test_points.setVisible(show_test)
        x0, x1, y0, y1 = data.bounds()
        self.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def clear_boundary(self) -> None:
        """Keep the points, remove the heatmap, the contour and the marks."""
        self.image.clear()
        self.contour.setData([], [])
        self._last = None
        self.wrong_points.clear()
        self.setTitle(self.base_title)

    def set_show_test(self, show: bool) -> None:
        self.show_test = show
        self.test_points.setVisible(show)
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
            accuracy = accuracy_text(boundary.train_accuracy, boundary.test_accuracy)
            self.setTitle(f"{self.base_title}<br>{accuracy}" if self.compact else f"{self.base_title} — {accuracy}")

    def _mark_wrong(self, boundary: Boundary) -> None:
        data = self.data
        if data is None or len(boundary.train_wrong) != data.X_train.shape[1]:
            return
        xs = [data.X_train[:, boundary.train_wrong]]
        if self.show_test and len(boundary.test_wrong) == data.X_test.shape[1]:
            xs.append(data.X_test[:, boundary.test_wrong])
        wrong = np.concatenate(xs, axis=1)
        self.wrong_points.setData(x=wrong[0], y=wrong[1])


def accuracy_text(train: float, test: float) -> str:
    test_text = "–" if math.isnan(test) else f"{test:.1%}"
    return f"train {train:.1%} · test {test_text}"
