"""Editing the data on the decision-boundary plot: click to add points, right-click to erase, drag to paint.

With "Edit data" ticked, a click on the boundary plot adds a training point of the class the
"Click adds" box names (class 1 by default); Shift adds the other class, Ctrl makes it a test
point; a right click (or the "erase" choice) removes the point nearest the pointer, if one is close.
Holding the button down and dragging paints (or erases) along the way, a point every
`PAINT_SPACING` of the view's width. "Add noise points" adds k mislabelled training points at
random places (`regcore.edits.noise_points`). Unticked, the plot pans and zooms as before.

`DataEditor` only turns gestures into new data sets (`regcore.edits`) and says so in ``edited``
(the data set, a few words on what changed); the window decides what to do with them: the next
run's data, or, during a run, the run's data from its next iteration on.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QPushButton, QSpinBox

from regcore import edits
from regcore.errors import RegcoreError

PAINT_SPACING = 0.03   # of the view's width: how far a drag moves between two painted points
ERASE_RADIUS = 0.05    # of the view's width: a right click this close to a point removes it
MODES = (("class 1", 1), ("class 0", 0), ("erase", None))
TIP = ("Edit the data on the decision-boundary plot: click adds a training point of the class chosen beside; "
       "Shift-click the other class; Ctrl-click a test point; right-click erases the nearest point; drag to paint "
       "several. During a run, the run goes on with the edited data from its current weights.")


class DataEditor(QObject):
    """See the module docstring. ``view``: the graphics view holding ``plot``; ``data()``: the data shown."""

    edited = Signal(object, str)    # the new Dataset, what changed ("+1 class-1 point")
    refused = Signal(str)           # an edit the data cannot take (the last point of a class), one line

    def __init__(self, view, plot, data, parent=None):
        super().__init__(parent)
        self.view, self.plot, self.data = view, plot, data
        self.rng = np.random.default_rng()
        self.enabled = QCheckBox("Edit data", objectName="edit_data")
        self.enabled.setToolTip(TIP)
        self.enabled.toggled.connect(self._toggled)
        self.mode_label = QLabel(" click adds ", objectName="edit_mode_label")
        self.mode = QComboBox(objectName="edit_mode")
        for text, _ in MODES:
            self.mode.addItem(text)
        self.mode.setToolTip("What a left click does with Edit data ticked (Shift: the other class; "
                             "right-click: erase)")
        self.noise_count = QSpinBox(objectName="noise_count", minimum=1, maximum=1000, value=10, suffix=" pts")
        self.noise_count.setToolTip("How many mislabelled points 'Add noise' adds")
        self.noise = QPushButton("Add noise", objectName="add_noise")
        self.noise.setToolTip("Add that many mislabelled training points at random places: each has the class "
                              "opposite to its nearest training point's (outliers to over-fit)")
        self.noise.clicked.connect(self.add_noise)
        self._last_painted: QPointF | None = None
        self._gesture: tuple | None = None  # (label or None for erase, split) while a button is held
        view.viewport().installEventFilter(self)

    def widgets(self) -> tuple:
        return self.enabled, self.mode_label, self.mode, self.noise_count, self.noise

    def _toggled(self, on: bool) -> None:
        self.plot.getViewBox().setMouseEnabled(x=not on, y=not on)  # clicks edit instead of panning
        self.view.viewport().setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.ArrowCursor)

    # ------------------------------------------------------------------ gestures

    def eventFilter(self, watched, event) -> bool:
        if not self.enabled.isChecked() or self.data() is None:
            return False
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick):
            where = self._in_plot(event)
            if where is None:
                return False
            self._gesture = self._what(event)
            self._last_painted = None
            self._apply(where)
            return True
        if kind == QEvent.Type.MouseMove and self._gesture is not None:
            where = self._in_plot(event)
            if where is not None and self._far_enough(where):
                self._apply(where)
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._gesture is not None:
            self._gesture = None
            return True
        return False

    def _in_plot(self, event) -> QPointF | None:
        """Where ``event`` is, in the plot's data coordinates; None outside the plot's view box."""
        scene = self.view.mapToScene(event.position().toPoint())
        box = self.plot.getViewBox()
        if not box.sceneBoundingRect().contains(scene):
            return None
        return box.mapSceneToView(scene)

    def _what(self, event) -> tuple:
        """(class to add, or None to erase; split) for a press with its button and modifiers."""
        modifiers = event.modifiers()
        label = MODES[self.mode.currentIndex()][1]
        if event.button() == Qt.MouseButton.RightButton:
            label = None
        elif label is not None and modifiers & Qt.KeyboardModifier.ShiftModifier:
            label = 1 - label
        return label, "test" if modifiers & Qt.KeyboardModifier.ControlModifier else "train"

    def _width(self) -> float:
        (x0, x1), _ = self.plot.getViewBox().viewRange()
        return abs(x1 - x0) or 1.0

    def _far_enough(self, where: QPointF) -> bool:
        last = self._last_painted
        return last is None or np.hypot(where.x() - last.x(), where.y() - last.y()) >= PAINT_SPACING * self._width()

    def _apply(self, where: QPointF) -> None:
        label, split = self._gesture
        self._last_painted = where
        data = self.data()
        try:
            if label is None:
                changed = edits.remove_nearest(data, where.x(), where.y(), within=ERASE_RADIUS * self._width())
                if changed is None:
                    return
                text = "−1 point"
            else:
                changed = edits.add_points(data, [(where.x(), where.y())], label, split)
                text = f"+1 class-{label} {'test' if split == 'test' else 'training'} point"
        except RegcoreError as error:
            self.refused.emit(str(error))
            return
        self.edited.emit(changed, text)

    def add_noise(self) -> None:
        data = self.data()
        if data is None:
            return
        count = self.noise_count.value()
        self.edited.emit(edits.noise_points(data, count, self.rng), f"+{count} noise points")
