"""The built-in L1 regularizer: its gradient is its penalty's derivative, and it makes networks sparse."""

import numpy as np

from regcore.training import Training


def test_l1_gradient_is_the_central_difference_of_its_penalty(registry, small_data):
    training = Training(small_data, iterations=1, seeds=(3, 4),
                        regularizers=[registry.activate("l1", {"lambd": [0.7, 2.0]})])
    l1, weights = training.instances[0], training.weights
    training.grad[:] = 0.0
    l1.add_gradients(weights, training.grad_weights)
    analytic = training.grad_weights.flat.copy()
    numeric, step = np.empty_like(analytic), 1e-6
    for j in range(analytic.shape[1]):
        saved = weights.flat[:, j].copy()
        weights.flat[:, j] = saved + step
        up = l1.penalty(weights)
        weights.flat[:, j] = saved - step
        down = l1.penalty(weights)
        weights.flat[:, j] = saved
        numeric[:, j] = (up - down) / (2 * step)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)
    m = small_data.X_train.shape[1]
    np.testing.assert_allclose(np.abs(analytic).max(axis=1), [0.7 / m, 2.0 / m])  # lambd/m * sign(W), per model
    np.testing.assert_allclose(l1.penalty(weights), [0.7 / m, 2.0 / m] * np.abs(weights.flat).sum(axis=1))


def test_a_zero_weight_gets_no_l1_gradient(registry, small_data):
    training = Training(small_data, iterations=1, regularizers=[registry.activate("l1", {"lambd": 1.0})])
    training.weights.flat[0, :5] = 0.0
    training.grad[:] = 0.0
    training.instances[0].add_gradients(training.weights, training.grad_weights)
    assert not training.grad_weights.flat[0, :5].any() and training.grad_weights.flat[0, 5:].all()


def test_l1_makes_the_weights_smaller_and_sparser_than_no_regularization(registry, small_data):
    def weights(regularizers):
        training = Training(small_data, iterations=2000, regularizers=regularizers)
        return np.abs(training.run().parameters[0, :training.layout.weight_count])

    plain, sparse = weights([]), weights([registry.activate("l1", {"lambd": 0.5})])
    assert sparse.sum() < 0.8 * plain.sum()
    assert (sparse < 1e-3).sum() > (plain < 1e-3).sum()


def test_the_near_zero_count_is_l1s_sparsity_as_a_number(registry, small_data):
    from regcore import inspect

    def trained(regularizers):
        training = Training(small_data, iterations=2000, seeds=(3,), regularizers=regularizers)
        return training, training.run().parameters

    plain, plain_flat = trained([])
    sparse, sparse_flat = trained([registry.activate("l1", {"lambd": 0.5})])
    for training, flat in ((plain, plain_flat), (sparse, sparse_flat)):
        direct = [int((np.abs(W[0]) < 1e-3).sum()) for W in training.layout.views(flat)[0]]
        assert list(inspect.near_zero_weights(flat, training.layout)[0]) == direct
        assert inspect.inspect(flat, training.layout, small_data.X_train, 2000).near_zero_weights == direct
    assert inspect.near_zero_weights(sparse_flat, sparse.layout).sum() > 10 * max(
        1, inspect.near_zero_weights(plain_flat, plain.layout).sum())
