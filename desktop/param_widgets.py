"""Widgets derived from `regcore.params.Param` declarations, and the number fields they are made of.

A float becomes a spin box limited to its bounds (an open bound is kept just out of reach), an int a
spin box that also holds seeds up to 2**32, a choice a combo box, a bool a check box, a layer
selection a line edit that accepts only what the Param accepts ("all", "1+2"); the help text and the
allowed range become the tooltip. This is how a third-party regularizer or data-set
generator gets its controls without any GUI code of its own.

Both number fields take what is typed as typed: no digit is corrected while the user is still typing
(with a minimum of 4, "300" passes through "3"), a value out of range is refused or, when editing ends,
brought back as Qt's own spin boxes do, and a value is shown as it was typed (0.00005, not 5e-05).
"""

from __future__ import annotations

from typing import Any

import re

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (QSizePolicy, QStackedWidget, QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox,
                               QLineEdit, QStyle, QStyleOptionSpinBox, QVBoxLayout, QWidget)

from regcore.errors import ParamError
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
        """Qt's fixed-point text without trailing zeros: what the validator reads back, in the user's
        locale (a ``g`` format showed 5e-05, which cannot be typed and so broke the next edit)."""
        text = super().textFromValue(value)
        point = self.locale().decimalPoint()
        return text.rstrip("0").rstrip(point) if point in text else text

    def minimumSizeHint(self) -> QSize:
        """Room for a short number ("0.000001"), not for the widest value the range allows (Qt's hint
        fits 1e12 with six decimals, which kept the settings column 200 px wider in presenter mode)."""
        self.ensurePolished()
        option = QStyleOptionSpinBox()
        self.initStyleOption(option)
        width = self.fontMetrics().horizontalAdvance("0.000001" + self.suffix()) + 6
        hint = QSize(width, self.lineEdit().minimumSizeHint().height())
        return self.style().sizeFromContents(QStyle.ContentsType.CT_SpinBox, option, hint, self)


class IntSpinBox(QAbstractSpinBox):
    """An integer spin box for Python ints of any size (QSpinBox stops at 2**31 - 1; seeds go to 2**32).

    It replaces superqt's QLargeIntSpinBox, which clamped every keystroke: with a minimum of 4, typing
    300 into a selected field gave "3" -> 4, then 40, then 400. Here, as in QSpinBox, text that more
    digits can still bring into range is left as typed; a keystroke that cannot is refused; and when
    editing ends (Enter, focus out) text out of range is corrected as ``correctionMode()`` says
    (by default back to the previous value). ``valueChanged`` carries the int.
    """

    valueChanged = Signal(object)

    def __init__(self, parent=None, **properties):
        super().__init__(parent, **properties)
        self._minimum, self._maximum, self._value, self._step = 0, 99, 0, 1
        self.lineEdit().textEdited.connect(self._edited)
        self.editingFinished.connect(self._commit)
        self.lineEdit().setText("0")

    # -------------------------------------------------------------- the QSpinBox interface

    def value(self) -> int:
        return self._value

    def setValue(self, value) -> None:
        value = min(max(int(value), self._minimum), self._maximum)
        if self.lineEdit().text() != str(value):
            self.lineEdit().setText(str(value))
        if value != self._value:
            self._value = value
            self.valueChanged.emit(value)

    def minimum(self) -> int:
        return self._minimum

    def maximum(self) -> int:
        return self._maximum

    def setMinimum(self, minimum) -> None:
        self.setRange(minimum, max(minimum, self._maximum))

    def setMaximum(self, maximum) -> None:
        self.setRange(min(self._minimum, maximum), maximum)

    def setRange(self, minimum, maximum) -> None:
        self._minimum, self._maximum = int(minimum), max(int(minimum), int(maximum))
        self.setValue(self._value)

    def singleStep(self) -> int:
        return self._step

    def setSingleStep(self, step) -> None:
        self._step = int(step)

    # -------------------------------------------------------------- QAbstractSpinBox's hooks

    def validate(self, text: str, pos: int):
        return self._state(text), text, pos

    def fixup(self, text: str) -> str:
        return str(self._corrected(text))

    def stepBy(self, steps: int) -> None:
        self._commit()
        self.setValue(self._value + steps * self._step)
        self.selectAll()

    def stepEnabled(self):
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if not self.isReadOnly():
            if self._value < self._maximum:
                flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
            if self._value > self._minimum:
                flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return flags

    def sizeHint(self) -> QSize:
        """Wide enough for the value shown (as superqt's was: the settings column keeps its width)."""
        self.ensurePolished()
        width = max(36, self.fontMetrics().horizontalAdvance(str(self._value)) + 3)
        option = QStyleOptionSpinBox()
        self.initStyleOption(option)
        hint = QSize(width, self.lineEdit().sizeHint().height())
        return self.style().sizeFromContents(QStyle.ContentsType.CT_SpinBox, option, hint, self)

    # -------------------------------------------------------------- typing

    def _state(self, text: str) -> QValidator.State:
        text = text.strip()
        if text in ("", "-"):
            return QValidator.State.Intermediate if text == "" or self._minimum < 0 else QValidator.State.Invalid
        if not re.fullmatch(r"-?[0-9]+", text):
            return QValidator.State.Invalid
        value = int(text)
        if self._minimum <= value <= self._maximum:
            return QValidator.State.Acceptable
        # another digit moves a number away from zero: past the far bound it can never come back
        if (value >= 0 and value > self._maximum) or (value < 0 and value < self._minimum):
            return QValidator.State.Invalid
        return QValidator.State.Intermediate

    def _corrected(self, text: str) -> int:
        """The value ``text`` comes to when editing ends."""
        text = text.strip()
        if self._state(text) == QValidator.State.Acceptable:
            return int(text)
        if self.correctionMode() == QAbstractSpinBox.CorrectionMode.CorrectToNearestValue \
                and re.fullmatch(r"-?[0-9]+", text):
            return min(max(int(text), self._minimum), self._maximum)
        return self._value

    def _edited(self, text: str) -> None:
        if self.keyboardTracking() and self._state(text) == QValidator.State.Acceptable:
            self._value = int(text.strip())
            self.valueChanged.emit(self._value)

    def _commit(self) -> None:
        self.setValue(self._corrected(self.lineEdit().text()))
        self.lineEdit().setText(str(self._value))  # also when the value stayed: drop any unfinished text


class ParamValidator(QValidator):
    """Accepts text the Param parses; text that more typing could still complete ("1+", "al") is
    Intermediate, so the field never holds a value the run would refuse once editing ends."""

    def __init__(self, param: Param, parent=None):
        super().__init__(parent)
        self.param = param

    def validate(self, text: str, pos: int):
        try:
            self.param.parse(text)
        except ParamError:
            plausible = re.fullmatch(r"[0-9+]*|a?l?l?", text.strip().lower())
            return (QValidator.State.Intermediate if plausible else QValidator.State.Invalid), text, pos
        return QValidator.State.Acceptable, text, pos


class ParamLineEdit(QLineEdit):
    """A line edit for a Param written as text (a layer selection): ``value()`` is the last accepted
    value, in the Param's own spelling; an unfinished entry goes back to it when editing ends."""

    valueChanged = Signal(object)

    def __init__(self, param: Param, parent=None):
        super().__init__(parent)
        self.param = param
        self._value = param.default
        self.setValidator(ParamValidator(param, self))
        self.textEdited.connect(self._edited)
        self.editingFinished.connect(lambda: self.setValue(self._value))

    def value(self) -> Any:
        return self._value

    def sizeHint(self) -> QSize:
        """As narrow as a spin box (a line edit asks for 17 characters, which widened the settings column)."""
        hint = super().sizeHint()
        text = max(self.text(), "1+2+3", key=len)
        return QSize(self.fontMetrics().horizontalAdvance(text) + 2 * self.fontMetrics().averageCharWidth() + 8,
                     hint.height())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def setValue(self, value: Any) -> None:
        value = self.param.validate(value)
        if self.text() != value:
            self.setText(value)
        if value != self._value:
            self._value = value
            self.valueChanged.emit(value)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.setValue(self._value)  # Qt sends no editingFinished for unfinished text: drop it here

    def _edited(self, text: str) -> None:
        if self.hasAcceptableInput():  # as typed, not respelled under the cursor
            value = self.param.parse(text)
            if value != self._value:
                self._value = value
                self.valueChanged.emit(value)


def make_editor(param: Param) -> QWidget:
    """The widget for one declared parameter, set to its default, with the help as tooltip."""
    if param.kind == "float":
        editor = FloatSpinBox()
        step = 10.0 ** -DECIMALS
        low = -UNBOUNDED if param.low is None else param.low + (step if param.low_open else 0.0)
        high = UNBOUNDED if param.high is None else param.high - (step if param.high_open else 0.0)
        editor.setRange(low, high)
    elif param.kind == "int":
        editor = IntSpinBox()
        low = -(2**53) if param.low is None else int(param.low) + (1 if param.low_open else 0)
        high = 2**53 if param.high is None else int(param.high) - (1 if param.high_open else 0)
        editor.setRange(low, high)
    elif param.kind == "choice":
        editor = QComboBox()
        editor.addItems(list(param.choices))
    elif param.kind == "layers":
        editor = ParamLineEdit(param)
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

    def change_when_committed(self) -> None:
        """Report a spin box's value when it is committed (Enter, Tab, arrows), not at every keystroke:
        for forms whose edits go to a run going on."""
        for editor in self.editors.values():
            if hasattr(editor, "setKeyboardTracking"):
                editor.setKeyboardTracking(False)


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


class FormStack(QStackedWidget):
    """A stack of `ParamForm`s, one shown at a time, as tall as the one shown.

    A plain QStackedWidget is as tall as its tallest page, which left a large blank under an
    optimizer or a generator with fewer parameters than another (and under plain gradient descent,
    which has none).
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.currentChanged.connect(self._fit)

    def addWidget(self, widget) -> int:
        index = super().addWidget(widget)
        self._fit(self.currentIndex())
        return index

    def refill(self, chooser: QComboBox, entries, prefix: str, tip) -> list[ParamForm]:
        """Offer ``entries`` (a registry's name -> entry) in ``chooser`` and hold one form per entry, its
        fields named ``prefix`` + name + ``_`` + parameter; ``tip(entry)`` is the entry's tooltip.
        What was offered before goes. Returns the new forms, in order."""
        chooser.clear()
        while self.count():
            self.removeWidget(form := self.widget(0))
            form.deleteLater()
        forms = []
        for name, entry in entries.items():
            chooser.addItem(entry.obj.label or name, name)
            chooser.setItemData(chooser.count() - 1, tip(entry), Qt.ItemDataRole.ToolTipRole)
            forms.append(ParamForm(entry.obj.params, prefix=f"{prefix}{name}_"))
            self.addWidget(forms[-1])
        return forms

    def _fit(self, index: int) -> None:
        for i in range(self.count()):
            policy = QSizePolicy.Policy.Preferred if i == index else QSizePolicy.Policy.Ignored
            self.widget(i).setSizePolicy(policy, policy)
        self.updateGeometry()
