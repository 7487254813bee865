"""The version-2 hooks at work: the run's generators' draws, biases for penalties and gradients, data-aware
penalties recorded on the training pass, version-1 plugins, and run control with early stopping.
(Their gradients are checked in test_gradients.py.)"""

import numpy as np
import pytest

import hook_plugins
from regcore import ModelRandom
from regcore.training import Training


@pytest.fixture(scope="module")
def registry():
    return hook_plugins.registry()


# ------------------------------------------------------------------ the run's random generators


def test_any_generator_method_draws_per_model_and_a_model_of_a_sweep_gets_its_single_runs_numbers():
    batch, single = ModelRandom([4, 9, 2]), ModelRandom([9])
    for method, arguments in (("normal", {"loc": 1.0, "scale": 2.0}), ("binomial", {"n": 1, "p": 0.3}),
                              ("standard_normal", {}), ("random", {})):
        drawn = batch.draw(method, (3, 5), **arguments)
        assert drawn.shape == (3, 3, 5)
        np.testing.assert_array_equal(drawn[1], single.draw(method, (3, 5), **arguments)[0])
    expected = np.random.default_rng(9)
    np.testing.assert_array_equal(ModelRandom([9]).draw("normal", (2,), scale=3.0)[0], expected.normal(scale=3.0, size=2))


def test_draw_into_fills_in_place_and_restore_repeats_the_draws():
    random = ModelRandom([1, 2])
    state = random.state()
    out = np.empty((2, 4, 3))
    assert random.draw_into("standard_normal", out) is out
    first = out.copy()
    assert random.draw_into("gamma", np.empty((2, 4, 3)), shape=2.0).shape == (2, 4, 3)  # not in place: copied in
    random.restore(state)
    np.testing.assert_array_equal(random.draw_into("standard_normal", out), first)
    np.testing.assert_array_equal(first, ModelRandom([1, 2]).draw("standard_normal", (4, 3)))


def test_an_unknown_generator_method_is_one_line():
    with pytest.raises(ValueError, match=r"^numpy.random.Generator has no method 'gaussian'$"):
        ModelRandom([1]).draw("gaussian", (2,))


# ------------------------------------------------------------------ biases, version 1 and version 2


def test_version_2_penalties_and_gradients_see_the_biases(registry, small_data):
    training = Training(small_data, iterations=300, regularizers=[registry.activate("bias_decay", {"lambd": 5.0})])
    training.biases.flat[...] = 0.5
    cost = training.evaluate()
    m, lambd = small_data.X_train.shape[1], 5.0
    squares = (training.weights.flat ** 2).sum() + (training.biases.flat ** 2).sum()
    plain = Training(small_data, iterations=300)
    plain.biases.flat[...] = 0.5
    np.testing.assert_allclose(cost - plain.evaluate(), lambd / (2 * m) * squares, rtol=1e-12)
    np.testing.assert_allclose(training.grad_biases.flat - plain.grad_biases.flat, lambd / m * 0.5, rtol=1e-9)


def test_a_version_1_plugin_still_loads_and_trains_like_the_same_version_2_penalty(registry, small_data):
    assert registry.regularizer("version_one").plugin.status == "loaded"
    old = Training(small_data, iterations=200, regularizers=[registry.activate("version_one", {"lambd": 0.4})]).run()
    l2 = Training(small_data, iterations=200, regularizers=[registry.activate("l2", {"lambd": 0.4})]).run()
    np.testing.assert_allclose(old.history["cost"], l2.history["cost"], rtol=1e-12)


# ------------------------------------------------------------------ data-aware penalties


def test_a_hidden_penalty_is_recorded_on_the_training_pass_the_recorded_cost_uses(registry, small_data):
    regs = [registry.activate("dropout", {"keep_prob": 0.7, "mask": "fresh"}),
            registry.activate("activation_sparsity", {"beta": 0.5})]
    run = Training(small_data, iterations=1, regularizers=regs).run()
    replay = Training(small_data, iterations=1, regularizers=regs)
    cost = replay.evaluate()  # iteration 0's training pass again: the same dropout masks
    sparsity = replay.instances[1]
    expected = sum(sparsity.hidden_penalty(layer, A, replay.Y) for layer, A in enumerate(replay.activations, start=1))
    assert run.history["penalty"][0, 0] == pytest.approx(expected[0], rel=1e-12) and expected[0] > 0
    assert run.history["cost"][0, 0] == pytest.approx(cost[0], rel=1e-12)


def test_the_final_cost_includes_the_hidden_penalty_of_the_clean_pass(registry, small_data):
    sparse = Training(small_data, iterations=50, regularizers=[registry.activate("activation_sparsity", {"beta": 2.0})])
    result = sparse.run()
    assert result.final_cost[0] > sparse.train_loss()[0]


# ------------------------------------------------------------------ run control and early stopping


def direct_early_stop(iterations, costs, patience):
    """Where early stopping must stop, from a full run's history: (stopped at, best iteration) or None."""
    best, best_at, waited = np.inf, None, 0
    for iteration, cost in zip(iterations, costs):
        if cost < best:
            best, best_at, waited = cost, iteration, 0
        else:
            waited += 1
        if waited >= patience:
            return int(iteration), int(best_at)
    return None


@pytest.mark.parametrize("watch, field", [("test_cost", "test_cost"), ("train_loss", "train_loss"),
                                          ("objective", "cost")])
def test_early_stopping_stops_where_the_watched_cost_stopped_improving(registry, watch, field):
    from regcore.datasets import resolve_data

    data = resolve_data("moons:n=60,noise=0.35,seed=4", registry)  # few noisy points: over-fits early
    dropout = registry.activate("dropout", {"keep_prob": 0.6, "mask": "fresh"})  # so the objective is noisy too
    settings = dict(hidden=(30, 10), learning_rate=0.6, iterations=6000, record_every=50, seeds=(1, 2))
    full = Training(data, regularizers=[dropout], **settings).run().history
    patience = [4, 9]
    stopping = registry.activate("early_stopping", {"patience": patience, "watch": watch})
    training = Training(data, regularizers=[dropout, stopping], **settings)
    result = training.run()
    expected = [direct_early_stop(full["iterations"], full[field][:, k], patience[k]) for k in (0, 1)]
    assert None not in expected, "the test's run must stop improving somewhere"
    assert [(int(a), int(b)) for a, b in zip(result.stopped_at, result.kept_from)] == expected
    assert result.completed and result.iterations_done == max(stop for stop, _ in expected)
    # restore_best: each model keeps the parameters of its best record, those of a run that ends there
    for k in (0, 1):
        best = Training(data, regularizers=[dropout], **{**settings, "iterations": expected[k][1], "seeds": (k + 1,)})
        np.testing.assert_allclose(result.parameters[k], best.run().parameters[0] if expected[k][1] else best.flat[0],
                                   rtol=1e-10, atol=1e-12)


def test_a_stopped_model_is_frozen_while_the_others_train_on(registry, small_data):
    stop = [registry.activate("stop_at", {"at": [100, 10**9]})]
    result = Training(small_data, iterations=400, record_every=50, seeds=(1, 1), regularizers=stop).run()
    np.testing.assert_array_equal(result.parameters[0], Training(small_data, iterations=100, seeds=(1,)).run().parameters[0])
    np.testing.assert_allclose(result.parameters[1], Training(small_data, iterations=400, seeds=(1,)).run().parameters[0],
                               rtol=1e-10, atol=1e-12)
    assert list(result.stopped_at) == [100, -1] and list(result.kept_from) == [100, -1]
    assert result.iterations_done == 400 and result.history["cost"].shape == (9, 2)  # its costs go on being recorded


def test_the_run_ends_when_every_model_has_stopped(registry, small_data):
    stop = [registry.activate("stop_at", {"at": [100, 250]})]
    training = Training(small_data, iterations=1000, record_every=50, seeds=(1, 2), regularizers=stop)
    result = training.run()
    assert (result.iterations_done, result.completed, list(result.stopped_at)) == (250, True, [100, 250])
    assert result.history["iterations"][-1] == 250


def test_early_stopping_refuses_to_watch_a_missing_test_set(registry):
    from regcore import Dataset, TrainingError

    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (30, 2))
    data = Dataset.checked("no test", X, X[:, 0] > 0, np.empty((0, 2)), np.empty(0))
    with pytest.raises(TrainingError, match="early_stopping.*failed in after_record at iteration 0: ValueError: "
                                            "it watches test_cost, which is NaN"):
        Training(data, iterations=10, regularizers=[registry.activate("early_stopping")]).run()


# ------------------------------------------------------------------ in place, or returned


def test_the_transforms_may_return_their_array_and_what_add_gradients_returns_is_ignored(small_data):
    """The rule docs/plugins.md and the regularizer module state: a returned array is copied in for
    transform_inputs, transform_hidden and backward_hidden (the same run as changing it in place),
    and ignored for add_gradients, hidden_gradient and after_update."""
    from regcore import Regularizer
    from regcore.regularizer import ActiveRegularizer

    class InPlace(Regularizer):
        name = "in_place"

        def transform_inputs(self, inputs):
            inputs *= 0.9

        def transform_hidden(self, layer, activations):
            activations *= 1.5

        def backward_hidden(self, layer, gradients):
            gradients *= 1.5

    class Returning(Regularizer):
        name = "returning"

        def transform_inputs(self, inputs):
            return inputs * 0.9

        def transform_hidden(self, layer, activations):
            return activations * 1.5

        def backward_hidden(self, layer, gradients):
            return gradients * 1.5

    class ReturnsInsteadOfAdding(Regularizer):
        name = "returns_instead"

        def add_gradients(self, weights, grads):
            return grads.flat + 5.0  # not added: only an in-place change counts

        def hidden_gradient(self, layer, activations, labels, gradients):
            return gradients + 5.0

        def after_update(self, weights, biases):
            return [W * 0 for W in weights]

    def run(cls):
        regularizers = [ActiveRegularizer(cls, {})] if cls else []
        return Training(small_data, iterations=150, record_every=10, seeds=(1, 2), regularizers=regularizers).run()

    in_place, returning = run(InPlace), run(Returning)
    np.testing.assert_array_equal(returning.history["cost"], in_place.history["cost"])
    np.testing.assert_array_equal(returning.parameters, in_place.parameters)
    assert not np.allclose(in_place.parameters, run(None).parameters)  # the transforms did something
    np.testing.assert_allclose(run(ReturnsInsteadOfAdding).parameters, run(None).parameters, rtol=1e-12, atol=1e-15)
