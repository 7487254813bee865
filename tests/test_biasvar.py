"""The bias–variance lab: the decomposition is exact, identical resamples have no variance, more L2 less
variance on the course's data, results repeat for a seed, and each model equals its single run."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from regcore.biasvar import BiasVarianceLab, bootstrap_samples, decompose
from regcore.config import RunConfig
from regcore.data import Dataset
from regcore.sweep import Axis

from conftest import run_cli


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 8).flatmap(lambda b: st.integers(1, 12).flatmap(lambda n: st.tuples(
    arrays(float, (b, n), elements=st.floats(0, 1)), arrays(float, (n,), elements=st.sampled_from([0.0, 1.0]))))))
def test_error_is_bias2_plus_variance_to_rounding(case):
    probabilities, labels = case
    bias2, variance, error = decompose(probabilities, labels)
    np.testing.assert_allclose(error, bias2 + variance, rtol=1e-12, atol=1e-15)
    # against a plain loop over the models
    for j in range(len(labels)):
        p = probabilities[:, j]
        assert error[j] == pytest.approx(sum((pb - labels[j]) ** 2 for pb in p) / len(p), abs=1e-15)


def test_identical_models_have_no_variance():
    p = np.tile([[0.2, 0.9, 0.5]], (5, 1))
    bias2, variance, error = decompose(p, np.array([0.0, 1.0, 1.0]))
    assert np.all(variance == 0) and np.allclose(error, bias2)


def _lab(registry, data, values, bootstraps=4, seed=0, iterations=300, identical=False):
    base = RunConfig(iterations=iterations, record_every=100, regularizers=(("l2", {"lambd": 0.0}),))
    samples = None
    if identical:  # B copies of one resample
        samples = np.tile(bootstrap_samples(data.X_train.shape[1], 1, seed), (bootstraps, 1))
    return BiasVarianceLab(base, Axis("l2", "lambd", tuple(values)), data, registry, bootstraps=bootstraps,
                           seed=seed, samples=samples, jobs=1)


def test_b_identical_resamples_give_zero_variance(registry, small_data):
    result = _lab(registry, small_data, (0.0,), identical=True).run()
    assert result.points[0].decomposition.variance == 0.0


def test_the_same_seed_gives_the_same_results_and_each_model_equals_its_single_run(registry, small_data):
    first, second = (_lab(registry, small_data, (0.0, 1.0), seed=5).run() for _ in range(2))
    assert json.dumps(first.to_dict()["points"]) == json.dumps(second.to_dict()["points"])
    samples = bootstrap_samples(small_data.X_train.shape[1], 4, 5)
    for v, value in enumerate((0.0, 1.0)):
        for b in range(4):
            model = first.points[v].models[b]
            k = samples[b]
            resample = Dataset("r", small_data.X_train[:, k], small_data.Y_train[:, k], small_data.X_test,
                               small_data.Y_test)
            single = RunConfig(iterations=300, record_every=100, regularizers=(("l2", {"lambd": value}),)).build(
                registry, resample).run()
            np.testing.assert_allclose(model.parameters, single.parameters[0], rtol=1e-10, atol=1e-13)
            assert model.test_accuracy == single.test_accuracy[0]


@pytest.mark.slow
def test_more_l2_means_less_variance_on_the_course_data(registry, football):
    result = _lab(registry, football, (0.0, 3.0), bootstraps=8, iterations=10000).run()
    low, high = (p.decomposition for p in result.points)
    assert high.variance < low.variance
    for d in (low, high):
        assert d.error == pytest.approx(d.bias2 + d.variance, rel=1e-12)


def test_cli_biasvar_json_and_one_line_errors():
    out = run_cli("biasvar", "--data", "moons:n=60,noise=0.2,seed=3", "--reg", "l2", "--param", "lambd=0:1:2",
                  "--bootstraps", "3", "--iterations", "200", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["bootstraps"] == 3 and len(report["points"]) == 2
    errors = [point["error"] for point in report["points"]]
    assert report["best"] == errors.index(min(errors))  # the lowest bias² + variance, as sweep's JSON has
    for point in report["points"]:
        assert point["error"] == pytest.approx(point["bias2"] + point["variance"], rel=1e-12)
        assert set(point) >= {"params", "bias2", "variance", "error", "test_accuracy_mean", "test_accuracy_std"}
    for args, message in ((("--param", "lambd=0:1:2", "--bootstraps", "1"), "bootstraps must be"),
                          (("--param", "lambd=0:1:0"), "count")):
        bad = run_cli("biasvar", "--reg", "l2", "--iterations", "10", *args)
        assert bad.returncode == 2 and message in bad.stderr and "Traceback" not in bad.stderr


def test_cli_table_marks_the_lowest_error_and_the_csv_has_a_row_per_value(tmp_path):
    target = tmp_path / "lab.csv"
    out = run_cli("biasvar", "--data", "moons:n=60,noise=0.2,seed=3", "--reg", "l2", "--param", "lambd=0:2:3",
                  "--bootstraps", "3", "--iterations", "200", "--csv", str(target))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("3 values x 3 bootstraps x 200 iterations on moons")
    assert lines[1].split() == ["lambd", "bias²", "variance", "error", "test", "accuracy"]
    rows = [line.split() for line in lines[2:5]]
    errors = [float(r[3]) for r in rows]
    assert [r[-1] == "*" for r in rows] == [e == min(errors) for e in errors]
    assert lines[5].startswith("* lowest error")
    table = target.read_text().splitlines()
    assert table[0] == "lambd,bias2,variance,error,test_accuracy_mean,test_accuracy_std,train_accuracy_mean," \
                       "error_message"
    for row, cells in zip(rows, table[1:]):
        values = [float(v) for v in cells.split(",")[:7]]
        assert values[3] == pytest.approx(values[1] + values[2], rel=1e-12)
        assert f"{values[3]:.5f}" == row[3]
    assert [p.name for p in tmp_path.iterdir()] == ["lab.csv"]


def test_a_cancelled_lab_reports_no_decomposition_for_unfinished_values(registry, small_data):
    import threading

    cancel = threading.Event()
    cancel.set()
    result = _lab(registry, small_data, (0.0, 1.0)).run(cancel)
    assert not result.completed and result.best() is None
    assert all(p.decomposition is None for p in result.points)
    assert [set(v for k, v in p.items() if k != "params") for p in result.to_dict()["points"]] == [{None}, {None}]


def test_grid_views_agree_with_the_decomposition_on_the_test_points(registry, small_data):
    from regcore.biasvar import grid_views

    lab = _lab(registry, small_data, (0.0,))
    point = lab.run().points[0]
    mean, variance, shown = grid_views(point, lab.sweep.layout, small_data.X_test, show=2)
    np.testing.assert_allclose(mean, point.decomposition.mean_probability, rtol=1e-12)
    np.testing.assert_allclose(variance, point.decomposition.variance_per_point, rtol=1e-12, atol=1e-18)
    assert shown.shape == (2, small_data.X_test.shape[1]) and variance.mean() == pytest.approx(
        point.decomposition.variance, rel=1e-12)


def test_cli_a_value_whose_models_fail_is_null_and_exits_2():
    out = run_cli("biasvar", "--data", "moons:n=60,noise=0.2,seed=3", "--reg", "l2", "--param", "lambd=0:1:2",
                  "--bootstraps", "3", "--iterations", "300", "--lr", "1000", "--json")
    assert out.returncode == 2 and "models failed: the training diverged" in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert all(point["error"] is None for point in json.loads(out.stdout)["points"])


def test_every_test_point_of_every_value_has_error_equal_to_bias2_plus_variance(registry, small_data):
    from regcore import network

    lab = _lab(registry, small_data, (0.0, 0.5, 3.0), bootstraps=5, seed=2)
    result = lab.run()
    y = small_data.Y_test[0]
    for point in result.points:
        d = point.decomposition
        p = network.probabilities(np.stack([m.parameters for m in point.models]), lab.sweep.layout, small_data.X_test)
        per_point_error = ((p - y) ** 2).mean(axis=0)           # mean over the models of (p_b(x) - y)^2
        bias2 = (d.mean_probability - y) ** 2
        np.testing.assert_allclose(per_point_error, bias2 + d.variance_per_point, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(d.mean_probability, p.mean(axis=0), rtol=1e-15)
        assert d.error == pytest.approx(d.bias2 + d.variance, rel=1e-12) and d.error == pytest.approx(
            per_point_error.mean(), rel=1e-12)
