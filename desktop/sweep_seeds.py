"""The Sweep tab's view of a sweep with several seeds: each setting's mean ± standard deviation.

With more than one seed per setting, the Sweep tab plots each setting's mean train and test accuracy
and final cost with a band of ± one standard deviation (population, over the seeds: what
`regcore.sweep.settings_of` computes, as ``regcore sweep --seeds`` does), and lists the settings in
a `SettingsTable`: the means and standard deviations as columns, the best mean test accuracy starred.
With one seed none of this shows. Only the GUI thread touches these items.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from regcore.sweep import SettingSummary

BAND_ALPHA = 50       # of the band's fill, out of 255: the curve stays readable through it
COLUMNS = (("train mean", "train_accuracy_mean"), ("train std", "train_accuracy_std"),   # accuracies
           ("test mean", "test_accuracy_mean"), ("test std", "test_accuracy_std"),
           ("cost mean", "final_cost_mean"), ("cost std", "final_cost_std"))            # final cost
VALUE = Qt.ItemDataRole.UserRole   # a cell's exact number (its text is rounded)


class Band:
    """A shaded band from ``mean - std`` to ``mean + std`` on ``plot``, in ``colour``. Its edges are
    PlotDataItems, so the band follows the plot's log x scale like the curves."""

    def __init__(self, plot, colour: str):
        edge = QColor(colour)
        edge.setAlpha(90)
        fill = QColor(colour)
        fill.setAlpha(BAND_ALPHA)
        self.lower = plot.plot([], [], pen=pg.mkPen(edge, width=1))
        self.upper = plot.plot([], [], pen=pg.mkPen(edge, width=1))
        self.fill = pg.FillBetweenItem(self.lower, self.upper, brush=pg.mkBrush(fill))
        plot.addItem(self.fill)
        for item in (self.lower, self.upper, self.fill):
            item.setZValue(-10)  # under the curves and their clickable points

    def set(self, x, mean, std) -> None:
        mean, std = np.asarray(mean, dtype=float), np.asarray(std, dtype=float)
        self.lower.setData(x, mean - std)
        self.upper.setData(x, mean + std)

    def clear(self) -> None:
        self.set([], [], [])

    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """(mean - std, mean + std) as drawn."""
        return self.lower.getData()[1], self.upper.getData()[1]


class SettingsTable(QTableWidget):
    """One row per setting: its swept values, how many of its seeds finished, and the means and standard
    deviations of `COLUMNS`. ``chosen`` carries the index of the row's first model when a row is clicked."""

    chosen = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("sweep_settings")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setToolTip("Each setting over its seeds: mean and standard deviation of the train and test accuracy "
                        "and the final cost; ★ the best mean test accuracy. Click a row to see its first seed's model.")
        self.summaries: list[SettingSummary] = []
        self.cellClicked.connect(lambda row, _column: self.chosen.emit(self.summaries[row].indices[0]))

    def show_settings(self, summaries: list[SettingSummary], keys: list[str], best: list[int]) -> None:
        """Fill the table with ``summaries`` (in their order); rows ``best`` starred and in bold."""
        self.summaries = list(summaries)
        self.clear()
        self.setColumnCount(len(keys) + 1 + len(COLUMNS))
        self.setHorizontalHeaderLabels([*keys, "seeds", *(title for title, _ in COLUMNS)])
        self.setRowCount(len(summaries))
        bold = QFont()
        bold.setBold(True)
        for row, summary in enumerate(summaries):
            star = " ★" if row in best else ""
            cells = [(f"{summary.params[key]:g}{star if column == 0 else ''}", summary.params[key])
                     for column, key in enumerate(keys)]
            cells.append((f"{summary.finished}/{len(summary.indices)}", summary.finished))
            for _, name in COLUMNS:
                value = getattr(summary, name)
                cells.append((_text(name, value), value))
            for column, (text, value) in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(VALUE, value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if star:
                    item.setFont(bold)
                self.setItem(row, column, item)

    def column_values(self, title: str) -> list:
        """The exact numbers of the column titled ``title``, top to bottom."""
        titles = [self.horizontalHeaderItem(c).text() for c in range(self.columnCount())]
        column = titles.index(title)
        return [self.item(row, column).data(VALUE) for row in range(self.rowCount())]


def _text(name: str, value: float) -> str:
    if np.isnan(value):
        return "—"
    if "accuracy" in name:
        return f"{'± ' if name.endswith('std') else ''}{value:.1%}"
    return f"{'± ' if name.endswith('std') else ''}{value:.4g}"
