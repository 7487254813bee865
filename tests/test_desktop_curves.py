"""The cost plots as a learner reads them: honest train loss / objective curves, legends off the curves,
an x axis that grows with a long run, and a run of one record still drawn."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle
from regcore.config import RunConfig

TRAIN_LOSS, TEST_LOSS = "train loss", "test loss"  # the legend's names, as a user reads them
OBJECTIVE = "training objective (with penalty / dropout)"

DROPOUT = ("dropout", {"keep_prob": 0.86, "mask": "fresh"})


def train(qtbot, window, iterations, regularizers=(), record_every=100):
    window.training_panel.iterations.setValue(iterations)
    window.training_panel.record_every.setValue(record_every)
    window.regularizer_panel.set_selected(list(regularizers))
    window.start_action.trigger()
    wait_idle(qtbot, window, timeout=60000)
    return window.comparison.model.runs[-1]


def header(model, title):
    from PySide6.QtCore import Qt

    return next(c for c in range(model.columnCount())
                if model.headerData(c, Qt.Orientation.Horizontal).replace("\n", " ") == title)


def test_dropout_shows_the_clean_train_loss_apart_from_the_objective(qtbot, window, registry):
    run = train(qtbot, window, 1000, [DROPOUT])
    history = RunConfig(iterations=1000, record_every=100, regularizers=(DROPOUT,)).build(
        registry, window.data).run().history
    live = window.cost_plot._live
    assert set(live) == {TRAIN_LOSS, TEST_LOSS, OBJECTIVE}
    np.testing.assert_array_equal(live[TRAIN_LOSS][2], history["train_loss"][:, 0])
    np.testing.assert_array_equal(live[OBJECTIVE][2], history["cost"][:, 0])
    # with dropout the objective is the noisy pass: well above the clean loss at the end
    assert history["cost"][-5:, 0].mean() > 1.25 * history["train_loss"][-5:, 0].mean()
    legend = [label.text for _, label in window.cost_plot.legend.items]
    assert legend == [TRAIN_LOSS, TEST_LOSS, OBJECTIVE]

    model = window.comparison.model
    row = model.runs.index(run)
    shown = lambda title: model.data(model.index(row, header(model, title)))  # noqa: E731
    assert float(shown("Final train loss")) == pytest.approx(history["train_loss"][-1, 0], rel=1e-3)
    assert float(shown("Final objective")) == pytest.approx(history["cost"][-1, 0], rel=1e-3)

    window.tabs.setCurrentWidget(window.comparison)
    window.comparison.select_rows([row])
    overlay = window.comparison.cost
    bold = next(curve for curve in overlay._curves if curve.name() == "#1 dropout(keep_prob=0.86, mask=fresh)")
    np.testing.assert_array_equal(bold.getData()[1], history["train_loss"][:, 0])
    drawn = [curve.getData()[1] for curve in overlay._curves]
    assert any(np.array_equal(y, history["cost"][:, 0]) for y in drawn)  # the objective, thin
    assert any(np.array_equal(y, history["test_cost"][:, 0]) for y in drawn)
    assert "train loss" in overlay.titleLabel.text and "training objective" in overlay.titleLabel.text


def test_without_a_regularizer_there_is_no_separate_objective_curve(qtbot, window):
    train(qtbot, window, 300)
    assert set(window.cost_plot._live) == {TRAIN_LOSS, TEST_LOSS}


def curve_points_in_scene(curve):
    """Scene positions of a curve's drawn points (in its transformed, e.g. log, coordinates)."""
    xs, ys = curve.getData()
    keep = np.isfinite(xs) & np.isfinite(ys)
    return [curve.mapToScene(QPointF(float(x), float(y))) for x, y in zip(xs[keep], ys[keep])]


def assert_legend_clear_of(plot, curves):
    legend = plot.legend.sceneBoundingRect()
    assert legend.width() > 0 and legend.height() > 0
    view = plot.vb.sceneBoundingRect()
    points = [p for curve in curves for p in curve_points_in_scene(curve)]
    assert len(points) > 3
    inside = [p for p in points if view.contains(p)]
    assert inside, "the curves are on screen"
    covered = [p for p in inside if legend.contains(p)]
    assert not covered, f"the legend {legend} covers {len(covered)} points, e.g. {covered[0]}"


def test_the_legend_of_a_log_scale_cost_plot_covers_no_curve(qtbot, window):
    window.log_scale.setChecked(True)  # as a user ticks it
    train(qtbot, window, 30000)  # over-fitting: the test loss climbs to the top right, where legends sit
    qtbot.wait(50)
    assert_legend_clear_of(window.cost_plot, [curve for curve, *_ in window.cost_plot._live.values()])


def test_the_legend_of_the_sweeps_accuracy_plot_covers_no_curve(qtbot, window):
    view = window.sweep_view
    window.tabs.setCurrentWidget(view)
    view.regularizer.setCurrentIndex(view.regularizer.findData("l2"))
    view.parameter.setCurrentIndex(view.parameter.findData("lambd"))
    view.start_editor.setValue(0.0)
    view.stop_editor.setValue(2.0)
    view.count.setValue(5)
    view.training.iterations.setValue(300)
    view.run_button.click()
    qtbot.waitUntil(lambda: view.worker is None, timeout=60000)
    qtbot.wait(50)
    assert_legend_clear_of(view.accuracy_plot, [view.train_curve, view.test_curve])


def test_a_long_run_grows_its_x_axis_in_a_few_steps(qtbot, window):
    window.training_panel.iterations.setValue(10_000_000)
    changes = []
    window.cost_plot.vb.sigXRangeChanged.connect(lambda _vb, r: changes.append(r[1]))
    window.start_action.trigger()
    qtbot.waitUntil(lambda: window.controller.last_frame is not None and window.controller.last_frame.iteration >= 5000, timeout=30000)
    at = window.controller.last_frame.iteration
    left, right = window.cost_plot.vb.viewRange()[0]
    window.stop(wait=True)
    wait_idle(qtbot, window)
    assert at <= right < 4 * at + 1100, f"x axis ends at {right:,.0f} with the run at {at:,}"
    assert left <= 0
    # doubling: about log2(at / 1000) changes, not one per frame
    assert 1 <= len(changes) <= np.log2(at / 1000) + 3, changes


def test_a_one_iteration_run_is_drawn_from_its_start_to_its_end(qtbot, window):
    train(qtbot, window, 1)
    curve = window.cost_plot._live[TRAIN_LOSS][0]
    xs, ys = curve.getData()
    assert list(xs) == [0, 1] and np.isfinite(ys).all()
    window.cost_plot.grab() if hasattr(window.cost_plot, "grab") else window.live.grab()
    (left, right), (bottom, top) = window.cost_plot.vb.viewRange()
    assert left <= 0 and right >= 1 and all(bottom <= y <= top for y in ys)  # all of it shows


@pytest.mark.parametrize("iterations, every", [(100, 10), (100, 100), (100, 30)])
def test_the_last_iteration_is_drawn_on_the_cost_plot(qtbot, window, iterations, every):
    """A 100-iteration run ended its curve at 90 (or at 0): the parameters it ends with were never drawn."""
    run = train(qtbot, window, iterations, record_every=every)
    xs, ys = window.cost_plot._live[TRAIN_LOSS][1:3]
    assert xs == [*range(0, iterations, every), iterations]
    # the point drawn at the end is the loss of the parameters the run kept, by a plain forward pass
    from test_training import _plain_loss

    expected = _plain_loss(run.result.parameters[0], run.result.layout.sizes, window.data.X_train, window.data.Y_train)
    assert ys[-1] == pytest.approx(expected, rel=1e-9)
    _, right = window.cost_plot.getViewBox().viewRange()[0]
    assert right >= iterations  # and it is inside the x range shown
