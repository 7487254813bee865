"""The live cost panel: training and test cost (and the penalty, if any) against iteration, and where
early stopping stopped the run and which record it kept."""

from __future__ import annotations

from regcore.training import Training

from ..plots import CostPlot
from .panel import LivePanel, Snapshot


class CostPanel(LivePanel):
    name = "cost"
    needs = frozenset({"records"})

    def make_plot(self) -> CostPlot:
        return CostPlot()

    @staticmethod
    def compute(snapshot: Snapshot) -> tuple:
        # the records are already copies: the curves only need appending
        return snapshot.records, snapshot.stopped_at, snapshot.kept_from

    def show_data(self, data) -> None:
        self.plot.clear_curves()

    def start(self, training: Training) -> None:
        self.plot.set_cursor(None)
        self.plot.start_live(training.iterations, any(reg.cls.overrides("penalty") for reg in training.active),
                             with_objective=bool(training.active))

    def draw(self, payload: tuple, frame) -> None:
        records, stopped_at, kept_from = payload
        self.plot.add_records(records)
        self.plot.mark_stop(stopped_at, kept_from)

    def mark(self, iteration: int, text: str) -> None:
        self.plot.mark_change(iteration, text)

    def show_snapshot(self, snapshot) -> None:
        self.plot.set_cursor(None if snapshot is None else snapshot.iteration)
