"""Editing the data on the boundary plot and replaying a finished run, as a user does it: clicks with
modifiers, drags, right-clicks, while idle, paused and running; Reset mid-edit; saving the edited set;
the timeline scrubbed, then a new run started."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QSlider, QSpinBox

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle
from plain_network import probabilities as independent_probabilities  # a plain NumPy forward pass
from regcore import experiment
from regcore.data import load_file
from regcore.schedule import Schedule
from user_actions import press, type_into

LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton
NONE, SHIFT, CTRL = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier,
                     Qt.KeyboardModifier.ControlModifier)


def at(window, x, y) -> QPoint:
    """Where the data point (x, y) of the boundary plot is on the screen (the view's viewport)."""
    window.live.grab()  # laid out and ranged as on screen
    scene = window.boundary_plot.getViewBox().mapViewToScene(QPointF(x, y))
    where = window.live.mapFromScene(scene)
    assert window.live.viewport().rect().contains(where), (x, y)
    return where


def click(qtbot, window, x, y, button=LEFT, modifier=NONE):
    qtbot.mouseClick(window.live.viewport(), button, modifier, at(window, x, y))


def drag(qtbot, window, points, button=LEFT, release=True):
    viewport = window.live.viewport()
    qtbot.mousePress(viewport, button, NONE, at(window, *points[0]))
    for point in points[1:]:
        qtbot.mouseMove(viewport, at(window, *point))
    if release:
        qtbot.mouseRelease(viewport, button, NONE, at(window, *points[-1]))


def edit_mode(qtbot, window):
    window.editor.enabled.setChecked(True)   # the "Edit data" tick box


def last_train(window):
    return window.data.X_train[:, -1], window.data.Y_train[0, -1]


def near(point, x, y, window):
    (x0, x1), _ = window.boundary_plot.getViewBox().viewRange()
    return np.hypot(point[0] - x, point[1] - y) < (x1 - x0) / 100   # within a pixel or two


def test_clicks_add_points_by_button_and_modifier_and_the_same_click_twice_adds_two(qtbot, window):
    edit_mode(qtbot, window)
    m, m_test = window.data.X_train.shape[1], window.data.X_test.shape[1]
    click(qtbot, window, 0.2, 0.3)
    point, label = last_train(window)
    assert label == 1.0 and near(point, 0.2, 0.3, window) and window.data.X_train.shape[1] == m + 1
    click(qtbot, window, -0.4, 0.1, modifier=SHIFT)
    assert last_train(window)[1] == 0.0
    click(qtbot, window, 0.5, -0.2, modifier=CTRL)
    assert window.data.X_test.shape[1] == m_test + 1 and window.data.Y_test[0, -1] == 1.0
    click(qtbot, window, 0.6, 0.6)
    click(qtbot, window, 0.6, 0.6)
    assert window.data.X_train.shape[1] == m + 4
    assert np.array_equal(window.data.X_train[:, -1], window.data.X_train[:, -2])
    assert window.boundary_plot.points.drawn("train") == m + 4          # drawn too
    assert "(edited)" in window.data_panel.description.text()


def test_right_click_erases_what_a_click_added_and_the_data_are_as_before(qtbot, window):
    before = window.data
    edit_mode(qtbot, window)
    click(qtbot, window, 0.15, 0.45)
    click(qtbot, window, 0.15, 0.45, button=RIGHT)
    for part in ("X_train", "Y_train", "X_test", "Y_test"):
        assert np.array_equal(getattr(window.data, part), getattr(before, part))
    far = window.data
    (x0, x1), (y0, y1) = window.boundary_plot.getViewBox().viewRange()
    click(qtbot, window, x0 + 0.01 * (x1 - x0), y1 - 0.01 * (y1 - y0), button=RIGHT)  # nothing close: nothing goes
    assert window.data is far


def test_a_drag_paints_points_along_the_way_and_unticked_the_plot_pans(qtbot, window):
    edit_mode(qtbot, window)
    m = window.data.X_train.shape[1]
    path = [(x, 0.0) for x in np.linspace(-0.8, 0.8, 20)]
    drag(qtbot, window, path)
    added = window.data.X_train[:, m:]
    assert 8 <= added.shape[1] <= 20 and np.all(window.data.Y_train[0, m:] == 1.0)
    assert np.all(np.diff(added[0]) > 0) and np.allclose(added[1], 0.0, atol=0.05)
    window.editor.enabled.setChecked(False)
    count = window.data.X_train.shape[1]
    click(qtbot, window, 0.0, 0.2)
    assert window.data.X_train.shape[1] == count


def test_noise_points_add_that_many_mislabelled_points(qtbot, window):
    m = window.data.X_train.shape[1]
    type_into(qtbot, window.findChild(QSpinBox, "noise_count"), "6")
    window.editor.rng = np.random.default_rng(0)
    qtbot.mouseClick(window.editor.noise, LEFT)
    assert window.data.X_train.shape[1] == m + 6


def test_points_clicked_while_running_go_to_the_run_which_replays_headless(qtbot, window):
    type_into(qtbot, window.findChild(QSpinBox, "iterations"), "3000")
    type_into(qtbot, window.findChild(QSpinBox, "speed"), "1500")
    edit_mode(qtbot, window)
    press(qtbot, window, window.start_action)
    qtbot.waitUntil(lambda: window.controller.last_frame is not None and window.controller.last_frame.iteration > 300,
                    timeout=10000)
    click(qtbot, window, 0.0, 0.8, modifier=SHIFT)
    click(qtbot, window, 0.1, 0.8, modifier=SHIFT)
    qtbot.waitUntil(lambda: len(window.controller.data_changes) >= 1, timeout=10000)
    assert window.controller.state == "running"
    wait_idle(qtbot, window)
    run = window.comparison.model.runs[-1]
    assert run.status == "finished" and 1 <= len(run.data_changes) <= 2
    assert run.data_changes[-1][1] is window.data and run.data.X_train.shape[1] == window.data.X_train.shape[1] - 2
    assert "edited at" in window.comparison.model.data(window.comparison.model.index(0, 0))
    assert any(marker.label.format == "data edited" for marker in window.cost_plot.markers)
    assert run.rebuild(window.registry).run().parameters.tobytes() == run.result.parameters.tobytes()
    plain = window.config().build(window.registry, run.data).run()
    assert plain.parameters.tobytes() != run.result.parameters.tobytes()


def test_points_clicked_while_paused_take_effect_where_it_paused(qtbot, window):
    type_into(qtbot, window.findChild(QSpinBox, "iterations"), "1000")
    type_into(qtbot, window.findChild(QSpinBox, "step_iterations"), "400")
    press(qtbot, window, window.step_action)
    qtbot.waitUntil(lambda: window.controller.state == "paused" and window.controller.worker.training.iteration == 400,
                    timeout=10000)
    edit_mode(qtbot, window)
    click(qtbot, window, 0.3, 0.3)
    click(qtbot, window, 0.35, 0.3, button=LEFT, modifier=SHIFT)
    press(qtbot, window, window.start_action)
    wait_idle(qtbot, window)
    run = window.comparison.model.runs[-1]
    (iteration, data), = run.data_changes        # two edits at one iteration: the run trained on the last
    assert iteration == 400 and data.X_train.shape[1] == run.data.X_train.shape[1] + 2
    assert run.rebuild(window.registry).run().parameters.tobytes() == run.result.parameters.tobytes()


def test_reset_in_the_middle_of_a_drag_keeps_the_edits_and_editing_goes_on(qtbot, window):
    type_into(qtbot, window.findChild(QSpinBox, "iterations"), "100000")
    type_into(qtbot, window.findChild(QSpinBox, "speed"), "2000")
    edit_mode(qtbot, window)
    press(qtbot, window, window.start_action)
    m = window.data.X_train.shape[1]
    drag(qtbot, window, [(-0.5, -0.5), (-0.2, -0.5), (0.1, -0.5)], release=False)
    press(qtbot, window, window.reset_action)
    wait_idle(qtbot, window)
    qtbot.mouseRelease(window.live.viewport(), LEFT, NONE, at(window, 0.1, -0.5))
    edited = window.data.X_train.shape[1]
    assert edited > m and window.boundary_plot.points.drawn("train") == edited
    click(qtbot, window, 0.4, 0.4)
    assert window.data.X_train.shape[1] == edited + 1


def test_edited_data_save_as_csv_over_an_existing_file_and_in_the_experiment(qtbot, window, tmp_path):
    edit_mode(qtbot, window)
    click(qtbot, window, 0.25, 0.25)
    click(qtbot, window, -0.25, 0.25, modifier=CTRL | SHIFT)
    path = tmp_path / "mine.csv"
    path.write_text("x1,x2,label,split\n1,1,1,train\n0,0,0,train\n")
    assert window.save_data(str(path))
    again = load_file(path)
    for part in ("X_train", "Y_train", "X_test", "Y_test"):
        assert getattr(again, part).tobytes() == getattr(window.data, part).tobytes()
    assert window.save_experiment(str(tmp_path / "x.regx"))
    opened = experiment.load(tmp_path / "x.regx")
    assert opened.data.X_test.tobytes() == window.data.X_test.tobytes() and opened.data.name.endswith("(edited)")
    # a name with another suffix would hold CSV text it could not be opened as: refused, nothing written
    window.message_box = None
    assert not window.save_data(str(tmp_path / "wrong.npz")) and not (tmp_path / "wrong.npz").exists()
    assert ".csv" in (window.message_box.text() if window.message_box else window.statusBar().currentMessage())


def test_scrubbing_the_timeline_draws_the_runs_boundary_then_a_new_run_takes_over(qtbot, window):
    type_into(qtbot, window.findChild(QSpinBox, "iterations"), "2000")
    press(qtbot, window, window.start_action)
    wait_idle(qtbot, window)
    run = window.comparison.model.runs[-1]
    slider = window.findChild(QSlider, "timeline_slider")
    assert slider.isEnabled() and slider.maximum() == len(run.snapshots) - 1
    slider.setFocus()
    for _ in range(slider.maximum() // 2):
        qtbot.keyClick(slider, Qt.Key.Key_Left)
    index = slider.value()
    iteration = int(run.snapshots.iterations[index])
    assert 0 < iteration < 2000 and f"iteration {iteration:,}" in window.timeline.label.text()
    assert window.cost_plot.cursor is not None and window.cost_plot.cursor.value() == iteration
    # the drawn grid is P(class 1) of that snapshot's parameters, by an independent forward pass
    plot = window.boundary_plot
    image, bounds = plot.image.image, plot._last.grid.bounds
    xs, ys = np.linspace(bounds[0], bounds[1], image.shape[1]), np.linspace(bounds[2], bounds[3], image.shape[0])
    grid = np.stack(np.meshgrid(xs, ys)).reshape(2, -1)
    expected = independent_probabilities(run.snapshots.parameters[index], run.result.layout.sizes, grid)
    np.testing.assert_allclose(image.reshape(-1), expected, rtol=1e-12, atol=1e-15)
    # and those are the parameters the run had at that iteration: trained that far headless
    short = window.config().__class__(**{**run.config.__dict__, "iterations": iteration}).build(
        window.registry, run.data).run()
    assert short.parameters[0].tobytes() == run.snapshots.parameters[index].tobytes()

    press(qtbot, window, window.start_action)          # a new run: the replay is over
    assert not slider.isEnabled() and window.cost_plot.cursor is None
    wait_idle(qtbot, window)
    assert slider.isEnabled() and slider.value() == slider.maximum()
    assert len(window.comparison.model.runs) == 2
    # scrubbed back, then the data edited: that run was not trained on these, so no replay of it on them
    qtbot.keyClick(slider, Qt.Key.Key_Left)
    assert window.cost_plot.cursor is not None
    edit_mode(qtbot, window)
    click(qtbot, window, 0.3, 0.6)
    assert not slider.isEnabled() and window.cost_plot.cursor is None and "at " not in window.timeline.label.text()


def test_the_screenshot_options_schedule_changes_add_noise_and_tick_edit_data(qtbot, window):
    from regstudio.app import apply_arguments, build_parser, scheduled

    m = window.data.X_train.shape[1]
    args = build_parser().parse_args(["--screenshot", "x.png", "--iterations", "600", "--reg", "l2:lambd=0.05",
                                      "--change", "300:l2.lambd=1.5", "--noise", "4", "--edit-data"])
    apply_arguments(window, args)
    assert window.data.X_train.shape[1] == m + 4 and window.editor.enabled.isChecked()
    config = scheduled(window, args)
    assert Schedule(config.changes).describe() == "300:l2.lambd=1.5"
    assert window.start(config)
    wait_idle(qtbot, window)
    marker, = window.cost_plot.markers
    assert marker.value() == 300 and marker.label.format == "λ 1.5"
    with pytest.raises(Exception, match="unknown regularizer 'zz'"):
        scheduled(window, build_parser().parse_args(["--change", "10:zz.a=1"]))


def test_a_reopened_experiment_can_be_replayed_on_the_timeline(qtbot, window, tmp_path):
    type_into(qtbot, window.findChild(QSpinBox, "iterations"), "800")
    press(qtbot, window, window.start_action)
    wait_idle(qtbot, window)
    run = window.comparison.model.runs[-1]
    assert window.save_experiment(str(tmp_path / "r.regx"))
    press(qtbot, window, window.reset_action)
    assert not window.timeline.slider.isEnabled()
    assert window.open_experiment(str(tmp_path / "r.regx"))
    slider = window.timeline.slider
    assert slider.isEnabled() and slider.maximum() == len(run.snapshots) - 1
    slider.setValue(2)
    assert window.cost_plot.cursor.value() == run.snapshots.iterations[2]


def test_ticking_edit_data_with_the_mouse_leaves_space_to_start_the_run(qtbot, window):
    qtbot.mouseClick(window.editor.enabled, LEFT)
    assert window.editor.enabled.isChecked()
    from PySide6.QtWidgets import QApplication

    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Space)  # where a key press goes
    qtbot.waitUntil(lambda: not window.controller.idle, timeout=5000)
    assert window.editor.enabled.isChecked()
    press(qtbot, window, window.stop_action)
    wait_idle(qtbot, window)


def test_regcore_replay_trains_a_saved_run_with_its_data_edits_again_to_the_last_digit(qtbot, window, tmp_path,
                                                                                        capsys):
    from regcore.cli import main

    type_into(qtbot, window.findChild(QSpinBox, "iterations"), "900")
    type_into(qtbot, window.findChild(QSpinBox, "step_iterations"), "300")
    press(qtbot, window, window.step_action)
    # a run started by Step is paused from the start: wait for the step itself to end at 300
    qtbot.waitUntil(lambda: window.controller.state == "paused" and window.controller.last_frame is not None
                    and window.controller.last_frame.iteration == 300, timeout=10000)
    edit_mode(qtbot, window)
    click(qtbot, window, 0.3, 0.6, modifier=SHIFT)
    press(qtbot, window, window.start_action)
    wait_idle(qtbot, window)
    press(qtbot, window, window.start_action)          # a second run, on the edited data, stopped part-way
    press(qtbot, window, window.stop_action)
    wait_idle(qtbot, window)
    assert window.save_experiment(str(tmp_path / "e.regx"))
    capsys.readouterr()
    assert main(["replay", str(tmp_path / "e.regx")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(line.endswith(": identical") for line in lines)
    assert "data edited at 300" in lines[0]
    assert main(["replay", str(tmp_path / "e.regx"), "--run", "3"]) == 2
    assert "the experiment has runs 1 to 2" in capsys.readouterr().err


def test_the_mode_switch_makes_a_plain_click_add_class_0_or_erase(qtbot, window):
    edit_mode(qtbot, window)
    window.editor.mode.setCurrentText("class 0")
    click(qtbot, window, 0.2, -0.2)
    assert last_train(window)[1] == 0.0
    click(qtbot, window, 0.25, -0.2, modifier=SHIFT)          # Shift: the other class
    assert last_train(window)[1] == 1.0
    count = window.data.X_train.shape[1]
    window.editor.mode.setCurrentText("erase")
    x, y = window.data.X_train[:, 0]
    click(qtbot, window, x, y)                                 # on an existing point: it goes
    assert window.data.X_train.shape[1] == count - 1
    assert not np.any(np.all(window.data.X_train.T == (x, y), axis=1))
