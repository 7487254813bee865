"""The course notebook's functions, with its names, signatures, return values and cache layouts.

A learner can paste their notebook work next to these and compare. They are built on the core's
arithmetic (`regcore.network`) and `model()` trains with the core's one training loop, so they give
the core's numbers; unlike the notebook they never touch NumPy's global random generator (dropout
uses its own ``RandomState(1)``, which draws the same masks as the notebook's ``np.random.seed(1)``),
and `model()` accepts L2 and dropout together.
"""

from __future__ import annotations

import numpy as np
import scipy.io

from . import defaults, network
from .data import Dataset
from .training import Training

_registry = None


def _regularizers():
    global _registry
    if _registry is None:
        from .plugins import load_registry

        _registry = load_registry()
    return _registry


def _relu(Z):
    return np.maximum(0, Z)


def initialize_parameters(layers_dims):
    """W_l = randn(n_l, n_{l-1}) / sqrt(n_{l-1}) from RandomState(3), b_l = 0, as a dict W1, b1, ..."""
    layout = network.Layout(tuple(layers_dims))
    return _as_dict(layout, network.initial_parameters(layout, [3]))


def _as_dict(layout, flat):
    """The notebook's parameters dict (copies) from the core's (1, P) parameter array."""
    weights, biases = layout.views(flat)
    parameters = {}
    for l, (W, b) in enumerate(zip(weights, biases), start=1):
        parameters["W" + str(l)] = W[0].copy()
        parameters["b" + str(l)] = b[0].copy()
    return parameters


def _dense(W, X, b):
    return np.dot(W, X) + b


def _sigmoid(Z):
    return network.sigmoid(Z, out=np.empty_like(Z))


def _flat(parameters):
    """The core's (1, P) parameter array and layout from the notebook's dict W1, b1, W2, ..."""
    count = len(parameters) // 2
    sizes = (parameters["W1"].shape[1], *(parameters["W" + str(l)].shape[0] for l in range(1, count + 1)))
    layout = network.Layout(sizes)
    flat = np.zeros((1, layout.size))
    weights, biases = layout.views(flat)
    for l in range(1, count + 1):
        weights[l - 1][0] = parameters["W" + str(l)]
        biases[l - 1][0] = parameters["b" + str(l)]
    return layout, flat


def forward_propagation(X, parameters):
    """LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID; returns (A3, cache) in the notebook's cache layout.

    Computed by the core's clean forward pass (`regcore.network.forward`).
    """
    layout, flat = _flat(parameters)
    passed = network.forward(flat, layout, np.asarray(X, dtype=float), keep_hidden=True)
    (Z1, Z2, Z3), (A1, A2) = (Z[0] for Z in passed.pre_activations), (A[0] for A in passed.activations)
    A3 = passed.probabilities[0]
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    return A3, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)


def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    """The same with inverted dropout on both hidden layers (masks from RandomState(1), D1 then D2)."""
    state = np.random.RandomState(1)
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = _dense(W1, X, b1)
    A1 = _relu(Z1)
    D1 = state.rand(A1.shape[0], A1.shape[1]) < keep_prob
    A1 = A1 * D1 / keep_prob
    Z2 = _dense(W2, A1, b2)
    A2 = _relu(Z2)
    D2 = state.rand(A2.shape[0], A2.shape[1]) < keep_prob
    A2 = A2 * D2 / keep_prob
    Z3 = _dense(W3, A2, b3)
    A3 = _sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


def compute_cost(a3, Y):
    """Mean cross-entropy; equal to the notebook's where that is finite, finite where it is not."""
    a3 = np.asarray(a3, dtype=float)
    with np.errstate(divide="ignore"):
        logits = np.clip(np.log(a3) - np.log1p(-a3), -745.0, 745.0)
    return float(network.cross_entropy(logits[None], a3[None], np.asarray(Y, dtype=float))[0])


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    """Cross-entropy plus the L2 term (1/m * lambd/2) * sum of all squared weights."""
    m = Y.shape[1]
    squares = np.sum(np.square(parameters["W1"])) + np.sum(np.square(parameters["W2"])) + np.sum(np.square(parameters["W3"]))
    return compute_cost(A3, Y) + (1.0 / m * lambd / 2) * squares


def _backward(X, Y, layers, lambd=0.0, masks=None, keep_prob=1.0):
    """Back-propagation shared by the three notebook variants; returns the notebook's gradients dict.

    ``layers`` is ((A1, W1), (A2, W2), (A3, W3)): each layer's activations and weights.
    """
    (A1, W1), (A2, W2), (A3, W3) = layers
    m = X.shape[1]
    grads = {}
    dZ = A3 - Y
    inputs = {3: A2, 2: A1, 1: X}
    weights = {3: W3, 2: W2, 1: W1}
    activations = {2: A2, 1: A1}
    for l in (3, 2, 1):
        grads["dZ" + str(l)] = dZ
        grads["dW" + str(l)] = 1.0 / m * np.dot(dZ, inputs[l].T)
        if lambd:
            grads["dW" + str(l)] = grads["dW" + str(l)] + lambd / m * weights[l]
        grads["db" + str(l)] = 1.0 / m * np.sum(dZ, axis=1, keepdims=True)
        if l == 1:
            break
        dA = np.dot(weights[l].T, dZ)
        if masks is not None:
            dA = dA * masks[l - 1] / keep_prob
        grads["dA" + str(l - 1)] = dA
        dZ = np.multiply(dA, np.int64(activations[l - 1] > 0))
    return grads


def backward_propagation(X, Y, cache):
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    return _backward(X, Y, ((A1, W1), (A2, W2), (A3, W3)))


def backward_propagation_with_regularization(X, Y, cache, lambd):
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    return _backward(X, Y, ((A1, W1), (A2, W2), (A3, W3)), lambd=lambd)


def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    return _backward(X, Y, ((A1, W1), (A2, W2), (A3, W3)), masks={1: D1, 2: D2}, keep_prob=keep_prob)


def update_parameters(parameters, grads, learning_rate):
    """One gradient-descent step: p = p - learning_rate * dp for every W and b."""
    n = len(parameters) // 2
    for k in range(1, n + 1):
        for name in ("W", "b"):
            parameters[name + str(k)] = parameters[name + str(k)] - learning_rate * grads["d" + name + str(k)]
    return parameters


def predict(X, y, parameters):
    """Predictions (1, m) of 0/1 ints; prints the accuracy as the notebook does."""
    a3, _ = forward_propagation(X, parameters)
    p = (a3 > 0.5).astype(int)
    print("Accuracy: " + str(np.mean((p[0, :] == y[0, :]))))
    return p


def load_2D_dataset(path):
    """(train_X, train_Y, test_X, test_Y) from a course-layout .mat file, transposed as the notebook does."""
    data = scipy.io.loadmat(path)
    return data["X"].T, data["y"].T, data["Xval"].T, data["yval"].T


def model(X, Y, learning_rate=defaults.LEARNING_RATE, num_iterations=defaults.ITERATIONS, print_cost=True, lambd=0,
          keep_prob=1):
    """Train the 3-layer network (2-20-3-1 for 2-D X) and return its parameters dict.

    Prints "Cost after iteration i: c" every 10,000 iterations as the notebook does. ``lambd`` > 0
    adds L2, ``keep_prob`` < 1 adds dropout with the notebook's masks; both may be used together.
    """
    registry = _regularizers()
    active = []
    if lambd:
        active.append(registry.activate("l2", {"lambd": lambd}))
    if keep_prob < 1:
        active.append(registry.activate("dropout", {"keep_prob": keep_prob, "mask": "course"}))
    data = Dataset.checked("model", np.asarray(X).T, np.asarray(Y).T, np.zeros((0, X.shape[0])), np.zeros(0))
    training = Training(data, hidden=defaults.HIDDEN, learning_rate=learning_rate, iterations=num_iterations,
                        regularizers=active, record_every=defaults.PRINT_EVERY)
    for progress in training.steps(report_every=defaults.PRINT_EVERY):
        for record in progress.new_records:
            # every PRINT_EVERY iterations, not the end's record
            if print_cost and record.iteration % defaults.PRINT_EVERY == 0 and record.iteration < num_iterations:
                print("Cost after iteration {}: {}".format(record.iteration, record.cost[0]))
    return _as_dict(training.layout, training.flat)
