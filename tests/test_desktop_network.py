"""The Network and Weights tabs (issue 13), driven through the window by object names, their numbers
checked against plain NumPy: the network's weights, dead units and dropout masks as drawn, the weight
norms and histograms as plotted, in the Runs tab too, and after reopening a saved experiment."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QSpinBox, QTableView, QWidget

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle
from user_actions import click_rows, press, tick, type_into


# ---------------------------------------------------------------- plain NumPy, independent of regcore

def layers_of(flat: np.ndarray, sizes) -> tuple[list, list]:
    """W1, W2, ... then b1, b2, ...: the parameter row as the experiment format documents it."""
    weights, biases, at = [], [], 0
    for n_in, n_out in zip(sizes, sizes[1:]):
        weights.append(flat[at:at + n_in * n_out].reshape(n_out, n_in))
        at += n_in * n_out
    for n_out in sizes[1:]:
        biases.append(flat[at:at + n_out])
        at += n_out
    return weights, biases


def dead_units(weights, biases, X) -> list[np.ndarray]:
    """Per hidden layer: True where the ReLU output is 0 on every point of X."""
    dead, A = [], X
    for W, b in zip(weights[:-1], biases[:-1]):
        A = np.maximum(0.0, W @ A + b[:, None])
        dead.append(~(A > 0).any(axis=1))
    return dead


def notebook_initialisation(sizes, seed: int) -> list[np.ndarray]:
    state = np.random.RandomState(seed)
    return [state.randn(n_out, n_in) / np.sqrt(n_in) for n_in, n_out in zip(sizes, sizes[1:])]


# ---------------------------------------------------------------- the window

def settings(window, qtbot, hidden="20,3", iterations=2000):
    type_into(qtbot, window.findChild(type(window.training_panel.hidden), "hidden"), hidden)
    window.training_panel.iterations.setValue(iterations)


def train(qtbot, window, timeout=60000):
    press(qtbot, window, window.start_action)
    wait_idle(qtbot, window, timeout)
    return window.comparison.model.runs[-1]


def show_tab(window, title: str):
    index = next(i for i in range(window.tabs.count()) if window.tabs.tabText(i) == title)
    window.tabs.setCurrentIndex(index)
    return window.tabs.widget(index)


def network_view(window):
    settle(window)
    return window.findChild(QLabel, "network_title").parentWidget()


def settle(window, timeout_ms: int = 5000) -> None:
    """Wait, as a person would, until the views on screen have drawn what they were sent (they draw
    a little after it arrives: `regstudio.lazy_draw`)."""
    from PySide6.QtCore import QDeadlineTimer
    from PySide6.QtTest import QTest

    from regstudio.lazy_draw import LazyDraw

    views = [w for w in window.findChildren(QWidget) if isinstance(getattr(w, "lazy", None), LazyDraw)]
    deadline = QDeadlineTimer(timeout_ms)
    while any(v.lazy.pending and v.isVisible() for v in views) and not deadline.hasExpired():
        QTest.qWait(10)


def curve_data(window, plot_name: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """(x, y) of every curve drawn on the plot named ``plot_name`` (they are found by object name)."""
    import pyqtgraph as pg

    if plot_name.startswith("comparison_"):  # on the Runs tab's own tab of weights, as a user opens it
        window.comparison.views.setCurrentWidget(window.comparison.weights)
    settle(window)
    for view in window.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            if isinstance(item, pg.PlotItem) and item.objectName() == plot_name:
                return [(c.xData, c.yData) for c in item.listDataItems() if c.xData is not None and len(c.xData)]
    raise AssertionError(f"no plot named {plot_name}")


def test_the_drawn_norms_and_dead_units_are_those_of_the_weights(qtbot, window):
    settings(window, qtbot, iterations=3000)
    run = train(qtbot, window)
    sizes = run.result.layout.sizes
    weights, biases = layers_of(run.result.parameters[0], sizes)
    expected_dead = dead_units(weights, biases, window.data.X_train)

    show_tab(window, "Network")
    view = network_view(window)
    drawn = view.picture
    assert [int(u.dead) for u in view.units[1]] == [int(d) for d in expected_dead[0]]
    assert [int(u.dead) for u in view.units[2]] == [int(d) for d in expected_dead[1]]
    layers_text = window.findChild(QLabel, "network_layers").text()
    for layer, dead in enumerate(expected_dead, start=1):
        assert f"hidden layer {layer}: {len(dead)} units, <b>{int(dead.sum())} dead</b>" in layers_text
    for W, shown in zip(weights, drawn.weights):
        np.testing.assert_array_equal(W, shown)

    show_tab(window, "Weights")
    for layer, W in enumerate(weights, start=1):
        (xs, ys), = [c for c in curve_data(window, f"norm_plot_{layer}")]
        assert xs[-1] == 3000 and ys[-1] == pytest.approx(np.sqrt((W ** 2).sum()), rel=1e-12)
        assert xs[0] == 0 and list(xs[:31]) == list(range(0, 3001, 100))  # every record, then the end
        # at iteration 0: the notebook's initialisation
        assert ys[0] == pytest.approx(np.linalg.norm(notebook_initialisation(sizes, 3)[layer - 1]), rel=1e-12)
    dead_text = window.findChild(QLabel, "dead_units").text()
    assert all(f"layer {l}: {int(d.sum())} of {len(d)} dead" in dead_text for l, d in enumerate(expected_dead, 1))
    gap = 100 * (run.result.train_accuracy[0] - run.result.test_accuracy[0])
    assert f"{gap:.1f} pp" in window.findChild(QLabel, "gap_readout").text()


def test_the_panels_draw_only_when_shown_and_catch_up_when_a_tab_is_switched_to_mid_run(qtbot, window):
    settings(window, qtbot, iterations=10_000_000)
    view = network_view(window)
    press(qtbot, window, window.start_action)
    qtbot.waitUntil(lambda: window.controller.last_frame is not None and window.controller.last_frame.iteration > 500,
                    timeout=10000)
    assert view.draws == 0, "the Network tab is hidden: nothing is drawn there"
    frame = window.controller.last_frame
    assert frame.payloads["network"] is None and frame.payloads["weights"] is None, "nor computed"
    assert frame.payloads["boundary"] is not None
    show_tab(window, "Network")  # mid-run: drawn from the next frame on
    qtbot.waitUntil(lambda: view.draws >= 2, timeout=10000)
    assert "training" in window.findChild(QLabel, "network_title").text()
    show_tab(window, "Weights")
    qtbot.waitUntil(lambda: any(len(xs) > 3 for xs, _ in curve_data(window, "norm_plot_1")), timeout=10000)
    press(qtbot, window, window.stop_action)
    wait_idle(qtbot, window)
    run = window.comparison.model.runs[-1]
    (xs, ys), = curve_data(window, "norm_plot_1")
    W1 = layers_of(run.result.parameters[0], run.result.layout.sizes)[0][0]
    assert xs[-1] == run.result.iterations_done and ys[-1] == pytest.approx(np.linalg.norm(W1), rel=1e-12)


@pytest.mark.parametrize("mask", ["course", "fresh"])
def test_the_units_drawn_switched_off_are_those_dropout_dropped_in_that_iteration(qtbot, window, mask):
    settings(window, qtbot, iterations=1000)
    window.regularizer_panel.set_selected([("dropout", {"keep_prob": 0.6, "mask": mask})])
    show_tab(window, "Network")
    window.step_iterations.setValue(1)
    press(qtbot, window, window.step_action)  # one iteration, then paused: the pass of iteration 0
    qtbot.waitUntil(lambda: window.controller.state == "paused" and network_view(window).picture is not None
                    and network_view(window).picture.iteration == 1, timeout=10000)
    view = network_view(window)
    X = window.data.X_train
    m = X.shape[1]
    sizes = (2, 20, 3, 1)
    # iteration 0 trains from the notebook's initial weights (biases 0), with these masks:
    if mask == "course":
        state = np.random.RandomState(1)
        keep = [state.rand(20, m) < 0.6, state.rand(3, m) < 0.6]
    else:
        rng = np.random.default_rng(3)  # the run's seed
        keep = [rng.random((20, m)) < 0.6, rng.random((3, m)) < 0.6]
    W1, W2, _ = notebook_initialisation(sizes, 3)
    Z1 = W1 @ X
    A1 = np.maximum(0, Z1) * keep[0] / 0.6
    Z2 = W2 @ A1
    expected = [(Z1 > 0) & ~keep[0], (Z2 > 0) & ~keep[1]]  # dropped where the ReLU let it through
    for drawn, wanted in zip(view.picture.switched_off, expected):
        np.testing.assert_array_equal(drawn, wanted)
    point = view.findChild(QSpinBox, "network_point")
    for p in (1, 7):
        type_into(qtbot, point, str(p))
        assert [u.off for u in view.units[1]] == list(expected[0][:, p - 1])
        assert [u.off for u in view.units[2]] == list(expected[1][:, p - 1])
        assert f"{int(expected[0][:, p - 1].sum())} of 20 units of hidden layer 1" in \
            view.findChild(QLabel, "network_dropout").text()
    press(qtbot, window, window.stop_action)
    wait_idle(qtbot, window)


def test_a_big_network_draws_its_strongest_edges_and_says_so(qtbot, window):
    from regcore.picture import EDGE_LIMIT

    settings(window, qtbot, hidden="64,64", iterations=300)
    run = train(qtbot, window)
    show_tab(window, "Network")
    note = window.findChild(QLabel, "network_note")
    assert note.isVisible() and "strongest edges" in note.text() and f"{2 * 64 + 64 * 64 + 64:,} weights" in note.text()
    view = network_view(window)
    weights, _ = layers_of(run.result.parameters[0], run.result.layout.sizes)
    magnitudes = np.concatenate([np.abs(W).reshape(-1) for W in weights])
    drawn = [np.abs(W.reshape(-1)[e]) for W, e in zip(view.picture.weights, view.picture.edges)]
    drawn_magnitudes = np.concatenate(drawn)
    assert len(view.edges.lines) == len(drawn_magnitudes) == EDGE_LIMIT
    assert drawn_magnitudes.min() >= np.sort(magnitudes)[-EDGE_LIMIT]
    assert view.graph.verticalScrollBar().maximum() > 0, "64 units a layer: the column scrolls"

    # another architecture next: the enlarged output is the new run's, not the 64,64 one's
    settings(window, qtbot, hidden="200", iterations=300)
    run = train(qtbot, window)
    weights, biases = layers_of(run.result.parameters[0], run.result.layout.sizes)
    settle(window)
    detail = window.findChild(QLabel, "network_unit_detail").text()
    assert "output: P(class 1)" in detail and f"bias {np.ravel(biases[-1])[0]:+.3f}" in detail, detail


def test_selecting_runs_shows_their_histograms_and_norms_on_shared_axes(qtbot, window):
    settings(window, qtbot, iterations=1500)
    first = train(qtbot, window)
    tick(qtbot, window.findChild(QGroupBox, "regularizer_l2"))
    second = train(qtbot, window)
    assert second.config.regularizers[0][0] == "l2"
    window.tabs.setCurrentWidget(window.comparison)
    click_rows(qtbot, window.findChild(QTableView, "runs_table"), [0, 1])
    assert "show run #1, the first of the 2 selected" in window.statusBar().currentMessage()
    for layer in (1, 2, 3):
        histograms = curve_data(window, f"comparison_histogram_plot_{layer}")
        assert len(histograms) == 4  # each run: now, and its ghost at initialisation
        for run, (edges, counts) in zip((first, second), histograms[0::2]):
            W = layers_of(run.result.parameters[0], run.result.layout.sizes)[0][layer - 1]
            reach = np.abs(W).max()
            expected, expected_edges = np.histogram(W, bins=30, range=(-reach, reach))
            np.testing.assert_array_equal(counts, expected)
            np.testing.assert_allclose(edges, expected_edges)
        ghost_edges, ghost_counts = histograms[1]
        W0 = notebook_initialisation(first.result.layout.sizes, 3)[layer - 1]
        assert ghost_counts.sum() == W0.size
        norms = curve_data(window, f"comparison_norm_plot_{layer}")
        assert len(norms) == 2
    # L2 shrinks every layer's weights on this data too
    finals = [ys[-1] for _, ys in curve_data(window, "comparison_norm_plot_1")]
    assert finals[1] < finals[0]
    assert "#1" in window.findChild(QLabel, "comparison_gap_readout").text()


def test_two_runs_with_the_same_settings_are_two_series_and_either_shows_in_the_network_tab(qtbot, window):
    settings(window, qtbot, iterations=600)
    first = train(qtbot, window)
    second = train(qtbot, window)
    window.tabs.setCurrentWidget(window.comparison)
    click_rows(qtbot, window.findChild(QTableView, "runs_table"), [1, 0])
    assert len(curve_data(window, "comparison_norm_plot_1")) == 2
    (x1, y1), (x2, y2) = curve_data(window, "comparison_norm_plot_1")
    np.testing.assert_array_equal(y1, y2)  # the same settings and seed: the same weights
    show_tab(window, "Network")
    assert "trained network" in window.findChild(QLabel, "network_title").text()
    np.testing.assert_array_equal(network_view(window).picture.weights[0],
                                  layers_of(first.result.parameters[0], first.result.layout.sizes)[0][0])
    assert second is not first


def test_start_stop_start_again_shows_the_new_run(qtbot, window):
    settings(window, qtbot, iterations=10_000_000)
    show_tab(window, "Weights")
    press(qtbot, window, window.start_action)
    qtbot.waitUntil(lambda: window.controller.last_frame is not None and window.controller.last_frame.iteration > 300,
                    timeout=10000)
    press(qtbot, window, window.stop_action)
    wait_idle(qtbot, window)
    stopped = window.comparison.model.runs[-1]
    assert stopped.insides.iterations[-1] == stopped.result.iterations_done  # its end, kept with it
    window.training_panel.iterations.setValue(500)
    run = train(qtbot, window)
    (xs, ys), = curve_data(window, "norm_plot_1")
    assert xs[0] == 0 and xs[-1] == 500 and len(xs) == 6  # the new run's only
    show_tab(window, "Network")
    assert "iteration 500 of 500" in window.findChild(QLabel, "network_title").text()
    assert run.insides.iterations == [0, 100, 200, 300, 400, 500]


def test_clicking_a_unit_keeps_it_enlarged(qtbot, window):
    settings(window, qtbot, iterations=300)
    train(qtbot, window)
    show_tab(window, "Network")
    view = network_view(window)
    unit = view.units[1][4]
    at = view.graph.mapFromScene(unit.mapToScene(unit.rect().center()))
    qtbot.mouseClick(view.graph.viewport(), Qt.MouseButton.LeftButton, pos=at)
    detail = view.findChild(QLabel, "network_unit_detail").text()
    assert view.pinned == (1, 4) and "hidden layer 1, unit 5" in detail and "kept here" in detail
    assert view.findChild(QLabel, "network_unit_image").pixmap().width() > unit.side * 2


def test_a_reopened_experiment_shows_the_same_network_and_norms(qtbot, make_window, tmp_path):
    window = make_window()
    settings(window, qtbot, iterations=1200)
    window.regularizer_panel.set_selected([("dropout", {"keep_prob": 0.8, "mask": "fresh"})])
    run = train(qtbot, window)
    path = tmp_path / "study.regx"
    assert window.save_experiment(str(path))

    again = make_window()
    assert again.open_experiment(str(path))
    again.tabs.setCurrentWidget(again.comparison)
    click_rows(qtbot, again.findChild(QTableView, "runs_table"), [0])
    reopened = again.comparison.model.runs[0]
    assert reopened.insides.iterations == run.insides.iterations
    np.testing.assert_array_equal(np.array(reopened.insides.weight_norms), np.array(run.insides.weight_norms))
    (xs, ys), = curve_data(again, "comparison_norm_plot_2")
    W2 = layers_of(run.result.parameters[0], run.result.layout.sizes)[0][1]
    assert list(xs) == run.insides.iterations and ys[-1] == pytest.approx(np.linalg.norm(W2), rel=1e-12)
    show_tab(again, "Network")
    shown = network_view(again).picture
    for W, drawn in zip(layers_of(run.result.parameters[0], run.result.layout.sizes)[0], shown.weights):
        np.testing.assert_array_equal(W, drawn)
    assert shown.switched_off is None  # the trained network uses every unit
    show_tab(again, "Weights")
    (xs, ys), = curve_data(again, "norm_plot_3")
    assert list(xs) == run.insides.iterations


def test_under_l2_every_layer_ends_with_smaller_weights_on_the_course_data(qtbot, window, football_path):
    assert window.load_source(str(football_path))
    window.training_panel.iterations.setValue(30000)
    plain = train(qtbot, window, timeout=120000)
    window.regularizer_panel.set_selected([("l2", {"lambd": 0.7})])
    l2 = train(qtbot, window, timeout=120000)
    window.tabs.setCurrentWidget(window.comparison)
    click_rows(qtbot, window.findChild(QTableView, "runs_table"), [0, 1])
    for layer, (W_plain, W_l2) in enumerate(zip(layers_of(plain.result.parameters[0], plain.result.layout.sizes)[0],
                                                layers_of(l2.result.parameters[0], l2.result.layout.sizes)[0]), 1):
        (_, plain_norms), (_, l2_norms) = curve_data(window, f"comparison_norm_plot_{layer}")
        assert plain_norms[-1] == pytest.approx(np.linalg.norm(W_plain), rel=1e-12)
        assert l2_norms[-1] == pytest.approx(np.linalg.norm(W_l2), rel=1e-12)
        assert l2_norms[-1] < plain_norms[-1], f"layer {layer}"


def test_scrubbing_the_timeline_shows_the_network_and_weights_of_that_moment(qtbot, window):
    from PySide6.QtWidgets import QSlider

    settings(window, qtbot, iterations=2000)
    run = train(qtbot, window)
    show_tab(window, "Network")
    slider = window.findChild(QSlider, "timeline_slider")
    slider.setValue(slider.maximum() // 3)
    iteration = int(run.snapshots.iterations[slider.value()])
    flat = run.snapshots.parameters[slider.value()]
    assert 0 < iteration < 2000
    view = network_view(window)
    assert f"iteration {iteration:,} of 2,000 (replaying the run)" in window.findChild(QLabel, "network_title").text()
    weights, biases = layers_of(flat, run.result.layout.sizes)
    for W, drawn in zip(weights, view.picture.weights):
        np.testing.assert_array_equal(W, drawn)
    assert [u.dead for u in view.units[1]] == list(dead_units(weights, biases, window.data.X_train)[0])
    show_tab(window, "Weights")
    slider.setValue(slider.value() + 1)
    flat = run.snapshots.parameters[slider.value()]
    for layer, W in enumerate(layers_of(flat, run.result.layout.sizes)[0], start=1):
        (edges, counts), _ghost = curve_data(window, f"histogram_plot_{layer}")
        reach = np.abs(W).max()
        np.testing.assert_array_equal(counts, np.histogram(W, bins=30, range=(-reach, reach))[0])


def test_the_weights_tab_counts_the_weights_near_zero_that_l1_makes(qtbot, window):
    settings(window, qtbot, iterations=4000)
    plain = train(qtbot, window)
    show_tab(window, "Weights")
    settle(window)
    label = window.findChild(QLabel, "dead_units")

    def shown_and_direct(run):
        weights, _ = layers_of(run.result.parameters[0], run.result.layout.sizes)
        counts = [int((np.abs(W) < 1e-3).sum()) for W in weights]
        return label.text(), counts, sum(W.size for W in weights)

    text, counts, total = shown_and_direct(plain)
    assert f"Weights within 0.001 of 0 (L1 makes many) — {sum(counts)} of {total} (" in text
    tick(qtbot, window.findChild(QGroupBox, "regularizer_l1"))
    type_into(qtbot, window.findChild(QWidget, "regularizer_l1_lambd"), "0.5")
    sparse = train(qtbot, window)
    assert dict(sparse.config.regularizers)["l1"]["lambd"] == 0.5
    settle(window)
    text, sparse_counts, _ = shown_and_direct(sparse)
    assert f"— {sum(sparse_counts)} of {total} (" + ", ".join(f"W{l}: {c}" for l, c in enumerate(sparse_counts, 1)) in text
    assert sum(sparse_counts) > 10 * max(1, sum(counts))
