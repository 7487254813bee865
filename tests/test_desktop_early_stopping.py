"""Early stopping as the window shows it: a line where the run stopped and one at the record it kept,
on the live cost plot and in the Runs tab's overlay, and "stopped early at N" in the runs table."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractSpinBox, QGroupBox, QTabWidget

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle
from user_actions import click_rows, press, type_into
from regstudio.runs_table import COLUMNS

STATUS = [header for header, _, _ in COLUMNS].index("Status")


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
    assert model.data(model.index(0, STATUS)) == f"stopped early at {stopped:,}"

    window.findChild(QTabWidget, "tabs").setCurrentWidget(window.comparison)
    click_rows(qtbot, window.comparison.table, [0])
    assert lines(window.comparison.cost) == [(stopped, f"#1 stopped at {stopped:,}"), (kept, f"#1 kept {kept:,}")]


def test_a_run_that_trained_to_the_end_has_no_marks(qtbot, window):
    run = run_once(qtbot, window, early_stopping=False)
    assert int(run.result.stopped_at[0]) == -1 and lines(window.cost_plot) == []
    model = window.comparison.model
    assert model.data(model.index(0, STATUS)) == "finished"
    window.findChild(QTabWidget, "tabs").setCurrentWidget(window.comparison)
    click_rows(qtbot, window.comparison.table, [0])
    assert lines(window.comparison.cost) == []
