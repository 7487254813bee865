"""Finite-difference checks of the core's back-propagation, for every built-in regularizer alone and combined."""

import numpy as np
import pytest

from regcore import network
from regcore.training import Training

COMBINATIONS = {
    "none": [("none", {})],
    "l2": [("l2", {"lambd": 0.7})],
    "l1": [("l1", {"lambd": 0.9})],
    "l1+l2+dropout": [("l1", {"lambd": 0.4}), ("l2", {"lambd": 0.3}), ("dropout", {"keep_prob": 0.8, "mask": "fresh"})],
    "dropout-course": [("dropout", {"keep_prob": 0.8, "mask": "course"})],
    "dropout-fresh": [("dropout", {"keep_prob": 0.7, "mask": "fresh"})],
    "l2+dropout": [("l2", {"lambd": 1.3}), ("dropout", {"keep_prob": 0.75, "mask": "course"})],
    "dropout+l2+none": [("dropout", {"keep_prob": 0.9, "mask": "fresh"}), ("l2", {"lambd": 0.2}), ("none", {})],
}


def _objective_and_gradient(training, flat):
    """J(flat) and dJ/dflat with every random draw reset, so J is a fixed function of the parameters."""
    training.flat[...] = flat
    training.context.random.generators = [np.random.default_rng(11)]
    for op in training._forward_ops:
        op()
    cost = network.cross_entropy(training.logits, training.probs, training.Y) + training._penalty(0)
    for op in training._backward_ops:  # back-propagation, 1/m, the regularizers' gradient terms
        op()
    return float(cost[0]), training.grad[0].copy()


@pytest.mark.parametrize("name", list(COMBINATIONS))
def test_backprop_matches_finite_differences(name, registry, small_data):
    active = [registry.activate(n, v) for n, v in COMBINATIONS[name]]
    training = Training(small_data, hidden=(6, 4), regularizers=active, seeds=(5,))
    start = training.flat[0].copy()
    # Away from the initial zero biases: there a column of dropped-out units gives a pre-activation of
    # exactly 0, a ReLU kink where no finite difference can agree with any gradient.
    start[training.layout.weight_count:] = np.random.default_rng(0).normal(0, 0.1, start.size - training.layout.weight_count)
    _, analytic = _objective_and_gradient(training, start[None])
    numeric = np.empty_like(analytic)
    eps = 1e-6
    for j in range(start.size):
        step = np.zeros_like(start)
        step[j] = eps
        plus, _ = _objective_and_gradient(training, (start + step)[None])
        minus, _ = _objective_and_gradient(training, (start - step)[None])
        numeric[j] = (plus - minus) / (2 * eps)
    difference = np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))
    assert difference < 1e-7, f"{name}: relative difference {difference:.2e}"
    assert np.linalg.norm(analytic) > 1e-3  # the check is not vacuous


def test_l2_gradient_differs_from_plain_by_lambda_over_m_times_w(registry, small_data):
    plain = Training(small_data, hidden=(6, 4))
    l2 = Training(small_data, hidden=(6, 4), regularizers=[registry.activate("l2", {"lambd": 0.5})])
    _, g_plain = _objective_and_gradient(plain, plain.flat.copy())
    _, g_l2 = _objective_and_gradient(l2, l2.flat.copy())
    weights = l2.layout.weight_count
    m = small_data.X_train.shape[1]
    np.testing.assert_allclose(g_l2[:weights] - g_plain[:weights], 0.5 / m * l2.flat[0, :weights], rtol=1e-9, atol=1e-15)
    np.testing.assert_array_equal(g_l2[weights:], g_plain[weights:])
