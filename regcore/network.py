"""The network's arithmetic: parameter layout, initialisation, forward pass and cost.

A fully connected net: ReLU hidden layers, one sigmoid output. Parameters of K models live in one
(K, P) float64 array, each model's row holding W1, W2, ..., then b1, b2, ...; per-layer arrays are
views into it, so an update of every parameter of every model is two NumPy calls. Formulas follow
the course notebook operation by operation so results match it to the last digit where the notebook
is finite.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from .regularizer import LayerArrays


def layer_sizes(n_features: int, hidden: tuple[int, ...]) -> tuple[int, ...]:
    return (n_features, *hidden, 1)


@dataclass(frozen=True)
class Layout:
    """Where each layer's W and b sit in a model's row of the (K, P) parameter array."""

    sizes: tuple[int, ...]

    @property
    def weight_slices(self) -> list[slice]:
        out, start = [], 0
        for n_in, n_out in zip(self.sizes, self.sizes[1:]):
            out.append(slice(start, start + n_out * n_in))
            start += n_out * n_in
        return out

    @property
    def weight_count(self) -> int:
        return self.weight_slices[-1].stop

    @property
    def bias_slices(self) -> list[slice]:
        out, start = [], self.weight_count
        for n_out in self.sizes[1:]:
            out.append(slice(start, start + n_out))
            start += n_out
        return out

    @property
    def size(self) -> int:
        return self.bias_slices[-1].stop

    def views(self, flat: np.ndarray) -> tuple[LayerArrays, LayerArrays]:
        """Per-layer (K, n_out, n_in) weight views and (K, n_out, 1) bias views into ``flat`` (K, P)."""
        models = flat.shape[0]
        pairs = list(zip(self.sizes, self.sizes[1:]))
        weights = LayerArrays(flat[:, s].reshape(models, n_out, n_in)
                              for s, (n_in, n_out) in zip(self.weight_slices, pairs))
        biases = LayerArrays(flat[:, s].reshape(models, n_out, 1)
                             for s, (_, n_out) in zip(self.bias_slices, pairs))
        weights.flat = flat[:, : self.weight_count]
        biases.flat = flat[:, self.weight_count:]
        for view in (*weights, *biases):
            assert np.shares_memory(view, flat), "layer views must alias the parameter array"
        return weights, biases


def initial_parameters(layout: Layout, seeds) -> np.ndarray:
    """The notebook's initialisation for each seed: W = randn(n_out, n_in) / sqrt(n_in), b = 0.

    Each model draws from its own ``numpy.random.RandomState(seed)``; NumPy's global RNG is untouched.
    """
    flat = np.zeros((len(seeds), layout.size))
    weights, _ = layout.views(flat)
    for k, seed in enumerate(seeds):
        state = np.random.RandomState(int(seed))
        for W in weights:
            n_out, n_in = W.shape[1:]
            W[k] = state.randn(n_out, n_in) / np.sqrt(n_in)
    return flat


CHUNK_POINTS = 8192  # points per pass: keeps a (hidden, chunk) layer in cache, ~10x faster on a 200x200 grid


@dataclass(frozen=True)
class ForwardPass:
    """What the clean forward pass computed, each with a leading model axis K.

    ``logits`` and ``probabilities`` are the output layer's Z and sigmoid(Z), (K, 1, m).
    ``pre_activations`` (Z of every layer, (K, n_l, m)) and ``activations`` (the hidden layers' ReLU
    outputs) are kept only when asked for (``keep_hidden``), empty tuples otherwise.
    """

    logits: np.ndarray
    probabilities: np.ndarray
    pre_activations: tuple[np.ndarray, ...] = ()
    activations: tuple[np.ndarray, ...] = ()


def forward(flat: np.ndarray, layout: Layout, X: np.ndarray, keep_hidden: bool = False) -> ForwardPass:
    """The clean (no dropout, no transform) forward pass of every model in ``flat`` (K, P) on ``X`` (n_x, m).

    This is the one implementation of the network's prediction: the recorded test cost, the
    accuracies, the decision-boundary grid, the inspection views and the notebook's
    ``forward_propagation`` all use it. Allocates its own arrays, so it may run on a copy of the
    parameters in any thread while training goes on elsewhere.
    """
    weights, biases = layout.views(flat)
    A = X
    pre, hidden = [], []
    for W, b in zip(weights[:-1], biases[:-1]):
        Z = np.matmul(W, A)
        Z += b
        if keep_hidden:
            pre.append(Z)
            A = np.maximum(0.0, Z)
            hidden.append(A)
        else:
            A = np.maximum(0.0, Z, out=Z)
    logits = np.matmul(weights[-1], A)
    logits += biases[-1]
    if keep_hidden:
        pre.append(logits)
    return ForwardPass(logits, sigmoid(logits, out=np.empty_like(logits)), tuple(pre), tuple(hidden))


def probabilities(flat: np.ndarray, layout: Layout, X: np.ndarray) -> np.ndarray:
    """P(y = 1) by the clean forward pass for each model and point, shape (K, m), in cache-sized chunks
    (e.g. for a decision-boundary grid)."""
    out = np.empty((flat.shape[0], X.shape[1]))
    for start in range(0, X.shape[1], CHUNK_POINTS):
        out[:, start:start + CHUNK_POINTS] = forward(flat, layout, X[:, start:start + CHUNK_POINTS]).probabilities[:, 0, :]
    return out


def sigmoid_ops(Z: np.ndarray, out: np.ndarray) -> list:
    """1 / (1 + exp(-Z)) into ``out`` as zero-argument calls, in the notebook's operation order."""
    return [partial(np.negative, Z, out), partial(np.exp, out, out), partial(np.add, 1, out, out),
            partial(np.divide, 1, out, out)]


def sigmoid(Z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-Z)) into ``out`` (which may be ``Z``). exp(-Z) overflowing for a very negative Z is
    expected (the result is then exactly 0, as in the notebook): it must not print a warning, which a
    sweep of a confident network (Adam, say) otherwise did on stderr from its dead-unit count."""
    with np.errstate(over="ignore"):
        for op in sigmoid_ops(Z, out):
            op()
    return out


def cross_entropy(Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Mean binary cross-entropy of each model, (K,), from output logits Z and probabilities A (K, 1, m).

    Each point's loss is the notebook's -[y log a + (1-y) log(1-a)] (0·log 0 counted as 0, as its
    nansum does), so the cost equals the notebook's to the last digit wherever that is finite. Where
    the sigmoid has saturated and the notebook's loss would be infinite, the point's loss is taken from
    the logit instead, max(z, 0) - y z + log1p(exp(-|z|)), which is finite and exact. No warnings.
    """
    m = Y.shape[-1]
    with np.errstate(all="ignore"):
        loss = np.multiply(-np.log(A), Y) + np.multiply(-np.log(1 - A), 1 - Y)
        loss[np.isnan(loss)] = 0.0
        saturated = np.isinf(loss)
        if saturated.any():
            z = np.broadcast_to(Z, loss.shape)[saturated]
            y = np.broadcast_to(Y, loss.shape)[saturated]
            loss[saturated] = np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))
    return 1.0 / m * np.add.reduce(loss.reshape(loss.shape[0], -1), axis=-1)


def accuracy(probs: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Fraction of points whose prediction (p > 0.5) equals the label, per model: (K,). ``Y`` is (1, m)
    shared labels, or (K, 1, m) each model's own."""
    return np.mean((probs > 0.5) == (Y[..., 0, :] > 0.5), axis=-1)
