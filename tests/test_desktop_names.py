"""Stable object names: every menu and toolbar action, field (sliders included), table and plot of
the window has a name of its own within its tab (tests and assistive tools find controls by them),
and both settings panels start from `RunConfig`'s defaults.

Every tab is shown once before the names are collected: some build their plots when first shown
(the Weights tab's per-layer plots), and those must be named too."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox, QComboBox,
                               QGraphicsView, QGroupBox, QLabel, QLineEdit, QScrollBar, QSpinBox, QTableView,
                               QToolBar, QToolButton, QWidget)

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle
from regcore.config import RunConfig

INPUTS = (QAbstractButton, QAbstractSpinBox, QLineEdit, QComboBox, QAbstractItemView, QAbstractSlider)


def is_input(widget: QWidget) -> bool:
    if isinstance(widget, QToolButton):  # made by toolbars and tab bars for their actions: the action is named
        return False
    if isinstance(widget, QScrollBar):  # a scroll area's or a table's own
        return False
    return isinstance(widget, INPUTS) or (isinstance(widget, QGroupBox) and widget.isCheckable())


def inside(widget: QWidget, ancestors) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if any(parent is ancestor for ancestor in ancestors):
            return True
        parent = parent.parentWidget()
    return False


def actions_of(container) -> list[QAction]:
    """Every action of a menu bar, menu or toolbar, submenus included; separators and widget holders left out."""
    found = []
    for action in container.actions():
        if action.isSeparator():
            continue
        if isinstance(container, QToolBar) and not isinstance(container.widgetForAction(action), QToolButton):
            continue  # it holds a widget (a progress bar, a check box): the widget is checked as a field
        found.append(action)
        if action.menu() is not None:
            found.extend(actions_of(action.menu()))
    return found


def named_in(scope: QWidget, leave_out=()) -> dict[str, list[str]]:
    """kind -> objectNames of every action, input, table and plot in ``scope`` (not inside ``leave_out``)."""
    widgets = [w for w in scope.findChildren(QWidget) if not inside(w, leave_out) and not any(w is x for x in leave_out)]
    composite = [w for w in widgets if isinstance(w, (QAbstractSpinBox, QComboBox, QAbstractItemView))]
    inputs = [w for w in widgets if is_input(w) and not inside(w, composite)]  # not a spin box's own line edit
    actions = [a for bar in widgets if isinstance(bar, QToolBar) for a in actions_of(bar)]
    if hasattr(scope, "menuBar"):
        actions += actions_of(scope.menuBar())
    actions = list({id(action): action for action in actions}.values())  # one action may be in a menu and a toolbar
    views = [w for w in widgets if isinstance(w, QGraphicsView)]  # pyqtgraph's and the Network tab's graph
    plots = [item for view in views for item in view.scene().items() if isinstance(item, pg.PlotItem)]
    return {"action": [a.objectName() for a in actions], "input": [w.objectName() for w in inputs],
            "plot": [p.objectName() for p in views + plots]}


def scopes(window):
    """(tab label, names) of the window outside its tabs, then of each tab."""
    yield "window", named_in(window, leave_out=[window.tabs])
    for i in range(window.tabs.count()):
        yield window.tabs.tabText(i), named_in(window.tabs.widget(i))


def test_every_action_field_table_and_plot_has_a_name_of_its_own_in_its_tab(qtbot, window):
    window.findChild(QSpinBox, "iterations").setValue(200)
    window.findChild(QAction, "start_action").trigger()
    wait_idle(qtbot, window)
    window.findChild(QGroupBox, "regularizer_l2").setChecked(True)
    window.findChild(QAction, "start_action").trigger()
    wait_idle(qtbot, window)
    for i in range(window.tabs.count()):  # each tab shown once: some make their plots then
        window.tabs.setCurrentIndex(i)
        qtbot.wait(10)
    window.tabs.setCurrentWidget(window.comparison)
    window.findChild(QTableView, "runs_table").selectAll()  # a boundary plot per selected run appears

    all_names = {}
    for tab, names in scopes(window):
        flat = [name for kind in names.values() for name in kind]
        assert all(flat), f"{tab}: unnamed {[kind for kind, ns in names.items() if not all(ns)]}"
        assert len(flat) == len(set(flat)), f"{tab}: named twice {sorted({n for n in flat if flat.count(n) > 1})}"
        all_names[tab] = set(flat)

    assert {"start_action", "step_action", "stop_action", "reset_action", "notebook_action", "file_menu",
            "run_menu", "open_data_action", "save_experiment_action", "export_plots_action", "quit_action",
            "hidden", "learning_rate", "iterations", "seed", "record_every", "generator", "data_moons_noise",
            "regularizer_l2", "regularizer_l2_lambd", "regularizer_dropout_mask"} <= all_names["window"]
    assert {"live_plots", "cost_plot", "boundary_plot", "log_scale"} <= all_names["Training"]
    assert {"runs_table", "comparison_plots", "comparison_cost_plot", "comparison_boundary_plot_1",
            "comparison_boundary_plot_2"} <= all_names["Runs and comparison"]
    assert {"sweep_hidden", "sweep_learning_rate", "sweep_iterations", "sweep_seed", "sweep_record_every",
            "sweep_start", "sweep_stop", "sweep_run", "sweep_plots", "sweep_accuracy_plot",
            "sweep_boundary_plot", "sweep_seeds", "sweep_settings", "sweep_morph"} <= all_names["Sweep"]
    # the widgets added since: the timeline and the data editor, the lab, the insides' tabs
    assert {"timeline_slider", "edit_data", "edit_mode", "noise_count", "add_noise"} <= all_names["Training"]
    assert {"biasvar_run", "biasvar_cancel", "biasvar_bootstraps", "biasvar_hidden", "biasvar_error_plot",
            "biasvar_mean_plot", "biasvar_variance_plot", "biasvar_export_png",
            "biasvar_export_csv"} <= all_names["Bias–variance"]
    assert {"network_graph", "network_point"} <= all_names["Network"]
    assert {"weights_plots", "gap_plot", "histogram_plot_1", "histogram_plot_3", "norm_plot_1",
            "norm_plot_3"} <= all_names["Weights"]
    assert {"comparison_weights_plots", "comparison_gap_plot"} <= all_names["Runs and comparison"]


def test_the_name_check_catches_a_missing_name_and_a_name_used_twice(window):
    """The collection above would see a field left unnamed, or two fields sharing a name, in a tab."""
    names = dict(scopes(window))
    assert all(names["Training"]["input"]) and "timeline_slider" in names["Training"]["input"]
    window.timeline.slider.setObjectName("")
    window.editor.noise_count.setObjectName("add_noise")
    names = dict(scopes(window))["Training"]["input"]
    assert "" in names and names.count("add_noise") == 2


@pytest.mark.parametrize("prefix, place", [("", "settings_column"), ("sweep_", "sweep")])
def test_both_settings_panels_start_from_the_run_configurations_defaults(window, prefix, place):
    scope = window if place == "settings_column" else window.sweep_view

    def field(kind, name):
        found = scope.findChild(kind, prefix + name)
        assert found is not None, prefix + name
        return found

    defaults = RunConfig()
    assert field(QLineEdit, "hidden").text() == ",".join(map(str, defaults.hidden))
    assert field(QAbstractSpinBox, "learning_rate").value() == defaults.learning_rate
    assert field(QSpinBox, "iterations").value() == defaults.iterations
    assert int(field(QAbstractSpinBox, "seed").value()) == defaults.seed
    assert field(QSpinBox, "record_every").value() == defaults.record_every
