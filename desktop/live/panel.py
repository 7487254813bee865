"""The live-panel protocol: what a panel needs from a run, computes off the GUI thread, and draws.

The worker builds one `Snapshot` per frame holding only what the run's panels declared in `needs`,
calls every panel's `compute(snapshot)` in its own thread, and sends the payloads in one frame; the
GUI thread then calls each panel's `draw(payload, frame)`. Replaying a finished run, the timeline
hands a panel a `Snapshot` of one moment of it (`show_snapshot`). `compute` is a static method so it cannot
reach the panel's Qt objects: numerical work belongs in `regcore` and is called from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pyqtgraph as pg

from regcore.data import Dataset
from regcore.network import Layout
from regcore.training import Training

NEEDS = frozenset({"records", "parameters"})  # what a snapshot can carry beyond the fields always there


@dataclass(frozen=True)
class Snapshot:
    """A run as it is at one frame; copies or immutable objects only, so safe on any thread."""

    iteration: int
    iterations: int
    data: Dataset
    layout: Layout
    final: bool                         # the run's last frame: compute it at full resolution
    records: tuple = ()                 # needs "records": (iteration, cost (K,), penalty (K,), test_cost (K,))
    #                                     recorded since the previous frame
    parameters: np.ndarray | None = None  # needs "parameters": a copy, (K, P)
    stopped_at: int = -1                # the first model's `RunControl.stopped_at` and `kept_from`
    kept_from: int = -1                 # (-1: still training): where early stopping stopped it


def snapshot_of(training: Training, needs: frozenset[str], records=(), final: bool = False) -> Snapshot:
    """A snapshot of ``training`` with what ``needs`` asks for (called by the thread that owns it)."""
    return Snapshot(training.iteration, training.iterations, training.data, training.layout, final,
                    tuple(records) if "records" in needs else (),
                    training.snapshot() if "parameters" in needs else None,
                    int(training.control.stopped_at[0]), int(training.control.kept_from[0]))


class LivePanel:
    """One plot of the Training tab. Subclasses set `name` and `needs` and implement the methods."""

    name: ClassVar[str] = ""                    # stable and unique; the plot's objectName is "<name>_plot"
    needs: ClassVar[frozenset[str]] = frozenset()  # a subset of NEEDS

    def __init__(self):
        self.plot = self.make_plot()
        self.plot.setObjectName(f"{self.name}_plot")

    def make_plot(self) -> pg.PlotItem:
        """GUI thread: the plot item this panel draws on."""
        raise NotImplementedError

    @staticmethod
    def compute(snapshot: Snapshot) -> Any:
        """Worker thread, no Qt: the payload for one frame (None: nothing to draw)."""
        raise NotImplementedError

    def show_data(self, data: Dataset) -> None:
        """GUI thread: a new data set is loaded; forget what was drawn for the last."""

    def start(self, training: Training) -> None:
        """GUI thread, before the worker starts: a new run. Read its settings only; the worker owns it."""

    def mark(self, iteration: int, text: str) -> None:
        """GUI thread: a setting changed mid-run at ``iteration`` (``text`` says which, briefly); a plot
        with iterations along its x axis marks it there. Others ignore it."""

    def show_snapshot(self, snapshot: Snapshot | None) -> None:
        """GUI thread: replaying a finished run (`regstudio.timeline`), show it as ``snapshot`` has it (its
        iteration, its parameters, the data it trained on then); None: the replay is over. A panel drawn
        from the parameters computes and draws them here; one with iterations along its x axis moves a
        cursor. Others ignore it."""

    def draw(self, payload: Any, frame) -> None:
        """GUI thread: draw ``payload`` (from `compute`) of ``frame`` (a `regstudio.worker.Frame`)."""
        raise NotImplementedError
