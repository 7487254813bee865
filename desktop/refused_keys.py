"""Say why a number field refused a key, instead of the key silently doing nothing.

A spin box refuses a keystroke its validator calls invalid: "-" in a field whose minimum is 0, a
digit that takes the value past its maximum, a letter. Qt then drops the key without a word, which
reads as a broken keyboard. `watch(window)` installs one application-wide event filter (it sees the
keys of fields made later too: a generator's, a plugin's) that, for a printable key about to be
typed into a spin box of ``window``, asks the field's own validator whether the resulting text
could be accepted; if not, it says in the status bar and in a tooltip at the field what the field
takes. Apart from a minus sign in a field without negative values (see `refusal`), the field
handles every key exactly as before.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QFormLayout, QLabel, QToolTip

MESSAGE_MS = 8000


def _text_after(field: QAbstractSpinBox, typed: str) -> tuple[str, int]:
    """The field's text, and the cursor position, if ``typed`` were typed now (over any selection)."""
    edit = field.lineEdit()
    text = edit.text()
    if edit.hasSelectedText():
        start = edit.selectionStart()
        end = start + len(edit.selectedText())
    else:
        start = end = edit.cursorPosition()
    return text[:start] + typed + text[end:], start + len(typed)


def _label(field: QAbstractSpinBox) -> str:
    """What the field is called on screen: its form label, else its object name in words."""
    parent = field.parentWidget()
    layout = parent.layout() if parent is not None else None
    if isinstance(layout, QFormLayout):
        label = layout.labelForField(field)
        if isinstance(label, QLabel) and label.text():
            return label.text().replace("&", "")
    return (field.objectName() or "this field").replace("_", " ")


def _number(field: QAbstractSpinBox, value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}"
    return f"{int(value):,}"


def allowed(field: QAbstractSpinBox) -> str:
    """What the field takes, in words: a Param's own phrase (its tooltip's "Allowed: ..."), else its range."""
    tip = field.toolTip()
    if "Allowed: " in tip:
        return tip.rsplit("Allowed: ", 1)[1].rstrip(".")
    return f"from {_number(field, field.minimum())} to {_number(field, field.maximum())}"


def refusal(field: QAbstractSpinBox, typed: str) -> str | None:
    """The message for typing ``typed`` into ``field`` if it cannot be accepted, else None. A minus
    sign in a field with no negative values is refused here (Qt's double spin boxes let it in as
    unfinished text, then refuse every digit after it, so the message would blame the digit)."""
    if typed == "-" and field.minimum() >= 0:
        return f"“-” cannot be typed into {_label(field)}: it takes {allowed(field)}, no negative numbers."
    text, position = _text_after(field, typed)
    answer = field.validate(text, position)
    state = answer[0] if isinstance(answer, tuple) else answer
    if state != QValidator.State.Invalid:
        return None
    return f"“{typed}” cannot be typed into {_label(field)}: it takes {allowed(field)}."


class RefusedKeys(QObject):
    """The event filter of `watch`; ``window`` is the main window whose fields it explains."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.last = ""  # the last message shown (tests read it)

    def eventFilter(self, watched, event) -> bool:
        if (event.type() == QEvent.Type.KeyPress and isinstance(watched, QAbstractSpinBox)
                and not watched.isReadOnly() and watched.window() is self.window):
            typed = event.text()
            shortcut = event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                                            | Qt.KeyboardModifier.MetaModifier)
            if typed and typed.isprintable() and not typed.isspace() and not shortcut:
                message = refusal(watched, typed)
                if message:
                    self.last = message
                    self.window.statusBar().showMessage(message, MESSAGE_MS)
                    QToolTip.showText(watched.mapToGlobal(watched.rect().bottomLeft()), message, watched)
                    return typed == "-"  # refused here; Qt refuses the others itself
        return False  # the field handles the key as it always did


def watch(window) -> RefusedKeys:
    """Explain refused keys in every number field of ``window`` (a QMainWindow), now and later."""
    refused = RefusedKeys(window)
    QApplication.instance().installEventFilter(refused)
    return refused
