"""The version-2 hooks at work: the run's generators' draws, biases for penalties and gradients, data-aware
penalties recorded on the training pass, version-1 plugins.
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
