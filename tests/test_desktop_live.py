"""The live-panel protocol: a panel listed in `PANELS` appears in the Training tab, computes on the
worker thread from a snapshot holding what it asked for, and draws on the GUI thread."""

from __future__ import annotations

import threading

import numpy as np
import pyqtgraph as pg

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle
from regstudio import live
from regstudio.live import LivePanel

COMPUTED_ON: set[str] = set()


class WeightNormPanel(LivePanel):
    """A panel as a plugin author would write it: the size of the weights, live."""

    name = "weight_norm"
    needs = frozenset({"parameters"})

    def make_plot(self):
        plot = pg.PlotItem(title="Weight norm")
        self.curve = plot.plot([], [])
        self.drawn = []
        return plot

    @staticmethod
    def compute(snapshot):
        COMPUTED_ON.add(threading.current_thread().name)
        return snapshot.iteration, float(np.linalg.norm(snapshot.parameters[0]))

    def draw(self, payload, frame):
        self.drawn.append((payload, frame.final, threading.current_thread() is threading.main_thread()))
        self.curve.setData([p[0] for p, _, _ in self.drawn], [p[1] for p, _, _ in self.drawn])


def test_a_panel_added_to_the_list_is_laid_out_computed_off_the_gui_thread_and_drawn(qtbot, monkeypatch, make_window):
    monkeypatch.setattr(live, "PANELS", (*live.PANELS, f"{__name__}:WeightNormPanel"))
    COMPUTED_ON.clear()
    window = make_window()
    panel = window.panels[-1]
    assert [p.name for p in window.panels if not p.tab] == ["cost", "boundary", "weight_norm"]  # the others: tabs
    assert window.live.getItem(0, 2) is panel.plot and panel.plot.objectName() == "weight_norm_plot"

    window.training_panel.iterations.setValue(600)
    window.start_action.trigger()
    wait_idle(qtbot, window)
    run = window.comparison.model.runs[0]
    assert COMPUTED_ON and threading.main_thread().name not in COMPUTED_ON
    (iteration, norm), final, on_gui_thread = panel.drawn[-1]
    assert final and on_gui_thread and iteration == 600
    assert norm == float(np.linalg.norm(run.result.parameters[0]))
    assert all(gui for _, _, gui in panel.drawn)
    # the built-in panels still get theirs
    assert window.cost_plot._live["train loss"][1][-1] == 600 and window.boundary_plot.image.image is not None


class BrokenPanel(WeightNormPanel):
    name = "broken"

    @staticmethod
    def compute(snapshot):
        raise ZeroDivisionError("a bug in a panel")


def test_a_panel_that_raises_fails_the_run_which_still_reaches_the_table(qtbot, monkeypatch, make_window):
    monkeypatch.setattr(live, "PANELS", (*live.PANELS, f"{__name__}:BrokenPanel"))
    window = make_window()
    window.training_panel.iterations.setValue(600)
    window.start_action.trigger()
    wait_idle(qtbot, window)
    (run,) = window.comparison.model.runs
    assert run.status == "failed" and run.error == "unexpected ZeroDivisionError: a bug in a panel"
    assert "a bug in a panel" in window.message_box.text() and window.start_action.isEnabled()


def test_a_snapshot_carries_only_what_was_asked_for(registry, small_data):
    from regcore.config import RunConfig
    from regstudio.live.panel import snapshot_of

    training = RunConfig(iterations=10).build(registry, small_data)
    bare = snapshot_of(training, frozenset(), records=[(0, 1, 2, 3)])
    assert bare.records == () and bare.parameters is None
    full = snapshot_of(training, frozenset({"records", "parameters"}), records=[(0, 1, 2, 3)])
    assert full.records == ((0, 1, 2, 3),) and np.array_equal(full.parameters, training.flat)
    assert full.parameters is not training.flat  # a copy: training may go on
