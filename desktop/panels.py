"""The settings column of the window: data, network and training (with the optimizer), regularizers.

Each panel turns its widgets into plain values (a data SOURCE text, `RunConfig` fields, the active
regularizers with their values) and back, so the window can start runs, save settings and apply a
configuration sent from elsewhere. Everything regularizer-, optimizer- or generator-specific comes
from the registry's `Param` declarations through `param_widgets`.

During a run the learning rate, the optimizer's parameters and the regularizers stay editable (the window passes their edits on
to the run: `regstudio.steering`); `set_running` holds every other field, saying why in its tooltip.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QVBoxLayout)

from regcore.config import MAX_ITERATIONS, RunConfig, parse_hidden
from regcore.data import Dataset
from regcore.datasets import looks_like_file
from regcore.params import parse_assignments

from .param_widgets import FloatSpinBox, FormStack, IntSpinBox, RegularizerBox


def format_source(name: str, values: dict[str, Any]) -> str:
    """``moons:n=160,noise=0.3,...``: a SOURCE the CLI's ``--data`` also accepts."""
    return name + (":" + ",".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())
                   if values else "")


GENERATE_TIP = "Make the data set from the generator and parameters above."
FIXED_DURING_RUN = "Fixed while a run goes on: stop it (Esc) to change this. The learning rate, the " \
                   "optimizer's parameters and the regularizers can change mid-run."


def hold_during_run(widgets, running: bool, why: str = FIXED_DURING_RUN) -> None:
    """Disable ``widgets`` while a run goes on, adding ``why`` to each tooltip; restore them after."""
    for widget in widgets:
        tip = widget.property("tip_when_idle")
        if tip is None:
            tip = widget.toolTip()
            widget.setProperty("tip_when_idle", tip)
        widget.setEnabled(not running)
        widget.setToolTip(f"{tip}\n{why}".strip() if running else tip)


class DataPanel(QGroupBox):
    """Pick a generator and its parameters, or a file; show what is loaded and where it came from; hide
    test points. With a file loaded the generator's settings are not what is shown, so the description
    names the file and Generate says that it replaces it."""

    generate = Signal(str)          # a generator SOURCE to load
    open_file = Signal()
    show_test_changed = Signal(bool)

    def __init__(self, registry, parent=None):
        super().__init__("Data", parent)
        self.generator = QComboBox(objectName="generator")
        self.generator.setToolTip("A built-in or plugin data-set generator; its parameters are below.")
        self.forms = FormStack()
        self.file: str | None = None    # the file the data came from; None: from the generator
        self.regenerate = regenerate = QPushButton("Generate", objectName="regenerate")
        regenerate.setToolTip(GENERATE_TIP)
        regenerate.clicked.connect(lambda: self.generate.emit(self.source()))
        from_file = QPushButton("Open file…", objectName="open_data")
        from_file.setToolTip("Load a .mat (course layout), .npz or .csv data set.")
        from_file.clicked.connect(self.open_file)
        self.description = QLabel(wordWrap=True, objectName="data_description")
        self.show_test = QCheckBox("Show test points", checked=True, objectName="show_test")
        self.show_test.setToolTip("Test points are drawn hollow; the network never trains on them.")
        self.show_test.toggled.connect(self.show_test_changed)
        buttons = QHBoxLayout()
        buttons.addWidget(regenerate)
        buttons.addWidget(from_file)
        layout = QVBoxLayout(self)
        layout.addWidget(self.generator)
        layout.addWidget(self.forms)
        layout.addLayout(buttons)
        layout.addWidget(self.description)
        layout.addWidget(self.show_test)
        self.generator.currentIndexChanged.connect(self.forms.setCurrentIndex)
        self.from_file = from_file
        self.set_registry(registry)

    def set_running(self, running: bool) -> None:
        """Other data cannot be loaded under a run (edits on the boundary plot go to the run)."""
        hold_during_run((self.generator, self.forms, self.regenerate, self.from_file), running)

    def set_registry(self, registry) -> None:
        self.registry = registry
        self.forms.refill(self.generator, registry.datasets, "data_", lambda entry: entry.obj.help)

    def source(self) -> str:
        return format_source(self.generator.currentData(), self.forms.currentWidget().values())

    def show_source(self, source: str) -> None:
        """Show where the data come from: a generator SOURCE's name and values go into the widgets; a
        file becomes the current source (named in the description; Generate then replaces it)."""
        self.file = source if looks_like_file(source) else None
        self.regenerate.setText("Generate instead" if self.file else "Generate")
        self.regenerate.setToolTip(f"Replace the data from {self.file} with the generator's above." if self.file
                                   else GENERATE_TIP)
        if self.file:
            return
        name, _, options = source.partition(":")
        index = self.generator.findData(name.strip())
        if index < 0:
            return
        self.generator.setCurrentIndex(index)
        entry = self.registry.dataset(name.strip())
        self.forms.widget(index).set_values(parse_assignments(options, entry.obj.params, name))

    def show_data(self, data: Dataset) -> None:
        origin = f"File: {html.escape(self.file)}<br>" if self.file else ""
        self.description.setText(f"{origin}<b>{html.escape(data.name)}</b><br>{data.X_train.shape[1]} training "
                                 f"points (filled), {data.X_test.shape[1]} test points (hollow)")


class TrainingPanel(QGroupBox):
    """Hidden layer sizes, learning rate, iterations, seed, how often the cost is recorded, and (given
    a registry) the optimizer with its parameters and the batch size.

    Its fields are named ``prefix`` + hidden, learning_rate, iterations, seed, record_every, optimizer,
    batch_size (a view holding a second panel gives it a prefix). They start at the defaults of `RunConfig`.
    """

    optimizer_edited = Signal()  # an optimizer parameter's value was committed (Enter, Tab, arrows)

    def __init__(self, registry=None, parent=None, prefix: str = ""):
        super().__init__("Network and training", parent)
        self.hidden = QLineEdit(objectName="hidden")
        self.hidden.setToolTip("Sizes of the hidden ReLU layers, separated by commas (input 2, output 1).")
        self.learning_rate = FloatSpinBox(objectName="learning_rate")
        self.learning_rate.setRange(1e-6, 1e6)
        self.learning_rate.setToolTip("The optimizer's step size; lower it if a run diverges (Adam: try 0.01).")
        self.iterations = QSpinBox(objectName="iterations")
        self.iterations.setRange(1, min(MAX_ITERATIONS, 2**31 - 1))
        self.iterations.setSingleStep(1000)
        self.iterations.setGroupSeparatorShown(True)
        self.iterations.setToolTip("Iterations: one update each, on the whole training set or one mini-batch.")
        self.seed = IntSpinBox(objectName="seed")
        self.seed.setRange(0, 2**32 - 1)
        self.seed.setToolTip("Seed of the initial weights (3 is the notebook's).")
        self.record_every = QSpinBox(objectName="record_every")
        self.record_every.setRange(1, 1_000_000)
        self.record_every.setToolTip("Record the costs every N iterations; Step runs N iterations.")
        for field in (self.hidden, self.learning_rate, self.iterations, self.seed, self.record_every):
            field.setObjectName(prefix + field.objectName())
        form = QFormLayout(self)
        form.addRow("Hidden layers", self.hidden)
        form.addRow("Learning rate", self.learning_rate)
        form.addRow("Iterations", self.iterations)
        form.addRow("Seed", self.seed)
        form.addRow("Record cost every", self.record_every)
        self.optimizer = QComboBox(objectName="optimizer")
        self.optimizer.setToolTip("How each gradient becomes an update; its parameters are below.")
        self.optimizer_forms = FormStack()
        self.optimizer.currentIndexChanged.connect(self.optimizer_forms.setCurrentIndex)
        self.batch_size = QSpinBox(objectName="batch_size")
        self.batch_size.setRange(0, 1_000_000)
        self.batch_size.setSpecialValueText("whole set")  # 0: no mini-batches, as the notebook
        self.batch_size.setToolTip("Training points per iteration, reshuffled every epoch; 'whole set' is the "
                                   "notebook's full batch.")
        self.prefix = prefix
        for field in (self.optimizer, self.batch_size):
            field.setObjectName(prefix + field.objectName())
        if registry is not None:
            form.addRow("Optimizer", self.optimizer)
            form.addRow(self.optimizer_forms)
            form.addRow("Batch size", self.batch_size)
            self.set_registry(registry)
        self.set_config(RunConfig())
        # mid-run edits go to the run once committed (Enter, Tab, arrows), not at every keystroke
        self.learning_rate.setKeyboardTracking(False)

    def set_running(self, running: bool) -> None:
        """Hold what cannot change mid-run: the network, iterations, seed, recording, optimizer, batches."""
        hold_during_run((self.hidden, self.iterations, self.seed, self.record_every, self.batch_size), running)
        hold_during_run((self.optimizer,), running,
                        "Fixed while a run goes on: stop it (Esc) to change the optimizer; its parameters "
                        "and the learning rate can change mid-run.")

    def set_registry(self, registry) -> None:
        """Offer the optimizers of ``registry``, each with a form from its declared parameters."""
        keep = (self.optimizer.currentData(), self.optimizer_values()) if self.optimizer.count() else None
        forms = self.optimizer_forms.refill(self.optimizer, registry.optimizers, f"{self.prefix}optimizer_",
                                            lambda entry: f"{entry.obj.help}\n({entry.plugin.origin})")
        for form in forms:
            form.change_when_committed()  # mid-run edits go to the run once committed
            form.changed.connect(self.optimizer_edited)
        if keep:
            self._show_optimizer(*keep)

    def fields(self) -> dict[str, Any]:
        """The RunConfig fields this panel holds; raises ParamError for bad hidden sizes."""
        fields = {"hidden": parse_hidden(self.hidden.text()), "learning_rate": self.learning_rate.value(),
                  "iterations": self.iterations.value(), "seed": int(self.seed.value()),
                  "record_every": self.record_every.value()}
        if self.optimizer.count():
            fields.update(optimizer=self.optimizer.currentData(), optimizer_values=self.optimizer_values(),
                          batch_size=self.batch_size.value() or None)
        return fields

    def optimizer_values(self) -> dict[str, Any]:
        """The chosen optimizer's parameter values as its form shows them."""
        return self.optimizer_forms.currentWidget().values()

    def _show_optimizer(self, name: str, values: dict[str, Any]) -> None:
        index = self.optimizer.findData(name)
        if index >= 0:  # an optimizer whose plugin is gone stays as it was
            self.optimizer.setCurrentIndex(index)
            self.optimizer_forms.widget(index).set_values(values)

    def set_config(self, config: RunConfig, keep_record_every: bool = False) -> None:
        """Show ``config``'s fields. ``keep_record_every``: leave "Record cost every" as it is — it changes
        how a run is drawn, not the model, so settings sent from a sweep carry the model and keep the view."""
        self.hidden.setText(",".join(map(str, config.hidden)))
        self.learning_rate.setValue(config.learning_rate)
        self.iterations.setValue(min(config.iterations, self.iterations.maximum()))
        self.seed.setValue(config.seed)
        if not keep_record_every:
            self.record_every.setValue(config.record_every)
        if self.optimizer.count():
            self._show_optimizer(config.optimizer, config.optimizer_values)
            self.batch_size.setValue(config.batch_size or 0)


class RegularizerPanel(QGroupBox):
    """Every registered regularizer, tick to use it; several may be ticked at once. ``changed`` says that
    a box was ticked or a value committed (a spin box's at Enter, Tab or an arrow: not every keystroke)."""

    changed = Signal()

    def __init__(self, registry, parent=None):
        super().__init__("Regularizers", parent)
        self.setToolTip("Tick one or more; hover over a name for what it does.")
        self._layout = QVBoxLayout(self)
        self.boxes: dict[str, RegularizerBox] = {}
        self.set_registry(registry)

    def set_registry(self, registry) -> None:
        keep = self.selected_values()
        for box in self.boxes.values():
            self._layout.removeWidget(box)
            box.deleteLater()
        self.boxes = {}
        for name, entry in registry.regularizers.items():
            box = RegularizerBox(name, entry.obj, entry.plugin.origin)
            box.form.change_when_committed()
            box.toggled.connect(self.changed)
            box.form.changed.connect(self.changed)
            self.boxes[name] = box
            self._layout.addWidget(box)
        self.set_selected(keep)

    def selected_values(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        """(name, values) of every ticked regularizer, in the order they are listed."""
        return tuple((name, box.form.values()) for name, box in self.boxes.items() if box.isChecked())

    def set_selected(self, regularizers) -> None:
        """Tick exactly ``regularizers`` ((name, values) pairs) and set their values; unknown names are skipped."""
        chosen = dict(regularizers)
        for name, box in self.boxes.items():
            box.setChecked(name in chosen)
            if name in chosen:
                box.form.set_values(chosen[name])
