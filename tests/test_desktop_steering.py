"""Steering a run from the window: λ, the regularizers and the learning rate changed mid-run, recorded
as a schedule that replays headless to the last digit, marked on the curves; slow motion and Step N."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QLineEdit, QSpinBox

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle
from regcore.config import RunConfig
from regcore.schedule import Change, Schedule
from user_actions import press, tick, type_into


def field(window, cls, name):
    found = window.findChild(cls, name)
    assert found is not None, name
    return found


def settings(qtbot, window, iterations, record_every=100):
    type_into(qtbot, field(window, QSpinBox, "iterations"), str(iterations))
    type_into(qtbot, field(window, QSpinBox, "record_every"), str(record_every))


def step(qtbot, window, iterations):
    type_into(qtbot, field(window, QSpinBox, "step_iterations"), str(iterations))
    press(qtbot, window, window.step_action)


def wait_paused_at(qtbot, window, iteration):
    qtbot.waitUntil(lambda: window.controller.state == "paused"
                    and window.controller.worker.training.iteration == iteration, timeout=10000)


def replayed(window, run):
    """The run's settings (its changes included) trained headless through the core."""
    return RunConfig(**{**run.config.__dict__}).build(window.registry, window.data).run()


def test_a_change_made_while_paused_replays_headless_to_the_last_digit(qtbot, window):
    settings(qtbot, window, 2000)
    tick(qtbot, window.regularizer_panel.boxes["l2"])
    step(qtbot, window, 700)                      # from idle: start paused, train 700 iterations
    wait_paused_at(qtbot, window, 700)
    type_into(qtbot, field(window, QDoubleSpinBox, "regularizer_l2_lambd"), "0.1")
    type_into(qtbot, field(window, QDoubleSpinBox, "learning_rate"), "0.2")
    press(qtbot, window, window.start_action)     # Resume
    wait_idle(qtbot, window)

    run = window.comparison.model.runs[-1]
    assert run.status == "finished"
    assert run.config.changes == (Change(700, "param", "l2", "lambd", 0.1), Change(700, "lr", value=0.2))
    assert Schedule(run.config.changes).describe() == "700:l2.lambd=0.1 700:lr=0.2"
    assert run.config.learning_rate == 0.3 and run.config.regularizers == (("l2", {"lambd": 0.7, "layers": "all"}),)
    headless = replayed(window, run)
    assert np.array_equal(headless.parameters, run.result.parameters)
    assert np.array_equal(headless.history["cost"], run.result.history["cost"])
    # without the change it would have been another run
    plain = RunConfig(**{**run.config.__dict__, "changes": ()}).build(window.registry, window.data).run()
    assert not np.array_equal(plain.parameters, run.result.parameters)


def test_ticking_a_regularizer_on_and_off_while_running_is_recorded_where_it_took_effect(qtbot, window):
    settings(qtbot, window, 3000)
    type_into(qtbot, field(window, QSpinBox, "speed"), "1500")   # two seconds: time to tick while it runs
    press(qtbot, window, window.start_action)
    qtbot.waitUntil(lambda: window.controller.last_frame is not None and window.controller.last_frame.iteration > 300,
                    timeout=10000)
    tick(qtbot, window.regularizer_panel.boxes["l2"])            # on
    qtbot.waitUntil(lambda: len(window.controller.changes) == 1, timeout=10000)
    tick(qtbot, window.regularizer_panel.boxes["l2"])            # and off again
    wait_idle(qtbot, window)

    run = window.comparison.model.runs[-1]
    on, off = run.config.changes
    assert (on.kind, on.regularizer, dict(on.values)) == ("on", "l2", {"lambd": 0.7, "layers": "all"})
    assert (off.kind, off.regularizer) == ("off", "l2")
    assert 300 < on.iteration <= off.iteration < 3000
    assert np.array_equal(replayed(window, run).parameters, run.result.parameters)
    tip = window.comparison.model.data(window.comparison.model.index(0, 0), 3)  # ToolTipRole
    assert f"--change {on.describe()} --change {off.describe()}" in tip


def test_settings_that_cannot_change_mid_run_are_held_and_say_why(qtbot, window):
    settings(qtbot, window, 10_000_000)
    press(qtbot, window, window.start_action)
    qtbot.waitUntil(lambda: window.controller.state == "running", timeout=5000)
    for widget in (field(window, QLineEdit, "hidden"), field(window, QSpinBox, "iterations"),
                   window.training_panel.seed, field(window, QSpinBox, "record_every"), window.data_panel.regenerate):
        assert not widget.isEnabled(), widget.objectName()
        assert "Fixed while a run goes on" in widget.toolTip()
    assert field(window, QDoubleSpinBox, "learning_rate").isEnabled()
    assert window.regularizer_panel.boxes["l2"].isEnabled()
    press(qtbot, window, window.stop_action)
    wait_idle(qtbot, window)
    assert field(window, QLineEdit, "hidden").isEnabled()
    assert "Fixed" not in field(window, QLineEdit, "hidden").toolTip()


def test_a_change_is_marked_on_the_cost_plot_and_in_the_runs_overlay(qtbot, window, tmp_path):
    settings(qtbot, window, 2000)
    tick(qtbot, window.regularizer_panel.boxes["l2"])
    step(qtbot, window, 1200)
    wait_paused_at(qtbot, window, 1200)
    type_into(qtbot, field(window, QDoubleSpinBox, "regularizer_l2_lambd"), "0.05")
    press(qtbot, window, window.start_action)
    qtbot.waitUntil(lambda: bool(window.cost_plot.markers), timeout=10000)
    marker, = window.cost_plot.markers
    assert marker.value() == 1200 and marker.label.format == "λ 0.05"
    wait_idle(qtbot, window)
    window.grab().save(str(tmp_path / "lambda_change.png"))

    window.tabs.setCurrentWidget(window.comparison)
    window.comparison.select_rows([0])
    overlay, = window.comparison.cost.markers
    assert overlay.value() == 1200 and overlay.label.format == "λ 0.05"
    model = window.comparison.model
    column = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())].index("Regularizers")
    assert model.data(model.index(0, column)) == "l2(lambd=0.7) · then λ 0.05 at 1,200"  # not only how it began
    press(qtbot, window, window.reset_action)
    assert not window.cost_plot.markers


def test_slow_motion_paces_the_run_and_stop_still_answers(qtbot, window):
    assert window.speed.value() == 0 and window.speed.text() == "full speed"  # the default
    settings(qtbot, window, 600)
    type_into(qtbot, field(window, QSpinBox, "speed"), "400")
    started = time.perf_counter()
    press(qtbot, window, window.start_action)
    wait_idle(qtbot, window)
    assert time.perf_counter() - started > 1.2        # 600 iterations at 400/s: 1.5 s
    assert window.comparison.model.runs[-1].result.completed

    type_into(qtbot, field(window, QSpinBox, "speed"), "3")
    press(qtbot, window, window.start_action)
    qtbot.waitUntil(lambda: window.controller.last_frame is not None and window.controller.last_frame.iteration >= 1,
                    timeout=5000)
    stopping = time.perf_counter()
    press(qtbot, window, window.stop_action)
    wait_idle(qtbot, window, timeout=2000)
    assert time.perf_counter() - stopping < 1.0
    assert window.comparison.model.runs[-1].result.iterations_done < 20


def test_step_trains_the_number_of_iterations_beside_it(qtbot, window):
    settings(qtbot, window, 10_000)
    step(qtbot, window, 250)
    wait_paused_at(qtbot, window, 250)
    step(qtbot, window, 37)
    wait_paused_at(qtbot, window, 287)
    step(qtbot, window, 0)                         # "interval": to the end of the recording interval
    wait_paused_at(qtbot, window, 300)
    press(qtbot, window, window.stop_action)
    wait_idle(qtbot, window)


def test_a_step_that_reaches_the_last_iteration_finishes_the_run(qtbot, window):
    """It used to stop at 3,000 / 3,000 'Paused', with no row in the runs table, until pressed again."""
    settings(qtbot, window, 600)
    step(qtbot, window, 400)
    wait_paused_at(qtbot, window, 400)
    step(qtbot, window, 400)                       # past the end: the run ends there
    wait_idle(qtbot, window)
    runs = window.comparison.model.runs
    assert len(runs) == 1 and runs[0].result.iterations_done == 600 and runs[0].result.completed


def test_replay_on_the_command_line_is_a_fraction_from_0_to_1(tmp_path):
    import subprocess
    import sys

    for bad in ("nan", "1.5", "-0.1", "half"):
        done = subprocess.run([sys.executable, "-m", "regstudio", "--screenshot", str(tmp_path / "r.png"),
                               f"--replay={bad}"], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and f"got '{bad}'" in done.stderr and "Traceback" not in done.stderr
        assert not (tmp_path / "r.png").exists()


def test_an_optimizer_parameter_changed_while_paused_is_marked_and_replays_headless(qtbot, window):
    settings(qtbot, window, 1500)
    panel = window.training_panel
    panel.optimizer.setCurrentIndex(panel.optimizer.findData("adam"))
    type_into(qtbot, field(window, QDoubleSpinBox, "learning_rate"), "0.01")
    step(qtbot, window, 600)
    wait_paused_at(qtbot, window, 600)
    beta1 = field(window, QDoubleSpinBox, "optimizer_adam_beta1")
    assert beta1.isEnabled() and not panel.optimizer.isEnabled()
    type_into(qtbot, beta1, "0.5")
    press(qtbot, window, window.start_action)     # Resume
    qtbot.waitUntil(lambda: bool(window.cost_plot.markers), timeout=10000)
    assert window.cost_plot.markers[0].value() == 600 and window.cost_plot.markers[0].label.format == "β1 0.5"
    wait_idle(qtbot, window)
    run = window.comparison.model.runs[-1]
    assert Schedule(run.config.changes).describe() == "600:adam.beta1=0.5"
    headless = replayed(window, run)
    assert headless.parameters.tobytes() == run.result.parameters.tobytes()
