"""The Sweep view, headless: choosing what to sweep from declarations, running in a thread, plotting,
inspecting a point, sending its settings, bad input, failures, cancelling and closing."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from desktop_fixtures import no_leftovers  # noqa: F401  (autouse: no top-level widget may outlive a test)
from regcore.config import RunConfig
from regcore.plugins import ALLOW_ENV, load_registry
from regcore.sweep import Sweep


from test_sweep import ExplodingPlugin

@pytest.fixture
def make_view(qtbot, small_data):
    from regstudio.sweep_view import SweepView

    views = []

    def make(registry=None):
        view = SweepView(registry or load_registry())
        qtbot.addWidget(view)
        view.set_data(small_data)
        view.training.iterations.setValue(200)
        view.show()
        views.append(view)
        return view

    yield make
    for view in views:
        view.shutdown()
        assert view.worker is None


@pytest.fixture
def view(make_view):
    return make_view()


def choose(view, regularizer, parameter, start, stop, count, log=False):
    view.regularizer.setCurrentIndex(view.regularizer.findData(regularizer))
    view.parameter.setCurrentIndex(view.parameter.findData(parameter))
    view.start_editor.setValue(start)
    view.stop_editor.setValue(stop)
    view.count.setValue(count)
    view.log_scale.setChecked(log)


def run(qtbot, view, timeout=30000):
    """Wait until the view has taken the sweep's result (it drops its worker then)."""
    qtbot.waitUntil(lambda: view.worker is None, timeout=timeout)


def test_only_numeric_parameters_are_offered_and_plugins_need_no_gui_code(make_view):
    view = make_view(load_registry(extra=[("exploding", ExplodingPlugin())], environ={ALLOW_ENV: "exploding"}))
    offered = [view.regularizer.itemData(i) for i in range(view.regularizer.count())]
    # 'none' has nothing to sweep; the optimizer chosen in the training settings comes last
    assert offered == ["l2", "l1", "dropout", "early_stopping", "exploding", "optimizer"]
    view.regularizer.setCurrentIndex(offered.index("dropout"))
    assert [view.parameter.itemData(i) for i in range(view.parameter.count())] == ["keep_prob"]
    # the other parameter (mask) is offered as a fixed value; the swept one is not
    form = view.fixed_form
    assert not form.layout().isRowVisible(form.editors["keep_prob"]) and form.layout().isRowVisible(form.editors["mask"])
    view.regularizer.setCurrentIndex(offered.index("exploding"))
    assert view.parameter.currentData() == "strength"


def test_a_sweep_plots_what_the_core_computes_and_marks_the_best(qtbot, view, registry, small_data):
    choose(view, "l2", "lambd", 0.0, 2.0, 5)
    view.run_button.click()
    assert view.worker is not None and not view.run_button.isEnabled() and view.cancel_button.isEnabled()
    run(qtbot, view)
    core = Sweep(view.plan_points(), small_data, registry, jobs=1).run()
    x, test = view.test_curve.getData()
    np.testing.assert_array_equal(x, [0.0, 0.5, 1.0, 1.5, 2.0])
    np.testing.assert_array_equal(test, [p.test_accuracy for p in core.points])
    np.testing.assert_array_equal(view.train_curve.getData()[1], [p.train_accuracy for p in core.points])
    np.testing.assert_array_equal(view.cost_curve.getData()[1], [p.final_cost for p in core.points])
    best_x, best_y = view.best_marker.getData()
    assert list(best_x) == [x[i] for i in core.best()] and np.all(best_y == max(test))
    assert view.progress_bar.value() == 1000 and view.run_button.isEnabled()
    assert "5 models in" in view.status.text()


def test_clicking_a_point_shows_its_boundary_and_sends_its_settings(qtbot, view, small_data):
    choose(view, "dropout", "keep_prob", 0.5, 1.0, 3)
    view.fixed_form.editors["mask"].setCurrentText("course")
    view.run_button.click()
    run(qtbot, view)
    spots = view.test_curve.scatter.points()
    view.test_curve.sigPointsClicked.emit(view.test_curve, [spots[1]], None)  # what a mouse click emits
    assert view.selected == 1 and view.use_button.isEnabled()
    image = view.boundary_plot.image.image
    assert image.shape == (200, 200) and 0.0 <= image.min() < 0.5 < image.max() <= 1.0
    assert "keep_prob = 0.75" in view.selection_text.text()
    with qtbot.waitSignal(view.send_to_main) as sent:
        view.use_button.click()
    config = sent.args[0]
    assert isinstance(config, RunConfig)
    assert config.regularizers == (("dropout", {"mask": "course", "keep_prob": 0.75}),)
    assert (config.iterations, config.hidden, config.seed) == (200, (20, 3), 3)
    # the boundary shown is that model's: its accuracy on the training points matches the sweep's
    result = view.results[1]
    assert f"train {result.train_accuracy:.1%}" in view.boundary_plot.titleLabel.text


@pytest.mark.parametrize("setup, message", [
    (lambda v: choose(v, "l2", "lambd", 0.0, 2.0, 4, log=True), "a log range needs start and stop > 0"),
    (lambda v: choose(v, "l2", "lambd", 1.0, 2.0, 1), "one value cannot span 1 to 2"),
    (lambda v: v.training.hidden.setText("20,x"), "hidden sizes must be whole numbers"),
])
def test_bad_settings_are_a_status_message_and_start_nothing(view, setup, message):
    setup(view)
    view.run_button.click()
    assert view.worker is None
    assert view.status.text().startswith("Cannot start: ") and message in view.status.text()
    assert "b00020" in view.status.styleSheet()


def test_without_data_the_view_says_what_to_do(qtbot):
    from regstudio.sweep_view import SweepView

    view = SweepView(load_registry())
    qtbot.addWidget(view)
    view.run_button.click()
    assert view.worker is None and "no data set yet" in view.status.text()


def test_a_failing_regularizer_is_named_and_the_other_points_are_plotted(qtbot, make_view):
    view = make_view(load_registry(extra=[("exploding", ExplodingPlugin())], environ={}))
    choose(view, "exploding", "strength", 0.0, 3.0, 4)
    view.run_button.click()
    run(qtbot, view)
    assert "2 of 4 models failed" in view.status.text() and "regularizer 'exploding'" in view.status.text()
    np.testing.assert_array_equal(view.test_curve.getData()[0], [0.0, 1.0])


def test_cancel_stops_the_thread_and_keeps_the_controls_usable(qtbot, view):
    choose(view, "l2", "lambd", 0.0, 2.0, 3)
    view.training.iterations.setValue(10_000_000)
    view.run_button.click()
    qtbot.waitUntil(lambda: view.progress_bar.value() > 0, timeout=20000)
    view.cancel_button.click()
    run(qtbot, view)
    assert "Cancelled" in view.status.text() and view.run_button.isEnabled() and not view.cancel_button.isEnabled()


def test_closing_the_window_it_sits_in_stops_a_running_sweep(qtbot, make_view):
    from PySide6.QtWidgets import QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    view = make_view()
    window.setCentralWidget(view)  # as a tab of the main window: the view itself gets no close event
    window.show()
    choose(view, "l2", "lambd", 0.0, 2.0, 3)
    view.training.iterations.setValue(10_000_000)
    view.run_button.click()
    worker = view.worker
    qtbot.waitUntil(lambda: view.progress_bar.value() > 0, timeout=20000)
    window.close()
    assert view.worker is None and worker.isFinished()


def test_new_data_stops_the_sweep_and_drops_results_that_belong_to_the_old(qtbot, view, registry):
    from regcore.datasets import resolve_data

    choose(view, "l2", "lambd", 0.0, 2.0, 3)
    view.run_button.click()
    run(qtbot, view)
    assert len(view.test_curve.getData()[0]) == 3
    view.training.iterations.setValue(10_000_000)
    view.run_button.click()
    view.set_data(resolve_data("circle:n=60", registry))
    assert view.worker is None and view.results == {} and not view.use_button.isEnabled()
    qtbot.wait(300)  # whatever the stopped sweep sent last must not reappear
    assert view.test_curve.getData()[0] is None or len(view.test_curve.getData()[0]) == 0
    assert "data set changed" in view.status.text() and view.run_button.isEnabled()


def test_the_optimizer_s_learning_rate_and_parameters_are_offered_and_swept(qtbot, view, registry, small_data):
    from PySide6.QtWidgets import QComboBox, QSpinBox, QWidget
    from user_actions import type_into

    what, parameter = view.findChild(QComboBox, "sweep_regularizer"), view.findChild(QComboBox, "sweep_parameter")
    optimizer = view.findChild(QComboBox, "sweep_optimizer")
    optimizer.setCurrentIndex(optimizer.findData("adam"))
    what.setCurrentIndex(what.findData("optimizer"))
    assert what.currentText() == "Optimizer: Adam"
    assert [parameter.itemData(i) for i in range(parameter.count())] == ["lr", "beta1", "beta2", "eps"]
    assert parameter.itemText(0) == "learning rate" and not view.fixed_box.isVisibleTo(view)
    parameter.setCurrentIndex(parameter.findData("beta1"))
    type_into(qtbot, view.findChild(QWidget, "sweep_start"), "0.5")
    type_into(qtbot, view.findChild(QWidget, "sweep_stop"), "0.9")
    type_into(qtbot, view.findChild(QSpinBox, "sweep_count"), "3")
    view.log_scale.setChecked(False)
    view.findChild(QWidget, "sweep_run").click()
    run(qtbot, view)
    points = view.plan_points()
    assert [(p.config.optimizer, p.config.optimizer_values["beta1"]) for p in points] == \
        [("adam", 0.5), ("adam", 0.7), ("adam", 0.9)]
    x, test = view.test_curve.getData()
    np.testing.assert_allclose(x, [0.5, 0.7, 0.9])
    singles = [p.config.build(registry, small_data).run() for p in points]
    np.testing.assert_array_equal(test, [s.test_accuracy[0] for s in singles])

    optimizer.setCurrentIndex(optimizer.findData("momentum"))  # the entry follows the training settings
    assert what.currentText() == "Optimizer: Momentum"
    assert [parameter.itemData(i) for i in range(parameter.count())] == ["lr", "beta"]
    parameter.setCurrentIndex(parameter.findData("lr"))
    view.log_scale.setChecked(False)  # the learning rate is declared log: its sweeps start on a log scale
    type_into(qtbot, view.findChild(QWidget, "sweep_start"), "0.1")
    type_into(qtbot, view.findChild(QWidget, "sweep_stop"), "0.3")
    assert [p.config.learning_rate for p in view.plan_points()] == [0.1, 0.2, 0.3] and \
        {p.config.regularizers for p in view.plan_points()} == {()}


def test_the_morph_slider_walks_the_swept_values_and_cross_fades_between_them(qtbot, view, small_data):
    from PySide6.QtCore import Qt

    from regcore import network
    from regcore.boundary import Grid
    from regstudio.morph import STEPS

    choose(view, "l2", "lambd", 0.0, 3.0, 4)
    view.run_button.click()
    run(qtbot, view)
    slider = view.morph.slider
    assert slider.isEnabled() and slider.maximum() == 3 * STEPS
    assert slider.value() == STEPS * view._series()[0].index(view.selected)   # on the best, selected
    slider.setFocus()
    qtbot.keyClick(slider, Qt.Key.Key_Home)
    assert view.selected == 0 and "lambd = 0" in view.selection_text.text()
    for _ in range(STEPS // 4):                                # a quarter of the way from 0 to 1
        qtbot.keyClick(slider, Qt.Key.Key_Right)
    grid = Grid.over(small_data, 200)

    def probabilities(index):  # the model's own P(class 1), by the core's network from its parameters
        return network.probabilities(view.results[index].parameters[None], view.layout_of_models, grid.points)[0]

    expected = 0.75 * probabilities(0) + 0.25 * probabilities(1)
    np.testing.assert_allclose(view.boundary_plot.image.image.reshape(-1), expected, rtol=1e-12)
    assert "0 → 1" in view.morph.label.text() and "Between lambd = 0 and lambd = 1" in view.selection_text.text()
    for _ in range(STEPS - STEPS // 4):                        # on to the next value: that model, selected
        qtbot.keyClick(slider, Qt.Key.Key_Right)
    assert view.selected == 1 and "lambd = 1" in view.selection_text.text()
    np.testing.assert_allclose(view.boundary_plot.image.image.reshape(-1), probabilities(1), rtol=1e-12)
    view.run_button.click()                                    # a new sweep: the slider waits for its results
    assert not slider.isEnabled()
    run(qtbot, view)
    assert slider.isEnabled()


def test_the_final_weight_norms_and_dead_units_are_plotted_against_the_swept_value(qtbot, view, small_data):
    choose(view, "l2", "lambd", 0.0, 3.0, 4)
    view.run_button.click()
    run(qtbot, view)
    assert view.result_views.currentWidget() is view.plots
    # a click on the tick box: they take the place of accuracy and cost
    qtbot.mouseClick(view.show_insides, Qt.MouseButton.LeftButton, pos=QPoint(8, view.show_insides.height() // 2))
    assert view.result_views.currentWidget() is view.insides_plots and view.insides_plots.isVisible()
    results = [view.results[i] for i in sorted(view.results, key=lambda i: view.points[i].params["lambd"])]
    sizes = (small_data.X_train.shape[0], *view.plan_axis()[0].hidden, 1)
    for layer in range(len(sizes) - 1):
        x, norms = view.insides.curves[("norm", layer)].getData()
        np.testing.assert_array_equal(x, [0.0, 1.0, 2.0, 3.0])
        at = sum(a * b for a, b in zip(sizes[:layer], sizes[1:layer + 1]))
        W = [r.parameters[at:at + sizes[layer] * sizes[layer + 1]] for r in results]
        np.testing.assert_allclose(norms, [np.sqrt(np.dot(w, w)) for w in W], rtol=1e-12)
    assert norms[-1] < norms[0], "a larger lambd, smaller weights"
    for layer in range(len(sizes) - 2):
        _, dead = view.insides.curves[("dead", layer)].getData()
        expected = []
        for r in results:
            A = small_data.X_train
            at_w, at_b = 0, sum(a * b for a, b in zip(sizes, sizes[1:]))
            for l in range(layer + 1):
                W = r.parameters[at_w:at_w + sizes[l] * sizes[l + 1]].reshape(sizes[l + 1], sizes[l])
                b = r.parameters[at_b:at_b + sizes[l + 1]]
                A = np.maximum(0, W @ A + b[:, None])
                at_w, at_b = at_w + W.size, at_b + sizes[l + 1]
            expected.append(int((~(A > 0).any(axis=1)).sum()))
        np.testing.assert_array_equal(dead, expected)
