"""The Bias–variance tab, headless: it plots what `regcore.biasvar` computes, stars the lowest error,
shows p̄, the variance and a few boundaries for a clicked value, cancels, and sits in the window."""

import numpy as np
import pytest

from desktop_fixtures import *  # noqa: F401,F403  (the window fixtures; no_leftovers is autouse)
from regcore.biasvar import BiasVarianceLab
from regcore.plugins import load_registry

from test_sweep_view import choose, run


@pytest.fixture
def view(qtbot, small_data):
    from regstudio.biasvar_view import BiasVarianceView

    view = BiasVarianceView(load_registry())
    qtbot.addWidget(view)
    view.set_data(small_data)
    view.training.iterations.setValue(200)
    view.bootstraps.setValue(3)
    view.show()
    yield view
    view.shutdown()
    assert view.worker is None


def test_the_tab_plots_the_labs_decomposition_and_stars_the_lowest_error(qtbot, view, registry, small_data):
    choose(view, "l2", "lambd", 0.0, 2.0, 3)
    view.run_button.click()
    assert view.worker is not None and view.cancel_button.isEnabled()
    run(qtbot, view)
    base, axes = view.plan_axis()
    core = BiasVarianceLab(base, axes[0], small_data, registry, bootstraps=3, seed=base.seed, jobs=1).run()
    x, error = view.error_curve.getData()
    np.testing.assert_array_equal(x, [0.0, 1.0, 2.0])
    for curve, name in ((view.bias_curve, "bias2"), (view.variance_curve, "variance"), (view.error_curve, "error"),
                        (view.test_curve, "test_accuracy_mean"), (view.train_curve, "train_accuracy_mean")):
        np.testing.assert_array_equal(curve.getData()[1], [getattr(p.decomposition, name) for p in core.points])
    np.testing.assert_allclose(error, view.bias_curve.getData()[1] + view.variance_curve.getData()[1], rtol=1e-12)
    best_x, best_y = view.best_marker.getData()
    assert list(best_x) == [x[core.best()]] and best_y[0] == error.min()
    # the lowest error is selected: p̄ with its contour, the variance, and a few models' boundaries
    assert view.selected == core.best() and view.use_button.isEnabled()
    mean = view.boundary_plot.image.image
    assert mean.shape == (200, 200) and 0.0 <= mean.min() and mean.max() <= 1.0
    assert len(view.boundary_plot.contour.getData()[0]) > 0
    assert sum(len(c.getData()[0]) > 0 for c in view.model_contours) == 3  # B = 3 < 5: all of them
    variance = view.variance_plot.image.image
    assert variance.shape == (200, 200) and variance.min() >= 0.0 and variance.max() > 0.0
    assert "bias²" in view.selection_text.text() and "variance" in view.selection_text.text()


def test_clicking_another_value_shows_it_and_its_settings_go_to_the_main_view(qtbot, view):
    choose(view, "l2", "lambd", 0.0, 2.0, 3)
    view.run_button.click()
    run(qtbot, view)
    before = view.variance_plot.image.image.copy()
    other = next(v for v in range(3) if v != view.selected)
    view.select(other)
    assert view.selected == other and not np.array_equal(before, view.variance_plot.image.image)
    with qtbot.waitSignal(view.send_to_main) as sent:
        view.use_button.click()
    assert dict(sent.args[0].regularizers)["l2"]["lambd"] == [0.0, 1.0, 2.0][other]


def test_cancel_stops_the_lab_and_shows_only_finished_values(qtbot, view):
    choose(view, "l2", "lambd", 0.0, 2.0, 4)
    view.training.iterations.setValue(200_000)
    view.run_button.click()
    view.cancel_button.click()
    run(qtbot, view)
    assert "Cancelled" in view.status.text() and view.run_button.isEnabled()
    shown = view.error_curve.getData()[0]
    assert shown is None or len(shown) < 4


def test_the_window_has_the_tab_with_its_own_object_names(window):
    from regstudio.biasvar_view import BiasVarianceView

    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert "Bias–variance" in tabs and isinstance(window.biasvar_view, BiasVarianceView)
    assert window.findChild(type(window.biasvar_view.run_button), "biasvar_run") is window.biasvar_view.run_button
    assert window.findChild(type(window.sweep_view.run_button), "sweep_run") is window.sweep_view.run_button
    assert window.biasvar_view.data is window.data  # a new data set reaches it as it reaches the Sweep tab
