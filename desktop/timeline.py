"""The timeline under the Training tab's plots: scrub back through a finished run's snapshots.

A finished run keeps its parameters at its records, thinned (`regcore.snapshots`). `Timeline.show_run`
offers them on a slider; moving it sends ``scrubbed`` with a `regstudio.live.Snapshot` of the run at
that iteration (its parameters, layout and the data it trained on then), and the window hands the
snapshot to every live panel's `LivePanel.show_snapshot`: the boundary redraws itself, the cost
plot moves a cursor. A view that is not a live panel can connect to ``scrubbed`` itself. ``released``
says the replay is over (a new run, new data): panels go back to showing runs live.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QWidget

from regcore.experiment import RunRecord

from .live.panel import Snapshot

IDLE_TEXT = "Replay: a finished run's snapshots appear here"


class Timeline(QWidget):
    """A slider over one run's snapshots, and a label saying which iteration is shown."""

    scrubbed = Signal(object)   # a Snapshot of the run at the chosen iteration
    released = Signal()         # no run to replay any more

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("timeline")
        self.slider = QSlider(Qt.Orientation.Horizontal, objectName="timeline_slider")
        self.slider.setToolTip("Drag to replay the last run: the boundary as it was at each snapshot, a cursor "
                               "on the loss curves (arrow keys step one snapshot)")
        self.slider.valueChanged.connect(self._moved)
        self.label = QLabel(IDLE_TEXT, objectName="timeline_label")
        self.label.setMinimumWidth(260)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.addWidget(QLabel("Replay"))
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        self.run: RunRecord | None = None
        self.clear()

    def show_run(self, run: RunRecord) -> bool:
        """Offer ``run``'s snapshots, the slider at its end (what the plots show now); False if it has none."""
        snapshots = run.snapshots
        if snapshots is None or len(snapshots) < 2:
            self.clear()
            return False
        self.run, self._iterations, self._parameters = run, snapshots.iterations, snapshots.parameters
        self.slider.blockSignals(True)
        self.slider.setRange(0, len(self._iterations) - 1)
        self.slider.setValue(len(self._iterations) - 1)
        self.slider.blockSignals(False)
        self.slider.setEnabled(True)
        self._say(len(self._iterations) - 1)
        return True

    def clear(self) -> None:
        """No run to replay (a run starts, the data are replaced)."""
        had = self.run is not None
        self.run = None
        self.slider.blockSignals(True)
        self.slider.setRange(0, 0)
        self.slider.blockSignals(False)
        self.slider.setEnabled(False)
        self.label.setText(IDLE_TEXT)
        if had:
            self.released.emit()

    def snapshot(self, index: int) -> Snapshot:
        """The run at its ``index``-th snapshot."""
        run, iteration = self.run, int(self._iterations[index])
        return Snapshot(iteration, run.config.iterations, run.data_at(iteration), run.result.layout, True,
                        parameters=self._parameters[index:index + 1].copy())

    def _say(self, index: int) -> None:
        self.label.setText(f"iteration {int(self._iterations[index]):,} of {self.run.result.iterations_done:,} "
                           f"· snapshot {index + 1} of {len(self._iterations)}")

    def _moved(self, index: int) -> None:
        if self.run is None:
            return
        self._say(index)
        self.scrubbed.emit(self.snapshot(index))
