"""The runs table: every finished run as one row, as a Qt model, and the same rows as CSV.

The columns are defined once (`COLUMNS`) so the table on screen and the exported CSV agree.
"""

from __future__ import annotations

import math
import os

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from regcore import files
from regcore.edits import EDITED
from regcore.experiment import RunRecord

from .steering import label


def _accuracy(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.2%}"


def _gap(run: RunRecord) -> float:
    """Train minus test accuracy (a fraction): how much the model fits its training points better than new
    ones. NaN without test points."""
    return float(run.result.train_accuracy[0] - run.result.test_accuracy[0])


def _points(value: float) -> str:
    return "–" if math.isnan(value) else f"{100 * value:.2f} pp"


def _hidden(run: RunRecord) -> str:
    return ",".join(map(str, run.config.hidden))


def _last(run: RunRecord, curve: str) -> float:
    """The value of one of a run's curves for the parameters it kept: at the record early stopping kept
    (restored best), otherwise the last record (the end of what its cost plot shows)."""
    history = run.result.history
    values = history[curve]
    if not len(values):
        return float("nan")
    kept = int(run.result.kept_from[0])
    at = np.flatnonzero(history["iterations"] == kept) if kept >= 0 else ()
    return float(values[at[-1] if len(at) else -1, 0])


def stop_text(result) -> str:
    """Where early stopping stopped the (first) model and which record's parameters it kept; "" if it
    trained to the end."""
    stopped, kept = int(result.stopped_at[0]), int(result.kept_from[0])
    if stopped < 0:
        return ""
    return f"stopped at {stopped:,}, kept {kept:,}" if kept != stopped else f"stopped early at {stopped:,}"


def _status(run: RunRecord) -> str:
    """The run's status, or where early stopping stopped it and what it kept."""
    stopped = stop_text(run.result)
    return stopped if run.status == "finished" and stopped else run.status


def _data_name(run: RunRecord) -> str:
    """The data set's name, and where the data were edited during the run: ``moons (edited at 1,200)``."""
    if not run.data_changes:
        return run.data.name
    name = run.data.name
    before = name.endswith(EDITED)  # edited before the run too: said once
    return f"{name.removesuffix(EDITED)} (edited{' before and' if before else ''} at " \
           f"{', '.join(f'{at:,}' for at, _ in run.data_changes)})"


def _regularizers(run: RunRecord) -> str:
    """The regularizers a run started with, then the settings changed during it, where: the runs table
    showed only the start of a steered run."""
    text = run.config.describe_regularizers()
    if run.config.changes:
        text += " · then " + ", ".join(f"{label(change)} at {change.iteration:,}" for change in run.config.changes)
    return text


def _number(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.4g}"


# (header, text shown for a run, value written to CSV); the CSV column is the header in lower case.
# "Final objective" is what training minimised (penalty and dropout noise included); "Final train
# loss" the clean data loss, as the curves show them.
COLUMNS = (
    ("Data set", _data_name, _data_name),
    ("Regularizers", _regularizers, _regularizers),
    ("Hidden", _hidden, _hidden),
    ("Learning rate", lambda r: f"{r.config.learning_rate:g}", lambda r: repr(r.config.learning_rate)),
    ("Iterations", lambda r: f"{r.result.iterations_done:,}", lambda r: r.result.iterations_done),
    ("Train accuracy", lambda r: _accuracy(r.result.train_accuracy[0]), lambda r: repr(float(r.result.train_accuracy[0]))),
    ("Test accuracy", lambda r: _accuracy(r.result.test_accuracy[0]), lambda r: repr(float(r.result.test_accuracy[0]))),
    ("Train–test gap", lambda r: _points(_gap(r)), lambda r: repr(_gap(r))),
    ("Final objective", lambda r: _number(_last(r, "cost")), lambda r: repr(_last(r, "cost"))),
    ("Final train loss", lambda r: _number(_last(r, "train_loss")), lambda r: repr(_last(r, "train_loss"))),
    ("Time (s)", lambda r: f"{r.result.seconds:.2f}", lambda r: f"{r.result.seconds:.3f}"),
    ("Status", lambda r: _status(r), lambda r: _status(r)),
)
NUMERIC = {"Learning rate", "Iterations", "Train accuracy", "Test accuracy", "Train–test gap", "Final objective",
           "Final train loss", "Time (s)"}
HEADER_TIPS = {"Hidden": "Sizes of the hidden layers", "Train–test gap": "Train accuracy minus test accuracy, "
               "in percentage points: how much better the model does on the points it trained on",
               "Final objective": "The training objective of the parameters the run kept (the last record, or the one "
                                  "early stopping kept): data loss with dropout noise, plus any penalty",
               "Final train loss": "The clean data loss on the training set (no dropout, no penalty) of the parameters "
                                   "the run kept: the last record, or the one early stopping kept"}
CSV_EXTRA = (("seed", lambda r: r.config.seed), ("error", lambda r: r.error),
             ("changes", lambda r: changes_text(r)))


def changes_text(run: RunRecord) -> str:
    """The changes made during ``run`` as ``regcore train`` replays them: ``--change 12300:l2.lambd=0.1 ...``."""
    return " ".join(f"--change {change.describe()}" for change in run.config.changes)


class RunsModel(QAbstractTableModel):
    """A list of `RunRecord`s shown one per row."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.runs: list[RunRecord] = []

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.runs)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        run = self.runs[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[index.column()][1](run)
        if role == Qt.ItemDataRole.ToolTipRole:  # the whole of what a narrow column may elide
            tip = run.error or run.unusable or (f"{run.config.describe_regularizers()} on {run.data.name}, "
                                                f"seed {run.config.seed}")
            changes = changes_text(run)
            tip = f"{tip}\nChanged during the run (replay: regcore train ... {changes})" if changes else tip
            if run.data_changes:
                tip += ("\nThe data were edited during the run, at iteration "
                        f"{', '.join(f'{at:,}' for at, _ in run.data_changes)}: the edited sets are kept with "
                        "the run in experiment files (RunRecord.rebuild replays it)")
            return tip
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[index.column()][0] in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.ToolTipRole and horizontal:
            return HEADER_TIPS.get(COLUMNS[section][0])
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if not horizontal:
            return str(section + 1)
        header = COLUMNS[section][0]
        # numbers are narrower than their names: two-line headers keep the table within 1280 px
        return header.replace(" ", "\n", 1) if header in NUMERIC else header

    def row_of(self, run: RunRecord) -> int:
        """The row showing ``run`` itself. By identity: two runs with the same settings are equal in every
        field, and comparing their arrays with ``==`` raises rather than telling them apart."""
        return next(row for row, shown in enumerate(self.runs) if shown is run)

    def add(self, run: RunRecord) -> int:
        row = len(self.runs)
        self.beginInsertRows(QModelIndex(), row, row)
        self.runs.append(run)
        self.endInsertRows()
        return row

    def replace_all(self, runs: list[RunRecord]) -> None:
        self.beginResetModel()
        self.runs = list(runs)
        self.endResetModel()


def write_csv(runs: list[RunRecord], path: str | os.PathLike) -> None:
    """One header line, then one line per run; numbers at full precision. Atomic, like every save."""
    files.write_csv(path, [header.lower() for header, _, _ in COLUMNS] + [name for name, _ in CSV_EXTRA],
                    [[value(run) for _, _, value in COLUMNS] + [value(run) for _, value in CSV_EXTRA] for run in runs])
