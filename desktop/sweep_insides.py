"""The Sweep tab's view of the models' insides: each final weight norm ‖W_l‖ and the dead units of
each hidden layer against the swept value (weight norm against lambd shows how L2 works)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from .plots import fit_title, legend_below, run_colour


class SweepInsides:
    """Two plots added below the sweep's others in ``layout`` from ``row``, x linked to ``x_link``."""

    def __init__(self, layout: pg.GraphicsLayoutWidget, row: int, x_link: pg.PlotItem):
        self.norm_plot = layout.addPlot(row=row, col=0)
        self.dead_plot = layout.addPlot(row=row + 1, col=0)
        for plot, name, left, title in ((self.norm_plot, "sweep_norm_plot", "norm", "Final weight norms ‖W‖ per layer"),
                                        (self.dead_plot, "sweep_dead_plot", "dead units", "Dead units at the end")):
            fit_title(plot)  # wraps in large type instead of running off a narrow plot
            plot.setTitle(title)
            plot.setObjectName(name)
            plot.setLabel("left", left)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.setXLink(x_link)
            legend_below(plot)
        self.curves: dict[tuple[str, int], pg.PlotDataItem] = {}

    def clear(self, log: bool, label: str) -> None:
        for curve in self.curves.values():
            curve.setData([], [])
        for plot in (self.norm_plot, self.dead_plot):
            plot.setLogMode(x=log, y=False)
        self.dead_plot.setLabel("bottom", label)

    def _curve(self, plot, kind: str, layer: int, name: str) -> pg.PlotDataItem:
        key = (kind, layer)
        if key not in self.curves:
            colour = run_colour(layer)
            self.curves[key] = plot.plot([], [], pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=7,
                                         symbolBrush=colour, symbolPen=None, name=name)
        return self.curves[key]

    def draw(self, x: np.ndarray, results: list) -> None:
        """``results``: the sweep's `PointResult`s in the order of ``x`` (each with weight_norms, dead_units)."""
        norms = [r.weight_norms for r in results]
        dead = [r.dead_units for r in results]
        for kind, plot, rows, label in (("norm", self.norm_plot, norms, "‖W{}‖"),
                                        ("dead", self.dead_plot, dead, "layer {}")):
            layers = min((len(row) for row in rows), default=0)
            for layer in range(layers):
                self._curve(plot, kind, layer, label.format(layer + 1)).setData(
                    x, np.array([row[layer] for row in rows], dtype=float))
            for (k, layer), curve in self.curves.items():
                if k == kind and layer >= layers:
                    curve.setData([], [])
