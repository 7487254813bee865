"""The live weight panels (a tab of their own): per layer the weights' histogram over the initial one
and the weight norm against iterations; the train–test gap against iterations, and as a readout."""

from __future__ import annotations

from ..plots import run_colour
from ..weights_view import WeightSeries, WeightsView, histograms, near_zero, series_of
from .panel import LivePanel, Snapshot


class WeightsPanel(LivePanel):
    name = "weights"
    needs = frozenset({"parameters", "insides"})
    tab = "Weights"

    def __init__(self):
        super().__init__()
        self._ghosts: list = []
        self._label = ""
        self._insides: dict | None = None   # the last run's insides drawn (what a replay cuts short)

    def make_plot(self) -> WeightsView:
        return WeightsView()

    @staticmethod
    def compute(snapshot: Snapshot) -> tuple:
        layers = len(snapshot.layout.sizes) - 1
        return (histograms(snapshot.parameters, snapshot.layout), snapshot.insides.arrays(layers),
                snapshot.layout.sizes, near_zero(snapshot.parameters, snapshot.layout))

    def show_data(self, data) -> None:
        self.plot.clear_marks()
        self.plot.show_series([])

    def start(self, training) -> None:
        # the worker has not started yet (the controller says `started` first): these are the initial weights
        self._ghosts = histograms(training.snapshot(), training.layout)
        self._label = "this run"
        self.plot.clear_marks()

    def draw(self, payload: tuple, frame) -> None:
        current, insides, sizes, zero = payload
        self._insides = insides
        self.plot.show_series([WeightSeries(self._label, run_colour(0), current, self._ghosts, insides, sizes, zero)])

    def show_snapshot(self, snapshot: Snapshot | None) -> None:
        """The timeline replays the run: its histograms then, its norms and gap up to then."""
        if snapshot is None or not self._ghosts or self._insides is None:
            return
        upto = self._insides["iterations"] <= snapshot.iteration
        insides = {name: values[upto] for name, values in self._insides.items()}
        self.plot.show_series([WeightSeries(self._label, run_colour(0), histograms(snapshot.parameters, snapshot.layout),
                                            self._ghosts, insides, snapshot.layout.sizes,
                                            near_zero(snapshot.parameters, snapshot.layout))], at_once=True)

    def mark(self, iteration: int, text: str) -> None:
        self.plot.mark(iteration, text)

    def show_run(self, run) -> None:
        self.plot.clear_marks()
        series = series_of(run, run.config.describe_regularizers(), run_colour(0))
        self._ghosts, self._insides, self._label = series.ghosts, series.insides, series.label
        self.plot.show_series([series], at_once=True)
