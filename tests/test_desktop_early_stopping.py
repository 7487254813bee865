"""Early stopping as the window shows it: a line where the run stopped and one at the record it kept,
on the live cost plot and in the Runs tab's overlay, and "stopped at N, kept M" in the runs table, whose final losses and the progress bar are the kept record's."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QGroupBox, QTabWidget

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle
from user_actions import click_rows, press, type_into
from regstudio.runs_table import COLUMNS

STATUS = [header for header, _, _ in COLUMNS].index("Status")
LOSS = [header for header, _, _ in COLUMNS].index("Final train loss")


def lines(plot):
    return [(round(line.value()), line.label.toPlainText()) for line in plot.stop_lines]


def run_once(qtbot, window, early_stopping: bool):
    if early_stopping:
        window.findChild(QGroupBox, "regularizer_early_stopping").setChecked(True)
        type_into(qtbot, window.findChild(QAbstractSpinBox, "regularizer_early_stopping_patience"), "2")
    type_into(qtbot, window.findChild(QAbstractSpinBox, "iterations"), "20000")
    press(qtbot, window, window.start_action)
    wait_idle(qtbot, window)
    return window.comparison.model.runs[-1]


def test_a_run_stopped_early_is_marked_where_it_stopped_and_what_it_kept(qtbot, window):
    run = run_once(qtbot, window, early_stopping=True)
    stopped, kept = int(run.result.stopped_at[0]), int(run.result.kept_from[0])
    assert 0 < kept < stopped < 20000 and run.result.iterations_done == stopped
    assert lines(window.cost_plot) == [(stopped, f"stopped at {stopped:,}"), (kept, f"kept {kept:,}")]
    model = window.comparison.model
    assert model.data(model.index(0, STATUS)) == f"stopped at {stopped:,}, kept {kept:,}"

    window.findChild(QTabWidget, "tabs").setCurrentWidget(window.comparison)
    click_rows(qtbot, window.comparison.table, [0])
    assert lines(window.comparison.cost) == [(stopped, f"#1 stopped at {stopped:,}"), (kept, f"#1 kept {kept:,}")]


def test_the_table_and_the_progress_show_what_the_run_kept_not_its_last_record(qtbot, window, registry):
    from test_training import _plain_loss

    run = run_once(qtbot, window, early_stopping=True)
    stopped, kept = int(run.result.stopped_at[0]), int(run.result.kept_from[0])
    assert kept < stopped
    # the kept parameters' losses, by a plain forward pass: not those of the last record (at `stopped`)
    sizes, data = run.result.layout.sizes, window.data
    train_loss = _plain_loss(run.result.parameters[0], sizes, data.X_train, data.Y_train)
    history = run.result.history
    assert history["train_loss"][-1, 0] != pytest.approx(train_loss, rel=1e-4)  # the test can tell them apart
    model = window.comparison.model
    shown = {COLUMNS[c][0]: model.data(model.index(0, c)) for c in range(len(COLUMNS))}
    assert float(shown["Final train loss"]) == pytest.approx(train_loss, rel=1e-3)
    objective = history["cost"][list(history["iterations"]).index(kept), 0]
    assert float(shown["Final objective"]) == pytest.approx(objective, rel=1e-3)
    header = model.headerData(LOSS, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "kept" in header
    # the run is done: the progress is full and says what it kept
    assert window.progress.value() == 100
    assert f"stopped at {stopped:,}, kept {kept:,}" in window.rate_label.text()
    assert f"kept {kept:,}" in window.statusBar().currentMessage()


def test_a_run_that_trained_to_the_end_has_no_marks(qtbot, window):
    run = run_once(qtbot, window, early_stopping=False)
    assert int(run.result.stopped_at[0]) == -1 and lines(window.cost_plot) == []
    model = window.comparison.model
    assert model.data(model.index(0, STATUS)) == "finished"
    window.findChild(QTabWidget, "tabs").setCurrentWidget(window.comparison)
    click_rows(qtbot, window.comparison.table, [0])
    assert lines(window.comparison.cost) == []
