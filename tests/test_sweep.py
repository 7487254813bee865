"""Sweeps: ranges, grids, per-model equality with single runs, worker processes, failures, cancelling, CLI."""

import json
import threading

import numpy as np
import pytest

from regcore import Param, ParamError, Regularizer, hookimpl
from regcore.cli import main
from regcore.config import RunConfig
from regcore.plugins import load_registry
from regcore.sweep import Axis, Sweep, best_indices, plan, suggested_range, value_range

ITERATIONS = 300
LAMBD = Param("lambd", "float", 0.7, low=0.0, high=1e6)
KEEP = Param("keep_prob", "float", 0.86, low=0.0, high=1.0, low_open=True)


class Exploding(Regularizer):
    """A regularizer with a bug that only shows above strength 1 (module level, so workers can import it)."""

    name = "exploding"
    label = "Exploding"
    help = "Raises in add_gradients when its strength is above 1."
    params = (Param("strength", "float", 0.0, low=0.0),)

    def add_gradients(self, weights, grads):
        if np.any(self.values["strength"] > 1):
            raise ValueError("strength above 1")


class ExplodingPlugin:
    @hookimpl
    def register_regularizers(self, register):
        register(Exploding)


def l2_sweep(lambdas, iterations=ITERATIONS, seeds=None):
    base = RunConfig(iterations=iterations, record_every=50, regularizers=(("l2", {"lambd": 0.7}),))
    return plan(base, [Axis("l2", "lambd", tuple(lambdas))], seeds)


def assert_equals_single_runs(points, registry, data):
    """Each model of a sweep against its own single run: cost history to 1e-10, same accuracies."""
    for point in points:
        single = point.point.config.build(registry, data).run()
        assert point.ok and point.completed
        np.testing.assert_array_equal(point.iterations, single.history["iterations"])
        np.testing.assert_allclose(point.cost, single.history["cost"][:, 0], rtol=1e-10, atol=0)
        assert point.train_accuracy == single.train_accuracy[0]
        assert point.test_accuracy == single.test_accuracy[0]
        np.testing.assert_allclose(point.final_cost, single.final_cost[0], rtol=1e-10)


# ---------------------------------------------------------------- ranges and grids

def test_linear_and_log_ranges_include_both_ends():
    assert value_range(LAMBD, 0, 3, 4) == (0.0, 1.0, 2.0, 3.0)
    logs = value_range(LAMBD, 0.01, 100, 5, log=True)
    assert logs[0] == 0.01 and logs[-1] == 100.0
    np.testing.assert_allclose(logs, [0.01, 0.1, 1, 10, 100])
    assert value_range(LAMBD, 0.5, 0.5, 1) == (0.5,)


def test_whole_number_parameters_are_rounded_without_repeats():
    hidden = Param("units", "int", 4, low=1, high=64)
    assert value_range(hidden, 1, 64, 7, log=True) == (1, 2, 4, 8, 16, 32, 64)
    assert value_range(hidden, 1, 3, 5) == (1, 2, 3)


@pytest.mark.parametrize("param, args, message", [
    (LAMBD, (0, 3, 0), "the range of lambd: the count must be a whole number >= 1, got 0"),
    (LAMBD, (0, 3, 4, True), "a log range needs start and stop > 0, got 0 and 3"),
    (LAMBD, (1, 3, 1), "one value cannot span 1 to 3; give a count >= 2"),
    (LAMBD, (0, float("inf"), 3), "start and stop must be finite"),
    (KEEP, (0, 1, 3), "the range of keep_prob goes out of bounds: keep_prob=0.0 is not valid: expected a number in (0, 1]"),
    (Param("mask", "choice", "a", choices=("a", "b")), (0, 1, 2), "only numeric parameters can be swept"),
])
def test_bad_ranges_are_refused_with_one_line(param, args, message):
    with pytest.raises(ParamError) as caught:
        value_range(param, *args)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_suggested_ranges_come_from_the_declaration():
    assert suggested_range(LAMBD) == (0.0, 2.8, False)
    start, stop, _ = suggested_range(KEEP)
    assert 0 < start < 0.86 < stop == 1.0


def test_a_grid_varies_the_first_axis_slowest_and_repeats_each_setting_per_seed():
    base = RunConfig(regularizers=(("l2", {"lambd": 0.7}), ("dropout", {"keep_prob": 0.86, "mask": "fresh"})))
    points = plan(base, [Axis("l2", "lambd", (0.0, 1.0)), Axis("dropout", "keep_prob", (0.5, 1.0), "dropout.keep_prob")],
                  seeds=[1, 2])
    labels = [(p.params["lambd"], p.params["dropout.keep_prob"], p.config.seed) for p in points]
    assert labels == [(0.0, 0.5, 1), (0.0, 0.5, 2), (0.0, 1.0, 1), (0.0, 1.0, 2),
                      (1.0, 0.5, 1), (1.0, 0.5, 2), (1.0, 1.0, 1), (1.0, 1.0, 2)]
    assert points[5].config.regularizers == (("l2", {"lambd": 1.0}),
                                             ("dropout", {"keep_prob": 0.5, "mask": "fresh"}))
    assert base.regularizers[0][1] == {"lambd": 0.7}  # the base is not changed


def test_sweeping_an_unused_regularizer_is_refused():
    with pytest.raises(ParamError, match="regularizer 'dropout' is not used"):
        plan(RunConfig(regularizers=(("l2", {}),)), [Axis("dropout", "keep_prob", (0.5,))])


def test_best_counts_every_tie_and_ignores_failures():
    assert best_indices([0.8, 0.9, float("nan"), 0.9]) == [1, 3]
    assert best_indices([float("nan")]) == []


# ---------------------------------------------------------------- each model equals its single run

def test_l2_sweep_in_several_batches_equals_single_runs(registry, small_data):
    sweep = Sweep(l2_sweep([0.0, 0.3, 1.0, 2.5, 6.0]), small_data, registry, jobs=1, chunk=2)
    result = sweep.run()
    assert result.chunk_sizes == (2, 2, 1) and result.completed
    assert_equals_single_runs(result.points, registry, small_data)
    # the sweep did something: stronger L2, larger final cost, for these settings
    assert np.all(np.diff([p.final_cost for p in result.points]) > 0)


def test_dropout_with_fresh_masks_and_per_model_seeds_equals_single_runs(registry, small_data):
    base = RunConfig(iterations=ITERATIONS, record_every=50, regularizers=(("dropout", {"mask": "fresh"}),))
    points = plan(base, [Axis("dropout", "keep_prob", (0.6, 0.9))], seeds=[1, 2, 3])
    result = Sweep(points, small_data, registry, jobs=1).run()
    assert result.chunk_sizes == (6,)
    assert_equals_single_runs(result.points, registry, small_data)
    # same keep_prob, different seeds: different masks and initial weights, so different costs
    assert len({p.cost[-1] for p in result.points}) == 6


def test_dropout_with_course_masks_equals_single_runs(registry, small_data):
    base = RunConfig(iterations=ITERATIONS, record_every=50, regularizers=(("dropout", {"mask": "course"}),))
    points = plan(base, [Axis("dropout", "keep_prob", (0.5, 0.7, 0.86, 1.0))])
    result = Sweep(points, small_data, registry, jobs=1).run()
    assert_equals_single_runs(result.points, registry, small_data)


def test_worker_processes_give_the_same_numbers_and_report_progress(registry, small_data):
    points = l2_sweep([0.0, 0.5, 1.0, 4.0], iterations=1200)
    sweep = Sweep(points, small_data, registry, jobs=2)
    progress = list(sweep.steps())
    result = sweep.result()
    assert result.jobs == 2 and result.chunk_sizes == (2, 2)
    assert progress[-1].done == progress[-1].total == 4 * 1200
    assert sorted(i for p in progress for i, _ in p.finished) == [0, 1, 2, 3]
    in_thread = Sweep(points, small_data, registry, jobs=1).run()
    for a, b in zip(result.points, in_thread.points):
        np.testing.assert_array_equal(a.cost, b.cost)
        np.testing.assert_array_equal(a.parameters, b.parameters)


def test_points_with_training_samples_equal_single_runs_on_their_resamples(registry, small_data):
    from dataclasses import replace

    from regcore.data import Dataset

    m = small_data.X_train.shape[1]
    samples = np.random.default_rng(4).integers(0, m, size=(3, m))
    points = [replace(point, sample=sample) for point in l2_sweep([0.0, 1.0]) for sample in samples]
    assert points[0] == points[1] and points[0] != points[3]  # the sample does not tell points apart
    result = Sweep(points, small_data, registry, jobs=1, chunk=4).run()
    assert result.chunk_sizes == (3, 3)
    for point, model in zip(points, result.points):
        resample = Dataset("r", small_data.X_train[:, point.sample], small_data.Y_train[:, point.sample],
                           small_data.X_test, small_data.Y_test)
        single = point.config.build(registry, resample).run()
        np.testing.assert_allclose(model.parameters, single.parameters[0], rtol=1e-10, atol=1e-13)
        assert model.train_accuracy == single.train_accuracy[0] and model.test_accuracy == single.test_accuracy[0]
    with pytest.raises(ParamError, match="either every point of a sweep has a training sample or none"):
        Sweep(points[:1] + l2_sweep([2.0]), small_data, registry)
    with pytest.raises(ParamError, match="must index the"):
        Sweep([replace(points[0], sample=np.array([0, m]))], small_data, registry)


def test_points_must_differ_only_in_numeric_values_and_seeds(registry, small_data):
    points = l2_sweep([0.0]) + plan(RunConfig(iterations=10, regularizers=(("l2", {}),)), [Axis("l2", "lambd", (1.0,))])
    with pytest.raises(ParamError, match="must share the network, iterations, optimizer, batch size"):
        Sweep(points, small_data, registry)


# ---------------------------------------------------------------- failures and cancelling

@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_regularizer_fails_only_its_points_and_is_named(small_data, jobs):
    registry = load_registry(extra=[("exploding", ExplodingPlugin())], environ={})
    base = RunConfig(iterations=200, regularizers=(("exploding", {}),))
    points = plan(base, [Axis("exploding", "strength", (0.0, 0.5, 2.0, 3.0))])
    result = Sweep(points, small_data, registry, jobs=jobs, chunk=4 // jobs).run()
    assert [p.ok for p in result.points] == [True, True, False, False]
    assert result.points[0].completed and result.points[0].iterations_done == 200
    assert len(result.errors) == 1
    assert "regularizer 'exploding'" in result.errors[0] and "ValueError: strength above 1" in result.errors[0]
    assert result.best() == [0, 1]  # the regularizer does nothing below 1: a tie; the failures never count


def test_a_diverging_model_does_not_take_its_batch_down(registry, small_data):
    result = Sweep(l2_sweep([0.0, 1.0, 1e5, 2.0]), small_data, registry, jobs=1).run()
    assert [p.ok for p in result.points] == [True, True, False, True]
    assert "diverged" in result.points[2].error or "finite" in result.points[2].error
    assert_equals_single_runs([result.points[i] for i in (0, 1, 3)], registry, small_data)


@pytest.mark.parametrize("jobs", [1, 2])
def test_cancel_stops_the_sweep_early(registry, small_data, jobs):
    cancel = threading.Event()
    sweep = Sweep(l2_sweep([0.0, 1.0, 2.0, 3.0], iterations=1_000_000), small_data, registry, jobs=jobs)
    for progress in sweep.steps(cancel):
        if progress.done > 0:
            cancel.set()
    result = sweep.result()
    assert not result.completed
    assert all(p is None or (not p.completed and p.iterations_done < 1_000_000) for p in result.points)


# ---------------------------------------------------------------- the command line

def sweep_cli(capsys, *args):
    code = main(["sweep", "--iterations", str(ITERATIONS), "--data", "moons:n=80,noise=0.2,seed=2", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json_has_one_entry_per_model_matching_the_core(capsys, registry, small_data):
    code, out, err = sweep_cli(capsys, "--reg", "l2", "--param", "lambd=0:2:3", "--json", "--record-every", "50")
    assert code == 0 and err == ""
    report = json.loads(out)
    assert [p["params"] for p in report["points"]] == [{"lambd": 0.0}, {"lambd": 1.0}, {"lambd": 2.0}]
    core = Sweep(l2_sweep([0.0, 1.0, 2.0]), small_data, registry, jobs=1).run()
    for entry, point in zip(report["points"], core.points):
        assert entry["test_accuracy"] == point.test_accuracy
        assert entry["train_accuracy"] == point.train_accuracy
        assert entry["final_cost"] == point.final_cost
    assert report["best"] == core.best() and report["seconds"] > 0


def test_cli_table_marks_the_best_test_accuracy(capsys):
    code, out, _ = sweep_cli(capsys, "--reg", "dropout:mask=course", "--param", "keep_prob=0.5:1:3", "--seeds", "1,2")
    assert code == 0
    lines = out.splitlines()
    assert lines[1].split() == ["keep_prob", "seed", "train", "accuracy", "test", "accuracy", "final", "cost"]
    rows = [line.split() for line in lines[2:8]]
    assert [(r[0], r[1]) for r in rows] == [("0.5", "1"), ("0.5", "2"), ("0.75", "1"), ("0.75", "2"), ("1", "1"), ("1", "2")]
    assert all(r[2].endswith("%") and r[3].endswith("%") for r in rows)  # accuracies as percentages
    best = max(float(r[3].rstrip("%")) for r in rows)
    assert all((r[-1] == "*") == (float(r[3].rstrip("%")) == best) for r in rows)
    assert lines[8] == "* best test accuracy"


def test_cli_writes_the_csv_whole_and_leaves_no_temporary_file(capsys, tmp_path):
    target = tmp_path / "sweep.csv"
    code, _, _ = sweep_cli(capsys, "--reg", "l2", "--param", "lambd=0:1:2", "--also", "dropout:mask=course",
                           "--param", "dropout.keep_prob=0.8:1:2", "--csv", str(target))
    assert code == 0
    lines = target.read_text().splitlines()
    assert lines[0] == "lambd,dropout.keep_prob,seed,train_accuracy,test_accuracy,final_cost,iterations_done,error"
    assert [line.split(",")[:2] for line in lines[1:]] == [["0.0", "0.8"], ["0.0", "1.0"], ["1.0", "0.8"], ["1.0", "1.0"]]
    assert all(line.split(",")[6] == str(ITERATIONS) for line in lines[1:])
    assert [p.name for p in tmp_path.iterdir()] == ["sweep.csv"]


def test_cli_writes_the_csv_even_when_the_table_cannot_be_printed(capsys, tmp_path, monkeypatch):
    def closed_pipe(*args):  # `regcore sweep ... --csv out.csv | head -3`: the reader went away
        raise BrokenPipeError

    monkeypatch.setattr("regcore.cli.sweep.print_table", closed_pipe)
    target = tmp_path / "sweep.csv"
    sweep_cli(capsys, "--reg", "l2", "--param", "lambd=0:1:2", "--csv", str(target))
    assert len(target.read_text().splitlines()) == 3


@pytest.mark.parametrize("args, message", [
    (["--reg", "l2", "--param", "lambd=0:3"], "the range must be START:STOP:COUNT or START:STOP:COUNT:log"),
    (["--reg", "l2", "--param", "lambd=low:3:4"], "START and STOP must be numbers"),
    (["--reg", "l2", "--param", "lambd=0:3:many"], "COUNT must be a whole number >= 1"),
    (["--reg", "l2", "--param", "lambd=0:3:0"], "the count must be a whole number >= 1, got 0"),
    (["--reg", "l2", "--param", "lambd=0:3:4:log"], "a log range needs start and stop > 0"),
    (["--reg", "l2", "--param", "lambd=0:3:4:cubic"], "the range must be START:STOP:COUNT or START:STOP:COUNT:log"),
    (["--reg", "l2", "--param", "lambda=0:3:4"], "regularizer 'l2' has no parameter 'lambda' (it has lambd, layers)"),
    (["--reg", "ridge", "--param", "lambd=0:3:4"], "unknown regularizer 'ridge'"),
    (["--reg", "dropout", "--param", "mask=0:1:2"], "only numeric parameters can be swept"),
    (["--reg", "l2", "--param", "dropout.keep_prob=0.5:1:2"], "regularizer 'dropout' is not used; add it with --also"),
    (["--reg", "l2", "--param", "lambd=0:1:2", "--seeds", "one"], "--seeds 'one': write whole numbers and ranges"),
    (["--reg", "l2", "--param", "lambd=0:1:2", "--seeds", "0-99999999999"], "at most 10,000 seeds"),
    (["--reg", "l2", "--param", "lambd=0:1:2", "--seeds", ""], "--seeds '': give at least one seed"),
    (["--reg", "l2", "--param", "lambd=0:1:2", "--csv", ""], "--csv needs a file name"),
    (["--reg", "l2", "--param", "lambd=0:1:2", "--csv", "/no/such/folder/out.csv"], "the folder /no/such/folder does not exist"),
    (["--reg", "l2", "--param", "lambd=0:1:2", "--json", "--csv", "x.csv"], "not allowed with argument --json"),
    (["--param", "lambd=0:1:2"], "--param lambd: name what it belongs to: --reg NAME"),
])
def test_cli_bad_input_is_one_line_and_exit_status_2(capsys, args, message):
    code, out, err = sweep_cli(capsys, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("regcore: error: ") and message in err


def test_cli_reports_failed_models_and_exits_2(capsys, monkeypatch):
    import regcore.cli.sweep

    registry = load_registry(extra=[("exploding", ExplodingPlugin())], environ={})
    monkeypatch.setattr("regcore.cli.load_registry", lambda: registry)
    code, out, err = sweep_cli(capsys, "--reg", "exploding", "--param", "strength=0:2:3", "--json")
    assert code == 2
    points = json.loads(out)["points"]
    assert [p["test_accuracy"] is None for p in points] == [False, False, True]
    assert err.startswith("regcore: error: 1 of 3 models failed: regularizer 'exploding'")
    assert regcore.cli.sweep.run  # the handler the parser dispatches to


def test_seeds_are_aggregated_per_setting_with_mean_and_spread(registry, small_data):
    from regcore.sweep import best_setting

    base = RunConfig(iterations=200, record_every=100, regularizers=(("l2", {"lambd": 0.0}),))
    points = plan(base, [Axis("l2", "lambd", (0.0, 1.0))], seeds=[1, 2, 3])
    result = Sweep(points, small_data, registry, jobs=1).run()
    summaries = result.settings(points)
    assert [s.params for s in summaries] == [{"lambd": 0.0}, {"lambd": 1.0}]
    for summary in summaries:
        models = [result.points[i] for i in summary.indices]
        assert [points[i].config.seed for i in summary.indices] == [1, 2, 3] and summary.finished == 3
        accuracies = np.array([m.test_accuracy for m in models])
        assert summary.test_accuracy_mean == pytest.approx(accuracies.mean(), rel=1e-12)
        assert summary.test_accuracy_std == pytest.approx(np.sqrt(np.mean((accuracies - accuracies.mean()) ** 2)))
        costs = np.array([m.final_cost for m in models])
        assert summary.final_cost_mean == pytest.approx(costs.mean(), rel=1e-12)
    means = [s.test_accuracy_mean for s in summaries]
    assert best_setting(summaries) == [int(np.argmax(means))] or means[0] == means[1]


def test_cli_aggregates_several_seeds_per_setting_in_the_table_json_and_csv(capsys, registry, small_data, tmp_path):
    args = ("--reg", "l2", "--param", "lambd=0:2:2", "--seeds", "1-3", "--record-every", "100")
    code, out, _ = sweep_cli(capsys, *args, "--json")
    report = json.loads(out)
    points = l2_sweep([0.0, 2.0], seeds=[1, 2, 3])
    core = Sweep(points, small_data, registry, jobs=1).run().settings(points)
    assert code == 0 and [s["params"] for s in report["settings"]] == [{"lambd": 0.0}, {"lambd": 2.0}]
    for entry, summary in zip(report["settings"], core):
        assert entry["seeds"] == entry["finished"] == 3
        assert entry["test_accuracy_mean"] == summary.test_accuracy_mean
        assert entry["test_accuracy_std"] == summary.test_accuracy_std
        assert entry["final_cost_std"] == summary.final_cost_std > 0  # different seeds, different models
    means = [s.test_accuracy_mean for s in core]
    assert report["best_setting"] == [i for i, m in enumerate(means) if m == max(means)]

    code, out, _ = sweep_cli(capsys, *args)
    lines = out.splitlines()
    header = lines.index(next(line for line in lines if line.split()[:2] == ["lambd", "seeds"]))
    rows = [line.split() for line in lines[header + 1:header + 3]]
    assert [r[:2] for r in rows] == [["0", "3/3"], ["2", "3/3"]] and all(r[3] == "±" for r in rows)
    assert [r[-1] == "*" for r in rows] == [i in report["best_setting"] for i in range(2)]
    assert lines[header + 3] == "* best mean test accuracy over the seeds"

    target = tmp_path / "seeds.csv"
    sweep_cli(capsys, *args, "--csv", str(target))
    lines = target.read_text().splitlines()
    assert lines[0].endswith(",error,train_accuracy_mean,train_accuracy_std,test_accuracy_mean,test_accuracy_std,"
                             "final_cost_mean,final_cost_std")
    assert [float(line.split(",")[-4]) for line in lines[1:]] == [core[0].test_accuracy_mean] * 3 + \
        [core[1].test_accuracy_mean] * 3


@pytest.mark.parametrize("seeds", [(), ("--seeds", "4")])
def test_cli_with_one_seed_has_no_aggregate(capsys, tmp_path, seeds):
    args = ("--reg", "l2", "--param", "lambd=0:2:2", *seeds)
    code, out, _ = sweep_cli(capsys, *args, "--json")
    assert code == 0 and "settings" not in json.loads(out) and "best_setting" not in json.loads(out)
    code, out, _ = sweep_cli(capsys, *args, "--csv", str(tmp_path / "one.csv"))
    assert "±" not in out and "over the seeds" not in out
    assert (tmp_path / "one.csv").read_text().splitlines()[0].endswith(",iterations_done,error")


# ---------------------------------------------------------------- what a failure report says

class FailsLate(Regularizer):
    """Fails at iteration 120 when its strength is above 1 (module level, so workers can import it)."""

    name = "fails_late"
    label = "Fails late"
    help = "Raises in add_gradients at iteration 120 when its strength is above 1."
    params = (Param("strength", "float", 0.0, low=0.0),)

    def setup(self):
        self.calls = 0

    def add_gradients(self, weights, grads):
        self.calls += 1
        if self.calls > 120 and np.any(self.values["strength"] > 1):
            raise ValueError("late failure")


class DiesHard(Regularizer):
    """Ends its whole process with status 3 when its strength is above 1, as a crashing extension would."""

    name = "dies_hard"
    label = "Dies hard"
    help = "Calls os._exit(3) when its strength is above 1."
    params = (Param("strength", "float", 0.0, low=0.0),)

    def add_gradients(self, weights, grads):
        if np.any(self.values["strength"] > 1):
            import os
            os._exit(3)


class FailingPlugins:
    @hookimpl
    def register_regularizers(self, register):
        register(FailsLate)
        register(DiesHard)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failed_model_reports_the_iterations_it_got_through(small_data, jobs):
    registry = load_registry(extra=[("failing", FailingPlugins())], environ={})
    points = plan(RunConfig(iterations=300, regularizers=(("fails_late", {}),)),
                  [Axis("fails_late", "strength", (0.0, 2.0))])
    result = Sweep(points, small_data, registry, jobs=jobs, chunk=1).run()
    assert [p.ok for p in result.points] == [True, False]
    assert [p.iterations_done for p in result.points] == [300, 120]
    assert "at iteration 120" in result.points[1].error


def test_a_worker_that_dies_is_reported_with_its_exit_status(small_data):
    registry = load_registry(extra=[("failing", FailingPlugins())], environ={})
    points = plan(RunConfig(iterations=50, regularizers=(("dies_hard", {}),)), [Axis("dies_hard", "strength", (2.0, 3.0))])
    result = Sweep(points, small_data, registry, jobs=2, chunk=1).run()
    assert not any(p.ok for p in result.points if p is not None)
    assert result.errors == ["a sweep worker process exited unexpectedly with status 3"]


def test_sweep_csv_is_saved_like_every_file_through_a_link_and_a_fifo_is_refused_before_training(capsys, tmp_path):
    import os
    import stat

    target = tmp_path / "results.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    code = main(["sweep", "--reg", "l2", "--param", "lambd=0:1:2", "--iterations", "20", "--csv", str(link)])
    assert code == 0 and link.is_symlink() and target.read_text().startswith("lambd,seed,")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    capsys.readouterr()
    code = main(["sweep", "--reg", "l2", "--param", "lambd=0:1:2", "--iterations", "20", "--csv", str(fifo)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "" and "FIFO" in captured.err and captured.err.count("\n") == 1
    assert stat.S_ISFIFO(fifo.stat().st_mode)
