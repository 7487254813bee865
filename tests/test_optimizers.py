"""The optimizers and mini-batches against plain NumPy transcriptions of their formulas.

The transcriptions below are written from the papers' (and the course's) formulas, one parameter
array at a time, on a network written out in plain NumPy: nothing is shared with the core but the
data. The core's recorded costs must equal them to 1e-12 relative over a few hundred iterations.
"""

from __future__ import annotations

import numpy as np
import pytest

from regcore.config import RunConfig
from regcore.optimizer import GradientDescent
from regcore.sweep import OPTIMIZER, Axis, Sweep, plan
from regcore.training import Training

HIDDEN = (5, 3)
ITERATIONS = 300


# ---------------------------------------------------------------- the plain transcription

def plain_parameters(sizes, seed):
    state = np.random.RandomState(seed)
    weights = [state.randn(n_out, n_in) / np.sqrt(n_in) for n_in, n_out in zip(sizes, sizes[1:])]
    return weights + [np.zeros((n_out, 1)) for n_out in sizes[1:]]


def plain_cost_and_gradients(params, X, Y):
    layers = len(params) // 2
    Ws, bs = params[:layers], params[layers:]
    activations = [X]
    for W, b in zip(Ws[:-1], bs[:-1]):
        activations.append(np.maximum(0.0, W @ activations[-1] + b))
    A = 1 / (1 + np.exp(-(Ws[-1] @ activations[-1] + bs[-1])))
    m = X.shape[1]
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dZ = A - Y
    dWs, dbs = [None] * layers, [None] * layers
    for l in range(layers - 1, -1, -1):
        dWs[l] = dZ @ activations[l].T / m
        dbs[l] = dZ.sum(axis=1, keepdims=True) / m
        if l:
            dZ = (Ws[l].T @ dZ) * (activations[l] > 0)
    return cost, dWs + dbs


def plain_run(data, update, *, seed=3, batch_size=None, iterations=ITERATIONS):
    """Costs before each update of a plain training loop, and after the last (on the next batch), as the
    core records its end; ``update(params, grads, t)`` changes params."""
    X, Y = data.X_train, data.Y_train
    m = X.shape[1]
    params = plain_parameters((X.shape[0], *HIDDEN, 1), seed)
    rng, batches = np.random.default_rng(seed), []
    costs = []
    for t in range(1, iterations + 2):
        if batch_size is None:
            Xb, Yb = X, Y
        else:
            if not batches:
                order = rng.permutation(m)
                batches = [order[j * batch_size:(j + 1) * batch_size] for j in range(m // batch_size)]
            chosen = batches.pop(0)
            Xb, Yb = X[:, chosen], Y[:, chosen]
        cost, grads = plain_cost_and_gradients(params, Xb, Yb)
        costs.append(cost)
        if t <= iterations:
            update(params, grads, t)
    return np.array(costs)


def plain_gd(lr):
    def update(params, grads, t):
        for p, g in zip(params, grads):
            p -= lr * g
    return update


def plain_momentum(lr, beta):
    velocities = {}

    def update(params, grads, t):
        for i, (p, g) in enumerate(zip(params, grads)):
            v = velocities.get(i, 0.0)
            velocities[i] = v = beta * v + (1 - beta) * g
            p -= lr * v
    return update


def plain_adam(lr, beta1, beta2, eps, weight_decay=None):
    moments = {}

    def update(params, grads, t):
        layers = len(params) // 2
        for i, (p, g) in enumerate(zip(params, grads)):
            m, v = moments.get(i, (0.0, 0.0))
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g**2
            moments[i] = (m, v)
            m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
            step = m_hat / (np.sqrt(v_hat) + eps)
            if weight_decay is not None and i < layers:  # decoupled decay, on the weights only
                step = step + weight_decay * p
            p -= lr * step
    return update


def core_costs(data, registry, optimizer="gd", values=None, lr=0.3, **settings):
    training = Training(data, hidden=HIDDEN, iterations=settings.pop("iterations", ITERATIONS), record_every=1,
                        learning_rate=lr, optimizer=registry.activate_optimizer(optimizer, values or {}), **settings)
    return training.run().history["cost"][:, 0]


# ---------------------------------------------------------------- the optimizers

def test_gradient_descent_is_the_default_and_matches_the_plain_update(registry, small_data):
    default = Training(small_data, hidden=HIDDEN, iterations=ITERATIONS, record_every=1).run()
    named = core_costs(small_data, registry, "gd")
    np.testing.assert_array_equal(default.history["cost"][:, 0], named)
    assert registry.optimizer("gd").obj is GradientDescent
    assert RunConfig().optimizer == "gd"  # the one default (regcore.defaults) names the same optimizer
    np.testing.assert_allclose(named, plain_run(small_data, plain_gd(0.3)), rtol=1e-12)


def test_momentum_matches_the_plain_numpy_formula(registry, small_data):
    costs = core_costs(small_data, registry, "momentum", {"beta": 0.8}, lr=0.5)
    np.testing.assert_allclose(costs, plain_run(small_data, plain_momentum(0.5, 0.8)), rtol=1e-12)


def test_adam_matches_the_plain_numpy_formula_with_bias_correction(registry, small_data):
    costs = core_costs(small_data, registry, "adam", {}, lr=0.01)
    expected = plain_run(small_data, plain_adam(0.01, 0.9, 0.999, 1e-8))
    np.testing.assert_allclose(costs, expected, rtol=1e-12)
    assert costs[-1] < 0.5 * costs[0]
    # other betas and eps, to catch a value read from the wrong place
    costs = core_costs(small_data, registry, "adam", {"beta1": 0.7, "beta2": 0.99, "eps": 1e-4}, lr=0.02)
    np.testing.assert_allclose(costs, plain_run(small_data, plain_adam(0.02, 0.7, 0.99, 1e-4)), rtol=1e-12)


def test_adamw_matches_the_plain_numpy_formula_with_decoupled_decay(registry, small_data):
    costs = core_costs(small_data, registry, "adamw", {"weight_decay": 0.5}, lr=0.01)
    expected = plain_run(small_data, plain_adam(0.01, 0.9, 0.999, 1e-8, weight_decay=0.5))
    np.testing.assert_allclose(costs, expected, rtol=1e-12)
    assert not np.allclose(costs, core_costs(small_data, registry, "adam", {}, lr=0.01))


def test_with_adam_l2_and_weight_decay_are_different_things(registry, small_data):
    def final_weights(optimizer, values, regularizers=()):
        training = Training(small_data, hidden=HIDDEN, iterations=ITERATIONS, learning_rate=0.01,
                            optimizer=registry.activate_optimizer(optimizer, values),
                            regularizers=[registry.activate(n, v) for n, v in regularizers])
        return training.run().parameters[0, :training.layout.weight_count]

    l2 = final_weights("adam", {}, [("l2", {"lambd": 1.0})])
    decay = final_weights("adamw", {"weight_decay": 1.0 / small_data.X_train.shape[1]})
    assert not np.allclose(l2, decay, rtol=1e-3)


def test_a_sweep_over_adams_learning_rate_equals_single_runs(registry, small_data):
    base = RunConfig(hidden=HIDDEN, iterations=200, record_every=10, optimizer="adam",
                     optimizer_values={"beta1": 0.85})
    rates = (0.001, 0.01, 0.1)
    result = Sweep(plan(base, [Axis(OPTIMIZER, "lr", rates)]), small_data, registry, jobs=1).run()
    for rate, point in zip(rates, result.points):
        assert point.point.config.learning_rate == rate
        single = RunConfig(**{**base.__dict__, "learning_rate": rate}).build(registry, small_data).run()
        np.testing.assert_allclose(point.cost, single.history["cost"][:, 0], rtol=1e-10)
        np.testing.assert_allclose(point.parameters, single.parameters[0], rtol=1e-10, atol=1e-12)


def test_a_sweep_varies_an_optimizer_value_per_model(registry, small_data):
    base = RunConfig(hidden=HIDDEN, iterations=100, record_every=10, optimizer="momentum", learning_rate=0.5)
    result = Sweep(plan(base, [Axis(OPTIMIZER, "beta", (0.0, 0.9))]), small_data, registry, jobs=1).run()
    plain = core_costs(small_data, registry, "gd", lr=0.5, iterations=100)
    np.testing.assert_allclose(result.points[0].cost, plain[::10], rtol=1e-12)  # beta 0 is gradient descent
    assert not np.allclose(result.points[1].cost, plain[::10])


# ---------------------------------------------------------------- mini-batches

def test_mini_batches_match_plain_shuffled_batches_with_the_leftover_dropped(registry, small_data):
    m = small_data.X_train.shape[1]
    assert m % 16  # so an epoch leaves points out
    costs = core_costs(small_data, registry, "gd", batch_size=16, iterations=200)
    np.testing.assert_allclose(costs, plain_run(small_data, plain_gd(0.3), batch_size=16, iterations=200),
                               rtol=1e-12)
    adam = core_costs(small_data, registry, "adam", lr=0.01, batch_size=8, iterations=200)
    np.testing.assert_allclose(adam, plain_run(small_data, plain_adam(0.01, 0.9, 0.999, 1e-8), batch_size=8,
                                               iterations=200), rtol=1e-12)


def test_mini_batch_runs_are_reproducible_from_the_seed(registry, small_data):
    def run(seed):
        config = RunConfig(hidden=HIDDEN, iterations=150, record_every=10, seed=seed, batch_size=10,
                           regularizers=(("dropout", {"keep_prob": 0.8}),))
        return config.build(registry, small_data).run()

    first, again, other = run(4), run(4), run(5)
    np.testing.assert_array_equal(first.history["cost"], again.history["cost"])
    np.testing.assert_array_equal(first.parameters, again.parameters)
    assert not np.array_equal(first.history["cost"], other.history["cost"])


def test_each_models_batches_in_a_sweep_equal_its_single_run(registry, small_data):
    base = RunConfig(hidden=HIDDEN, iterations=120, record_every=10, batch_size=12, optimizer="adam",
                     learning_rate=0.02, regularizers=(("dropout", {"keep_prob": 0.9}),))
    points = plan(base, [Axis("dropout", "keep_prob", (0.7, 0.9))], seeds=[1, 2])
    result = Sweep(points, small_data, registry, jobs=1).run()
    for point in result.points:
        single = point.point.config.build(registry, small_data).run()
        np.testing.assert_allclose(point.cost, single.history["cost"][:, 0], rtol=1e-10)
        np.testing.assert_allclose(point.parameters, single.parameters[0], rtol=1e-10, atol=1e-12)


def test_the_whole_set_as_batch_size_is_todays_full_batch_run(registry, small_data):
    m = small_data.X_train.shape[1]
    full = core_costs(small_data, registry, "gd")
    for size in (m, m + 5):
        np.testing.assert_array_equal(core_costs(small_data, registry, "gd", batch_size=size), full)


def test_recorded_clean_losses_cover_the_whole_training_set(registry, small_data):
    batched = Training(small_data, hidden=HIDDEN, iterations=1, batch_size=8)
    full = Training(small_data, hidden=HIDDEN, iterations=1)
    batched.run(), full.run()
    np.testing.assert_allclose(batched.history.records[0].train_loss, full.history.records[0].train_loss,
                               rtol=1e-12)
    assert batched.history.records[0].cost != pytest.approx(full.history.records[0].cost, rel=1e-6)


def test_dropout_with_the_courses_masks_refuses_mini_batches(registry, small_data):
    config = RunConfig(iterations=5, batch_size=8, regularizers=(("dropout", {"mask": "course"}),))
    with pytest.raises(Exception, match="mask=course fixes one mask per point of the whole training set"):
        config.build(registry, small_data)
