"""The Sweep tab inside the window, driven as a user does: clicking points of the accuracy plot (the
starred best one too), sending a model's settings to the main view, and Reset during a sweep."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt

from desktop_fixtures import *  # noqa: F401,F403
from user_actions import click_plot_point, press, type_into


def run_sweep(qtbot, window, count="4", iterations="300"):
    """On the Sweep tab: l2's lambda from 0 to 2 (the defaults), ``count`` models; wait for the result."""
    view = window.sweep_view
    window.tabs.setCurrentWidget(view)
    view.regularizer.setCurrentIndex(view.regularizer.findData("l2"))
    type_into(qtbot, view.start_editor, "0")
    type_into(qtbot, view.stop_editor, "2")
    type_into(qtbot, view.count, count)
    type_into(qtbot, view.training.iterations, iterations)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.worker is None, timeout=60000)
    assert len(view.results) == int(count) * view.seeds.value()
    return view


def point_of(view, index):
    """(x, y) of point ``index`` on the test-accuracy curve."""
    return view.points[index].params[next(iter(view.points[index].params))], view.results[index].test_accuracy


def test_the_starred_best_point_can_be_clicked_again(qtbot, window):
    view = run_sweep(qtbot, window)
    best = view._best()[0]
    assert view.selected == best  # a finished sweep shows its best model
    other = next(i for i in view.results if i != best)
    click_plot_point(qtbot, view.plots, view.accuracy_plot, *point_of(view, other))
    assert view.selected == other
    click_plot_point(qtbot, view.plots, view.accuracy_plot, *point_of(view, best))  # on the star
    assert view.selected == best
    assert f"lambd = {view.points[best].params['lambd']:g}" in view.selection_text.text()


def test_use_these_settings_carries_the_model_and_keeps_record_cost_every(qtbot, window):
    type_into(qtbot, window.training_panel.record_every, "50")
    view = run_sweep(qtbot, window, count="3", iterations="400")
    chosen = next(i for i in view.results if i != view.selected)
    click_plot_point(qtbot, view.plots, view.accuracy_plot, *point_of(view, chosen))
    qtbot.mouseClick(view.use_button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentIndex() == 0
    sent = view.results[chosen].point.config
    assert window.training_panel.record_every.value() == 50
    assert window.config() == dataclasses.replace(sent, record_every=50, data=window.source)
    assert window.training_panel.hidden.text() == ",".join(map(str, sent.hidden))


def test_reset_stops_a_sweep(qtbot, window):
    view = window.sweep_view
    window.tabs.setCurrentWidget(view)
    type_into(qtbot, view.training.iterations, "10000000")
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    worker = view.worker
    assert worker is not None and worker.isRunning()
    press(qtbot, window, window.reset_action)
    assert worker.isFinished()
    qtbot.waitUntil(lambda: view.worker is None, timeout=10000)
    assert view.run_button.isEnabled() and not view.cancel_button.isEnabled()
