"""The Bias–variance tab: the test error decomposed into bias² and variance against a regularizer parameter.

The controls are the Sweep tab's (`regstudio.sweep_view.SweepView`, whose running and cancelling this
tab inherits) plus the number of bootstraps B. Run lab trains B models per value, each on its own
bootstrap resample of the training set (`regcore.biasvar.BiasVarianceLab`, a sweep, in a background
thread with progress and Cancel). As each value's B models finish, its bias², variance and their sum
appear against the parameter (the lowest sum starred), with the models' mean train and test
accuracy below. Clicking a value shows the mean boundary (p̄ as a heatmap with its 0.5 contour, a
few of the B models' boundaries drawn thinly over it) beside the variance between the models over
the input plane: where they disagree.

The lab goes into experiment files (`saved` gives what the window saves, a `regcore.biasvar.SavedLab`;
`restore` shows a reopened one: the same curves and heatmaps, recomputed from the models' kept
parameters), and Export PNG / Export CSV write the tab's plots and the one-row-per-value table of
``regcore biasvar --csv``, atomically like every save; a target that cannot be written is one line
in the status, and nothing is written.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Slot
from PySide6.QtWidgets import QFileDialog, QPushButton, QSpinBox, QWidget

from regcore import biasvar, boundary
from regcore.biasvar import (DEFAULT_BOOTSTRAPS, BiasVarianceLab, Decomposition, LabDesign, LabPoint, LabResult,
                             SavedLab, grid_views)
from regcore.errors import RegcoreError

from . import export
from .param_widgets import set_value
from .plots import BoundaryPlot, fit_title, legend_below
from .sweep_view import TEST_COLOUR, TRAIN_COLOUR, SweepView

BIAS_COLOUR, VARIANCE_COLOUR, ERROR_COLOUR = "#1f77b4", "#ff7f0e", "#222222"
VARIANCE_MAP = pg.colormap.get("viridis")
MAX_BOOTSTRAPS_HERE = 200     # the window's spin box; the core takes up to regcore.biasvar.MAX_BOOTSTRAPS
SHOWN_BOUNDARIES = 5          # of the B models, drawn thinly over the mean boundary


class BiasVarianceView(SweepView):
    """See the module docstring. ``results`` holds the finished models by point index, as the Sweep tab's."""

    PREFIX = "biasvar_"
    RUN_TEXT, RUN_TIP = "Run lab", "Train B models per value, each on its own bootstrap resample, on every core."
    COUNT_LABEL, COUNT_TIP, COUNT_DEFAULT = "Values", "How many values of the parameter, evenly over the range.", 8
    SELECT_HINT = "Click a value to see the mean boundary and where the models disagree."
    INSIDES = False     # its own plots
    SEEDS = False       # the B models are the repetitions; the training seed seeds their resamples

    def __init__(self, registry, parent=None):
        self.lab: BiasVarianceLab | None = None            # the lab training, or trained last
        self.design: LabDesign | None = None               # what the results shown are over (also a reopened lab's)
        self.decompositions: dict[int, Decomposition] = {}   # by value index, once its B models finished
        self.seconds, self.completed = 0.0, True           # of the results shown
        super().__init__(registry, parent)
        self.bootstraps = QSpinBox(objectName="biasvar_bootstraps")
        self.bootstraps.setRange(2, MAX_BOOTSTRAPS_HERE)
        self.bootstraps.setValue(DEFAULT_BOOTSTRAPS)
        self.bootstraps.setToolTip("Models per value, each trained on its own bootstrap resample of the training set.")
        self.range_form.addRow("Bootstraps", self.bootstraps)
        self.export_widget = self.findChild(QWidget, "biasvar_results_splitter")  # the curves and the heatmaps

    # ---------------------------------------------------------------- building

    def _build_views(self) -> list[QWidget]:
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setObjectName("biasvar_plots")
        self.plots.setBackground("w")
        self.error_plot = self.plots.addPlot(row=0, col=0)
        self.accuracy_plot = self.plots.addPlot(row=1, col=0)
        for plot, title, left in ((self.error_plot, "Bias² + variance (click a value to inspect it)", "squared error"),
                                  (self.accuracy_plot, "Mean accuracy of the B models", "accuracy")):
            fit_title(plot)
            plot.setTitle(title)
            plot.setLabel("left", left)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.getAxis("left").enableAutoSIPrefix(False)
            legend_below(plot, columns=2)  # under the axis: inside, it covered the U-curve's minimum in a small window
        self.error_plot.setObjectName("biasvar_error_plot")
        self.accuracy_plot.setObjectName("biasvar_accuracy_plot")
        self.accuracy_plot.setXLink(self.error_plot)
        self.plots.ci.layout.setRowStretchFactor(0, 3)
        self.plots.ci.layout.setRowStretchFactor(1, 2)
        self.bias_curve = self._curve(self.error_plot, "bias²", BIAS_COLOUR, "o")
        self.variance_curve = self._curve(self.error_plot, "variance", VARIANCE_COLOUR, "s")
        self.error_curve = self._curve(self.error_plot, "bias² + variance", ERROR_COLOUR, "t")
        self.train_curve = self._curve(self.accuracy_plot, "train", TRAIN_COLOUR, "o")
        self.test_curve = self._curve(self.accuracy_plot, "test", TEST_COLOUR, "s")
        self._markers(self.error_plot, "lowest error")

        self.boundary_widget = pg.GraphicsLayoutWidget()
        self.boundary_widget.setObjectName("biasvar_boundary")
        self.boundary_widget.setBackground("w")
        self.boundary_plot = BoundaryPlot("Mean boundary p̄", compact=True)
        self.variance_plot = BoundaryPlot("Model variance", compact=True)  # short: it shares the width with p̄
        self.variance_plot.image.setLookupTable(VARIANCE_MAP.getLookupTable(nPts=256))
        self.boundary_plot.setObjectName("biasvar_mean_plot")
        self.variance_plot.setObjectName("biasvar_variance_plot")
        self.boundary_widget.addItem(self.boundary_plot, row=0, col=0)
        self.boundary_widget.addItem(self.variance_plot, row=0, col=1)  # beside it: the area is wide and low
        self.variance_plot.setXLink(self.boundary_plot)
        self.variance_plot.setYLink(self.boundary_plot)
        self.model_contours = [pg.PlotCurveItem(pen=pg.mkPen("#333333", width=1, style=pg.QtCore.Qt.PenStyle.DotLine),
                                                connect="pairs") for _ in range(SHOWN_BOUNDARIES)]
        for curve in self.model_contours:
            self.boundary_plot.addItem(curve)
        inspect = self._inspect_column("value")
        self.export_png_button = QPushButton("Export PNG…", objectName="biasvar_export_png")
        self.export_png_button.setToolTip("Save the curves and the heatmaps shown as an image.")
        self.export_csv_button = QPushButton("Export CSV…", objectName="biasvar_export_csv")
        self.export_csv_button.setToolTip("Save one row per value: bias², variance, error and the accuracies "
                                          "(as regcore biasvar --csv).")
        column = self.use_button.parentWidget().layout()  # under Use these settings, one above the other:
        column.insertWidget(2, self.export_png_button)     # side by side they widened the window
        column.insertWidget(3, self.export_csv_button)
        self.export_png_button.clicked.connect(self._choose_png)
        self.export_csv_button.clicked.connect(self._choose_csv)
        return [self.plots, inspect]

    # ---------------------------------------------------------------- running

    def _runner(self, base, axes):
        """The lab over the one axis; the resamples are drawn from the training settings' seed."""
        self.lab = BiasVarianceLab(base, axes[0], self.data, self.registry, bootstraps=self.bootstraps.value(),
                                   seed=base.seed)
        self.design = self.lab.design
        self.layout_of_models = self.design.layout
        self.decompositions = {}
        self.seconds, self.completed = 0.0, False
        return self.lab

    @Slot(object)
    def _on_progress(self, progress) -> None:
        if self._from_current_worker():
            self.seconds = progress.seconds
        super()._on_progress(progress)

    def _show_result(self, result: LabResult) -> None:
        self.results = {i: p for i, p in enumerate(result.sweep.points) if p is not None}
        self.seconds, self.completed = result.seconds, result.completed
        self._redraw()
        if result.errors:
            self._say(f"Values whose models failed are left out: {'; '.join(result.errors)}", error=True)
        elif not result.completed:
            self._say(f"Cancelled after {result.seconds:.1f} s; only values whose models all finished are shown.")
        else:
            self.progress_bar.setValue(1000)
            self._say(f"{len(result.points)} values × {result.bootstraps} bootstraps in {result.seconds:.1f} s. "
                      f"★ marks the lowest bias² + variance; click a value to inspect it.")
        best = result.best()
        if best is not None and self.selected is None:
            self.select(best)

    # ---------------------------------------------------------------- plotting and inspecting

    def _clear_plots(self, log: bool) -> None:
        self.decompositions = {}
        for curve in (self.bias_curve, self.variance_curve, self.error_curve, self.train_curve, self.test_curve,
                      self.best_marker, self.selected_marker, *self.model_contours):
            curve.setData([], [])
        for plot in (self.error_plot, self.accuracy_plot):
            plot.setLogMode(x=log, y=False)
        self.accuracy_plot.setLabel("bottom", self.parameter.currentText())
        self._nothing_selected()

    def _draw_points(self) -> None:
        """The data's points on both model plots, once per data set (see `SweepView._draw_points`)."""
        if self.data is not None and self._points_drawn_for is not self.data:
            for plot in (self.boundary_plot, self.variance_plot):
                plot.set_data(self.data)
            self._points_drawn_for = self.data
            if self.selected is not None and self.design is not None and self.selected in self.decompositions:
                self._show_selected()  # new points clear the plots: a value chosen while hidden (a reopened lab) comes back

    def _models_of(self, value: int) -> list:
        B = self.design.bootstraps
        return [self.results.get(i) for i in range(value * B, (value + 1) * B)]

    def _decomposition(self, value: int) -> Decomposition | None:
        """The value's decomposition once all its B models finished well (computed once)."""
        if value not in self.decompositions:
            models = self._models_of(value)
            if not all(m is not None and m.ok and m.completed for m in models):
                return None
            self.decompositions[value] = self.design.decomposition(models)
        return self.decompositions[value]

    def _series(self):
        """(value indices, x, decompositions) of the values whose models all finished, in parameter order."""
        if self.design is None:
            return [], np.zeros(0), []
        shown = [v for v in range(self.design.values) if self._decomposition(v) is not None]
        shown.sort(key=lambda v: self.design.axis.values[v])
        return shown, np.array([self.design.axis.values[v] for v in shown], dtype=float), \
            [self.decompositions[v] for v in shown]

    def _redraw(self) -> None:
        shown, x, parts = self._series()
        for curve, name in ((self.bias_curve, "bias2"), (self.variance_curve, "variance"), (self.error_curve, "error"),
                            (self.train_curve, "train_accuracy_mean"), (self.test_curve, "test_accuracy_mean")):
            curve.setData(x, [getattr(d, name) for d in parts], data=shown)
        if parts:
            lowest = int(np.argmin([d.error for d in parts]))
            self.best_marker.setData([x[lowest]], [parts[lowest].error], data=[shown[lowest]])
        self._mark_selected()

    def select(self, index: int) -> None:
        """Show value ``index``'s mean boundary and variance (once its B models finished)."""
        if self.design is None or self._decomposition(index) is None:
            return
        self.selected = index
        self._mark_selected()
        self._show_selected()

    def _mark_selected(self) -> None:
        if self.selected is None or self.design is None or self._decomposition(self.selected) is None:
            self.selected_marker.setData([], [])
            return
        value = self.design.axis.values[self.selected]
        self.selected_marker.setData([value], [self.decompositions[self.selected].error], data=[self.selected])

    def _show_selected(self) -> None:
        d, models = self.decompositions[self.selected], self._models_of(self.selected)
        grid = boundary.Grid.over(self.data, boundary.FINAL_GRID)
        point = LabPoint(self.design.settings[self.selected].params, d, models)
        mean, variance, some = grid_views(point, self.layout_of_models, grid.points, show=SHOWN_BOUNDARIES)
        square = (grid.size, grid.size)
        _draw_image(self.boundary_plot, mean.reshape(square), grid, (0.0, 1.0))
        self.boundary_plot.contour.setData(*boundary.contour_segments(mean.reshape(square), 0.5, grid.bounds))
        for curve, probabilities in zip(self.model_contours, some):
            curve.setData(*boundary.contour_segments(probabilities.reshape(square), 0.5, grid.bounds))
        _draw_image(self.variance_plot, variance.reshape(square), grid, (0.0, max(float(variance.max()), 1e-12)))
        label, value = self.design.axis.label, self.design.axis.values[self.selected]
        self.selection_text.setText(
            f"{label} = {value:g}: bias² {d.bias2:.4f} + variance {d.variance:.4f} = {d.error:.4f}; test accuracy "
            f"{d.test_accuracy_mean:.1%} ± {d.test_accuracy_std:.1%}, train {d.train_accuracy_mean:.1%} (on the "
            f"resamples). Thin lines: {len(some)} of the {self.design.bootstraps} models' boundaries; bright "
            f"on the right: where they disagree (variance up to {float(variance.max()):.3f}).")
        self.use_button.setEnabled(True)

    def _selected_config(self):
        return None if self.selected is None else self.design.settings[self.selected].config

    # ---------------------------------------------------------------- saving, reopening, exporting

    def saved(self) -> SavedLab | None:
        """The lab shown, for an experiment file: the values whose B models all finished (None: no lab)."""
        if self.design is None:
            return None
        kept = {v: self._models_of(v) for v in range(self.design.values) if self._decomposition(v) is not None}
        if not kept:
            return None
        return SavedLab(self.design, kept, self.seconds, self.completed)

    def restore(self, lab: SavedLab) -> None:
        """Show a reopened lab as it was: its settings in the controls, its curves, its best value selected."""
        self.shutdown()
        design = lab.design
        self.set_data(design.data)
        self._show_settings(design)
        B = design.bootstraps
        self.lab, self.design, self.layout_of_models = None, design, design.layout
        self.points = [setting for setting in design.settings for _ in range(B)]
        self.selected = None
        self._clear_plots(log=self.log_scale.isChecked())
        self.results = {value * B + b: model for value, models in lab.models.items() for b, model in enumerate(models)}
        self.seconds, self.completed = lab.seconds, lab.completed
        self._redraw()
        shown = self._series()[0]
        self.progress_bar.setValue(1000 if lab.completed else 0)
        self._say(f"Reopened: {len(shown)} of {design.values} values × {B} bootstraps"
                  f"{'' if lab.completed else ' (the lab had been stopped)'}. ★ marks the lowest bias² + variance; "
                  f"click a value to inspect it.")
        best = [d.error for d in self._series()[2]]
        if best:
            self.select(shown[int(np.argmin(best))])

    def _show_settings(self, design: LabDesign) -> None:
        """Put a lab's settings in the controls, as far as this registry offers them (Run lab reruns it)."""
        axis = design.axis
        index = self.regularizer.findData(axis.regularizer)
        if index < 0:
            return
        self.regularizer.setCurrentIndex(index)
        self.parameter.setCurrentIndex(max(self.parameter.findData(axis.param), 0))
        param = self._param()
        if param is None or param.name != axis.param:
            return
        for editor, value in ((self.start_editor, axis.values[0]), (self.stop_editor, axis.values[-1])):
            set_value(editor, param, value)
        self.count.setValue(len(axis.values))
        values = np.array(axis.values, dtype=float)
        ratios = values[1:] / values[:-1] if len(values) > 2 and np.all(values > 0) else np.zeros(0)
        self.log_scale.setChecked(bool(ratios.size) and np.allclose(ratios, ratios[0]) and
                                  not np.allclose(np.diff(values), np.diff(values)[0]))
        fixed = dict(dict(design.base.regularizers).get(axis.regularizer, {}))
        fixed.pop(axis.param, None)
        if self.fixed_form is not None:
            self.fixed_form.set_values(fixed)
        self.training.set_config(design.base)
        self.bootstraps.setValue(min(design.bootstraps, self.bootstraps.maximum()))

    def _lab_points(self) -> list[LabPoint]:
        """Every value's `LabPoint` as shown now: its decomposition, or why it has none."""
        points = []
        for value, setting in enumerate(self.design.settings):
            models = self._models_of(value)
            failed = next((m.error for m in models if m is not None and m.error), None)
            d = None if failed else self._decomposition(value)
            points.append(LabPoint(setting.params, d, models, failed or (None if d else "not finished")))
        return points

    def export_png(self, path: str) -> bool:
        """Write the curves and the heatmaps to ``path``; a target it cannot write is one line in the status."""
        return self._export(path, lambda: export.png(self.export_widget, path))

    def export_csv(self, path: str) -> bool:
        """Write one row per value to ``path`` (the columns of ``regcore biasvar --csv``)."""
        if self.design is None:
            self._say("Nothing to export yet: run the lab first.", error=True)
            return False
        points = self._lab_points()
        return self._export(path, lambda: biasvar.write_csv(path, points, self.design.axis.label, self.completed))

    def _export(self, path: str, save) -> bool:
        try:
            save()
        except RegcoreError as error:
            self._say(f"Could not save: {error}", error=True)
            return False
        self._say(f"Saved {path}")
        return True

    @Slot()
    def _choose_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the lab's plots", "biasvar.png", "PNG images (*.png)")
        if path:
            self.export_png(path)

    @Slot()
    def _choose_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the lab's table", "biasvar.csv", "CSV files (*.csv)")
        if path:
            self.export_csv(path)


def _draw_image(plot: BoundaryPlot, image: np.ndarray, grid: boundary.Grid, levels: tuple[float, float]) -> None:
    x0, x1, y0, y1 = grid.bounds
    plot.image.setImage(image, levels=levels, autoLevels=False)
    plot.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
