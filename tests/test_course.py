"""regcore.course: the notebook's functions, compared value for value with a plain transcription."""

import sys

import numpy as np
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import notebook_baseline as notebook  # noqa: E402

from regcore import course  # noqa: E402


@pytest.fixture
def batch():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(2, 50))
    Y = (rng.random((1, 50)) > 0.5).astype(float)
    return X, Y


def _same(a, b):
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _same(a[key], b[key])
    elif isinstance(a, tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        np.testing.assert_array_equal(a, b)


def test_initialize_parameters_matches_and_leaves_the_global_rng_alone():
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    ours = course.initialize_parameters([2, 20, 3, 1])
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    _same(ours, notebook.initialize_parameters([2, 20, 3, 1]))
    assert ours["W1"].shape == (20, 2) and ours["b3"].shape == (1, 1)


def test_forward_and_backward_variants_match_the_notebook_exactly(batch):
    X, Y = batch
    parameters = course.initialize_parameters([2, 20, 3, 1])
    a3, cache = course.forward_propagation(X, parameters)
    _same((a3, cache), notebook.forward_propagation(X, parameters))
    _same(course.backward_propagation(X, Y, cache), notebook.backward_propagation(X, Y, cache))
    _same(course.backward_propagation_with_regularization(X, Y, cache, 0.7),
          notebook.backward_propagation_with_regularization(X, Y, cache, 0.7))
    a3d, cached = course.forward_propagation_with_dropout(X, parameters, keep_prob=0.8)
    _same((a3d, cached), notebook.forward_propagation_with_dropout(X, parameters, keep_prob=0.8))
    _same(course.backward_propagation_with_dropout(X, Y, cached, 0.8),
          notebook.backward_propagation_with_dropout(X, Y, cached, 0.8))


def test_costs_and_update_match(batch):
    X, Y = batch
    parameters = course.initialize_parameters([2, 20, 3, 1])
    a3, cache = course.forward_propagation(X, parameters)
    assert course.compute_cost(a3, Y) == notebook.compute_cost(a3, Y)
    assert course.compute_cost_with_regularization(a3, Y, parameters, 0.7) == \
        notebook.compute_cost_with_regularization(a3, Y, parameters, 0.7)
    grads = course.backward_propagation(X, Y, cache)
    _same(course.update_parameters(dict(parameters), grads, 0.3),
          notebook.update_parameters(dict(parameters), grads, 0.3))


def test_compute_cost_stays_finite_and_quiet_when_the_output_saturates():
    a3 = np.array([[1.0, 0.0, 0.5]])
    Y = np.array([[0.0, 1.0, 1.0]])
    with np.errstate(all="raise"):
        cost = course.compute_cost(a3, Y)
    assert np.isfinite(cost) and cost > 100  # two confidently wrong points


def test_predict_prints_accuracy_and_returns_ints(batch, capsys):
    X, Y = batch
    parameters = course.initialize_parameters([2, 20, 3, 1])
    p = course.predict(X, Y, parameters)
    expected = float(np.mean((notebook.forward_propagation(X, parameters)[0] > 0.5) == Y))
    assert capsys.readouterr().out == f"Accuracy: {np.float64(expected)}\n"
    assert p.dtype.kind == "i" and p.shape == (1, 50)


def test_model_equals_the_notebook_transcription(batch, capsys):
    X, Y = batch
    ours = course.model(X, Y, num_iterations=1500, lambd=0.4)
    theirs, costs = notebook.model(X, Y, num_iterations=1500, lambd=0.4)
    _same(ours, theirs)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == printed[1] == f"Cost after iteration 0: {costs[0]}"
