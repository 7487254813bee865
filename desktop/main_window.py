"""RegStudio's main window: settings on the left, run controls on top, Training / Runs / Sweep tabs.

The runs themselves belong to a `RunController`; the window wires its widgets to it and draws what
it reports. Runs end in the runs table whatever way they end (finished, stopped, failed); a failure
is reported in a message box and the status bar and leaves the window as usable as before. The live
plots of the Training tab are the panels listed in `regstudio.live.PANELS`.

During a run the learning rate, the optimizer's parameters and the regularizers can still be edited: each committed edit goes to
the run (`RunController.change`), takes effect at its next iteration and is marked on the plots
where it did; the other settings are held until the run ends. The toolbar paces a run (``speed``,
iterations per second) and says how far Step goes (``step_iterations``). The data can be edited on
the boundary plot (`regstudio.data_editor`), during a run too, and a finished run replayed on the
timeline under the plots (`regstudio.timeline`).
"""

from __future__ import annotations

import importlib
import os

import numpy as np

from PySide6.QtCore import QSettings, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractSpinBox, QCheckBox, QFileDialog, QLabel, QMainWindow, QMessageBox,
                               QProgressBar, QScrollArea, QSpinBox, QSplitter, QTabWidget, QToolBar, QVBoxLayout,
                               QWidget)

from regcore import experiment
from regcore.config import RunConfig, is_course_data, notebook_runs
from regcore.diagnosis import trouble
from regcore.data import Dataset
from regcore.datasets import DEFAULT_SOURCE, resolve_data
from regcore.errors import RegcoreError
from regcore.experiment import Experiment, RunRecord
from regcore.plugins import load_registry

from . import export, gui_thread_gc, presenter, refused_keys, settings, steering
from .comparison import ComparisonView
from .controller import SHUTDOWN_SECONDS, RunController
from .data_editor import DataEditor
from .data_loader import DataLoading
from .double_click import single_press_on_double_click
from .live import make_panels
from .panels import DataPanel, RegularizerPanel, TrainingPanel
from .plots import TimedLayoutWidget, accuracy_text
from .runs_table import stop_text
from .timeline import Timeline
from .worker import Frame

TRY_FOR_PLUGIN = "untick it or change its parameters, then press Start again"


class MainWindow(QMainWindow):
    def __init__(self, registry=None, store: QSettings | None = None, parent=None):
        super().__init__(parent)
        gui_thread_gc.install()  # before any worker thread starts
        self.setWindowTitle("RegStudio")
        self.setObjectName("main_window")
        self.store = store if store is not None else QSettings()
        self.registry = registry or load_registry(disabled=settings.disabled_plugins(self.store))
        self.data: Dataset | None = None
        self.source: str | None = None
        self.message_box: QMessageBox | None = None
        self._build()
        self.refused_keys = refused_keys.watch(self)  # a key a number field refuses says why
        self.loading = DataLoading(self.registry, parent=self)  # files and generators chosen in the window
        self.loading.loaded.connect(self._loaded)
        self.loading.failed.connect(lambda source, error: self.report(
            "Could not load the data", error, "Check the file or the generator's parameters."))
        self.controller = RunController(self.registry, self.panels, self._paint_seconds, parent=self)
        self._wire_controller()
        self._panels_shown()
        self._show_state(self.controller.state)
        self.load_source(DEFAULT_SOURCE)
        settings.restore(self, self.store)  # may replace it with the last session's data

    # ================================================================ building

    def _build(self) -> None:
        self.data_panel = DataPanel(self.registry)
        self.training_panel = TrainingPanel(self.registry)
        self.regularizer_panel = RegularizerPanel(self.registry)
        self.data_panel.generate.connect(self.load_in_background)
        self.data_panel.open_file.connect(self.choose_data_file)
        self.data_panel.show_test_changed.connect(self._show_test)
        column = QWidget()
        column_layout = QVBoxLayout(column)
        for panel in (self.data_panel, self.training_panel, self.regularizer_panel):
            column_layout.addWidget(panel)
        column_layout.addStretch(1)
        scroll = QScrollArea(objectName="settings_column")
        scroll.setWidget(column)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(column.sizeHint().width() + 24)

        self.live = TimedLayoutWidget()
        self.live.setObjectName("live_plots")
        self.live.setBackground("w")
        self.panels = make_panels()
        for column, panel in enumerate(panel for panel in self.panels if not panel.tab):
            self.live.addItem(panel.plot, row=0, col=column)
        by_name = {panel.name: panel for panel in self.panels}
        self.boundary_panel = by_name["boundary"]   # the accuracy label and the runs table use its payload
        self.cost_plot, self.boundary_plot = by_name["cost"].plot, self.boundary_panel.plot
        self.log_scale = QCheckBox("Log scale for the cost", objectName="log_scale")
        self.log_scale.toggled.connect(self.cost_plot.set_log)
        self.accuracy_label = QLabel("Press Start (Space) to train.", objectName="accuracy")
        training_tab = QWidget()
        tab_layout = QVBoxLayout(training_tab)
        tab_layout.addWidget(self.live, 1)
        self.timeline = Timeline()
        self.timeline.scrubbed.connect(self._show_snapshot)
        self.timeline.released.connect(lambda: self._show_snapshot(None))
        tab_layout.addWidget(self.timeline)
        options = QToolBar(objectName="training_options")
        options.addWidget(self.log_scale)
        options.addSeparator()
        self.editor = DataEditor(self.live, self.boundary_plot, lambda: self.data, parent=self)
        self.editor.edited.connect(self.edit_data)
        self.editor.refused.connect(lambda why: self.statusBar().showMessage(f"Not edited: {why}", 8000))
        for widget in self.editor.widgets():
            options.addWidget(widget)
        options.addSeparator()
        options.addWidget(self.accuracy_label)
        tab_layout.addWidget(options)

        self.comparison = ComparisonView()
        self.tabs = QTabWidget(objectName="tabs")
        self.tabs.addTab(training_tab, "Training")
        self.tabs.addTab(self.comparison, "Runs and comparison")
        self.sweep_view = self._optional_tab("regstudio.sweep_view:SweepView", "Sweep")
        self.biasvar_view = self._optional_tab("regstudio.biasvar_view:BiasVarianceView", "Bias–variance")
        self._add_panel_tabs()

        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, objectName="main_splitter")
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(1, 1)
        central_layout.addWidget(self.splitter)
        self.setCentralWidget(central)
        self._build_actions()
        self.resize(1400, 860)

    def _add_panel_tabs(self) -> None:
        """The live panels with a tab of their own (the network, the weights); when no run is going they
        show the run selected in the runs table."""
        for panel in self.panels:
            if panel.tab:
                self.tabs.addTab(panel.plot, panel.tab)
        if hasattr(self.panels_by_name().get("weights"), "plot"):
            self.panels_by_name()["weights"].plot.link_x(self.cost_plot)  # the cost's iterations and zoom
        self.comparison.selection_changed.connect(self._show_selected_run)
        self.tabs.currentChanged.connect(self._panels_shown)

    @Slot()
    def _panels_shown(self, *_) -> None:
        """Tell the runs which tab panels are off screen (in a tab not shown): nothing is computed for them."""
        if hasattr(self, "controller"):
            self.controller.set_hidden(panel.name for panel in self.panels if panel.tab
                                       and self.tabs.indexOf(panel.plot) >= 0 and self.tabs.currentWidget() is not panel.plot)

    def _paint_seconds(self) -> float:
        """How long the last repaint of the live plots took: the Training tab's and the tab panels' shown."""
        return self.live.paint_seconds + sum(getattr(panel.plot, "paint_seconds", 0.0) for panel in self.panels
                                             if panel.tab)

    def panels_by_name(self) -> dict:
        return {panel.name: panel for panel in self.panels}

    @Slot(list)
    def _show_selected_run(self, runs: list) -> None:
        if runs and hasattr(self, "controller") and self.controller.idle and np.isfinite(runs[0].result.parameters).all():
            for panel in self.panels:
                panel.show_run(runs[0])
            if len(runs) > 1 and any(panel.tab for panel in self.panels):
                number = next((i + 1 for i, run in enumerate(self.comparison.model.runs) if run is runs[0]), None)
                self.statusBar().showMessage(f"The Network and Weights tabs show run #{number}, the first of the "
                                             f"{len(runs)} selected (the Runs tab overlays them all).")

    def _optional_tab(self, dotted: str, title: str):
        """A tab's view (``dotted``: ``module:class``, as `regstudio.live.PANELS` names panels) if it is
        there and starts; otherwise a note saying why, and the rest works."""
        module, _, name = dotted.partition(":")
        try:
            view = getattr(importlib.import_module(module), name)(self.registry)
            view.send_to_main.connect(self.apply_config)
        except ImportError:
            note = f"The {title} view is not installed in this build."
        except Exception as error:  # noqa: BLE001 - a broken tab must not stop the window opening
            note = f"The {title} view failed to start: {type(error).__name__}: {error}"
        else:
            self.tabs.addTab(view, title)
            return view
        label = QLabel(note, alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.tabs.addTab(label, title)
        return None

    def sweep_views(self) -> list:
        """The tabs that train many models (the Sweep and Bias–variance tabs) that started."""
        return [view for view in (self.sweep_view, self.biasvar_view) if view is not None]

    def _action(self, name, text, slot, shortcut=None, tip="", menu=None, toolbar=None) -> QAction:
        """An action named ``name`` (its stable objectName) in ``menu`` and/or ``toolbar``."""
        action = QAction(text, self, objectName=name)
        action.triggered.connect(slot)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            tip = f"{tip} ({QKeySequence(shortcut).toString()})" if tip else ""
        action.setToolTip(tip or text)
        action.setStatusTip(tip)
        for place in (menu, toolbar):
            if place is not None:
                place.addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = QToolBar("Run controls", objectName="run_controls")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(bar)
        files = self.menuBar().addMenu("&File")
        run = self.menuBar().addMenu("&Run")
        for menu, name in ((files, "file_menu"), (run, "run_menu")):
            menu.setObjectName(name)
            menu.menuAction().setObjectName(name)
        self.start_action = self._action("start_action", "Start", self.start_or_pause, "Space",
                                         "Start training, or pause / resume it", run, bar)
        single_press_on_double_click(bar.widgetForAction(self.start_action))  # not Start, then Pause at once
        self.step_action = self._action("step_action", "Step", self.step, "S",
                                        "Train the iterations set beside it (or to the end of the recording interval), then pause",
                                        run, bar)
        self.stop_action = self._action("stop_action", "Stop", self.stop, "Esc",
                                        "End the run here; it goes into the runs table", run, bar)
        self.step_iterations = self._toolbar_spin_box(
            "step_iterations", "interval", " it", 10_000_000,
            "How many iterations Step trains; 'interval': to the end of the recording interval")
        bar.insertWidget(self.stop_action, self.step_iterations)  # beside Step
        self.reset_action = self._action("reset_action", "Reset", self.reset, "Ctrl+R",
                                         "Stop and clear the live plots", run, bar)
        self.speed = self._toolbar_spin_box(
            "speed", "full speed", " it/s", 1_000_000,
            "Slow motion: iterations per second, so a run can be watched (30,000 iterations at 1,000 it/s "
            "take 30 s); 'full speed' trains as fast as it can")
        self.speed.valueChanged.connect(self.controller_speed)
        bar.addWidget(QLabel(" Speed ", objectName="speed_label"))
        bar.addWidget(self.speed)
        run.addSeparator()
        bar.addSeparator()
        self.notebook_action = self._action(
            "notebook_action", "Reproduce the notebook's comparison", self.notebook_comparison, "Ctrl+N",
            "Train with none, L2 (lambd 0.7) and dropout (keep_prob 0.86) on the loaded data: the course's "
            "fixed dropout masks on the course's data, fresh masks on any other",
            run, bar)
        self.progress = QProgressBar(objectName="progress")
        self.progress.setMaximumWidth(260)
        self.progress.setFormat("%p%")
        self.rate_label = QLabel(objectName="rate")
        bar.addSeparator()
        bar.addWidget(self.progress)
        bar.addWidget(self.rate_label)

        self._action("open_data_action", "Open data file…", self.choose_data_file, "Ctrl+O",
                     "Load a .mat, .npz or .csv data set", files)
        self._action("save_data_action", "Save data as CSV…", self.save_data_as, None,
                     "Save the data set shown (edited or not) as CSV: x1,x2,label,split", files)
        files.addSeparator()
        self._action("open_experiment_action", "Open experiment…", self.choose_experiment, "Ctrl+Shift+O",
                     "Open a saved experiment: settings, data and runs", files)
        self._action("save_experiment_action", "Save experiment…", self.save_experiment_as, "Ctrl+S",
                     "Save settings, data and every run (curves and weights)", files)
        files.addSeparator()
        self._action("export_plots_action", "Export plots as PNG…", self.export_plots, "Ctrl+E",
                     "Save the current tab's plots as an image", files)
        self._action("export_runs_action", "Export runs table as CSV…", self.export_runs, None,
                     "Save the runs table as CSV", files)
        files.addSeparator()
        self._action("plugins_action", "Plugins…", self.show_plugins, None, "Enable or disable plugins", files)
        files.addSeparator()
        self._action("quit_action", "Quit", self.close, "Ctrl+Q", "", files)
        self.presenter_action = presenter.presenter_action(self)
        view = self.menuBar().addMenu("&View")
        view.setObjectName("view_menu")
        view.menuAction().setObjectName("view_menu")
        view.addAction(self.presenter_action)

    @staticmethod
    def _toolbar_spin_box(name: str, zero: str, suffix: str, top: int, tip: str) -> QSpinBox:
        """A whole-number field for the run controls: 0 shows as ``zero``; a value counts once committed."""
        box = QSpinBox(objectName=name, minimum=0, maximum=top, suffix=suffix, specialValueText=zero)
        box.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        box.setKeyboardTracking(False)
        box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab and Space stay with the window (Space: start)
        box.setToolTip(tip)
        return box

    def controller_speed(self, iterations_per_second: int) -> None:
        """Pace the run going on, and the next ones (0: full speed)."""
        if hasattr(self, "controller"):
            self.controller.set_speed(iterations_per_second)

    # ================================================================ data

    @Slot(str)
    def load_source(self, source: str, quiet: bool = False, strict: bool = False) -> bool:
        """Load a generator SOURCE or file path now, on this thread; on failure say why (``quiet``: in the
        status bar only; ``strict``: raise the RegcoreError instead) and keep the current data."""
        try:
            data = resolve_data(source, self.registry)
        except RegcoreError as error:
            if strict:
                raise
            if quiet:
                self.statusBar().showMessage(f"Could not load the last session's data: {error}", 15000)
            else:
                self.report("Could not load the data", str(error), "Check the file or the generator's parameters.")
            return False
        self.source = source
        self.data_panel.show_source(source)
        self.set_data(data)
        return True

    def set_data(self, data: Dataset) -> None:
        self.loading.cancel()  # this data set wins over one still loading
        if not self.controller.idle:
            self.stop(wait=True)
        self.data = data
        self.timeline.clear()
        self.data_panel.show_data(data)
        for panel in self.panels:
            panel.show_data(data)
        self.controller.clear()
        self.progress.setValue(0)
        self.rate_label.clear()
        self.accuracy_label.setText("Press Start (Space) to train.")
        for view in self.sweep_views():
            view.set_data(data)
        self.statusBar().showMessage(f"Loaded {data.name}", 5000)

    @Slot(object, str)
    def edit_data(self, data: Dataset, what: str = "data edited") -> bool:
        """``data``, an edit of the data shown, becomes the data: the next run's, and during a run the
        run's from its next iteration on (from its current weights). False, saying why, if the run
        cannot take it."""
        self.loading.cancel()  # an edit made after asking for another data set wins over it
        if not self.controller.idle:
            try:
                self.controller.change_data(data, what)
            except RegcoreError as error:
                self.report("Could not change the run's data", str(error), "The run goes on with the data it had.")
                return False
        else:
            self.timeline.clear()  # the last run was trained on the data before the edit: no replay of it on these
        self.data = data
        self.data_panel.show_data(data)
        self.boundary_plot.show_edited(data)
        for view in self.sweep_views():
            view.set_data(data)
        self.statusBar().showMessage(f"{what}: {data.X_train.shape[1]} training, {data.X_test.shape[1]} test points",
                                     5000)
        return True

    @Slot(int, str)
    def _mark_data_change(self, iteration: int, what: str) -> None:
        for panel in self.panels:
            panel.mark(iteration, "data edited")
        self.statusBar().showMessage(f"From iteration {iteration:,} the run trains on the edited data ({what})", 8000)

    def save_data_as(self) -> None:
        name = self.data.name.replace(" (edited)", "-edited") if self.data is not None else "data"
        path, _ = QFileDialog.getSaveFileName(self, "Save the data as CSV", f"{name}.csv", "CSV files (*.csv)")
        if path:
            self.save_data(path if os.path.splitext(path)[1] else path + ".csv")  # a name without one gets .csv

    def save_data(self, path: str) -> bool:
        """Write the data shown as CSV (the layout `regcore.data` reads back), replacing ``path`` atomically.
        A name ending in another suffix is refused: a .npz holding CSV text could not be opened again."""
        from regcore.data import save_csv

        if self.data is None:
            return False
        if os.path.splitext(path)[1].lower() != ".csv":
            self.report("Could not save", f"{path}: the data are saved as CSV, so the name must end in .csv",
                        "Choose a name ending in .csv.")
            return False
        return self._saving(path, lambda: save_csv(self.data, path))

    @Slot(object)
    def _show_snapshot(self, snapshot) -> None:
        """The timeline moved (a Snapshot), or let go (None): every live panel shows that moment."""
        for panel in self.panels:
            panel.show_snapshot(snapshot)
        shown = self.boundary_plot.boundary
        if snapshot is not None and shown is not None:
            self.accuracy_label.setText(f"at {snapshot.iteration:,}: "
                                        f"{accuracy_text(shown.train_accuracy, shown.test_accuracy)}")

    def choose_data_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a data set", "", "Data sets (*.mat *.npz *.csv)")
        if path:
            self.load_in_background(path)

    def load_in_background(self, source: str) -> None:
        """Load SOURCE off the GUI thread (the window stays usable; a later request replaces this one);
        it is shown when it is ready (`_loaded`)."""
        self.loading.load(source)
        going = "" if self.controller.idle else "; the run going on continues until then"
        self.statusBar().showMessage(f"Loading {source}…{going}")

    @Slot(str, object)
    def _loaded(self, source: str, data: Dataset) -> None:
        """A background load is ready: it becomes the data set (a run going on is stopped, into the table)."""
        running = not self.controller.idle
        self.source = source
        self.data_panel.show_source(source)
        self.set_data(data)
        if running:
            self.statusBar().showMessage(f"Loaded {data.name}; the run on the previous data was stopped and is in "
                                         "the Runs and comparison tab.", 10000)

    def _show_test(self, show: bool) -> None:
        self.boundary_plot.set_show_test(show)

    # ================================================================ configuration

    def config(self) -> RunConfig:
        """The run the settings column describes; raises RegcoreError for impossible settings."""
        return RunConfig(**self.training_panel.fields(), regularizers=self.regularizer_panel.selected_values(),
                         data=self.source)

    @Slot(object)
    def apply_config(self, config: RunConfig) -> None:
        """Show ``config`` in the settings column (from the sweep view); the user's "Record cost every" stays."""
        self.training_panel.set_config(config, keep_record_every=True)
        self.regularizer_panel.set_selected(config.regularizers)
        if config.data is not None and config.data != self.source:
            self.load_source(config.data)
        self.tabs.setCurrentIndex(0)
        self.statusBar().showMessage(f"Settings applied: {config.describe_regularizers()}", 5000)

    # ================================================================ running

    def _wire_controller(self) -> None:
        runs = self.controller
        runs.state_changed.connect(self._show_state)
        runs.started.connect(self._run_started)
        runs.frame.connect(self._draw_frame)
        runs.finished.connect(self._run_finished)
        runs.failed.connect(self._run_failed)
        runs.could_not_start.connect(
            lambda error: self.report("Could not start", error, "Change the setting it names and press Start again."))
        runs.comparison_finished.connect(self._show_notebook_table)
        runs.not_responding.connect(lambda why: None if self.controller.closing else self.report(
            "The run is not responding", why[0].upper() + why[1:] + ".",
            "Untick that regularizer, or disable its plugin, before the next run."))
        runs.changed.connect(self._mark_change)
        runs.data_changed.connect(self._mark_data_change)
        self.training_panel.learning_rate.valueChanged.connect(self._settings_edited)
        self.regularizer_panel.changed.connect(self._settings_edited)
        self.training_panel.optimizer_edited.connect(self._settings_edited)
        runs.set_speed(self.speed.value())

    @Slot(str)
    def _show_state(self, state: str) -> None:
        """idle | running | paused: which controls make sense."""
        self.start_action.setText({"idle": "Start", "running": "Pause", "paused": "Resume"}[state])
        self.stop_action.setEnabled(state != "idle")
        self.notebook_action.setEnabled(state == "idle")
        self.training_panel.set_running(state != "idle")
        self.data_panel.set_running(state != "idle")
        if state == "paused":
            self.statusBar().showMessage("Paused: Space resumes, S steps, Esc stops.")
        elif state == "running" and self.statusBar().currentMessage().startswith("Paused"):
            self.statusBar().showMessage("Training again: Space pauses, Esc stops.")  # not "Paused" any more

    def start_or_pause(self) -> None:
        if self.controller.idle:
            self.start()
        else:
            self.controller.pause_or_resume()

    def start(self, config: RunConfig | None = None, paused: bool = False, step: int | None = None) -> bool:
        """Start a run of ``config`` (default: the settings column). False, with a message, if it cannot."""
        if not self.controller.idle or self.data is None:
            return False
        try:
            config = config or self.config()
        except RegcoreError as error:
            self.report("Could not start", str(error), "Change the setting it names and press Start again.")
            return False
        return self.controller.start(config, self.data, paused, step)

    def step(self) -> None:
        if self.controller.idle:  # a new run, that pauses after the step
            self.start(paused=True, step=self.step_iterations.value())
        else:
            self.controller.step(self.step_iterations.value())

    @Slot()
    def _settings_edited(self) -> None:
        """An edit of the learning rate or the regularizers during a run goes to the run."""
        if self.controller.idle:
            return
        try:
            self.controller.change(self.training_panel.learning_rate.value(),
                                   self.regularizer_panel.selected_values(), self.training_panel.optimizer_values())
        except RegcoreError as error:
            self.report("Could not change the run", str(error), "The run goes on with the settings it had.")

    @Slot(object)
    def _mark_change(self, change) -> None:
        """A change has taken effect in the run: mark it on the plots and say so."""
        text = steering.label(change)
        for panel in self.panels:
            panel.mark(change.iteration, text)
        self.statusBar().showMessage(f"From iteration {change.iteration:,}: {change.describe().partition(':')[2]}",
                                     8000)

    def stop(self, wait: bool = False) -> None:
        """Ask the run to end (it still goes into the table); ``wait`` blocks until it has (a few
        seconds at most: a run stuck in a plugin's code says so instead)."""
        self.controller.stop(wait, timeout=SHUTDOWN_SECONDS if wait else None)

    def reset(self) -> None:
        self.stop(wait=True)
        for view in self.sweep_views():  # Reset stops everything that trains, the sweeps too
            view.stop(wait=True)
        if self.data is not None:
            self.set_data(self.data)

    @Slot(object, object)
    def _run_started(self, config: RunConfig, training) -> None:
        self.timeline.clear()
        for panel in self.panels:
            panel.start(training)
            for change in config.changes:  # a run started with a schedule (regstudio --change) shows it
                panel.mark(change.iteration, steering.label(change))
        self.progress.setValue(0)
        self.rate_label.clear()
        self.statusBar().showMessage(f"Training {config.describe_regularizers()} on {self.data.name}…")

    @Slot(object)
    def _draw_frame(self, frame: Frame) -> None:
        for panel in self.panels:
            if frame.payloads.get(panel.name) is not None:
                panel.draw(frame.payloads[panel.name], frame)
        self.progress.setValue(int(1000 * frame.iteration / frame.iterations) // 10)
        self.rate_label.setText(self._rate_text(frame, speed=self.controller.speed))
        boundary = frame.payloads.get(self.boundary_panel.name)
        if boundary is not None:
            self.accuracy_label.setText(accuracy_text(boundary.train_accuracy, boundary.test_accuracy))

    @staticmethod
    def _rate_text(frame: Frame, ended: str = "", speed: float = 0.0) -> str:
        """Iterations done, speed, and the time left, or how the run ended (``ended``: stopped, failed).
        ``speed``: the slow-motion pace, if one is set (the run goes no faster than that)."""
        rate = frame.iteration / frame.seconds if frame.seconds > 0 else 0.0
        if speed and (not rate or speed < rate):
            rate = speed
        text = f" {frame.iteration:,} / {frame.iterations:,} iterations · {rate:,.0f}/s"
        if ended:
            return f"{text} · {ended}"
        if frame.iteration < frame.iterations and rate:
            left = (frame.iterations - frame.iteration) / rate
            text += f" · {left:.0f} s left" if left >= 1 else " · <1 s left"  # never "0 s left" before the end
        return text

    @Slot(object)
    def _run_finished(self, run: RunRecord) -> None:
        frame = self.controller.last_frame
        final = frame.payloads.get(self.boundary_panel.name) if frame is not None and frame.final else None
        self.comparison.add_run(run, final)
        if run.error:
            return  # `failed` follows, with the message
        result = run.result
        early = stop_text(result)  # early stopping ended it: it is done, with the parameters it kept
        if early:
            self.progress.setValue(100)
        if frame is not None and (early or not result.completed):
            self.rate_label.setText(self._rate_text(frame, early or "stopped"))
        if self.controller.in_series:
            return  # the next run, or the comparison's table, follows
        self.timeline.show_run(run)
        state = ("finished" if result.completed else "stopped") + (f" (early stopping: {early})" if early else "")
        changed = [change.iteration for change in run.config.changes] + [i for i, _ in run.data_changes]
        problem = trouble(result.history, until=min(changed, default=None))
        if problem is not None:  # it did not learn, though nothing failed: say so, or it looks like any run
            self.report(f"The run {state} but did not learn", problem.message[0].upper() + problem.message[1:] + ".",
                        f"It ended at {accuracy_text(result.train_accuracy[0], result.test_accuracy[0])}; "
                        "it is in the Runs and comparison tab.")
            return
        self.statusBar().showMessage(f"Run {state}: {accuracy_text(result.train_accuracy[0], result.test_accuracy[0])}"
                                     f" in {result.seconds:.1f} s; it is in the Runs and comparison tab.", 10000)

    @Slot(str, str)
    def _run_failed(self, error: str, culprit: str) -> None:
        if self.controller.last_frame is not None:
            self.rate_label.setText(self._rate_text(self.controller.last_frame, "failed"))
        hint = TRY_FOR_PLUGIN if culprit else "lower the learning rate or change the settings"
        self.report("The run stopped", error, f"To go on: {hint}.")

    # ================================================================ the notebook's comparison

    def notebook_comparison(self) -> bool:
        """Run none / L2 / dropout with the current network settings on the loaded data, then show the table."""
        if not self.controller.idle:
            return False
        try:
            base = self.config()
        except RegcoreError as error:
            self.report("Could not start", str(error), "Change the setting it names and try again.")
            return False
        # the course's fixed dropout masks only on the course's own data; fresh masks elsewhere
        configs = [RunConfig(**{**base.__dict__, "regularizers": regs}) for _, regs in notebook_runs(self.data)]
        return self.controller.start_comparison(configs, self.data)

    @Slot(list)
    def _show_notebook_table(self, runs: list[RunRecord]) -> None:
        self.tabs.setCurrentWidget(self.comparison)
        self.statusBar().showMessage("The notebook's comparison is done: its three runs are selected below.", 15000)
        self.comparison.select_rows(row for row, run in enumerate(self.comparison.model.runs)
                                    if any(run is mine for mine in runs))
        lines = "".join(f"<tr><td>{run.config.describe_regularizers()}</td><td align=right>{run.result.train_accuracy[0]:.4f}"
                        f"</td><td align=right>{run.result.test_accuracy[0]:.4f}</td></tr>"
                        for run in runs)
        masks = ("the course's fixed dropout masks" if is_course_data(self.data)
                 else "fresh dropout masks (the course's fixed masks belong to the course's data only)")
        self.show_message("The notebook's comparison", f"The notebook's table, on {self.data.name}, with {masks}:",
                          "<table cellspacing=6><tr><th align=left>model</th><th>train accuracy</th>"
                          f"<th>test accuracy</th></tr>{lines}</table>", QMessageBox.Icon.Information)

    # ================================================================ files

    def choose_experiment(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open an experiment", "",
                                              f"RegStudio experiments (*{experiment.SUFFIX})")
        if path:
            self.open_experiment(path)

    def open_experiment(self, path: str) -> bool:
        try:
            opened = experiment.load(path, self.registry)  # runs this registry cannot rerun are marked
        except RegcoreError as error:
            self.report("Could not open the experiment", str(error), "Nothing was changed.")
            return False
        self.stop(wait=True)
        if opened.settings is not None:
            self.training_panel.set_config(opened.settings)
            self.regularizer_panel.set_selected(opened.settings.regularizers)
            self.source = opened.settings.data
            if self.source is not None:
                self.data_panel.show_source(self.source)
        if opened.data is not None:
            self.set_data(opened.data)
        self.comparison.set_runs(opened.runs)
        if opened.lab is not None and self.biasvar_view is not None:
            self.biasvar_view.restore(opened.lab)
        replayable = [run for run in opened.runs if run.snapshots is not None and not run.unusable]
        if replayable:  # the timeline offers the last run that kept its snapshots
            self.timeline.show_run(replayable[-1])
        unusable = sum(1 for run in opened.runs if run.unusable)
        remarks = list(opened.notes)
        if unusable:
            remarks.append(f"{unusable} run(s) are marked unusable: their regularizers are not available here or "
                           "refuse their values; hover over their row for the reason.")
        if remarks:  # it opened, but not all of it can be used here: say what and why
            self.show_message("Opened, with remarks", f"Opened {path}: {len(opened.runs)} runs.", " ".join(remarks),
                              QMessageBox.Icon.Information)
        self.statusBar().showMessage(f"Opened {path}: {len(opened.runs)} runs", 8000)
        return True

    def save_experiment_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the experiment", f"experiment{experiment.SUFFIX}",
                                              f"RegStudio experiments (*{experiment.SUFFIX})")
        if path:
            self.save_experiment(path)

    def save_experiment(self, path: str) -> bool:
        try:
            settings_now = self.config()
        except RegcoreError:
            settings_now = None  # an unfinished edit in the settings column must not block saving the runs
        lab = self.biasvar_view.saved() if self.biasvar_view is not None else None
        return self._saving(path, lambda: experiment.save(
            Experiment(settings_now, self.data, list(self.comparison.model.runs), lab=lab), path))

    def export_plots(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export plots", "plots.png", "PNG images (*.png)")
        if path:
            self.export_png(path)

    def export_png(self, path: str) -> bool:
        current = self.tabs.currentWidget()
        if current is self.comparison:
            widget = self.comparison.plots
        elif current in self.sweep_views():
            widget = getattr(current, "export_widget", current.plots)  # the curves (the lab's: and heatmaps)
        else:
            widget = self.live
        return self._saving(path, lambda: export.png(widget, path))

    def export_runs(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the runs table", "runs.csv", "CSV files (*.csv)")
        if path:
            self.export_csv(path)

    def export_csv(self, path: str) -> bool:
        from .runs_table import write_csv

        return self._saving(path, lambda: write_csv(self.comparison.model.runs, path))

    def _saving(self, path: str, save) -> bool:
        try:
            save()
        except RegcoreError as error:
            self.report("Could not save", str(error), "Choose another folder or file name.")
            return False
        self.statusBar().showMessage(f"Saved {path}", 8000)
        return True

    # ================================================================ plugins

    def show_plugins(self) -> None:
        try:
            from .plugins_dialog import PluginsDialog
        except ImportError:
            self.report("Plugins", "The plugins dialog is not installed in this build.",
                        "Use REGCORE_LOAD_PLUGINS to choose plugins, or run `regcore plugins` to list them.")
            return
        dialog = PluginsDialog(self.registry, settings.disabled_plugins(self.store), self)
        if dialog.exec():
            self.reload_plugins(dialog.disabled())

    def reload_plugins(self, disabled: set[str]) -> None:
        self.stop(wait=True)
        settings.set_disabled_plugins(self.store, disabled)
        self.registry = load_registry(disabled=disabled)
        self.controller.registry = self.loading.registry = self.registry
        self.regularizer_panel.set_registry(self.registry)
        self.training_panel.set_registry(self.registry)
        self.data_panel.set_registry(self.registry)
        for view in self.sweep_views():
            if hasattr(view, "set_registry"):
                view.set_registry(self.registry)
        self.statusBar().showMessage(f"Plugins reloaded: {len(self.registry.regularizers)} regularizers", 8000)

    # ================================================================ messages and closing

    def report(self, title: str, what: str, next_step: str) -> None:
        """A problem: a warning box (not blocking) and the status bar, saying what happened and what to try."""
        self.statusBar().showMessage(f"{title}: {what}", 15000)
        self.show_message(title, what, next_step, QMessageBox.Icon.Warning)

    def show_message(self, title: str, text: str, informative: str, icon) -> None:
        if self.message_box is not None:
            self.message_box.close()
        self.message_box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        self.message_box.setInformativeText(informative)
        self.message_box.setWindowModality(Qt.WindowModality.WindowModal)
        self.message_box.open()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.tabs.setFocus()  # not a spin box, which would swallow Space (start/pause) as typing

    def closeEvent(self, event) -> None:
        """Stop training cleanly (ask, then wait; never terminate), remember the layout, then close."""
        self.controller.shutdown()
        self.loading.shutdown()
        for view in self.sweep_views():
            if hasattr(view, "shutdown"):
                view.shutdown()  # its thread too, even if its tab was never shown
        settings.save(self, self.store)
        if self.message_box is not None:
            self.message_box.close()
        super().closeEvent(event)
