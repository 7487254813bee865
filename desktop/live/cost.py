"""The live cost panel: training and test cost (and the penalty, if any) against iteration."""

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
        return snapshot.records  # already copies: the curves only need appending

    def show_data(self, data) -> None:
        self.plot.clear_curves()

    def start(self, training: Training) -> None:
        self.plot.start_live(training.iterations, any(reg.cls.overrides("penalty") for reg in training.active),
                             with_objective=bool(training.active))

    def draw(self, payload: tuple, frame) -> None:
        self.plot.add_records(payload)

    def mark(self, iteration: int, text: str) -> None:
        self.plot.mark_change(iteration, text)
