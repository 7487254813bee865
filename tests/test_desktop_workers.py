"""One worker protocol for every background job, the leak check that covers them all, and the run
controller's signals as the window's controls drive it."""

from __future__ import annotations

import pytest

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import clean_up_leftovers, top_levels, wait_idle
from regcore.config import RunConfig
from regcore.sweep import Axis, Sweep, plan
from regstudio.background import running_workers
from regstudio.sweep_view import SweepWorker
from regstudio.worker import TrainingWorker


def l2_sweep(registry, data, iterations, values=(0.1, 0.2)):
    points = plan(RunConfig(iterations=iterations, regularizers=(("l2", {}),)), [Axis("l2", "lambd", values)])
    return Sweep(points, data, registry, jobs=1)


def record_signals(worker) -> list:
    """What ``worker`` reports, in order: (signal name, its arguments)."""
    heard = []
    for name in ("yielded", "errored", "aborted", "returned"):
        getattr(worker, name).connect(lambda *args, name=name: heard.append((name, args)))
    return heard


def test_a_leaked_sweep_worker_is_caught_by_the_leak_check(qtbot, qapp, registry, small_data):
    worker = SweepWorker(l2_sweep(registry, small_data, 10_000_000))
    worker.start()
    qtbot.waitUntil(worker.isRunning, timeout=5000)
    assert running_workers() == [worker]
    problems = clean_up_leftovers(qapp, top_levels(qapp))  # what no_leftovers runs after every test
    assert problems == ["background workers still running after the test: ['SweepWorker']"]
    assert worker.isFinished() and running_workers() == []


def test_a_finished_sweep_and_a_stopped_run_report_through_the_same_signals(qtbot, registry, small_data):
    sweep = SweepWorker(l2_sweep(registry, small_data, 300))
    heard = record_signals(sweep)
    with qtbot.waitSignal(sweep.returned, timeout=20000):
        sweep.start()
    sweep.wait()
    names = [name for name, _ in heard]
    assert names[-1] == "returned" and set(names[:-1]) == {"yielded"}
    result = heard[-1][1][0]
    assert result.completed and [p.train_accuracy for p in result.points] == [
        p.train_accuracy for p in l2_sweep(registry, small_data, 300).run().points]

    training = TrainingWorker(RunConfig(iterations=10_000_000).build(registry, small_data))
    heard = record_signals(training)
    training.start()
    qtbot.waitUntil(lambda: training.training.iteration > 0, timeout=5000)
    with qtbot.waitSignal(training.returned, timeout=5000):
        training.stop()
    training.wait()
    assert [name for name, _ in heard][-2:] == ["aborted", "returned"]
    stopped = heard[-1][1][0]
    assert not stopped.completed and 0 < stopped.iterations_done < 10_000_000


def test_a_failing_sweep_says_why_then_returns_nothing(qtbot, registry, small_data, monkeypatch):
    sweep = l2_sweep(registry, small_data, 300)
    monkeypatch.setattr(sweep, "steps", lambda cancel: iter([1 / 0]))
    worker = SweepWorker(sweep)
    heard = record_signals(worker)
    with qtbot.waitSignal(worker.returned, timeout=5000):
        worker.start()
    worker.wait()
    assert [name for name, _ in heard] == ["errored", "returned"]
    assert heard[0][1] == ("the sweep failed: ZeroDivisionError: division by zero", "") and heard[1][1] == (None,)


@pytest.mark.parametrize("how", ["finished", "failed"])
def test_the_controller_reports_a_run_as_the_window_starts_it(qtbot, window, how):
    runs = window.controller
    states, records, failures = [], [], []
    runs.state_changed.connect(states.append)
    runs.finished.connect(records.append)
    runs.failed.connect(lambda message, culprit: failures.append(message))
    window.training_panel.iterations.setValue(400)
    if how == "failed":
        window.training_panel.learning_rate.setValue(1e6)  # diverges at once
    window.start_action.trigger()
    wait_idle(qtbot, window)
    assert states[0] == "running" and states[-1] == "idle" and "idle" not in states[:-1]
    assert len(records) == 1 and records[0].status == how
    assert len(window.comparison.model.runs) == 1 and window.comparison.model.runs[0] is records[0]
    assert records[0].config == window.config()
    assert (failures == []) if how == "finished" else ("diverged" in failures[0])
    assert window.start_action.text() == "Start" and not window.stop_action.isEnabled()


def test_a_comparison_goes_idle_once_after_its_last_run(qtbot, window):
    runs = window.controller
    states, compared = [], []
    runs.state_changed.connect(states.append)
    runs.comparison_finished.connect(compared.append)
    window.training_panel.iterations.setValue(200)
    window.notebook_action.trigger()
    wait_idle(qtbot, window, timeout=30000)
    assert states.count("idle") == 1 and states[-1] == "idle"
    table = window.comparison.model.runs
    assert len(compared) == 1 and len(compared[0]) == len(table) == 3
    assert all(mine is listed for mine, listed in zip(compared[0], table))  # the three runs, in order
    assert [run.config.describe_regularizers() for run in table] == ["none", "l2(lambd=0.7)",
                                                                     "dropout(keep_prob=0.86, mask=fresh)"]  # not the course data
    assert window.notebook_action.isEnabled()
