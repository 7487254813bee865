"""Where early stopping stopped a model and which record it kept survive the sweep (`PointResult`, the
CLI's JSON) and the experiment file; files written before they existed open as -1 (trained to the end)."""

from __future__ import annotations

import json

import pytest

from experiment_files import rewrite
from regcore import experiment
from regcore.config import RunConfig
from regcore.experiment import Experiment, ExperimentError, RunRecord
from regcore.sweep import Axis, Sweep, plan
from regcore.cli import main

EARLY = ("early_stopping", {"patience": 2, "watch": "test_cost", "restore_best": True})


def test_a_sweep_keeps_where_each_model_stopped_as_its_single_run(registry, small_data):
    base = RunConfig(iterations=6000, record_every=50, regularizers=(("l2", {"lambd": 0.0}), EARLY))
    points = Sweep(plan(base, [Axis("l2", "lambd", (0.0, 0.5, 3.0))]), small_data, registry, jobs=1).run().points
    for point in points:
        single = point.point.config.build(registry, small_data).run()
        assert (point.stopped_at, point.kept_from) == (int(single.stopped_at[0]), int(single.kept_from[0]))
    assert any(p.stopped_at > 0 for p in points)
    assert all(p.kept_from <= p.stopped_at for p in points)


def test_the_sweep_json_says_where_each_model_stopped(capsys):
    assert main(["sweep", "--reg", "l2", "--also", "early_stopping:patience=2", "--param", "lambd=0:1:2",
                 "--iterations", "6000", "--record-every", "50", "--json", "--data", "moons:n=80,seed=2"]) == 0
    points = json.loads(capsys.readouterr().out)["points"]
    assert all(p["stopped_at"] >= p["kept_from"] >= 0 for p in points)


@pytest.fixture
def saved(tmp_path, registry, small_data):
    runs = []
    for regs in ((EARLY,), ()):
        config = RunConfig(iterations=6000, record_every=50, regularizers=regs)
        runs.append(RunRecord(config, small_data, config.build(registry, small_data).run()))
    path = tmp_path / "stops.regx"
    experiment.save(Experiment(runs=runs), path)
    return runs, path


def test_the_experiment_file_keeps_where_a_run_stopped(saved):
    runs, path = saved
    reopened = experiment.load(path)
    assert runs[0].result.stopped_at[0] > 0
    for before, after in zip(runs, reopened.runs):
        assert (after.result.stopped_at[0], after.result.kept_from[0]) == \
            (before.result.stopped_at[0], before.result.kept_from[0])
    assert (reopened.runs[1].result.stopped_at[0], reopened.runs[1].result.kept_from[0]) == (-1, -1)


def rewrite_runs(path, target, change):
    """``path`` copied to ``target`` with ``change`` applied to every run's entry in the index."""
    return rewrite(path, target, lambda index: [change(run) for run in index["runs"]])


def test_an_older_file_without_them_opens_as_trained_to_the_end(saved, tmp_path):
    _, path = saved
    old = rewrite_runs(path, tmp_path / "old.regx", lambda run: (run.pop("stopped_at"), run.pop("kept_from")))
    assert [(r.result.stopped_at[0], r.result.kept_from[0]) for r in experiment.load(old).runs] == [(-1, -1)] * 2


@pytest.mark.parametrize("value", ["3", 1.5, -2, 10**9, True])
def test_a_damaged_stop_is_a_one_line_error(saved, tmp_path, value):
    _, path = saved
    bad = rewrite_runs(path, tmp_path / "bad.regx", lambda run: run.update(stopped_at=value))
    with pytest.raises(ExperimentError, match=r"stopped_at .* is not -1 or an iteration up to") as raised:
        experiment.load(bad)
    assert "\n" not in str(raised.value)
