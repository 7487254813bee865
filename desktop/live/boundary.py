"""The live decision-boundary panel: P(y = 1) over the data, the 0.5 contour, mistakes marked."""

from __future__ import annotations

from regcore import boundary
from regcore.boundary import FINAL_GRID, LIVE_GRID, Boundary

from ..plots import BoundaryPlot
from .panel import LivePanel, Snapshot


class BoundaryPanel(LivePanel):
    name = "boundary"
    needs = frozenset({"parameters"})

    def make_plot(self) -> BoundaryPlot:
        return BoundaryPlot()

    @staticmethod
    def compute(snapshot: Snapshot) -> Boundary:
        grid = boundary.Grid.over(snapshot.data, FINAL_GRID if snapshot.final else LIVE_GRID)
        return boundary.compute(snapshot.parameters, snapshot.layout, snapshot.data, grid)

    def show_data(self, data) -> None:
        self.plot.set_data(data, self.plot.show_test)

    def start(self, training) -> None:
        self.plot.clear_boundary()

    def show_snapshot(self, snapshot: Snapshot | None) -> None:
        if snapshot is None:
            return
        if snapshot.data is not self.plot.data:
            self.plot.show_edited(snapshot.data)  # the points the run trained on then
        self.plot.set_boundary(self.compute(snapshot), title=True)

    def draw(self, payload: Boundary, frame) -> None:
        self.plot.set_boundary(payload, title=frame.final)  # a title re-lays out the plot: only at the end
