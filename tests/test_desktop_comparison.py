"""The Runs tab as a user meets it: runs with the same settings compared, the table's columns at a
laptop's width, and runs of different data sets side by side."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle
from regstudio.plots import BoundaryPlot
from regstudio.runs_table import COLUMNS
from user_actions import CTRL, click_rows, press, type_into


def boundary_plots(view) -> list[BoundaryPlot]:
    return [item for item in view.plots.ci.items if isinstance(item, BoundaryPlot)]


def assert_compared(view, runs) -> None:
    """Every run's curves in the cost overlay (train loss, the objective where it differs, test loss),
    and one boundary plot per run with its heatmap."""
    curves = list(view.cost._curves)
    for run in runs:
        history = run.result.history
        bold = curves.pop(0)
        np.testing.assert_array_equal(bold.getData()[0], history["iterations"])
        np.testing.assert_array_equal(bold.getData()[1], history["train_loss"][:, 0])
        if not np.allclose(history["cost"][:, 0], history["train_loss"][:, 0]):
            np.testing.assert_array_equal(curves.pop(0).getData()[1], history["cost"][:, 0])
        np.testing.assert_array_equal(curves.pop(0).getData()[1], history["test_cost"][:, 0])
    assert not curves
    plots = boundary_plots(view)
    assert len(plots) == len(runs)
    for plot in plots:
        assert plot.image.image is not None and plot.image.image.shape == (200, 200)
        assert len(plot.contour.getData()[0]) > 0


def test_two_runs_with_the_same_settings_are_both_drawn(qtbot, window):
    type_into(qtbot, window.training_panel.iterations, "10000000")
    for _ in range(2):  # Start, Stop, Start again, Stop: two runs of exactly the same settings
        press(qtbot, window, window.start_action)
        qtbot.waitUntil(lambda: window.controller.last_frame is not None and window.controller.last_frame.iteration > 0, timeout=10000)
        press(qtbot, window, window.stop_action)
        wait_idle(qtbot, window)
    view = window.comparison
    runs = view.model.runs
    assert [run.status for run in runs] == ["stopped", "stopped"] and runs[0].config == runs[1].config

    window.tabs.setCurrentWidget(view)
    click_rows(qtbot, view.table, [0, 1])
    assert [id(run) for run in view.selected_runs()] == [id(run) for run in runs]
    assert_compared(view, runs)
    assert [plot.base_title for plot in boundary_plots(view)] == ["#1 none", "#2 none"]


def test_the_notebook_comparison_run_twice_can_be_compared_whole(qtbot, window):
    type_into(qtbot, window.training_panel.iterations, "300")
    for _ in range(2):
        window.notebook_action.trigger()
        wait_idle(qtbot, window, timeout=30000)
        window.message_box.close()
    view = window.comparison
    assert len(view.model.runs) == 6
    assert len(boundary_plots(view)) == 3  # the second comparison's three rows are selected: it drew them
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_A, CTRL)
    assert len(view.selected_runs()) == 6
    assert_compared(view, view.model.runs)


def test_every_column_fits_at_1280_pixels_and_the_new_ones_say_the_truth(qtbot, window):
    window.regularizer_panel.set_selected([("dropout", {"keep_prob": 0.86, "mask": "course"}),
                                           ("l2", {"lambd": 0.7})])  # the longest description
    type_into(qtbot, window.training_panel.hidden, "20,3")
    type_into(qtbot, window.training_panel.iterations, "300")
    press(qtbot, window, window.start_action)
    wait_idle(qtbot, window)
    window.resize(1280, 800)
    window.tabs.setCurrentWidget(window.comparison)
    qtbot.wait(50)
    table = window.comparison.table
    header = table.horizontalHeader()
    headers = [header_text for header_text, _, _ in COLUMNS]
    assert "Hidden" in headers and "Train–test gap" in headers
    for column, name in enumerate(headers):
        right = header.sectionViewportPosition(column) + header.sectionSize(column)
        assert right <= table.viewport().width(), f"{name} ends at {right} px, past {table.viewport().width()}"
        if name not in ("Data set", "Regularizers"):  # the columns that give way; the tooltip holds the whole text
            text = table.model().index(0, column).data()
            needed = table.fontMetrics().horizontalAdvance(text)
            assert header.sectionSize(column) >= needed, f"{name} is cut: {text!r}"
    run = window.comparison.model.runs[0]
    row = {name: table.model().index(0, column).data() for column, name in enumerate(headers)}
    assert row["Hidden"] == "20,3"
    gap = run.result.train_accuracy[0] - run.result.test_accuracy[0]
    assert row["Train–test gap"] == f"{100 * gap:.2f} pp"
    assert row["Status"] == "finished"
    assert run.config.describe_regularizers() in table.model().index(0, headers.index("Regularizers")).data(
        Qt.ItemDataRole.ToolTipRole)


def test_runs_of_different_data_sets_keep_their_own_axes(qtbot, window):
    type_into(qtbot, window.training_panel.iterations, "200")
    press(qtbot, window, window.start_action)
    wait_idle(qtbot, window)
    window.load_source("circle:n=200,noise=0.1,seed=4")  # not the moons' scale
    press(qtbot, window, window.start_action)
    wait_idle(qtbot, window)
    press(qtbot, window, window.start_action)
    wait_idle(qtbot, window)
    view = window.comparison
    runs = view.model.runs
    assert runs[0].data is not runs[1].data and runs[1].data is runs[2].data
    window.tabs.setCurrentWidget(view)
    click_rows(qtbot, view.table, [0, 1, 2])
    moons, circles, circles_again = boundary_plots(view)
    qtbot.wait(50)
    for plot, run in ((moons, runs[0]), (circles, runs[1])):
        # its own data's bounds, centred (the aspect ratio is locked, so one axis may show more)
        (x0, x1), (y0, y1) = plot.viewRange()
        bx0, bx1, by0, by1 = run.data.bounds()
        slack = 1e-6 * max(bx1 - bx0, by1 - by0)
        assert x0 <= bx0 + slack and x1 >= bx1 - slack and y0 <= by0 + slack and y1 >= by1 - slack
        assert abs((x0 + x1) - (bx0 + bx1)) < 4 * slack and abs((y0 + y1) - (by0 + by1)) < 4 * slack
        assert min(abs(x0 - bx0), abs(y0 - by0)) < slack
    assert circles_again.getViewBox().linkedView(0) is circles.getViewBox()
    assert moons.getViewBox().linkedView(0) is None and circles.getViewBox().linkedView(0) is None

