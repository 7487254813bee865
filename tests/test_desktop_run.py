"""The window's run controls, live drawing, the notebook comparison and closing during training."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QDoubleSpinBox

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle
from regcore.config import RunConfig
from regcore.datasets import DEFAULT_SOURCE


def set_iterations(window, iterations, record_every=100):
    window.training_panel.iterations.setValue(iterations)
    window.training_panel.record_every.setValue(record_every)


def test_opens_on_the_default_data_set(window):
    assert window.source == DEFAULT_SOURCE
    assert window.boundary_plot.points.drawn("train") == window.data.X_train.shape[1] > 0
    assert window.boundary_plot.points.drawn("test") == window.data.X_test.shape[1] > 0
    assert window.start_action.text() == "Start"
    assert not window.stop_action.isEnabled()


def test_start_pause_resume_step_stop_reset(qtbot, window):
    set_iterations(window, 10_000_000)
    window.start_action.trigger()  # Space
    qtbot.waitUntil(lambda: window.controller.last_frame is not None and window.controller.last_frame.iteration > 0, timeout=10000)
    assert window.start_action.text() == "Pause"

    window.start_action.trigger()  # pause
    qtbot.waitUntil(lambda: window.controller.state == "paused", timeout=5000)
    paused_at = window.controller.worker.training.iteration
    qtbot.wait(300)
    assert window.controller.worker.training.iteration == paused_at
    assert window.start_action.text() == "Resume"

    window.start_action.trigger()  # resume
    qtbot.waitUntil(lambda: window.controller.worker.training.iteration > paused_at, timeout=5000)
    assert window.controller.state == "running"

    window.start_action.trigger()
    qtbot.waitUntil(lambda: window.controller.state == "paused", timeout=5000)
    at = window.controller.worker.training.iteration
    window.step_action.trigger()  # one recording interval, then paused again
    qtbot.waitUntil(lambda: window.controller.worker.training.iteration == (at // 100 + 1) * 100 and window.controller.state == "paused",
                    timeout=5000)
    qtbot.wait(200)
    assert window.controller.worker.training.iteration == (at // 100 + 1) * 100

    window.stop_action.trigger()
    wait_idle(qtbot, window)
    runs = window.comparison.model.runs
    assert len(runs) == 1 and runs[0].status == "stopped"
    assert 0 < runs[0].result.iterations_done < 10_000_000
    assert window.cost_plot._live["train loss"][1], "the live loss curve was drawn"

    window.reset_action.trigger()
    assert window.controller.last_frame is None and window.progress.value() == 0
    assert window.cost_plot._live == {} and window.boundary_plot.image.image is None


def test_step_from_idle_runs_one_interval(qtbot, window):
    set_iterations(window, 1000, record_every=250)
    window.step_action.trigger()
    qtbot.waitUntil(lambda: window.controller.last_frame is not None and window.controller.last_frame.iteration == 250, timeout=10000)
    qtbot.wait(200)
    assert window.controller.worker.training.iteration == 250 and window.controller.state == "paused"
    window.step_action.trigger()
    qtbot.waitUntil(lambda: window.controller.worker.training.iteration == 500 and window.controller.state == "paused", timeout=5000)
    window.start_action.trigger()  # resume to the end
    wait_idle(qtbot, window)
    assert window.comparison.model.runs[0].status == "finished"
    assert window.comparison.model.runs[0].result.iterations_done == 1000


def test_a_parameter_change_reaches_the_worker(qtbot, window):
    set_iterations(window, 10_000_000)
    box = window.regularizer_panel.boxes["l2"]
    box.setChecked(True)
    box.findChild(QDoubleSpinBox, "regularizer_l2_lambd").setValue(0.25)
    window.start()
    try:
        active = window.controller.worker.training.active
        assert [(a.cls.name, dict(a.values)) for a in active] == [("l2", {"lambd": 0.25, "layers": "all"})]
        assert window.controller.worker.training.instances[0].values["lambd"].ravel().tolist() == [0.25]
        # the worker took a copy: editing the widget now does not change the running training
        box.findChild(QDoubleSpinBox, "regularizer_l2_lambd").setValue(0.5)
        assert window.controller.worker.training.instances[0].values["lambd"].ravel().tolist() == [0.25]
        assert window.cost_plot._live.keys() == {
            "train loss", "test loss", "training objective (with penalty / dropout)", "penalty"}
    finally:
        window.stop(wait=True)


def test_live_run_matches_the_headless_core(qtbot, window, registry):
    set_iterations(window, 1500)
    window.regularizer_panel.set_selected([("dropout", {"keep_prob": 0.8, "mask": "fresh"})])
    window.start()
    wait_idle(qtbot, window)
    run = window.comparison.model.runs[0]
    headless = RunConfig(iterations=1500, record_every=100, regularizers=run.config.regularizers).build(
        registry, window.data).run()
    assert np.array_equal(run.result.parameters, headless.parameters)
    assert np.array_equal(run.result.history["cost"], headless.history["cost"])
    assert window.controller.last_frame.payloads["boundary"].train_accuracy == headless.train_accuracy[0]


def test_the_notebook_comparison_gives_three_rows(qtbot, window, registry, notebook_runs):
    set_iterations(window, 300)
    window.notebook_action.trigger()
    wait_idle(qtbot, window, timeout=30000)
    runs = window.comparison.model.runs
    assert [r.config.describe_regularizers() for r in runs] == [
        "none", "l2(lambd=0.7)", "dropout(keep_prob=0.86, mask=fresh)"]  # fresh: not the course's data
    assert all(r.status == "finished" and r.result.iterations_done == 300 for r in runs)
    box = window.message_box
    assert box.windowTitle() == "The notebook's comparison" and box.isVisible()
    for run in runs:
        assert f"{run.result.test_accuracy[0]:.4f}" in box.informativeText()
    assert window.tabs.currentWidget() is window.comparison
    assert window.comparison.selected_runs() == runs
    assert len(window.comparison.plots.ci.items) == 4  # the cost overlay and three boundaries
    expected = RunConfig(iterations=300, record_every=100, regularizers=runs[2].config.regularizers).build(
        registry, window.data).run()
    assert runs[2].result.test_accuracy[0] == expected.test_accuracy[0]


def test_closing_during_training_stops_the_worker(qtbot, window, capfd):
    set_iterations(window, 10_000_000)
    window.start()
    qtbot.waitUntil(lambda: window.controller.last_frame is not None, timeout=10000)
    worker = window.controller.worker
    window.close()
    assert worker.isFinished() and not worker.isRunning()
    assert 0 < worker.training.iteration < 10_000_000
    assert "QThread: Destroyed while thread is still running" not in capfd.readouterr().err


def test_keyboard_shortcuts_drive_the_run(qtbot, window):
    from PySide6.QtCore import Qt

    set_iterations(window, 10_000_000)
    window.activateWindow()
    qtbot.keyClick(window.tabs, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.controller.state == "running" and window.controller.last_frame is not None, timeout=5000)
    qtbot.keyClick(window.tabs, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.controller.state == "paused", timeout=5000)
    qtbot.keyClick(window.tabs, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: window.controller.last_frame.iteration % 100 == 0 and window.controller.state == "paused", timeout=5000)
    qtbot.keyClick(window.tabs, Qt.Key.Key_Escape)
    wait_idle(qtbot, window)
    assert window.comparison.model.runs[0].status == "stopped"


def test_a_run_that_ended_early_shows_no_time_left(qtbot, window):
    set_iterations(window, 10_000_000)
    window.start()
    qtbot.waitUntil(lambda: window.controller.last_frame is not None and window.controller.last_frame.iteration > 0, timeout=10000)
    assert "left" in window.rate_label.text()
    window.stop_action.trigger()
    wait_idle(qtbot, window)
    assert "left" not in window.rate_label.text(), window.rate_label.text()

    window.training_panel.learning_rate.setValue(1e6)  # diverges at once
    window.start()
    wait_idle(qtbot, window)
    assert window.comparison.model.runs[-1].status == "failed"
    assert "left" not in window.rate_label.text(), window.rate_label.text()
