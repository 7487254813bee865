"""The numbers behind the network views, checked against a direct NumPy computation."""

from __future__ import annotations

import json

import numpy as np
import pytest

from regcore import inspect as inspection
from regcore.config import RunConfig
from regcore.training import Training

from conftest import run_cli


def _direct(flat_row, sizes, X):
    """A plain transcription: the layers' W from the flat row, Frobenius norms, ReLU outputs, dead units."""
    weights, start = [], 0
    for n_in, n_out in zip(sizes, sizes[1:]):
        weights.append(flat_row[start:start + n_in * n_out].reshape(n_out, n_in))
        start += n_in * n_out
    biases = []
    for n_out in sizes[1:]:
        biases.append(flat_row[start:start + n_out].reshape(n_out, 1))
        start += n_out
    norms = [float(np.linalg.norm(W)) for W in weights]
    dead, A = [], X
    for W, b in zip(weights[:-1], biases[:-1]):
        A = np.maximum(0, W @ A + b)
        dead.append(int(sum(1 for row in A if np.all(row == 0))))
    return norms, dead, weights


def test_norms_dead_units_and_histograms_equal_a_direct_computation(small_data, registry):
    training = RunConfig(hidden=(12, 6), iterations=400, learning_rate=1.5).build(registry, small_data)
    training.run()
    got = inspection.inspect(training.flat, training.layout, small_data.X_train, training.iteration)
    norms, dead, weights = _direct(training.flat[0], training.layout.sizes, small_data.X_train)
    np.testing.assert_allclose(got.weight_norms, norms, rtol=1e-12)
    assert got.dead_units == dead
    for W, counts, edges in zip(weights, got.weight_histograms, got.histogram_edges):
        assert sum(counts) == W.size
        assert edges[0] == -edges[-1] == -np.abs(W).max()
        assert counts == np.histogram(W, bins=len(counts), range=(edges[0], edges[-1]))[0].tolist()


def test_a_dead_unit_is_counted_when_its_output_is_zero_on_every_point(small_data, registry):
    training = Training(small_data, hidden=(4, 2), iterations=1)
    weights, biases = training.layout.views(training.flat)
    biases[0][0, 2, 0] = -1e3   # unit 3 of layer 1 can never fire on these points
    assert inspection.inspect(training.flat, training.layout, small_data.X_train, 0).dead_units[0] >= 1
    assert inspection.dead_units(training.flat, training.layout, small_data.X_train)[0][0, 2]


@pytest.mark.slow
def test_l2_ends_with_smaller_weights_than_no_regularization_in_every_layer(football, registry):
    final = {}
    for name, regs in (("none", ()), ("l2", (("l2", {"lambd": 0.7}),))):
        training = RunConfig(regularizers=regs, record_every=10000).build(registry, football)
        training.run()
        final[name] = inspection.weight_norms(training.flat, training.layout)[0]
    assert np.all(final["l2"] < final["none"]), final


def test_train_json_inspect_gives_every_recorded_iteration_with_that_iterations_parameters(registry, small_data):
    out = run_cli("train", "--data", "moons:n=80,noise=0.2,seed=2", "--iterations", "250", "--record-every", "50",
                  "--json", "--inspect")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert [entry["iteration"] for entry in report["inspect"]] == [i for i, _ in report["costs"]] == [0, 50, 100, 150, 200, 250]
    # the record at iteration 150 sees the parameters after 150 updates: train 150 iterations and look
    training = Training(small_data, iterations=150, record_every=50)
    training.run()
    expected = inspection.inspect(training.flat, training.layout, small_data.X_train, 150).to_dict()
    got = report["inspect"][3]
    assert got["dead_units"] == expected["dead_units"] and got["weight_histograms"] == expected["weight_histograms"]
    for name in ("weight_norms", "histogram_edges"):
        np.testing.assert_allclose(np.concatenate([np.ravel(v) for v in got[name]]),
                                   np.concatenate([np.ravel(v) for v in expected[name]]), rtol=1e-12)


def test_train_json_without_inspect_is_unchanged_and_inspect_needs_json():
    out = run_cli("train", "--iterations", "20", "--json")
    assert "inspect" not in json.loads(out.stdout)
    refused = run_cli("train", "--iterations", "20", "--inspect")
    assert refused.returncode == 2 and "use it with --json" in refused.stderr and "Traceback" not in refused.stderr


def test_a_sweep_records_each_models_final_norms_and_dead_units_as_its_single_run(registry, small_data):
    from regcore.sweep import Axis, Sweep, plan

    base = RunConfig(iterations=300, record_every=100, regularizers=(("l2", {"lambd": 0.0}),))
    result = Sweep(plan(base, [Axis("l2", "lambd", (0.0, 2.0))]), small_data, registry, jobs=1).run()
    for point in result.points:
        single = point.point.config.build(registry, small_data)
        single.run()
        expected = inspection.inspect(single.flat, single.layout, small_data.X_train, single.iteration)
        np.testing.assert_allclose(point.weight_norms, expected.weight_norms, rtol=1e-10)
        assert list(point.dead_units) == expected.dead_units
    assert result.points[1].weight_norms[0] < result.points[0].weight_norms[0]  # L2 shrinks the weights
