"""The window offers a ``"layers"`` Param (L2's and L1's layer selection) from its declaration: a line
edit that takes what the Param takes, typed like a user would."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QLineEdit

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle
from user_actions import type_into


def test_the_layers_of_l2_are_typed_into_a_field_and_reach_the_run(qtbot, window):
    window.findChild(QGroupBox, "regularizer_l2").setChecked(True)
    field = window.findChild(QLineEdit, "regularizer_l2_layers")
    assert field is not None and field.text() == "all" and "joined by +" in field.toolTip()
    type_into(qtbot, field, "2+1")
    assert dict(window.config().regularizers)["l2"] == {"lambd": 0.7, "layers": "1+2"}
    type_into(qtbot, field, "0")       # not a layer: the field goes back to the last good value
    assert field.text() == "1+2" and dict(window.config().regularizers)["l2"]["layers"] == "1+2"
    type_into(qtbot, field, "1,x")     # keys no selection can contain are refused
    assert field.text() == "1" and dict(window.config().regularizers)["l2"]["layers"] == "1"
    window.training_panel.iterations.setValue(100)
    window.start()
    wait_idle(qtbot, window)
    run = window.comparison.model.runs[0]
    assert run.status == "finished" and dict(run.config.regularizers)["l2"]["layers"] == "1"


def test_a_saved_setting_comes_back_into_the_field(qtbot, window):
    window.regularizer_panel.set_selected([("l1", {"lambd": 0.2, "layers": "3"})])
    assert window.findChild(QLineEdit, "regularizer_l1_layers").text() == "3"
    assert dict(window.config().regularizers)["l1"] == {"lambd": 0.2, "layers": "3"}
