"""The Bias–variance tab in the window, driven as a user does: run the lab, Cancel it mid-run and run it
again; click a value, another, then the first again; export PNG and CSV twice onto one path and onto
targets that cannot be written (refused in one line, nothing written); save the experiment and
reopen it: the same curve, the same heatmaps, the same CSV."""

from __future__ import annotations

import csv
import os

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_fixtures import *  # noqa: F401,F403
from regcore.biasvar import bootstrap_samples
from regcore.data import Dataset
from user_actions import click_plot_point, type_into

from conftest import run_cli
from test_desktop_files import png_size
from test_inspect import _direct

SOURCE = "moons:n=60,noise=0.2,seed=3"


def set_up(qtbot, window, iterations="200", count="3", bootstraps="3"):
    """On the Bias–variance tab: L2's lambd from 0 to 2, ``count`` values, ``bootstraps`` models each."""
    window.load_source(SOURCE)
    view = window.biasvar_view
    window.tabs.setCurrentWidget(view)
    view.regularizer.setCurrentIndex(view.regularizer.findData("l2"))
    view.parameter.setCurrentIndex(view.parameter.findData("lambd"))
    view.log_scale.setChecked(False)
    type_into(qtbot, view.start_editor, "0")
    type_into(qtbot, view.stop_editor, "2")
    type_into(qtbot, view.count, count)
    type_into(qtbot, view.bootstraps, bootstraps)
    type_into(qtbot, view.training.iterations, iterations)
    return view


def run_lab(qtbot, view):
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.worker is None, timeout=60000)


def numpy_decomposition(view, value):
    """bias², variance and error of value ``value``'s B models, transcribed in plain NumPy: each model's
    forward pass (ReLU hidden layers, sigmoid output) on the test points, then the three means."""
    B, data = view.design.bootstraps, view.data
    sizes = [2, 20, 3, 1]
    probabilities = []
    for b in range(B):
        flat = view.results[value * B + b].parameters
        _, _, weights = _direct(flat, sizes, data.X_test)  # W1, W2, W3 row-major, then b1, b2, b3
        at = sum(W.size for W in weights)
        biases = [flat[at + sum(sizes[1:i]):at + sum(sizes[1:i + 1])].reshape(-1, 1) for i in range(1, len(sizes))]
        a = data.X_test
        for layer, (W, bias) in enumerate(zip(weights, biases)):
            z = W @ a + bias
            a = np.maximum(z, 0) if layer < len(weights) - 1 else 1 / (1 + np.exp(-z))
        probabilities.append(a[0])
    p, y = np.array(probabilities), data.Y_test[0]
    mean = p.mean(axis=0)
    return np.mean((mean - y) ** 2), np.mean(((p - mean) ** 2).mean(axis=0)), np.mean(((p - y) ** 2).mean(axis=0))


def test_run_cancel_mid_run_then_run_again_gives_the_whole_decomposition(qtbot, window):
    view = set_up(qtbot, window, iterations="5000000")
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert view.worker is not None and view.cancel_button.isEnabled()
    qtbot.wait(1500)  # training (its worker processes have started)
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.worker is None, timeout=30000)
    assert "Cancelled" in view.status.text() and view.run_button.isEnabled()
    assert view.saved() is None  # no value had all its models finished: nothing to keep
    type_into(qtbot, view.training.iterations, "200")
    run_lab(qtbot, view)
    assert view.status.text().startswith("3 values × 3 bootstraps")
    x, error = view.error_curve.getData()
    np.testing.assert_array_equal(x, [0.0, 1.0, 2.0])
    for value in range(3):
        bias2, variance, total = numpy_decomposition(view, value)
        assert view.bias_curve.getData()[1][value] == pytest.approx(bias2, rel=1e-9)
        assert view.variance_curve.getData()[1][value] == pytest.approx(variance, rel=1e-9)
        assert error[value] == pytest.approx(total, rel=1e-9)
        assert error[value] == pytest.approx(bias2 + variance, rel=1e-9)
    # the models are the second run's: each trained to the end on its own resample
    assert all(r.completed and r.iterations_done == 200 for r in view.results.values())
    samples = bootstrap_samples(view.data.X_train.shape[1], 3, view.design.seed)
    k = samples[1]
    resample = Dataset("r", view.data.X_train[:, k], view.data.Y_train[:, k], view.data.X_test, view.data.Y_test)
    single = view.design.settings[2].config.build(window.registry, resample).run()
    np.testing.assert_allclose(view.results[2 * 3 + 1].parameters, single.parameters[0], rtol=1e-10, atol=1e-13)


def test_clicking_a_value_another_then_the_first_again(qtbot, window):
    view = set_up(qtbot, window)
    run_lab(qtbot, view)
    x, error = view.error_curve.getData()
    first = view.selected
    assert error[first] == error.min()  # the lowest error is shown when the lab ends
    shown = view.variance_plot.image.image.copy()
    other = next(v for v in range(3) if v != first)
    click_plot_point(qtbot, view.plots, view.error_plot, x[other], error[other])
    assert view.selected == other and f"lambd = {x[other]:g}" in view.selection_text.text()
    assert not np.array_equal(view.variance_plot.image.image, shown)
    qtbot.wait(QApplication.doubleClickInterval() + 100)  # a second click at once is a double click to Qt
    click_plot_point(qtbot, view.plots, view.error_plot, x[first], error[first])  # on the star
    assert view.selected == first
    np.testing.assert_array_equal(view.variance_plot.image.image, shown)
    assert list(view.selected_marker.getData()[0]) == [x[first]]


def test_exports_png_and_csv_twice_and_refuses_targets_it_cannot_write(qtbot, window, tmp_path):
    view = set_up(qtbot, window)
    run_lab(qtbot, view)
    png, table = tmp_path / "lab.png", tmp_path / "lab.csv"
    for _ in range(2):  # the same path twice: replaced, not appended to or refused
        assert view.export_png(str(png)) and view.export_csv(str(table))
        assert view.status.text() == f"Saved {table}"
    width, height = png_size(png)
    assert width >= view.export_widget.width() - 1 and height >= view.export_widget.height() - 1
    # the columns and numbers of `regcore biasvar --csv` for the same settings
    cli = tmp_path / "cli.csv"
    out = run_cli("biasvar", "--data", SOURCE, "--reg", "l2", "--param", "lambd=0:2:3", "--bootstraps", "3",
                  "--iterations", "200", "--seed", "3", "--csv", str(cli))
    assert out.returncode == 0, out.stderr
    mine, theirs = (list(csv.reader(path.open())) for path in (table, cli))
    assert mine[0] == theirs[0] and len(mine) == len(theirs) == 4
    for row, other in zip(mine[1:], theirs[1:]):
        assert row[0] == other[0] and row[-1] == other[-1] == ""
        np.testing.assert_allclose([float(v) for v in row[1:-1]], [float(v) for v in other[1:-1]], rtol=1e-9)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    folder = tmp_path / "folder"
    folder.mkdir()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target in (folder, fifo, tmp_path / "missing" / "lab.csv"):
        for export in (view.export_png, view.export_csv):
            assert not export(str(target))
            message = view.status.text()
            assert message.startswith("Could not save: ") and "\n" not in message and "b00020" in view.status.styleSheet()
    assert folder.is_dir() and not any(folder.iterdir()) and fifo.is_fifo()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before  # no temporary files
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "folder", "pipe"])


def test_the_window_s_png_export_on_the_lab_tab_has_the_heatmaps_too(qtbot, window, tmp_path):
    view = set_up(qtbot, window)
    run_lab(qtbot, view)
    target = tmp_path / "plots.png"
    assert window.export_png(str(target))
    assert png_size(target)[1] > view.plots.height()  # the curves and the heatmaps under them


def test_a_saved_lab_reopens_with_the_same_curve_heatmaps_and_table(qtbot, window, make_window, tmp_path):
    view = set_up(qtbot, window)
    run_lab(qtbot, view)
    other = next(v for v in range(3) if v != view.selected)
    view.select(other)
    curves = {name: getattr(view, name).getData() for name in
              ("bias_curve", "variance_curve", "error_curve", "train_curve", "test_curve", "best_marker")}
    best = view._series()[0][int(np.argmin(curves["error_curve"][1]))]
    view.select(best)
    mean, variance = view.boundary_plot.image.image.copy(), view.variance_plot.image.image.copy()
    view.export_csv(str(tmp_path / "before.csv"))
    path = tmp_path / "lab.regx"
    assert window.save_experiment(str(path))

    again = make_window()
    again.load_source("circle:n=50")  # something else first: reopening replaces it
    assert again.open_experiment(str(path))
    reopened = again.biasvar_view
    assert reopened.data.X_test.tobytes() == view.data.X_test.tobytes()
    for name, (x, y) in curves.items():
        np.testing.assert_array_equal(getattr(reopened, name).getData()[0], x)
        np.testing.assert_array_equal(getattr(reopened, name).getData()[1], y)
    assert reopened.selected == best and "Reopened: 3 of 3 values × 3 bootstraps" in reopened.status.text()
    np.testing.assert_array_equal(reopened.boundary_plot.image.image, mean)
    np.testing.assert_array_equal(reopened.variance_plot.image.image, variance)
    again.tabs.setCurrentWidget(reopened)  # opened on the Training tab, then this one shown: still drawn
    qtbot.waitExposed(reopened)
    assert reopened.boundary_plot.image.isVisible() and reopened.variance_plot.image.isVisible()
    np.testing.assert_array_equal(reopened.boundary_plot.image.image, mean)
    np.testing.assert_array_equal(reopened.variance_plot.image.image, variance)
    reopened.export_csv(str(tmp_path / "after.csv"))
    assert (tmp_path / "after.csv").read_bytes() == (tmp_path / "before.csv").read_bytes()
    # its settings are back in the controls: Run lab reruns the same lab
    assert (reopened.count.value(), reopened.bootstraps.value(), reopened.training.iterations.value()) == (3, 3, 200)
    assert reopened.plan_axis()[1][0].values == (0.0, 1.0, 2.0)
    # the other value, clicked, is that value's, too
    reopened.select(other)
    assert f"lambd = {curves['error_curve'][0][other]:g}" in reopened.selection_text.text()
