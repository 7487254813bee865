"""The weight panels: per layer, the weights' histogram (the initial one as a ghost outline) and the
weight norm against iterations; and the train–test gap against iterations, the latest as a large
readout. One view serves the Weights tab (the live run, or the run selected in the runs table) and
the Runs tab (the selected runs overlaid, one colour each, on shared axes).

What is drawn is a list of `WeightSeries`, one per run. The plots' items are reused from one frame
to the next (only their data changes), and nothing is drawn while the view is hidden: the latest
series wait, and are drawn when it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from regcore import defaults, inspect, network
from regcore.experiment import RunRecord

from . import presenter
from .lazy_draw import LazyDraw
from .plots import TimedLayoutWidget, run_colour

GHOST_COLOUR = "#7f7f7f"
WEIGHTS_DELAY_MS = 80   # drawn this long after a frame, apart from the Network tab (see `regstudio.lazy_draw`)
LAYER_LIMIT = 6          # histogram and norm plots for at most this many layers (the rest: the readout only)


@dataclass(frozen=True)
class WeightSeries:
    """One run as the weight panels draw it."""

    label: str
    colour: str
    histograms: list          # per layer (counts, edges) now
    ghosts: list              # per layer (counts, edges) at initialisation
    insides: dict             # `InsideHistory.arrays`: iterations, weight_norms, dead_units, accuracies
    sizes: tuple[int, ...]
    near_zero: tuple = ()     # per layer, how many weights are near 0 now (`regcore.inspect.near_zero_weights`)


def histograms(flat: np.ndarray, layout: network.Layout) -> list:
    """(counts, edges) of every layer's weights of model 0 of ``flat``."""
    weights, _ = layout.views(np.atleast_2d(flat)[:1])
    return [inspect.weight_histogram(W[0]) for W in weights]


def near_zero(flat: np.ndarray, layout: network.Layout) -> tuple[int, ...]:
    """How many of every layer's weights of model 0 of ``flat`` are near 0: L1's sparsity."""
    return tuple(int(c) for c in inspect.near_zero_weights(np.atleast_2d(flat)[:1], layout)[0])


def initial_histograms(layout: network.Layout, seed: int) -> list:
    """The ghost: the histograms of the notebook's initialisation for ``seed`` (the same every time)."""
    return histograms(network.initial_parameters(layout, [seed]), layout)


def series_of(run: RunRecord, label: str, colour: str) -> WeightSeries:
    """A finished run's series; a run without kept insides (an older file) gets its final state only."""
    result = run.result
    insides = run.insides
    if insides is None or not len(insides):
        insides = inspect.InsideHistory.empty()
        insides.add(result.iterations_done, result.parameters, result.layout, run.data)
    return WeightSeries(label, colour, histograms(result.parameters, result.layout),
                        initial_histograms(result.layout, run.config.seed),
                        insides.arrays(len(result.layout.sizes) - 1), result.layout.sizes,
                        near_zero(result.parameters, result.layout))


def pale(colour: str) -> str:
    """``colour`` mixed 60% with white, opaque (cheaper to paint than a translucent fill)."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{int(c + 0.6 * (255 - c)):02x}" for c in rgb)


def gap_points(insides: dict) -> np.ndarray:
    """Train minus test accuracy, in percentage points, at each of the insides' iterations."""
    return 100.0 * (insides["train_accuracy"] - insides["test_accuracy"])


class WeightsView(QWidget):
    """See the module docstring. ``prefix`` starts every object name (two of these live in one window)."""

    def __init__(self, prefix: str = "", parent=None):
        super().__init__(parent)
        self.prefix = prefix
        self.readout = QLabel(objectName=f"{prefix}gap_readout")
        self.readout.setStyleSheet("font-size: 26px; font-weight: bold")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.dead_label = QLabel(objectName=f"{prefix}dead_units", wordWrap=True)
        self.key = QLabel("Top: each layer's weights now (filled) and at initialisation (grey, dashed). Below: "
                          "each layer's Frobenius norm ‖W‖ against iterations, on the cost's x axis.",
                          objectName=f"{prefix}weights_key", wordWrap=True)
        self.plots = TimedLayoutWidget()
        self.plots.setObjectName(f"{prefix}weights_plots")
        self.plots.setBackground("w")
        header = QHBoxLayout()
        header.addWidget(self.readout)
        header.addWidget(self.dead_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.key)
        layout.addWidget(self.plots, 1)
        self.gap_plot = self._plot("gap_plot", "Train–test gap", "iteration", "train − test accuracy (pp)")
        self.gap_plot.addLine(y=0, pen=pg.mkPen("#bbbbbb"))
        self.plots.addItem(self.gap_plot, row=0, col=0, rowspan=2)  # owned by the layout from the start
        self.histogram_plots: list[pg.PlotItem] = []
        self.norm_plots: list[pg.PlotItem] = []
        self._items: dict = {}          # (plot name, series index, part) -> its reused curve
        self._ranges: dict = {}         # id(plot) -> [x range, y range] it shows
        self._ranges_of: dict = {}      # id(plot) -> the plot (ids are reused once a plot is gone)
        self._layers = -1
        self._x_link: pg.PlotItem | None = None
        self.series: list[WeightSeries] = []
        self.lazy = LazyDraw(self, self._render, WEIGHTS_DELAY_MS)
        self.draws = 0
        self.markers: list = []
        self.show_series([])

    def _plot(self, name: str, title: str, bottom: str, left: str) -> pg.PlotItem:
        plot = pg.PlotItem(title=title)
        plot.setObjectName(f"{self.prefix}{name}")
        plot.setLabel("bottom", bottom)
        plot.setLabel("left", left)
        for axis in ("left", "bottom"):
            plot.getAxis(axis).enableAutoSIPrefix(False)
        presenter.style_plot(plot)
        return plot

    @property
    def paint_seconds(self) -> float:
        """How long the last repaint took, for the worker's frame budget (0 while hidden)."""
        return self.plots.paint_seconds + self.lazy.seconds if self.isVisible() else 0.0

    def link_x(self, plot: pg.PlotItem) -> None:
        """Put the norms and the gap on ``plot``'s x axis (the cost's: same iterations, same zoom)."""
        self._x_link = plot
        for norm in (*self.norm_plots, self.gap_plot):
            norm.setXLink(plot)

    # ------------------------------------------------------------------ what to show

    def show_series(self, series: list[WeightSeries], at_once: bool = False) -> None:
        """Draw ``series`` soon if the view is visible, else when it is next shown (`regstudio.lazy_draw`)."""
        self.series = list(series)
        self.lazy.request(at_once)

    def mark(self, iteration: int, text: str) -> None:
        """A setting changed mid-run at ``iteration``: a line on the plots against iterations."""
        for plot in (*self.norm_plots, self.gap_plot):
            line = pg.InfiniteLine(pos=iteration, angle=90, movable=False, pen=pg.mkPen("#444444"))
            plot.addItem(line, ignoreBounds=True)
            self.markers.append((plot, line))

    def clear_marks(self) -> None:
        for plot, line in self.markers:
            plot.removeItem(line)
        self.markers = []

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._layers < 0:  # the plots for the default network, made when first shown (a few hundred ms)
            self._layout_for(len(defaults.HIDDEN) + 1)
        self.lazy.shown()

    # ------------------------------------------------------------------ drawing

    def _layout_for(self, layers: int) -> None:
        """One histogram and one norm plot per layer (up to `LAYER_LIMIT`), the gap on the right."""
        if layers == self._layers:
            return
        self.clear_marks()
        # the old plots go now, unlinked, on the GUI thread: a plot left to the garbage collector with
        # links to another tab's axes crashed Qt when collected after the window was gone
        for plot in (*self.histogram_plots, *self.norm_plots):
            plot.setXLink(None)
            self.plots.removeItem(plot)
            plot.deleteLater()
        self.plots.removeItem(self.gap_plot)
        for key, item in list(self._items.items()):
            if key[0] == "gap":
                self.gap_plot.removeItem(item)
                item.deleteLater()
        self._items.clear()
        self._layers = layers
        shown = min(layers, LAYER_LIMIT)
        self.histogram_plots = [self._plot(f"histogram_plot_{l + 1}", f"W{l + 1} weights",
                                           "weight", "count") for l in range(shown)]
        self.norm_plots = [self._plot(f"norm_plot_{l + 1}", f"‖W{l + 1}‖", "iteration", "norm")
                           for l in range(shown)]
        for column, (histogram, norm) in enumerate(zip(self.histogram_plots, self.norm_plots)):
            self.plots.addItem(histogram, row=0, col=column)
            self.plots.addItem(norm, row=1, col=column)
        self.plots.addItem(self.gap_plot, row=0, col=max(shown, 1), rowspan=2)
        if self._x_link is not None:
            self.link_x(self._x_link)
        for later in (*self.norm_plots[1:], self.gap_plot)[:shown]:
            later.setXLink(self.norm_plots[0])

    def _curve(self, plot: pg.PlotItem, key, **style) -> pg.PlotDataItem:
        item = self._items.get(key)
        if item is None:
            item = pg.PlotDataItem(**style)
            plot.addItem(item)
            self._items[key] = item
        return item

    def _render(self) -> None:
        self.draws += 1
        series = self.series
        # no series: the plots stay (emptied), so the next run of the same network does not rebuild them
        layers = max((len(s.sizes) - 1 for s in series), default=max(self._layers, 0))
        self._layout_for(layers)
        used = set()
        for index, s in enumerate(series):
            for layer, plot in enumerate(self.histogram_plots[:len(s.histograms)]):
                counts, edges = s.histograms[layer]
                key = ("histogram", index, layer)
                # one-pixel pens, and a fill only for a single run (a translucent fill and wide pens made
                # every repaint several times slower)
                fill = pg.mkBrush(pale(s.colour)) if len(series) == 1 else None
                self._curve(plot, key, stepMode="center", fillLevel=0 if fill else None, pen=pg.mkPen(s.colour, width=1),
                            brush=fill).setData(edges, counts)
                ghost_counts, ghost_edges = s.ghosts[layer]
                ghost_key = ("ghost", index, layer)
                self._curve(plot, ghost_key, stepMode="center",
                            pen=pg.mkPen(GHOST_COLOUR, width=1, style=Qt.PenStyle.DashLine)).setData(
                    ghost_edges, ghost_counts)
                used |= {key, ghost_key}
            iterations = s.insides["iterations"]
            symbol = "o" if len(iterations) == 1 else None  # a single point must still show
            for layer, plot in enumerate(self.norm_plots[:len(s.histograms)]):
                key = ("norm", index, layer)
                self._curve(plot, key, pen=pg.mkPen(s.colour, width=1), symbolBrush=s.colour, symbolPen=None,
                            symbolSize=7).setData(iterations, s.insides["weight_norms"][:, layer], symbol=symbol)
                used.add(key)
            key = ("gap", index)
            gaps = gap_points(s.insides)
            self._curve(self.gap_plot, key, pen=pg.mkPen(s.colour, width=1), symbolBrush=s.colour, symbolPen=None,
                        symbolSize=7).setData(iterations, np.nan_to_num(gaps, nan=0.0), symbol=symbol)
            used.add(key)
        self._fit_ranges(series)
        for key in [k for k in self._items if k not in used]:  # runs no longer selected
            item = self._items.pop(key)
            if item.getViewBox() is not None:
                item.getViewBox().removeItem(item)
            item.deleteLater()
        self._readouts(series)

    def _fit_ranges(self, series: list[WeightSeries]) -> None:
        """Axes that only grow, a quarter at a time (x of the histograms symmetric about 0): new axes for
        every frame (pyqtgraph's auto range) were most of each repaint."""
        for layer, plot in enumerate(self.histogram_plots):
            parts = [s for s in series if layer < len(s.histograms)]
            if not parts:
                continue
            reach = max(max(abs(s.histograms[layer][1][0]), abs(s.ghosts[layer][1][0])) for s in parts)
            top = max(max(s.histograms[layer][0].max(), s.ghosts[layer][0].max()) for s in parts)
            self._grow(plot, (-reach, reach), (0, top), symmetric=True)
        for layer, plot in enumerate(self.norm_plots):
            values = [s.insides["weight_norms"][:, layer] for s in series if layer < len(s.histograms)]
            if values and any(len(v) for v in values):
                self._grow(plot, None, (0, max(float(np.nanmax(v)) for v in values if len(v))))
        gaps = [gap_points(s.insides) for s in series]
        finite = [g[np.isfinite(g)] for g in gaps if np.isfinite(g).any()]
        if finite:
            self._grow(self.gap_plot, None, (min(0.0, min(g.min() for g in finite)), max(1.0, max(g.max() for g in finite))))

    def _grow(self, plot: pg.PlotItem, x, y, symmetric: bool = False) -> None:
        """Widen ``plot``'s ranges to hold ``x`` and ``y`` (each (low, high), None: leave it) when they do not."""
        shown = self._ranges.get(id(plot))
        if shown is None or self._ranges_of.get(id(plot)) is not plot:
            self._ranges_of[id(plot)] = plot
            shown = self._ranges[id(plot)] = [None, None]
            plot.enableAutoRange(x=x is None, y=False)  # x: the linked cost axis, when not set here
        for axis, wanted in enumerate((x, y)):
            if wanted is None:
                continue
            low, high = float(wanted[0]), float(wanted[1])
            now = shown[axis]
            if now is not None and now[0] <= low and high <= now[1] and (high - low) > 0.3 * (now[1] - now[0]):
                continue
            span = max(high - low, 1e-9)
            new = (low - 0.05 * span, high + 0.25 * span) if not symmetric or axis else \
                (-1.1 * max(abs(low), abs(high)), 1.1 * max(abs(low), abs(high)))
            if axis == 1 and low >= 0:
                new = (0.0, new[1])
            shown[axis] = new
            (plot.setXRange if axis == 0 else plot.setYRange)(*new, padding=0)

    def _readouts(self, series: list[WeightSeries]) -> None:
        if not series:
            self.readout.setText("Train–test gap: –")
            self.dead_label.setText("Train a run, or select runs in the runs table, to see their weights.")
            return
        parts, dead, zero = [], [], []
        for s in series:
            gaps = gap_points(s.insides)
            gap = "–" if not len(gaps) or np.isnan(gaps[-1]) else f"{gaps[-1]:.1f} pp"
            name = f"{s.label}: " if len(series) > 1 else ""
            parts.append(f"<span style='color:{s.colour}'>{name}{gap}</span>")
            counts = s.insides["dead_units"][-1] if len(s.insides["dead_units"]) else []
            dead.append(f"{name}" + ", ".join(f"layer {l + 1}: {int(c)} of {n} dead"
                                              for l, (c, n) in enumerate(zip(counts, s.sizes[1:-1]))))
            weights = [n_in * n_out for n_in, n_out in zip(s.sizes, s.sizes[1:])]
            if s.near_zero:
                zero.append(f"{name}{sum(s.near_zero)} of {sum(weights)} ("
                            + ", ".join(f"W{l + 1}: {c}" for l, c in enumerate(s.near_zero)) + ")")
        self.readout.setText(("Train–test gap: " if len(series) == 1 else "Gap: ") + " · ".join(parts))
        self.dead_label.setText("Dead units (ReLU 0 on every training point) — " + "; ".join(dead)
                                + (f". Weights within {inspect.NEAR_ZERO:g} of 0 (L1 makes many) — "
                                   + "; ".join(zero) if zero else ""))
