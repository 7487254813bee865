"""The decision boundary as a class sees it: square units, a key to what is drawn, type legible from
the back (presenter mode, remembered), and large data sets drawn quickly as a sample."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle
from regstudio.plots import CLASS_COLOURS, PROBABILITY_MAP, WRONG_COLOUR


def test_one_unit_is_as_long_across_as_up(qtbot, window):
    for size in ((1200, 800), (1400, 700)):
        window.resize(*size)
        qtbot.wait(50)
        across, up = window.boundary_plot.vb.viewPixelSize()  # data units per pixel
        assert across == np.float64(up) or abs(across / up - 1) < 0.01, (across, up)


def test_the_boundary_has_a_key_below_it_and_a_probability_scale(qtbot, window):
    plot = window.boundary_plot
    entries = {label.text: sample.item for sample, label in plot.legend.items}
    assert list(entries) == ["class 0", "class 1", "training point (filled)", "test point (hollow)",
                             "misclassified", "boundary, P = 0.5"]
    for label, colour in enumerate(CLASS_COLOURS):
        assert entries[f"class {label}"].opts["brush"].color().name() == colour
    assert entries["test point (hollow)"].opts["brush"].style() == Qt.BrushStyle.NoBrush
    assert entries["misclassified"].opts["symbol"] == "x"
    assert entries["misclassified"].opts["brush"].color().name() == WRONG_COLOUR
    assert not plot.legend.sceneBoundingRect().intersects(plot.vb.sceneBoundingRect())  # off the data
    bar = plot.colour_bar
    assert bar.levels() == (0.0, 1.0) and bar.colorMap().getColors().tolist() == PROBABILITY_MAP.getColors().tolist()
    assert "P(class 1)" in bar.getAxis("left").labelText


def tick_points(plot):
    return plot.getAxis("bottom").style["tickFont"].pointSizeF()


def test_presenter_mode_enlarges_the_type_and_is_remembered(qtbot, make_window, settings_store):
    window = make_window()
    assert tick_points(window.boundary_plot) >= 10 and tick_points(window.cost_plot) >= 10
    action = window.findChild(QAction, "presenter_mode")
    assert action is not None and action.isCheckable() and not action.isChecked()
    assert action in window.menuBar().actions()[-1].menu().actions()  # under View
    action.trigger()
    for plot in (window.cost_plot, window.boundary_plot, window.sweep_view.accuracy_plot):
        assert tick_points(plot) >= 16
        assert plot.titleLabel.opts["size"] == "20pt"
    assert window.font().pointSizeF() >= 15
    window.close()

    again = make_window(store=settings_store)
    assert again.findChild(QAction, "presenter_mode").isChecked()
    assert tick_points(again.cost_plot) >= 16
    again.findChild(QAction, "presenter_mode").trigger()  # and back
    assert tick_points(again.cost_plot) < 16


def write_points(path, train_points):
    rng = np.random.default_rng(1)
    X, Xval = rng.normal(size=(train_points, 2)), rng.normal(size=(train_points // 4, 2))
    np.savez(path, X=X, y=(X[:, 0] * X[:, 1] > 0)[:, None].astype(float),
             Xval=Xval, yval=(Xval[:, 0] * Xval[:, 1] > 0)[:, None].astype(float))


def test_a_200000_point_file_is_drawn_as_a_sample_and_the_window_stays_responsive(qtbot, window, tmp_path):
    from PySide6.QtCore import QTimer

    path = tmp_path / "large.npz"
    write_points(path, 200_000)
    started = time.perf_counter()
    assert window.load_source(str(path))
    window.grab()  # the first full paint
    assert time.perf_counter() - started < 5.0  # it was 31 s
    plot = window.boundary_plot
    assert plot.points.drawn("train") == 5_000 and plot.points.drawn("test") == 5_000
    assert len(plot.points.train.items) == 2  # one item per class, uniform brushes
    assert all(item.data["brush"][0] is None for item in plot.points.train.items)  # no per-point brushes
    assert "5,000 of 200,000 training points" in plot.note.text

    late = []
    last = [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        late.append(now - last[0] - 0.01)
        last[0] = now

    timer = QTimer(interval=10)
    timer.timeout.connect(tick)
    window.training_panel.iterations.setValue(20)
    window.training_panel.record_every.setValue(5)
    timer.start()
    window.start()
    wait_idle(qtbot, window, timeout=60000)
    timer.stop()
    assert 0 < len(plot.points.wrong.data) <= 1_500  # marks only on drawn points, and a bounded number
    assert len(late) > 10
    assert np.percentile(late, 90) < 0.1, sorted(late)[-5:]  # a loose bound for a shared test machine
