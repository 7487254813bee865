"""Export (PNG, CSV), experiments saved and reopened in the window, remembered settings, --screenshot."""

from __future__ import annotations

import csv
import struct
import subprocess
import sys

import numpy as np
import pytest

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle
from regcore.config import RunConfig


def png_size(path):
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    return struct.unpack(">II", header[16:24])


def train_two_runs(qtbot, window):
    window.training_panel.iterations.setValue(300)
    window.start()
    wait_idle(qtbot, window)
    window.regularizer_panel.set_selected([("l2", {"lambd": 0.3})])
    window.start()
    wait_idle(qtbot, window)
    return window.comparison.model.runs


def test_export_writes_a_png_of_the_plots_and_a_csv_of_the_runs(qtbot, window, tmp_path):
    runs = train_two_runs(qtbot, window)
    png = tmp_path / "live.png"
    assert window.export_png(str(png))
    width, height = png_size(png)
    assert (width, height) == (window.live.width(), window.live.height())
    assert png.stat().st_size > 20_000  # a heatmap, curves and points, not an empty canvas

    window.tabs.setCurrentWidget(window.comparison)
    window.comparison.select_rows([0, 1])
    compared = tmp_path / "compare.png"
    assert window.export_png(str(compared))
    assert png_size(compared) == (window.comparison.plots.width(), window.comparison.plots.height())

    table = tmp_path / "runs.csv"
    assert window.export_csv(str(table))
    rows = list(csv.DictReader(table.open()))
    assert [r["regularizers"] for r in rows] == ["none", "l2(lambd=0.3)"]
    assert float(rows[1]["test accuracy"]) == runs[1].result.test_accuracy[0]
    assert float(rows[0]["final objective"]) == runs[0].result.history["cost"][-1, 0]
    assert float(rows[0]["final train loss"]) == runs[0].result.history["train_loss"][-1, 0]
    assert rows[0]["iterations"] == "300" and rows[0]["status"] == "finished"

    assert not window.export_csv(str(tmp_path / "missing" / "runs.csv"))
    assert "Could not save" in window.message_box.windowTitle()


def test_export_on_the_sweep_tab_writes_the_sweep_plots(window, tmp_path):
    window.tabs.setCurrentWidget(window.sweep_view)
    path = tmp_path / "sweep.png"
    assert window.export_png(str(path))
    assert png_size(path) == (window.sweep_view.plots.width(), window.sweep_view.plots.height())
    assert png_size(path) != (window.comparison.plots.width(), window.comparison.plots.height())


def test_an_experiment_reopens_with_its_runs_and_settings(qtbot, make_window, tmp_path):
    window = make_window()
    runs = train_two_runs(qtbot, window)
    path = tmp_path / "study.regx"
    assert window.save_experiment(str(path))

    other = make_window()
    other.training_panel.iterations.setValue(777)
    assert other.open_experiment(str(path))
    reopened = other.comparison.model.runs
    assert [r.config for r in reopened] == [r.config for r in runs]
    assert all(np.array_equal(a.result.parameters, b.result.parameters) for a, b in zip(reopened, runs))
    assert other.training_panel.iterations.value() == 300
    assert other.regularizer_panel.selected_values() == (("l2", {"lambd": 0.3, "layers": "all"}),)
    other.comparison.select_rows([1])
    shown = other.comparison._boundary(reopened[1])
    assert np.array_equal(shown.image, window.comparison._boundary(runs[1]).image)

    path.write_bytes(path.read_bytes()[:100])  # a damaged file: a message, and nothing changes
    assert not other.open_experiment(str(path))
    assert "Could not open" in other.message_box.windowTitle() and len(other.comparison.model.runs) == 2


def test_settings_are_remembered_between_launches(qtbot, make_window, settings_store):
    first = make_window()
    first.training_panel.iterations.setValue(1234)
    first.regularizer_panel.set_selected([("dropout", {"keep_prob": 0.7, "mask": "course"})])
    first.log_scale.setChecked(True)
    first.tabs.setCurrentIndex(1)
    first.close()
    second = make_window(store=settings_store)
    assert second.training_panel.iterations.value() == 1234
    assert second.regularizer_panel.selected_values() == (("dropout", {"keep_prob": 0.7, "mask": "course"}),)
    assert second.log_scale.isChecked() and second.tabs.currentIndex() == 1


def test_the_sweep_tab_and_applying_a_config(window):
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Training", "Runs and comparison", "Sweep", "Bias–variance", "Network", "Weights"]
    window.tabs.setCurrentIndex(2)
    window.apply_config(RunConfig(hidden=(8,), learning_rate=0.05, iterations=4000,
                                  regularizers=(("l2", {"lambd": 2.0}),)))
    assert window.training_panel.fields()["hidden"] == (8,) and window.tabs.currentIndex() == 0
    assert window.config().regularizers == (("l2", {"lambd": 2.0, "layers": "all"}),)


def test_screenshot_option_writes_the_window_and_exits_0(tmp_path):
    shot = tmp_path / "window.png"
    done = subprocess.run([sys.executable, "-m", "regstudio", "--screenshot", str(shot), "--iterations", "300",
                           "--reg", "l2:lambd=0.5", "--size", "1000x700"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert png_size(shot) == (1000, 700)
    bad = subprocess.run([sys.executable, "-m", "regstudio", "--screenshot", str(tmp_path / "x.png"),
                          "--reg", "l2:lambd=-1"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "lambd" in bad.stderr and not (tmp_path / "x.png").exists()
    nowhere = tmp_path / "no" / "such" / "x.png"  # refused before training, in one line naming the path
    bad = subprocess.run([sys.executable, "-m", "regstudio", "--screenshot", str(nowhere)],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
    assert bad.stderr == f"regstudio: error: {nowhere}: the folder {nowhere.parent} does not exist\n"
    assert [p.name for p in tmp_path.iterdir()] == ["window.png"]  # and no temporary file left anywhere


def test_screenshots_neither_read_nor_write_remembered_settings(tmp_path):
    """Each screenshot starts from the defaults; and os.devnull (a file QSettings would replace) stays a device."""
    import os
    import stat

    home = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    for iterations in ("300", None):
        extra = ["--iterations", iterations] if iterations else []
        done = subprocess.run([sys.executable, "-m", "regstudio", "--screenshot", str(tmp_path / "w.png"), *extra],
                              capture_output=True, text=True, timeout=300, env=home)
        assert done.returncode == 0, done.stderr
    assert not stat.S_ISREG(os.stat(os.devnull).st_mode)
    assert not any((tmp_path / "config").rglob("*.conf")) if (tmp_path / "config").exists() else True


def test_generate_new_data_and_hide_test_points(qtbot, window):
    from PySide6.QtWidgets import QPushButton

    panel = window.data_panel
    panel.generator.setCurrentIndex(panel.generator.findData("circle"))
    panel.forms.currentWidget().set_values({"n": 60, "test_ratio": 0.25})
    panel.findChild(QPushButton, "regenerate").click()
    wait_loaded(qtbot, window)
    assert window.data.name.startswith("circle") and window.source.startswith("circle:n=60,")
    assert window.data.X_train.shape[1] == 45 and window.data.X_test.shape[1] == 15
    assert window.boundary_plot.points.drawn("train") == 45
    if window.sweep_view is not None:  # the sweep tab follows the data
        assert window.sweep_view.data is window.data
    panel.show_test.setChecked(False)
    assert not any(item.isVisible() for item in window.boundary_plot.points.test.items)


def test_a_vanished_data_file_from_last_time_falls_back_quietly(make_window, settings_store, tmp_path):
    import json

    settings_store.setValue("run/config", json.dumps(RunConfig(data=str(tmp_path / "gone.csv")).to_dict()))
    window = make_window(store=settings_store)
    assert window.data is not None and window.data.name.startswith("moons")
    assert window.message_box is None and "gone.csv" in window.statusBar().currentMessage()


def test_screenshot_of_another_tab_in_presenter_mode(tmp_path):
    from regstudio.app import TABS, build_parser

    assert build_parser().parse_args(["--tab", "Sweep"]).tab == "sweep" and TABS == ("training", "runs", "sweep", "biasvar",
                                                                                     "network", "weights")
    shot = tmp_path / "runs.png"
    done = subprocess.run([sys.executable, "-m", "regstudio", "--screenshot", str(shot), "--iterations", "300",
                           "--tab", "runs", "--presenter", "--size", "1920x1080"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert png_size(shot) == (1920, 1080)


def test_the_presenter_option_ticks_the_view_menus_toggle(window):
    from regstudio.app import apply_arguments, build_parser

    apply_arguments(window, build_parser().parse_args(["--presenter"]))
    assert window.presenter_action.isChecked()
    assert window.cost_plot.getAxis("bottom").style["tickFont"].pointSizeF() >= 16


@pytest.mark.parametrize("args, says", [
    (["--size", "800"], "argument --size: expected WIDTHxHEIGHT in pixels, e.g. 1280x800, got '800'"),
    (["--data", "moons:noise=lots"], "noise='lots' is not valid: expected a number in [0, 1]"),
])
def test_a_bad_screenshot_option_is_one_line_saying_why(tmp_path, args, says):
    """A --size without an x was a traceback; a bad --data said only "could not load data"."""
    done = subprocess.run([sys.executable, "-m", "regstudio", "--screenshot", str(tmp_path / "x.png"), *args],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert says in done.stderr.strip().splitlines()[-1], done.stderr
    assert not (tmp_path / "x.png").exists()


def test_iterations_and_hidden_on_the_command_line_set_every_tabs_settings(window):
    """--iterations used to reach the Training tab only: a sweep screenshot trained 30,000 iterations."""
    from regstudio.app import apply_arguments, build_parser

    apply_arguments(window, build_parser().parse_args(["--iterations", "500", "--hidden", "64,64"]))
    for panel in (window.training_panel, window.sweep_view.training, window.biasvar_view.training):
        assert panel.fields()["iterations"] == 500 and panel.fields()["hidden"] == (64, 64)
    assert window.config().hidden == (64, 64)
