"""Widgets derived from `regcore.params.Param` declarations, and nothing else.

A float becomes a spin box limited to its bounds (an open bound is kept just out of reach), an int a
spin box that also holds seeds up to 2**32, a choice a combo box, a bool a check box; the help text
and the allowed range become the tooltip. This is how a third-party regularizer or data-set
generator gets its controls without any GUI code of its own.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QVBoxLayout, QWidget
from superqt import QLargeIntSpinBox

from regcore.params import Param

UNBOUNDED = 1e12
DECIMALS = 6


class FloatSpinBox(QDoubleSpinBox):
    """A double spin box that shows 0.7 rather than 0.700000 and steps adaptively (0.01, 0.1, 1, ...)."""

    def __init__(self, parent=None, **properties):
        super().__init__(parent, **properties)
        self.setDecimals(DECIMALS)
        self.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)

    def textFromValue(self, value: float) -> str:
        return f"{value:.{DECIMALS}g}"


def make_editor(param: Param) -> QWidget:
    """The widget for one declared parameter, set to its default, with the help as tooltip."""
    if param.kind == "float":
        editor = FloatSpinBox()
        step = 10.0 ** -DECIMALS
        low = -UNBOUNDED if param.low is None else param.low + (step if param.low_open else 0.0)
        high = UNBOUNDED if param.high is None else param.high - (step if param.high_open else 0.0)
        editor.setRange(low, high)
    elif param.kind == "int":
        editor = QLargeIntSpinBox()
        low = -(2**53) if param.low is None else int(param.low) + (1 if param.low_open else 0)
        high = 2**53 if param.high is None else int(param.high) - (1 if param.high_open else 0)
        editor.setRange(low, high)
    elif param.kind == "choice":
        editor = QComboBox()
        editor.addItems(list(param.choices))
    else:
        editor = QCheckBox()
    editor.setObjectName(f"param_{param.name}")
    editor.setToolTip(f"{param.help}\nAllowed: {param.allowed()}." if param.help else f"Allowed: {param.allowed()}.")
    set_value(editor, param, param.default)
    return editor


def value_of(editor: QWidget, param: Param) -> Any:
    if param.kind == "choice":
        return editor.currentText()
    if param.kind == "bool":
        return editor.isChecked()
    return param.validate(editor.value())


def set_value(editor: QWidget, param: Param, value: Any) -> None:
    if param.kind == "choice":
        editor.setCurrentText(str(value))
    elif param.kind == "bool":
        editor.setChecked(bool(value))
    else:
        editor.setValue(value)


def changed_signal(editor: QWidget):
    if isinstance(editor, QComboBox):
        return editor.currentTextChanged
    if isinstance(editor, QCheckBox):
        return editor.toggled
    return editor.valueChanged


class ParamForm(QWidget):
    """A form with one row per declared parameter; ``values()`` gives them validated.

    Each editor's objectName is ``prefix`` + the parameter's name: give forms that share a view
    distinct prefixes, so every field has a name of its own there.
    """

    changed = Signal()

    def __init__(self, params: tuple[Param, ...], parent=None, prefix: str = "param_"):
        super().__init__(parent)
        self.params = params
        self.editors: dict[str, QWidget] = {}
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for param in params:
            editor = make_editor(param)
            editor.setObjectName(prefix + param.name)
            changed_signal(editor).connect(self.changed)
            self.editors[param.name] = editor
            layout.addRow(param.label or param.name.replace("_", " "), editor)
            layout.labelForField(editor).setToolTip(editor.toolTip())

    def values(self) -> dict[str, Any]:
        return {p.name: value_of(self.editors[p.name], p) for p in self.params}

    def set_values(self, values: dict[str, Any]) -> None:
        for param in self.params:
            if param.name in values:
                set_value(self.editors[param.name], param, values[param.name])


class RegularizerBox(QGroupBox):
    """One registered regularizer: a checkable box titled with its label, holding its parameters."""

    def __init__(self, name: str, regularizer, origin: str, parent=None):
        super().__init__(regularizer.label or name, parent)
        self.name = name
        self.setObjectName(f"regularizer_{name}")
        self.setCheckable(True)
        self.setChecked(False)
        self.setToolTip(f"{regularizer.help}\n({origin})")
        self.form = ParamForm(regularizer.params, prefix=f"regularizer_{name}_")
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        if not regularizer.params:  # just the tick box: no empty frame below it
            self.form.hide()
            self.setFlat(True)
            self.setStyleSheet("QGroupBox { border: none; }")  # Fusion still draws an empty frame when flat
            layout.setContentsMargins(0, 0, 0, 0)
