"""The Sweep tab's morph slider: walk through the swept values and watch the boundary change between them.

`Morph` is a slider with `STEPS` positions between two neighbouring values; ``moved(stop, fraction)``
says which value it is on (``stop``, an index into the values it was given) and how far towards the
next (0 on a value). The view draws that model, or a cross-fade of the two.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QWidget

STEPS = 20   # slider positions from one value to the next


class Morph(QWidget):
    moved = Signal(int, float)   # stop, fraction of the way to the next

    def __init__(self, prefix: str = "", parent=None):
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal, objectName=f"{prefix}morph")
        self.slider.setToolTip("Slide through the swept values: the boundary morphs from one model to the next "
                               "(between two values, their P(class 1) cross-faded)")
        self.slider.setSingleStep(1)
        self.slider.setPageStep(STEPS)
        self.slider.valueChanged.connect(self._changed)
        self.label = QLabel("", objectName=f"{prefix}morph_label")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(QLabel("Morph"))
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        self.values: list[float] = []
        self.set_values([], None)

    def set_values(self, values, at: int | None) -> None:
        """Offer ``values`` (in order), the slider on ``values[at]`` (None: the first); no signal."""
        self.values = [float(v) for v in values]
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, len(self.values) - 1) * STEPS)
        self.slider.setValue((at or 0) * STEPS)
        self.slider.blockSignals(False)
        self.slider.setEnabled(len(self.values) >= 2)
        self._say(self.slider.value())

    def _say(self, position: int) -> None:
        if not self.values:
            self.label.setText("")
            return
        stop, step = divmod(position, STEPS)
        self.label.setText(f"{self.values[stop]:g}" if not step else
                           f"{self.values[stop]:g} → {self.values[stop + 1]:g}")

    def _changed(self, position: int) -> None:
        self._say(position)
        stop, step = divmod(position, STEPS)
        self.moved.emit(stop, step / STEPS)
