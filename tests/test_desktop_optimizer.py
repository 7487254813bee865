"""The window offers the optimizer and the batch size from the registry's declarations, in both tabs."""

from __future__ import annotations

from functools import partial
from types import SimpleNamespace

import numpy as np
from PySide6.QtWidgets import QDoubleSpinBox

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle
from regcore import Optimizer, Param, hookimpl
from regcore.config import RunConfig
from regcore.plugins import ALLOW_ENV, load_registry


class Halving(Optimizer):
    name = "halving"
    label = "Halving (test plugin)"
    help = "Moves each parameter by share times the plain step."
    params = (Param("share", "float", 0.5, low=0.0, high=1.0, help="Share of the plain step."),)

    def plan(self, parameters, gradients):
        return [partial(np.multiply, gradients, self.learning_rate * self.values["share"], gradients),
                partial(np.subtract, parameters, gradients, parameters)]


def plugin():
    @hookimpl
    def register_optimizers(register):
        register(Halving)

    return SimpleNamespace(register_optimizers=register_optimizers)


def test_the_settings_offer_every_optimizer_with_its_parameters_and_keep_them_in_the_config(qtbot, window):
    panel = window.training_panel
    names = [panel.optimizer.itemData(i) for i in range(panel.optimizer.count())]
    assert names[:4] == ["gd", "momentum", "adam", "adamw"] and panel.optimizer.currentData() == "gd"
    assert window.config().optimizer == "gd" and window.config().batch_size is None
    panel.optimizer.setCurrentIndex(names.index("adam"))
    beta1 = panel.optimizer_forms.currentWidget().findChild(QDoubleSpinBox, "optimizer_adam_beta1")
    beta1.setValue(0.8)
    panel.batch_size.setValue(16)
    config = window.config()
    assert (config.optimizer, config.optimizer_values["beta1"], config.batch_size) == ("adam", 0.8, 16)
    panel.set_config(RunConfig(optimizer="momentum", optimizer_values={"beta": 0.5}))
    assert window.config().optimizer_values == {"beta": 0.5} and window.config().batch_size is None


def test_a_third_party_optimizer_appears_with_its_widget_and_trains(qtbot, make_window):
    window = make_window(load_registry(extra=[("halves", plugin())], environ={ALLOW_ENV: "halves"}))
    panel = window.training_panel
    panel.optimizer.setCurrentIndex(panel.optimizer.findData("halving"))
    share = panel.optimizer_forms.currentWidget().findChild(QDoubleSpinBox, "optimizer_halving_share")
    assert "Share of the plain step" in share.toolTip()
    share.setValue(0.25)
    panel.iterations.setValue(100)
    window.start()
    wait_idle(qtbot, window)
    run = window.comparison.model.runs[0]
    assert run.status == "finished" and run.config.optimizer_values == {"share": 0.25}


def test_the_sweep_tab_plans_its_points_with_the_chosen_optimizer_and_batch_size(qtbot, window):
    panel = window.sweep_view.training
    panel.optimizer.setCurrentIndex(panel.optimizer.findData("adamw"))
    panel.batch_size.setValue(20)
    window.sweep_view.set_data(window.data)
    points = window.sweep_view.plan_points()
    assert {(p.config.optimizer, p.config.batch_size) for p in points} == {("adamw", 20)}
    assert points[0].config.optimizer_values["weight_decay"] == 0.01
