"""The live network panel (a tab of its own): the network as a graph, every unit's map, the weights
as edges, dead units and the units dropout switched off in the iteration shown."""

from __future__ import annotations

from regcore import picture
from regcore.picture import Picture

from ..network_view import NetworkView
from .panel import LivePanel, Snapshot


def caption(iteration: int, iterations: int, state: str) -> str:
    return f"The network at iteration {iteration:,} of {iterations:,} ({state})"


class NetworkPanel(LivePanel):
    name = "network"
    needs = frozenset({"parameters", "switched_off"})
    tab = "Network"

    def make_plot(self) -> NetworkView:
        return NetworkView()

    @staticmethod
    def compute(snapshot: Snapshot) -> Picture:
        return picture.picture(snapshot.parameters, snapshot.layout, snapshot.data, snapshot.iteration,
                               snapshot.switched_off)

    def show_data(self, data) -> None:
        self.plot.clear()

    def start(self, training) -> None:
        self.plot.pinned = None

    def draw(self, payload: Picture, frame) -> None:
        self.plot.set_picture(payload, caption(frame.iteration, frame.iterations, "trained" if frame.final else "training"))

    def show_snapshot(self, snapshot: Snapshot | None) -> None:
        if snapshot is None:
            return
        shown = picture.picture(snapshot.parameters, snapshot.layout, snapshot.data, snapshot.iteration)
        self.plot.set_picture(shown, caption(snapshot.iteration, snapshot.iterations, "replaying the run"),
                              at_once=True)

    def show_run(self, run) -> None:
        result = run.result
        shown = picture.picture(result.parameters, result.layout, run.data, result.iterations_done)
        self.plot.set_picture(shown, f"{run.config.describe_regularizers()} on {run.data.name}: the trained network "
                                     f"after {result.iterations_done:,} iterations", at_once=True)
