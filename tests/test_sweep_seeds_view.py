"""The Sweep tab with several seeds per setting, driven as a user does: the table's mean and standard
deviation columns equal a NumPy computation over each setting's per-seed models, the bands span
mean ± std, the star is on the best mean test accuracy; one seed leaves the tab as it was."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from desktop_fixtures import *  # noqa: F401,F403
from user_actions import type_into

from test_desktop_sweep_journeys import run_sweep


def sweep_with_seeds(qtbot, window, seeds: str, count="3", iterations="300"):
    type_into(qtbot, window.sweep_view.seeds, seeds)
    return run_sweep(qtbot, window, count=count, iterations=iterations)


def test_with_three_seeds_the_table_and_bands_are_the_per_seed_means_and_stds(qtbot, window):
    view = sweep_with_seeds(qtbot, window, "3")
    assert len(view.results) == 9 and all(r.ok and r.completed for r in view.results.values())
    seed = view.training.seed.value()
    lambdas = [0.0, 1.0, 2.0]
    # per setting, its three models (plain lookups by their settings, not by the view's grouping)
    per_seed = {}
    for result in view.results.values():
        per_seed.setdefault(result.point.params["lambd"], {})[result.point.config.seed] = result
    assert sorted(per_seed) == lambdas and all(sorted(s) == [seed, seed + 1, seed + 2] for s in per_seed.values())
    table = view.settings_table
    assert table.isVisibleTo(view) and table.rowCount() == 3
    assert table.column_values("lambd") == lambdas and table.column_values("seeds") == [3, 3, 3]
    expected = {}
    for name in ("train_accuracy", "test_accuracy", "final_cost"):
        values = np.array([[getattr(per_seed[lam][s], name) for s in sorted(per_seed[lam])] for lam in lambdas])
        expected[name] = (values.mean(axis=1), np.sqrt(((values - values.mean(axis=1, keepdims=True)) ** 2).mean(axis=1)))
        title = {"train_accuracy": "train", "test_accuracy": "test", "final_cost": "cost"}[name]
        np.testing.assert_allclose(table.column_values(f"{title} mean"), expected[name][0], rtol=1e-12)
        np.testing.assert_allclose(table.column_values(f"{title} std"), expected[name][1], rtol=1e-9, atol=1e-15)
    assert expected["final_cost"][1].min() > 0  # different seeds, different models: the spread is real
    # the plots: the means, with bands from mean - std to mean + std
    for curve, band, name in ((view.train_curve, "train", "train_accuracy"), (view.test_curve, "test", "test_accuracy"),
                              (view.cost_curve, "cost", "final_cost")):
        x, y = curve.getData()
        np.testing.assert_array_equal(x, lambdas)
        np.testing.assert_allclose(y, expected[name][0], rtol=1e-12)
        lower, upper = view.bands[band].edges()
        np.testing.assert_allclose(lower, expected[name][0] - expected[name][1], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(upper, expected[name][0] + expected[name][1], rtol=1e-9, atol=1e-12)
    # the best setting: the highest mean test accuracy, starred on the plot and in the table
    means = expected["test_accuracy"][0]
    best = [i for i, m in enumerate(means) if m == means.max()]
    star_x, star_y = view.best_marker.getData()
    assert list(star_x) == [lambdas[i] for i in best] and np.allclose(star_y, means.max(), rtol=1e-12)
    assert [table.item(row, 0).text().endswith("★") for row in range(3)] == [row in best for row in range(3)]
    assert view.points[view.selected].params["lambd"] == lambdas[best[0]]
    assert "Over its 3 seeds" in view.selection_text.text()
    assert view.accuracy_plot.legend.getLabel(view.best_marker).text == "best mean test accuracy"
    # a row clicked shows that setting's first seed's model
    row = next(r for r in range(3) if r not in best)
    table.cellClicked.emit(row, 0)
    chosen = view.results[view.selected]
    assert chosen.point.params["lambd"] == lambdas[row] and chosen.point.config.seed == seed


def test_one_seed_again_is_the_plain_view(qtbot, window):
    view = sweep_with_seeds(qtbot, window, "2")
    assert view.settings_table.isVisibleTo(view) and len(view.results) == 6
    type_into(qtbot, view.seeds, "1")
    view = run_sweep(qtbot, window, count="3")
    assert not view.settings_table.isVisibleTo(view)
    assert all(len(band.edges()[0] if band.edges()[0] is not None else []) == 0 for band in view.bands.values())
    x, test = view.test_curve.getData()
    assert list(test) == [view.results[i].test_accuracy for i in range(3)]
    assert "Over its" not in view.selection_text.text()
    assert view.accuracy_plot.legend.getLabel(view.best_marker).text == "best test accuracy"


def test_the_screenshot_option_s_seeds_go_to_the_sweep_tab_or_are_one_line(window):
    from regcore.errors import RegcoreError
    from regstudio.app import apply_arguments, build_parser

    apply_arguments(window, build_parser().parse_args(["--seeds", "4"]))
    assert window.sweep_view.seeds.value() == 4
    with pytest.raises(RegcoreError, match="--seeds must be a whole number from 1 to 50"):
        apply_arguments(window, build_parser().parse_args(["--seeds", "0"]))


def test_seeds_that_run_past_the_largest_seed_are_one_line(qtbot, window):
    view = window.sweep_view
    window.tabs.setCurrentWidget(view)
    view.training.seed.setValue(2**32 - 1)
    type_into(qtbot, view.seeds, "3")
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert view.worker is None and view.status.text().startswith("Cannot start: ")
    assert "\n" not in view.status.text()


@pytest.mark.parametrize("tab", ["sweep", "biasvar"])
def test_the_tab_names_of_the_screenshot_option_are_the_window_s_tabs_in_order(window, tab):
    from regstudio.app import TABS

    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Training", "Runs and comparison", "Sweep", "Bias–variance"] and len(TABS) == len(titles)
    assert window.tabs.widget(TABS.index(tab)) is {"sweep": window.sweep_view, "biasvar": window.biasvar_view}[tab]
