"""Typing numbers into the window's fields as a user does: select all, type, Tab. Every numeric field
(generators', regularizers', training settings, the Sweep tab's) keeps the value as typed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QGroupBox, QPushButton

from desktop_fixtures import *  # noqa: F401,F403
from user_actions import tick, type_into

# Typed values, each tried in every field whose range holds it. "300" into a field whose minimum is 4
# passes through "3", below the minimum; "0.00005" is what a g format would show as 5e-05.
INTEGERS = ("300", "25", "2500", "4000000000")
DECIMALS = ("0.25", "0.00005", "1.5", "300")


def typed_value(field, text):
    return float(text) if isinstance(field, QDoubleSpinBox) else int(text)


def assert_fields_take_typed_values(qtbot, fields) -> list[str]:
    """Type every candidate that fits into every field; returns the names of the fields tried."""
    tried = []
    for field in fields:
        assert field.isVisible() and field.isEnabled(), field.objectName()
        candidates = DECIMALS if isinstance(field, QDoubleSpinBox) else INTEGERS
        fitting = [text for text in candidates if field.minimum() <= typed_value(field, text) <= field.maximum()]
        assert fitting, f"no candidate fits {field.objectName()} ({field.minimum()} to {field.maximum()})"
        for text in fitting:
            type_into(qtbot, field, text)
            assert field.value() == typed_value(field, text), f"{field.objectName()}: typed {text}, got {field.value()}"
            shown = field.lineEdit().text().replace(field.locale().groupSeparator(), "")
            assert shown == text, f"{field.objectName()}: typed {text}, shows {field.lineEdit().text()!r}"
        tried.append(field.objectName())
    return tried


def visible_fields(widget):
    return [field for field in widget.findChildren(QAbstractSpinBox) if field.isVisible()]


def test_typing_300_into_the_generators_n_makes_300_points(qtbot, window):
    window.data_panel.generator.setCurrentIndex(window.data_panel.generator.findData("moons"))
    n = window.data_panel.forms.currentWidget().editors["n"]
    type_into(qtbot, n, "300")
    assert n.value() == 300 and n.text() == "300"
    qtbot.mouseClick(window.data_panel.findChild(QPushButton, "regenerate"), Qt.MouseButton.LeftButton)
    wait_loaded(qtbot, window)
    assert window.data.X_train.shape[1] + window.data.X_test.shape[1] == 300
    assert "n=300" in window.source


def test_an_unfinished_number_out_of_range_goes_back_when_editing_ends(qtbot, window):
    n = window.data_panel.forms.currentWidget().editors["n"]
    type_into(qtbot, n, "300")
    type_into(qtbot, n, "3")  # below the minimum of 4: Qt's rule, the previous value comes back
    assert n.value() == 300 and n.text() == "300"
    type_into(qtbot, n, "1000000")  # the last 0 would pass the maximum of 100,000: that key is refused
    assert n.value() == 100000


def test_every_settings_field_takes_what_is_typed(qtbot, window):
    tried = []
    for box in window.regularizer_panel.boxes.values():  # tick every regularizer, as a user would
        tick(qtbot, box)
        assert box.isChecked(), box.objectName()
    for index in range(window.data_panel.generator.count()):
        window.data_panel.generator.setCurrentIndex(index)
        tried += assert_fields_take_typed_values(qtbot, visible_fields(window.data_panel))
    tried += assert_fields_take_typed_values(qtbot, visible_fields(window.training_panel))
    tried += assert_fields_take_typed_values(qtbot, visible_fields(window.regularizer_panel))
    assert {"data_moons_n", "data_moons_noise", "data_moons_test_ratio", "data_moons_seed", "learning_rate",
            "iterations", "seed", "record_every", "regularizer_l2_lambd", "regularizer_dropout_keep_prob"} <= set(tried)


def test_every_sweep_field_takes_what_is_typed(qtbot, window):
    view = window.sweep_view
    window.tabs.setCurrentWidget(view)
    tried = []
    for index in range(view.regularizer.count()):
        view.regularizer.setCurrentIndex(index)
        for param in range(view.parameter.count()):
            view.parameter.setCurrentIndex(param)
            tried += assert_fields_take_typed_values(qtbot, visible_fields(view))
    assert {"sweep_count", "sweep_start", "sweep_stop", "sweep_learning_rate", "sweep_iterations", "sweep_seed",
            "sweep_record_every"} <= set(tried)


@pytest.mark.parametrize("value, shown", [(0.7, "0.7"), (5e-05, "0.00005"), (123456.5, "123456.5"), (1e-06, "0.000001")])
def test_decimal_fields_show_values_the_way_they_are_typed(window, value, shown):
    field = window.regularizer_panel.boxes["l2"].form.editors["lambd"]
    field.setValue(value)
    assert field.text() == shown and field.valueFromText(field.text()) == value


def test_an_int_field_steps_with_the_arrow_keys_and_takes_negative_numbers(qtbot):
    from regstudio.param_widgets import IntSpinBox

    field = IntSpinBox(objectName="offset")
    qtbot.addWidget(field)
    field.setRange(-50, 50)
    field.setValue(10)
    seen = []
    field.valueChanged.connect(seen.append)
    qtbot.keyClick(field, Qt.Key.Key_Up)
    assert field.value() == 11 and field.text() == "11"
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, "-")
    qtbot.keyClick(field, Qt.Key.Key_Return)  # a lone minus is no number: the previous value stays
    assert field.value() == 11 and field.text() == "11"
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, "-499")  # the last 9 would pass the minimum of -50: refused
    assert field.value() == -49 and field.text() == "-49"
    qtbot.keyClick(field, Qt.Key.Key_Down)
    assert field.value() == -50 and not field.stepEnabled() & field.StepEnabledFlag.StepDownEnabled
    assert seen == [11, -4, -49, -50]


def refusal_shown(window) -> str:
    return window.statusBar().currentMessage()


@pytest.mark.parametrize("name, text, kept, says", [
    ("learning_rate", "-0.5", "0.3", "from 1e-06 to 1,000,000"),
    ("iterations", "-100", "30,000", "from 1 to"),
    ("record_every", "-5", "100", "from 1 to 1,000,000"),
])
def test_a_negative_number_typed_into_a_positive_field_says_what_the_field_takes(qtbot, window, name, text, kept, says):
    field = window.findChild(QAbstractSpinBox, name)
    before = field.value()
    type_into(qtbot, field, text)
    message = refusal_shown(window)
    assert message.startswith("“-” cannot be typed into") and says in message, message
    assert field.value() != -abs(float(text))  # refused, as before: the field is not negative
    assert field.lineEdit().text() != text


def test_a_regularizers_field_and_a_generators_field_say_it_too(qtbot, window):
    box = window.findChild(QGroupBox, "regularizer_l2")
    tick(qtbot, box)
    lambd = window.findChild(QAbstractSpinBox, "regularizer_l2_lambd")
    type_into(qtbot, lambd, "-1")
    assert refusal_shown(window).startswith("“-” cannot be typed into lambd: it takes a number in [0, "), \
        refusal_shown(window)
    assert lambd.value() == 1  # the minus refused, the 1 taken: Qt's integer fields do the same
    n = window.data_panel.forms.currentWidget().editors["n"]
    window.statusBar().clearMessage()
    type_into(qtbot, n, "1000000")  # the last 0 passes the maximum
    assert n.value() == 100000
    assert "“0” cannot be typed into n" in refusal_shown(window), refusal_shown(window)


def test_a_key_that_is_accepted_says_nothing(qtbot, window):
    window.statusBar().clearMessage()
    type_into(qtbot, window.findChild(QAbstractSpinBox, "learning_rate"), "0.25")
    assert refusal_shown(window) == ""
