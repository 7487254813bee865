"""The Sweep tab: train one model per value of a regularizer parameter and see bias against variance.

The user picks a regularizer and one of its numeric parameters (offered from the `Param`
declarations alone, so a plugin's parameters appear without GUI code), a range and a count, fixed
values for the other parameters and the training settings. The last entry of the list is the
optimizer chosen in the tab's training settings: its learning rate and numeric parameters are swept
like a regularizer's (the `regcore.sweep.OPTIMIZER` axis), its other values taken from its form. `SweepWorker` drives `regcore.sweep`'s
generator in a QThread (which may fan out to worker processes); points appear on the plot as their
batches finish. Train and test accuracy and the final cost are plotted against the parameter, the
best test accuracy is starred, and clicking a point shows that model's decision boundary, with a
button that sends its settings to the main view. With several seeds per setting (``Seeds``: the
training seed and the next ones), the plots show each setting's means with ± one standard deviation
bands, a table lists the means and standard deviations, and the best mean test accuracy is starred
(`regstudio.sweep_seeds`); a clicked setting shows its first seed's model. One seed: as before.
The slider under the boundary walks through the swept values: on a value it shows that model,
between two it cross-fades their P(class 1) (`regcore.boundary.blend`), so the boundary morphs from
one value to the next.

The Bias–variance tab (`regstudio.biasvar_view`) is this view with other plots: it inherits the
controls and the running, and overrides `_build_views`, `_runner`, `_show_result` and the
plotting and inspecting methods; `PREFIX` keeps the two tabs' object names apart.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QProgressBar,
                               QPushButton, QScrollArea, QSpinBox, QSplitter, QStackedWidget, QVBoxLayout,
                               QWidget)

from regcore import boundary
from regcore.config import RunConfig
from regcore.data import Dataset
from regcore.errors import RegcoreError
from regcore.optimizer import LEARNING_RATE
from regcore.sweep import (OPTIMIZER, Axis, PointResult, SettingSummary, Sweep, SweepResult, best_indices,
                           best_setting, plan, settings_of, suggested_range, value_range)

from .background import JobFailed, Worker
from .panels import TrainingPanel
from .param_widgets import ParamForm, make_editor, set_value, value_of
from .sweep_insides import SweepInsides
from .morph import Morph
from .plots import BoundaryPlot, accuracy_text, fit_title, legend_below
from .sweep_seeds import Band, SettingsTable

TRAIN_COLOUR, TEST_COLOUR, COST_COLOUR, BEST_COLOUR = "#1f77b4", "#d62728", "#555555", "#f2b701"
ERROR_STYLE = "color: #b00020;"


class SweepWorker(Worker):
    """Runs one `Sweep` in its own thread (the protocol of `regstudio.background`): yields
    `SweepProgress` (its results are copies the worker no longer touches), returns the `SweepResult`
    (None if it could not run)."""

    def __init__(self, sweep: Sweep, parent=None):
        super().__init__(parent)
        self.sweep = sweep

    def work(self):
        try:
            yield from self.sweep.steps(self.cancel)
        except RegcoreError:
            raise  # a one-line message already: the base class reports it as it is
        except Exception as error:  # a bug must reach the user as a message, not kill the thread silently
            raise JobFailed(f"the sweep failed: {type(error).__name__}: {error}") from error
        return self.sweep.result()


def stacked(main: QWidget, below: QWidget) -> QWidget:
    """``main``, taking the height, with ``below`` under it, edge to edge."""
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(main, 1)
    layout.addWidget(below)
    return column

class SweepView(QWidget):
    """See the module docstring. ``set_data`` gives it the data set; ``send_to_main`` carries a RunConfig."""

    send_to_main = Signal(object)
    PREFIX = "sweep_"   # of every child's objectName
    RUN_TEXT, RUN_TIP = "Run sweep", "Train one model per value, all at once, on every core."
    COUNT_LABEL, COUNT_TIP, COUNT_DEFAULT = "Models", "How many models to train, evenly spread over the range.", 16
    SELECT_HINT = "Click a point on the accuracy plot to see that model's decision boundary."
    SEEDS = True        # offer several seeds per setting
    INSIDES = True      # offer the final weight norms and dead units in place of accuracy and cost
    MAX_SEEDS = 50
    morph = None        # the slider over the swept values (`regstudio.morph`); the Sweep tab's own

    def __init__(self, registry, parent=None):
        super().__init__(parent)
        self.registry = registry
        self.data: Dataset | None = None
        self._points_drawn_for: Dataset | None = None   # the data set whose points the model plot shows
        self.worker: SweepWorker | None = None
        self._error = ""                               # why the running sweep failed, once it says
        self.points: list = []                        # the planned SweepPoints of the current sweep
        self.results: dict[int, PointResult] = {}     # finished ones, by point index
        self.layout_of_models = None
        self.selected: int | None = None
        self._boundaries: dict = {}                    # point index -> its Boundary, for the morph slider
        self._window_filtered = None
        self._build()
        self.set_registry(registry)

    # ---------------------------------------------------------------- building

    def _build(self) -> None:
        prefix = self.PREFIX
        self.regularizer = QComboBox(objectName=f"{prefix}regularizer")
        self.parameter = QComboBox(objectName=f"{prefix}parameter")
        self.count = QSpinBox(objectName=f"{prefix}count")
        self.count.setRange(1, 256)
        self.count.setValue(self.COUNT_DEFAULT)
        self.count.setToolTip(self.COUNT_TIP)
        self.log_scale = QCheckBox("Log scale", objectName=f"{prefix}log")
        self.log_scale.setToolTip("Spread the values evenly on a log scale (both ends must be > 0).")
        self.range_form = QFormLayout()
        self.range_form.addRow("Regularizer", self.regularizer)
        self.range_form.addRow("Parameter", self.parameter)
        self.start_editor = self.stop_editor = None
        self.range_form.addRow("From", QWidget())
        self.range_form.addRow("To", QWidget())
        self.range_form.addRow(self.COUNT_LABEL, self.count)
        if self.SEEDS:
            self.seeds = QSpinBox(objectName=f"{prefix}seeds", minimum=1, maximum=self.MAX_SEEDS, value=1)
            self.seeds.setToolTip("Train every setting once per seed (the training seed and the next ones); with "
                                  "more than one, each setting's mean ± standard deviation is shown.")
            self.range_form.addRow("Seeds", self.seeds)
        self.range_form.addRow("", self.log_scale)
        if self.INSIDES:
            self.show_insides = QCheckBox("Plot weight norms and dead units", objectName=f"{prefix}show_insides")
            self.show_insides.setToolTip("In place of accuracy and cost: each model's final ‖W‖ per layer and its "
                                         "dead units, against the swept value (how L2 works: norms fall with lambd).")
            self.range_form.addRow("", self.show_insides)
        what = QGroupBox("What to sweep")
        what.setLayout(self.range_form)
        self.fixed_box = QGroupBox("Its other parameters")
        self.fixed_layout = QVBoxLayout(self.fixed_box)
        self.fixed_form: ParamForm | None = None
        self.training = TrainingPanel(self.registry, prefix=prefix)
        self.training.set_config(RunConfig())
        self.run_button = QPushButton(self.RUN_TEXT, objectName=f"{prefix}run")
        self.run_button.setToolTip(self.RUN_TIP)
        self.cancel_button = QPushButton("Cancel", objectName=f"{prefix}cancel", enabled=False)
        self.progress_bar = QProgressBar(objectName=f"{prefix}progress", minimum=0, maximum=1000, value=0)
        self.progress_bar.setFormat("%p%")
        self.status = QLabel(f"Choose what to sweep, then {self.RUN_TEXT}.", objectName=f"{prefix}status",
                             wordWrap=True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)

        controls = QWidget()
        column = QVBoxLayout(controls)
        for widget in (what, self.fixed_box, self.training):
            column.addWidget(widget)
        column.addLayout(buttons)
        column.addWidget(self.progress_bar)
        column.addWidget(self.status)
        column.addStretch(1)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(controls)
        scroll.setMinimumWidth(300)

        # The plots above, the chosen model under them with its text and button beside it: three columns
        # side by side (settings, plots, model) left the plots too narrow to draw below 1400 px.
        plots, inspect = self._build_views()
        results = QSplitter(Qt.Orientation.Vertical, objectName=f"{self.PREFIX}results_splitter")
        results.addWidget(plots)
        results.addWidget(inspect)
        results.setStretchFactor(0, 3)
        results.setStretchFactor(1, 2)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        for widget in (scroll, results):
            splitter.addWidget(widget)
        splitter.setStretchFactor(1, 1)
        # share the width by these proportions, not by size hints: the settings column's hint is its
        # whole width, which squeezed the plots below their own width
        splitter.setSizes([380, 800])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self.regularizer.currentIndexChanged.connect(self._regularizer_chosen)
        self.training.optimizer.currentIndexChanged.connect(self._optimizer_chosen)
        self.parameter.currentIndexChanged.connect(self._parameter_chosen)
        self.run_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.stop)
        self.use_button.clicked.connect(self._use_selected)

    def _build_views(self) -> list[QWidget]:
        """The plots and the inspection column, beside the controls (they must include ``use_button``)."""
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setObjectName("sweep_plots")
        self.plots.setBackground("w")  # like the Training and Runs tabs
        self.accuracy_plot = self.plots.addPlot(row=0, col=0, title="Accuracy (click a point to inspect it)")
        self.accuracy_plot.setLabel("left", "accuracy")
        self.accuracy_plot.showGrid(x=True, y=True, alpha=0.2)
        legend_below(self.accuracy_plot)  # under the axis: inside, it sat on the curves
        fit_title(self.accuracy_plot)  # elided to fit, not widening the plot past its column in large type
        self.accuracy_plot.setTitle("Accuracy — click a point to inspect that model")
        self.cost_plot = self.plots.addPlot(row=1, col=0, title="Final cost")
        for plot, title in ((self.accuracy_plot, "Accuracy (click a point to inspect it)"), (self.cost_plot, "Final cost")):
            fit_title(plot)  # a title that fits its column instead of setting the plots' minimum width
            plot.setTitle(title)
        self.cost_plot.setLabel("left", "cost")
        self.cost_plot.showGrid(x=True, y=True, alpha=0.2)
        self.cost_plot.setXLink(self.accuracy_plot)
        for plot, name in ((self.accuracy_plot, "sweep_accuracy_plot"), (self.cost_plot, "sweep_cost_plot")):
            plot.setObjectName(name)
            plot.getAxis("left").enableAutoSIPrefix(False)  # 0.93, not 930 x 0.001
        self.plots.ci.layout.setRowStretchFactor(0, 3)
        self.plots.ci.layout.setRowStretchFactor(1, 2)
        # final weight norms and dead units, in a view of their own in place of these: four plots in
        # one column were too low to read on a 1280 x 800 screen
        self.insides_plots = pg.GraphicsLayoutWidget()
        self.insides_plots.setObjectName("sweep_insides_plots")
        self.insides_plots.setBackground("w")
        self.insides = SweepInsides(self.insides_plots, 0, self.accuracy_plot)
        # one or the other, chosen in the settings (a tab bar here took the height the plots lacked at 1280 x 800)
        self.result_views = QStackedWidget(objectName="sweep_result_views")
        self.result_views.addWidget(self.plots)
        self.result_views.addWidget(self.insides_plots)
        self.show_insides.toggled.connect(lambda on: self.result_views.setCurrentIndex(int(on)))
        self.train_curve = self._curve(self.accuracy_plot, "train", TRAIN_COLOUR, "o")
        self.test_curve = self._curve(self.accuracy_plot, "test", TEST_COLOUR, "s")
        self.cost_curve = self._curve(self.cost_plot, None, COST_COLOUR, "o")
        self._markers(self.accuracy_plot, "best test accuracy")
        self.bands = {"train": Band(self.accuracy_plot, TRAIN_COLOUR), "test": Band(self.accuracy_plot, TEST_COLOUR),
                      "cost": Band(self.cost_plot, COST_COLOUR)}
        self.settings_table = SettingsTable()
        self.settings_table.setMaximumHeight(150)
        self.settings_table.hide()
        self.settings_table.chosen.connect(self.select)
        curves = stacked(self.result_views, self.settings_table)

        self.boundary_widget = pg.GraphicsLayoutWidget()
        self.boundary_widget.setObjectName("sweep_boundary")
        self.boundary_widget.setBackground("w")
        self.boundary_plot = BoundaryPlot("Model", compact=True)  # accuracies on a second line
        self.boundary_plot.setObjectName("sweep_boundary_plot")
        self.boundary_widget.addItem(self.boundary_plot)
        self.morph = Morph(self.PREFIX)
        self.morph.moved.connect(self._morph_to)
        return [curves, self._inspect_column("model", stacked(self.boundary_widget, self.morph))]

    def _inspect_column(self, what: str, picture: QWidget | None = None) -> QWidget:
        """``picture`` (default ``boundary_widget``) beside ``selection_text`` and ``use_button`` (the selected
        ``what``'s settings)."""
        self.selection_text = QLabel(self.SELECT_HINT, objectName=f"{self.PREFIX}selection", wordWrap=True)
        self.use_button = QPushButton("Use these settings", objectName=f"{self.PREFIX}use", enabled=False)
        self.use_button.setToolTip(f"Put the selected {what}'s settings in the main view, ready to train and watch.")
        about = QWidget()
        column = QVBoxLayout(about)
        column.addWidget(self.selection_text)
        column.addWidget(self.use_button)
        column.addStretch(1)
        inspect = QSplitter(Qt.Orientation.Horizontal, objectName=f"{self.PREFIX}inspect_splitter")
        inspect.addWidget(picture or self.boundary_widget)
        inspect.addWidget(about)
        inspect.setStretchFactor(0, 3)
        inspect.setStretchFactor(1, 2)
        return inspect

    def _markers(self, plot, best: str) -> None:
        """``best_marker`` (a star, named ``best`` in the legend) and ``selected_marker`` on ``plot``.

        Markers are PlotDataItems without lines, so they follow the plot's log x scale like the curves. They
        lie on top of the points they mark and take the clicks there, so a click on one selects its point.
        """
        self.best_marker = plot.plot([], [], pen=None, symbol="star", symbolSize=24, symbolPen=pg.mkPen("#7a5c00"),
                                     symbolBrush=BEST_COLOUR, name=best)
        self.selected_marker = plot.plot([], [], pen=None, symbol="o", symbolSize=22,
                                         symbolPen=pg.mkPen("k", width=2), symbolBrush=None)
        for marker in (self.best_marker, self.selected_marker):
            marker.sigPointsClicked.connect(self._clicked)

    def _curve(self, plot, name, colour, symbol) -> pg.PlotDataItem:
        curve = plot.plot([], [], pen=pg.mkPen(colour, width=2), symbol=symbol, symbolSize=9,
                          symbolBrush=colour, symbolPen=None, name=name)
        curve.sigPointsClicked.connect(self._clicked)
        return curve

    # ---------------------------------------------------------------- choosing what to sweep

    def set_registry(self, registry) -> None:
        """Offer the regularizers of ``registry`` that have a numeric parameter (and its optimizers)."""
        self.registry = registry
        self.training.set_registry(registry)
        self.regularizer.blockSignals(True)
        self.regularizer.clear()
        for name, entry in registry.regularizers.items():
            if any(p.numeric for p in entry.obj.params):
                self.regularizer.addItem(entry.obj.label or name, name)
        if self.training.optimizer.count():
            self.regularizer.addItem("", OPTIMIZER)  # named after the optimizer chosen below
            self._name_optimizer_entry()
        self.regularizer.blockSignals(False)
        self._regularizer_chosen()

    def _name_optimizer_entry(self) -> None:
        index = self.regularizer.findData(OPTIMIZER)
        if index >= 0:
            self.regularizer.setItemText(index, f"Optimizer: {self.training.optimizer.currentText()}")

    @Slot()
    def _optimizer_chosen(self, *_) -> None:
        """The optimizer of the training settings changed: its entry says which, and offers its parameters."""
        self._name_optimizer_entry()
        if self.regularizer.currentData() == OPTIMIZER:
            self._regularizer_chosen()

    def set_data(self, dataset: Dataset) -> None:
        """Sweep on ``dataset`` from now on; results for another data set no longer apply, so they go."""
        if dataset is self.data:
            return
        had_results = bool(self.results) or self.worker is not None
        self.shutdown()
        self.data = dataset
        self.points, self.results, self.selected = [], {}, None
        self._clear_plots(log=False)
        if had_results:
            self._say("The data set changed: run the sweep again to see it on the new data.")

    def _declared(self):
        """What the chosen entry declares: ``(params offered, params of its fixed form)``, or None.

        The optimizer offers the learning rate and its own parameters; its fixed values are those of
        its form in the training settings, so it has no fixed form here."""
        name = self.regularizer.currentData()
        if name is None:
            return None
        if name == OPTIMIZER:
            optimizer = self.registry.optimizer(self.training.optimizer.currentData()).obj
            return (LEARNING_RATE, *optimizer.params), ()
        params = self.registry.regularizer(name).obj.params
        return params, params

    def _regularizer_chosen(self, *_) -> None:
        declared = self._declared()
        self.parameter.blockSignals(True)
        self.parameter.clear()
        if self.fixed_form is not None:  # take it out now: deleteLater alone leaves it drawn until the event loop runs
            self.fixed_layout.removeWidget(self.fixed_form)
            self.fixed_form.hide()
            self.fixed_form.deleteLater()
            self.fixed_form = None
        if declared is not None:
            for param in declared[0]:
                if param.numeric:
                    self.parameter.addItem(param.label or param.name, param.name)
            self.fixed_form = ParamForm(declared[1], prefix=f"{self.PREFIX}fixed_")
            self.fixed_layout.addWidget(self.fixed_form)
        self.parameter.blockSignals(False)
        self.run_button.setEnabled(declared is not None)
        self._parameter_chosen()

    def _param(self):
        declared, name = self._declared(), self.parameter.currentData()
        if declared is None or name is None:
            return None
        return next((p for p in declared[0] if p.name == name), None)

    def _parameter_chosen(self, *_) -> None:
        param = self._param()
        if param is None:
            return
        start, stop, log = suggested_range(param)
        for row, attribute, value in ((2, "start_editor", start), (3, "stop_editor", stop)):
            editor = make_editor(param)
            editor.setObjectName(f"{self.PREFIX}{attribute.split('_')[0]}")
            set_value(editor, param, value if param.kind == "float" else int(round(value)))
            self.range_form.removeRow(row)
            self.range_form.insertRow(row, "From" if row == 2 else "To", editor)
            setattr(self, attribute, editor)
        self.log_scale.setChecked(log)
        self.fixed_box.setVisible(len(self.fixed_form.params) > 1)
        for name, editor in self.fixed_form.editors.items():  # the swept one is set by the range above
            self.fixed_form.layout().setRowVisible(editor, name != param.name)

    # ---------------------------------------------------------------- running

    def plan_points(self):
        """The SweepPoints the controls describe; raises RegcoreError with one line if they are bad."""
        base, axes = self.plan_axis()
        return plan(base, axes, self._seed_list(base))

    def _seed_list(self, base: RunConfig) -> list[int] | None:
        """The seeds of every setting: the training seed and the next ones (None: one seed, the training's)."""
        count = self.seeds.value() if self.SEEDS else 1
        return None if count == 1 else [base.seed + i for i in range(count)]

    def plan_axis(self) -> tuple[RunConfig, list[Axis]]:
        """The base settings and the axis the controls describe (RegcoreError with one line if they are bad)."""
        param = self._param()
        if param is None:
            raise RegcoreError("no regularizer with a numeric parameter is available to sweep")
        if self.data is None:
            raise RegcoreError("no data set yet: load or generate one first")
        values = value_range(param, value_of(self.start_editor, param), value_of(self.stop_editor, param),
                             self.count.value(), self.log_scale.isChecked())
        name = self.regularizer.currentData()
        fixed = {k: v for k, v in self.fixed_form.values().items() if k != param.name}
        regularizers = () if name == OPTIMIZER else ((name, fixed),)
        base = RunConfig(**self.training.fields(), regularizers=regularizers)
        return base, [Axis(name, param.name, values)]

    def _runner(self, base: RunConfig, axes: list[Axis]):
        """What to train: anything with `Sweep`'s ``points``, ``jobs``, ``steps()`` and ``result()``."""
        sweep = Sweep(plan(base, axes, self._seed_list(base)), self.data, self.registry)
        self.layout_of_models = sweep.layout
        return sweep

    @Slot()
    def start(self) -> None:
        if self.worker is not None:
            return
        try:
            sweep = self._runner(*self.plan_axis())
        except RegcoreError as error:
            self._say(f"Cannot start: {error}", error=True)
            return
        points = sweep.points
        self.points, self.results, self.selected = points, {}, None
        self._clear_plots(log=self.log_scale.isChecked())
        self.worker = SweepWorker(sweep, self)
        self.worker.yielded.connect(self._on_progress)
        self.worker.errored.connect(self._on_error)
        self.worker.returned.connect(self._on_done)
        self._error = ""
        self._set_running(True)
        where = f"{sweep.jobs} processes" if sweep.jobs > 1 else "this process"
        self._say(f"Training {len(points)} models in {where}…")
        self.worker.start()

    @Slot()
    def stop(self, wait: bool = False) -> None:
        """Ask the sweep to stop (it finishes the current iteration); with ``wait``, also wait for it."""
        worker = self.worker
        if worker is None:
            return
        worker.stop()
        if wait:
            worker.quit()
            worker.wait()

    def shutdown(self) -> None:
        """Stop any sweep and wait for its thread: call before the view goes away."""
        self.stop(wait=True)
        if self.worker is not None:  # what it sent last is ignored (see _from_current_worker)
            self.worker.deleteLater()
            self.worker = None
            self._set_running(False)

    def _from_current_worker(self) -> bool:
        """Whether the signal being handled comes from the sweep still running, not an abandoned one."""
        return self.worker is not None and self.sender() is self.worker

    @Slot(object)
    def _on_progress(self, progress) -> None:
        if not self._from_current_worker():
            return
        self.progress_bar.setValue(int(progress.fraction * 1000))
        for index, result in progress.finished:
            self.results[index] = result
        if progress.finished:
            self._redraw()
        self._say(f"Trained {len(self.results)} of {len(self.points)} models · {progress.seconds:.1f} s")

    @Slot(str, str)
    def _on_error(self, error: str, _culprit: str) -> None:
        if self._from_current_worker():
            self._error = error

    @Slot(object)
    def _on_done(self, result: SweepResult | None) -> None:
        if not self._from_current_worker():
            return
        error = self._error
        worker, self.worker = self.worker, None
        worker.wait()
        worker.deleteLater()
        self._set_running(False)
        if result is None:
            self._say(f"The sweep failed: {error}", error=True)
            return
        self._show_result(result)

    def _show_result(self, result: SweepResult) -> None:
        """The finished (or cancelled) run: all its results drawn, what happened said, the best selected."""
        self.results = {i: p for i, p in enumerate(result.points) if p is not None}
        self._boundaries = {}
        self._redraw()
        self._sync_morph()
        if result.errors:
            failed = sum(1 for p in self.results.values() if p.error)
            self._say(f"{failed} of {len(self.points)} models failed: {'; '.join(result.errors)}", error=True)
        elif not result.completed:
            self._say(f"Cancelled after {result.seconds:.1f} s; unfinished models show where they stopped.")
        else:
            self.progress_bar.setValue(1000)
            self._say(f"{len(self.points)} models in {result.seconds:.1f} s ({result.jobs} "
                      f"process{'es' if result.jobs > 1 else ''}). ★ marks the best "
                      f"{'mean test accuracy over the seeds' if self._seeded() else 'test accuracy'}; "
                      f"click a point to inspect that model.")
        best = self._best()
        if best and self.selected is None:
            self.select(best[0])

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        if running:
            self.progress_bar.setValue(0)

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(ERROR_STYLE if error else "")

    # ---------------------------------------------------------------- plotting and inspecting

    def _clear_plots(self, log: bool) -> None:
        self._boundaries = {}
        if self.morph is not None:
            self.morph.set_values([], None)
        for curve in (self.train_curve, self.test_curve, self.cost_curve):
            curve.setData([], [])
        for band in self.bands.values():
            band.clear()
        self.settings_table.hide()
        self.best_marker.setData([], [])
        self.selected_marker.setData([], [])
        label = self.parameter.currentText()
        for plot in (self.accuracy_plot, self.cost_plot):
            plot.setLogMode(x=log, y=False)
        self.cost_plot.setLabel("bottom", label)
        self.insides.clear(log, label)
        self._nothing_selected()

    def _nothing_selected(self) -> None:
        """After the plots are cleared: no model chosen, the points drawn again (now if shown, else when shown)."""
        self._points_drawn_for = None  # drawn when the tab is shown: not while loading a large set elsewhere
        if self.isVisible():
            self._draw_points()
        self.use_button.setEnabled(False)
        self.selection_text.setText(self.SELECT_HINT)

    def _draw_points(self) -> None:
        """The data's points on the model plot, once per data set (they cost tens of ms for a large set)."""
        if self.data is not None and self._points_drawn_for is not self.data:
            self.boundary_plot.set_data(self.data)
            self._points_drawn_for = self.data

    def _seeded(self) -> bool:
        """Whether the sweep shown has several seeds per setting."""
        return len({p.config.seed for p in self.points}) > 1

    def _summaries(self) -> list[SettingSummary]:
        """Every setting of a sweep with several seeds, aggregated over its finished models, in plan order."""
        return settings_of(self.points, [self.results.get(i) for i in range(len(self.points))])

    def _series(self):
        """(indices, x, train, test, cost) of the finished, successful points, in parameter order; with several
        seeds, each setting's means (indexed by its first model) where any of its models finished."""
        key = next(iter(self.points[0].params)) if self.points else None
        if self._seeded():
            settings = sorted((s for s in self._summaries() if s.finished), key=lambda s: s.params[key])
            return ([s.indices[0] for s in settings], np.array([s.params[key] for s in settings], dtype=float),
                    *(np.array([getattr(s, f"{name}_mean") for s in settings]) for name in
                      ("train_accuracy", "test_accuracy", "final_cost")))
        shown = sorted((i for i, r in self.results.items() if r.ok), key=lambda i: self.points[i].params[key])
        x = np.array([self.points[i].params[key] for i in shown], dtype=float)
        columns = [np.array([getattr(self.results[i], name) for i in shown]) for name in
                   ("train_accuracy", "test_accuracy", "final_cost")]
        return shown, x, *columns

    def _best(self) -> list[int]:
        """The points starred: the best test accuracy (several seeds: the best settings' first models)."""
        shown, _, _, test, _ = self._series()
        return [shown[i] for i in best_indices(test)]

    def _plotted_test(self, index: int) -> float:
        """Where point ``index`` sits on the accuracy plot: its test accuracy, or its setting's mean."""
        if self._seeded():
            return next(s.test_accuracy_mean for s in self._summaries() if index in s.indices)
        return self.results[index].test_accuracy

    def _redraw(self) -> None:
        shown, x, train, test, cost = self._series()
        self.train_curve.setData(x, train, data=shown)
        self.test_curve.setData(x, test, data=shown)
        self.cost_curve.setData(x, cost, data=shown)
        self.insides.draw(x, [self.results[i] for i in shown])
        best = self._best()
        self.best_marker.setData([self.points[i].params[next(iter(self.points[i].params))] for i in best],
                                 [self._plotted_test(i) for i in best], data=best)
        if self._seeded():
            self._draw_seeds()
        label = self.accuracy_plot.legend.getLabel(self.best_marker)  # the star's entry says what it marks
        if label is not None:
            label.setText(f"best {'mean ' if self._seeded() else ''}test accuracy")
        self._mark_selected()

    def _draw_seeds(self) -> None:
        """The ± one standard deviation bands and the table of the settings (several seeds)."""
        key = next(iter(self.points[0].params))
        summaries = self._summaries()
        drawn = sorted((s for s in summaries if s.finished), key=lambda s: s.params[key])
        x = [s.params[key] for s in drawn]
        for name, band in (("train_accuracy", self.bands["train"]), ("test_accuracy", self.bands["test"]),
                           ("final_cost", self.bands["cost"])):
            band.set(x, [getattr(s, f"{name}_mean") for s in drawn], [getattr(s, f"{name}_std") for s in drawn])
        self.settings_table.show_settings(summaries, list(self.points[0].params), best_setting(summaries))
        self.settings_table.show()

    # ---------------------------------------------------------------- the morph slider

    def _boundary_of(self, index: int) -> boundary.Boundary:
        """Model ``index``'s boundary on the data's grid, computed once per sweep result."""
        if index not in self._boundaries:
            grid = boundary.Grid.over(self.data, boundary.FINAL_GRID)
            self._boundaries[index] = boundary.compute(self.results[index].parameters[None], self.layout_of_models,
                                                       self.data, grid)
        return self._boundaries[index]

    def _morph_to(self, stop: int, fraction: float) -> None:
        """The slider moved: at a stop, select that model; between two, cross-fade their boundaries."""
        shown = self._series()[0]
        if stop >= len(shown):
            return
        if fraction == 0.0 or stop + 1 >= len(shown):
            self.select(shown[stop])
            return
        first, second = shown[stop], shown[stop + 1]
        self._draw_points()
        self.boundary_plot.set_boundary(boundary.blend(self._boundary_of(first), self._boundary_of(second), fraction),
                                        title=False)
        (label, a), = self.points[first].params.items()
        b = next(iter(self.points[second].params.values()))
        self.selection_text.setText(f"Between {label} = {a:g} and {label} = {b:g} ({fraction:.0%} of the way): "
                                    "the two models' P(class 1) cross-faded. Stop on a value to inspect that model.")
        self.boundary_plot.setTitle(f"{self.boundary_plot.base_title}<br>{label} {a:g} → {b:g}")

    def _sync_morph(self) -> None:
        """The slider offers the shown values, and stands on the selected one."""
        if self.morph is None:
            return
        shown = self._series()[0]
        self.morph.set_values([next(iter(self.points[i].params.values())) for i in shown],
                              shown.index(self.selected) if self.selected in shown else None)

    def _clicked(self, _item, spots, *_) -> None:
        if len(spots):
            self.select(int(spots[0].data()))

    def select(self, index: int) -> None:
        """Show point ``index``'s decision boundary and offer its settings."""
        if index not in self.results or not self.results[index].ok:
            return
        self.selected = index
        self._mark_selected()
        self._show_selected()
        self._sync_morph()

    def _mark_selected(self) -> None:
        if self.selected is None or self.selected not in self.results:
            self.selected_marker.setData([], [])
            return
        point = self.points[self.selected]
        self.selected_marker.setData([next(iter(point.params.values()))], [self._plotted_test(self.selected)],
                                     data=[self.selected])

    def _show_selected(self) -> None:
        result = self.results[self.selected]
        grid = boundary.Grid.over(self.data, boundary.FINAL_GRID)
        self._draw_points()
        self.boundary_plot.set_boundary(boundary.compute(result.parameters[None], self.layout_of_models,
                                                         self.data, grid))
        config = result.point.config
        (label, value), = result.point.params.items()
        done = "" if result.completed else f" (stopped at iteration {result.iterations_done:,})"
        over = ""
        if self._seeded():
            s = next(s for s in self._summaries() if self.selected in s.indices)
            over = (f"\nOver its {s.finished} seeds: test {s.test_accuracy_mean:.1%} ± {s.test_accuracy_std:.1%}, "
                    f"train {s.train_accuracy_mean:.1%} ± {s.train_accuracy_std:.1%}, final cost "
                    f"{s.final_cost_mean:.4g} ± {s.final_cost_std:.2g}; shown: seed {config.seed}'s model.")
        self.selection_text.setText(f"{label} = {value:g}{done}: {accuracy_text(result.train_accuracy, result.test_accuracy)}"
                                    f", final cost {result.final_cost:.4g}.\n{config.describe_regularizers()}, "
                                    f"{config.iterations:,} iterations, seed {config.seed}.{over}")
        self.use_button.setEnabled(True)

    @Slot()
    def _use_selected(self) -> None:
        config = self._selected_config()
        if config is not None:
            self.send_to_main.emit(config)

    def _selected_config(self) -> RunConfig | None:
        return None if self.selected is None else self.results[self.selected].point.config

    # ---------------------------------------------------------------- shutting down

    def showEvent(self, event) -> None:
        """Draw the data's points if they changed while hidden; watch the top-level window: when it
        closes, stop the sweep thread first."""
        super().showEvent(event)
        self._draw_points()
        window = self.window()
        if window is not self and window is not self._window_filtered:
            window.installEventFilter(self)
            self._window_filtered = window

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Close and watched is self._window_filtered:
            self.shutdown()
        return super().eventFilter(watched, event)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
