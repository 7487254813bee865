"""A third-party regularizer gets its widgets and trains; failing plugins and bad input end the run, not the app."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QMessageBox

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle
from regstudio.param_widgets import IntSpinBox
from regcore import Param, Regularizer, hookimpl
from regcore.plugins import ALLOW_ENV, load_registry


class Shrink(Regularizer):
    """Multiplies the weights by (1 - rate) every `every` iterations after the update."""

    name = "shrink"
    label = "Shrink (test plugin)"
    help = "Pulls every weight towards zero after each update."
    params = (Param("rate", "float", 0.001, low=0.0, high=0.5, high_open=True, help="Share removed."),
              Param("every", "int", 1, low=1, high=100, help="How often."),
              Param("where", "choice", "all", choices=("all", "last"), help="Which layers."),
              Param("enabled", "bool", True, help="Switch it off without unticking."))
    calls = 0

    def after_update(self, weights, biases):
        Shrink.calls += 1
        if self.values["enabled"]:
            for W in (weights if self.values["where"] == "all" else weights[-1:]):
                W *= 1 - self.values["rate"]


class Explodes(Regularizer):
    name = "explodes"
    label = "Explodes (test plugin)"
    help = "Raises in add_gradients at iteration 5."
    params = (Param("at", "int", 5, low=0),)

    def setup(self):
        self.count = 0

    def add_gradients(self, weights, grads):
        self.count += 1
        if self.count > self.values["at"][0, 0, 0]:
            raise RuntimeError("boom")


class NotFinite(Regularizer):
    name = "not_finite"
    label = "NaN penalty (test plugin)"

    def penalty(self, weights):
        return np.full(len(weights[0]), np.nan)


def plugin(*classes):
    @hookimpl
    def register_regularizers(register):
        for cls in classes:
            register(cls)

    return SimpleNamespace(register_regularizers=register_regularizers)


def test_a_third_party_regularizer_appears_with_its_widgets_and_trains(qtbot, make_window):
    window = make_window(load_registry(extra=[("shrinkplug", plugin(Shrink))], environ={ALLOW_ENV: "shrinkplug"}))
    box = window.regularizer_panel.boxes["shrink"]
    assert box.title() == "Shrink (test plugin)" and "Pulls every weight" in box.toolTip()
    rate = box.findChild(QDoubleSpinBox, "regularizer_shrink_rate")
    assert rate.minimum() == 0.0 and 0.49 < rate.maximum() < 0.5 and rate.value() == 0.001
    assert "Share removed" in rate.toolTip() and "[0, 0.5)" in rate.toolTip()
    every = box.findChild(IntSpinBox, "regularizer_shrink_every")
    assert (every.minimum(), every.maximum()) == (1, 100)
    where = box.findChild(QComboBox, "regularizer_shrink_where")
    assert [where.itemText(i) for i in range(where.count())] == ["all", "last"]
    assert box.findChild(QCheckBox, "regularizer_shrink_enabled").isChecked()

    box.setChecked(True)
    rate.setValue(0.01)
    where.setCurrentText("last")
    window.training_panel.iterations.setValue(200)
    Shrink.calls = 0
    window.start()
    wait_idle(qtbot, window)
    run = window.comparison.model.runs[0]
    assert run.status == "finished"
    assert run.config.regularizers == (("shrink", {"rate": 0.01, "every": 1, "where": "last", "enabled": True}),)
    assert Shrink.calls == 200


def test_a_failing_plugin_ends_the_run_with_a_message_and_the_app_keeps_working(qtbot, make_window):
    window = make_window(load_registry(extra=[("bad", plugin(Explodes, NotFinite))], environ={ALLOW_ENV: "bad"}))
    window.training_panel.iterations.setValue(500)
    window.regularizer_panel.set_selected([("explodes", {"at": 5})])
    window.start()
    wait_idle(qtbot, window)
    box = window.message_box
    assert box.isVisible() and box.icon() == QMessageBox.Icon.Warning
    assert "'explodes'" in box.text() and "boom" in box.text() and "iteration 5" in box.text()
    assert "untick it" in box.informativeText()
    run = window.comparison.model.runs[0]
    assert run.status == "failed" and run.result.iterations_done == 5

    window.regularizer_panel.set_selected([("not_finite", {})])
    window.start()
    wait_idle(qtbot, window)
    assert "'not_finite'" in window.message_box.text() and "non-finite" in window.message_box.text()

    window.regularizer_panel.set_selected([("l2", {"lambd": 0.1})])  # the app goes on working
    window.start()
    wait_idle(qtbot, window)
    assert window.comparison.model.runs[-1].status == "finished"
    assert window.controller.state == "idle" and window.start_action.isEnabled()


def test_divergence_says_to_lower_the_learning_rate(qtbot, window):
    window.training_panel.learning_rate.setValue(10000.0)
    window.training_panel.iterations.setValue(2000)
    window.start()
    wait_idle(qtbot, window)
    assert "diverged" in window.message_box.text() or "finite" in window.message_box.text()
    assert "learning rate" in window.message_box.text() + window.message_box.informativeText()


def test_bad_settings_and_unreadable_files_get_a_message_and_change_nothing(qtbot, window, tmp_path):
    data_before = window.data
    broken = tmp_path / "broken.mat"
    broken.write_bytes(b"not a mat file at all")
    assert window.load_source(str(broken)) is False
    assert window.data is data_before
    assert "broken.mat" in window.message_box.text()

    window.training_panel.hidden.setText("20,x")
    assert window.start() is False
    assert "hidden" in window.message_box.text() and window.controller.worker is None
    assert window.comparison.model.runs == []


def test_reloading_plugins_reaches_the_sweep_view_too(qtbot, make_window, monkeypatch):
    import regstudio.main_window as main_window

    window = make_window()
    if window.sweep_view is None:
        pytest.skip("the sweep view is not available")
    sweepable = lambda: {window.sweep_view.regularizer.itemData(i) for i in range(window.sweep_view.regularizer.count())}
    assert "shrink" not in sweepable()
    plugin = SimpleNamespace(register_regularizers=hookimpl(lambda register: register(Shrink)))
    reload = lambda disabled=(): load_registry(extra=[("shrinker", plugin)], environ={ALLOW_ENV: "shrinker"})
    monkeypatch.setattr(main_window, "load_registry", reload)
    window.reload_plugins(set())
    assert "shrink" in sweepable() and "l2" in sweepable()


class PenaltyFails(Regularizer):
    name = "penalty_fails"
    label = "Penalty fails (test plugin)"
    help = "Its penalty raises from iteration 300 on."

    def setup(self):
        self.calls = 0

    def penalty(self, weights):
        self.calls += 1
        if self.calls > 3:
            raise RuntimeError("penalty broke")
        return np.zeros(len(weights[0]))


def test_a_run_failing_in_its_penalty_stays_a_row_with_its_history(qtbot, make_window):
    window = make_window(load_registry(extra=[("pen", plugin(PenaltyFails))], environ={ALLOW_ENV: "pen"}))
    window.training_panel.iterations.setValue(2000)
    window.regularizer_panel.set_selected([("penalty_fails", {})])
    window.start()
    wait_idle(qtbot, window)
    assert "penalty broke" in window.message_box.text()
    run = window.comparison.model.runs[0]
    assert run.status == "failed"
    assert run.result.history["iterations"].tolist() == [0, 100, 200]  # recorded before it broke at 300
    assert np.isnan(run.result.final_cost[0]) and run.result.iterations_done == 300
