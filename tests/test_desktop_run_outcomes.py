"""How a run's start and end read to a user: a double click on Start starts once, a run that did not
learn says so, and the notebook's comparison uses the masks that belong to the data."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolBar

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle


def start_button(window):
    return window.findChild(QToolBar, "run_controls").widgetForAction(window.start_action)


def double_click(qtbot, widget):
    """What Qt delivers for a double click: press, release, double-click (in place of the second press), release."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    qtbot.mouseDClick(widget, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton)


def test_double_clicking_start_starts_and_keeps_running(qtbot, window):
    window.training_panel.iterations.setValue(10_000_000)
    double_click(qtbot, start_button(window))
    qtbot.waitUntil(lambda: window.controller.last_frame is not None and window.controller.last_frame.iteration > 0, timeout=10000)
    qtbot.wait(300)
    assert window.controller.state == "running" and not window.controller.worker.is_paused
    assert window.start_action.text() == "Pause"
    qtbot.mouseClick(start_button(window), Qt.MouseButton.LeftButton)  # a single click still pauses
    qtbot.waitUntil(lambda: window.controller.state == "paused", timeout=5000)
    window.stop(wait=True)


def test_a_run_that_did_not_learn_says_so(qtbot, window):
    window.training_panel.learning_rate.setValue(50.0)  # as typed into the field
    window.training_panel.iterations.setValue(3000)
    window.start_action.trigger()
    wait_idle(qtbot, window)
    run = window.comparison.model.runs[-1]
    assert run.status == "finished" and run.result.train_accuracy[0] < 0.6
    assert "did not learn" in window.statusBar().currentMessage()
    assert "oscillated" in window.statusBar().currentMessage()
    box = window.message_box
    assert box.isVisible() and box.windowTitle() == "The run finished but did not learn"
    assert "smaller" in box.text()


def test_a_run_that_learnt_reports_only_its_accuracies(qtbot, window):
    window.training_panel.iterations.setValue(3000)
    window.start_action.trigger()
    wait_idle(qtbot, window)
    assert window.statusBar().currentMessage().startswith("Run finished: train")
    assert window.message_box is None


def test_the_notebook_comparison_uses_fresh_masks_off_the_course_data(qtbot, window, notebook_runs):
    window.training_panel.iterations.setValue(3000)
    window.notebook_action.trigger()
    wait_idle(qtbot, window, timeout=60000)
    runs = window.comparison.model.runs
    assert [r.config.regularizers for r in runs] == [regs for _, regs in notebook_runs(window.data)]
    assert runs[2].config.regularizers == (("dropout", {"keep_prob": 0.86, "mask": "fresh"}),)
    box = window.message_box
    assert "fresh dropout masks" in box.text()
    assert box.text().startswith(f"The notebook's table, on {window.data.name}")


def test_the_notebook_comparison_keeps_the_course_masks_on_the_course_data(qtbot, window, football_path):
    window.training_panel.iterations.setValue(300)
    assert window.load_source(str(football_path))
    window.notebook_action.trigger()
    wait_idle(qtbot, window, timeout=60000)
    runs = window.comparison.model.runs
    assert runs[2].config.regularizers == (("dropout", {"keep_prob": 0.86, "mask": "course"}),)
    assert "the course's fixed dropout masks" in window.message_box.text()


def test_the_status_bar_stops_saying_paused_once_the_run_resumes(qtbot, window):
    window.training_panel.iterations.setValue(10_000_000)
    window.start_action.trigger()
    qtbot.waitUntil(lambda: window.controller.state == "running", timeout=10000)
    window.start_action.trigger()  # pause
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Paused"), timeout=10000)
    window.start_action.trigger()  # resume
    qtbot.waitUntil(lambda: window.controller.state == "running", timeout=10000)
    assert not window.statusBar().currentMessage().startswith("Paused")
    window.stop_action.trigger()
    qtbot.waitUntil(lambda: window.controller.idle, timeout=10000)
