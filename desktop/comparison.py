"""The Runs tab: the runs table, and for the selected runs their cost curves overlaid, their
decision boundaries side by side, on linked axes where they share a data set, and their weight
histograms, norms and train–test gaps overlaid (`regstudio.weights_view`).

Runs are told apart by identity, never by equality: two runs of the same settings on the same data
are equal field by field (and comparing their arrays raises).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QSplitter, QTableView, QTabWidget,
                               QVBoxLayout, QWidget)

from regcore import boundary
from regcore.data import Dataset
from regcore.experiment import RunRecord

from .plots import BoundaryPlot, CostPlot, run_colour
from .steering import label
from .runs_table import COLUMNS, RunsModel
from .weights_view import WeightsView, series_of

PLOTS_PER_ROW = 4
# the columns that share what the others leave (elided, the whole text in the tooltip): long names
ELIDED_COLUMNS = [[header for header, _, _ in COLUMNS].index(name) for name in ("Data set", "Regularizers")]


def same_data(a: Dataset, b: Dataset) -> bool:
    """Whether two runs were trained on the same points (the same object, or the same name and arrays)."""
    return a is b or (a.name == b.name and all(np.array_equal(getattr(a, part), getattr(b, part))
                                               for part in ("X_train", "Y_train", "X_test", "Y_test")))


def marks(run: RunRecord) -> list[tuple[int, str]]:
    """(iteration, short label) of each change made during ``run``, for its curves' markers."""
    return sorted([(change.iteration, label(change)) for change in run.config.changes]
                  + [(iteration, "data edited") for iteration, _ in run.data_changes])


class ComparisonView(QWidget):
    """Select runs in the table (Ctrl/Shift-click for several) to compare them below."""

    selection_changed = Signal(list)    # the selected RunRecords

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = RunsModel(self)
        self.table = QTableView(objectName="runs_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # Every column as wide as its contents except the data set's and the regularizers', which share the
        # rest (elided, the whole text in the tooltip): so Status and Time stay in view at 1280 px.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in ELIDED_COLUMNS:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.hint = QLabel("Every run, finished, stopped or failed. Select rows (Ctrl/Shift-click) to overlay "
                           "their costs and see their boundaries; a red \u00d7 marks a misclassified point.",
                           wordWrap=True)
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setObjectName("comparison_plots")
        self.plots.setBackground("w")
        self.cost = CostPlot()
        self.cost.setObjectName("comparison_cost_plot")
        self.cost.setTitle("Cost of the selected runs — bold: training cost, pale: test cost")
        self._boundaries: dict[int, boundary.Boundary] = {}   # id(run) -> its boundary, computed once
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.hint)
        top_layout.addWidget(self.table)
        # the selected runs' weight histograms, norms and train–test gaps, overlaid on shared axes: a view
        # of its own beside the costs and boundaries (under them, at 1280 x 800, each was too low to read)
        self.weights = WeightsView(prefix="comparison_")
        self.weights.link_x(self.cost)
        self.views = QTabWidget(objectName="comparison_views")
        self.views.addTab(self.plots, "Costs and boundaries")
        self.views.addTab(self.weights, "Weights, norms and gaps")
        splitter = QSplitter(Qt.Orientation.Vertical, objectName="runs_splitter")
        splitter.addWidget(top)
        splitter.addWidget(self.views)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([230, 570])  # by these proportions: the table's hint took half the height in large type
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.show_runs([])

    def add_run(self, run: RunRecord, final: boundary.Boundary | None = None) -> int:
        if final is not None:
            self._boundaries[id(run)] = final
        return self.model.add(run)

    def select_rows(self, rows) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        for row in rows:
            selection.select(self.model.index(row, 0), selection.SelectionFlag.Select | selection.SelectionFlag.Rows)

    def selected_runs(self) -> list[RunRecord]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.runs[row] for row in rows]

    def _selection_changed(self, *_):
        runs = self.selected_runs()
        self.show_runs(runs)
        self.selection_changed.emit(runs)

    def show_runs(self, runs: list[RunRecord]) -> None:
        """Overlay the runs' costs and lay out one boundary plot per run; plots of runs on the same data set
        share the axes of the first of them (another data set keeps its own)."""
        self.plots.clear()
        columns = max(1, min(PLOTS_PER_ROW, len(runs)))
        self.plots.addItem(self.cost, row=0, col=0, colspan=columns)
        self.plots.ci.layout.setRowStretchFactor(0, 3)  # the curves get more of the height than the boundaries
        self.plots.ci.layout.setRowStretchFactor(1, 2)
        labels = [f"#{self.model.row_of(run) + 1} {run.config.describe_regularizers()}" for run in runs]
        self.cost.show_runs([(label, run.result.history, run_colour(i), marks(run),
                              (int(run.result.stopped_at[0]), int(run.result.kept_from[0])))
                             for i, (label, run) in enumerate(zip(labels, runs))])
        self.weights.show_series([series_of(run, f"#{self.model.row_of(run) + 1}", run_colour(i))
                                  for i, run in enumerate(runs) if np.isfinite(run.result.parameters).all()],
                                 at_once=True)
        firsts: list[tuple[Dataset, BoundaryPlot]] = []   # the first plot of each data set shown
        for i, (label, run) in enumerate(zip(labels, runs)):
            plot = BoundaryPlot(title=label, compact=True)
            plot.setObjectName(f"comparison_boundary_plot_{i + 1}")  # by place: the first selected is 1
            plot.titleLabel.setAttr("color", run_colour(i))
            plot.set_data(run.data)
            plot.set_boundary(self._boundary(run))
            self.plots.addItem(plot, row=1 + i // columns, col=i % columns)
            first = next((shown for data, shown in firsts if same_data(data, run.data)), None)
            if first is None:
                firsts.append((run.data, plot))
            else:
                plot.setXLink(first)
                plot.setYLink(first)

    def _boundary(self, run: RunRecord) -> boundary.Boundary:
        if id(run) not in self._boundaries:  # runs opened from a file: computed once, on first view
            grid = boundary.Grid.over(run.data, boundary.FINAL_GRID)
            self._boundaries[id(run)] = boundary.compute(run.result.parameters, run.result.layout, run.data, grid)
        return self._boundaries[id(run)]

    def set_runs(self, runs: list[RunRecord]) -> None:
        self._boundaries.clear()
        self.model.replace_all(runs)
        self.show_runs([])
