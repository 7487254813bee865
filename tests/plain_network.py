"""An independent NumPy transcription of the network, for tests to check the core and the window
against: the flat parameter vector unpacked by hand (all weights, layer by layer, row-major, then
all biases — `regcore.network.Layout`'s order), ReLU hidden layers, a sigmoid output."""

from __future__ import annotations

import numpy as np


def probabilities(flat, sizes, points) -> np.ndarray:
    """P(class 1) at each column of ``points`` (2 x n)."""
    weights, offset = [], 0
    for n_in, n_out in zip(sizes, sizes[1:]):
        weights.append(flat[offset:offset + n_in * n_out].reshape(n_out, n_in))
        offset += n_in * n_out
    A = points
    for layer, W in enumerate(weights):
        b = flat[offset:offset + W.shape[0]].reshape(-1, 1)
        offset += W.shape[0]
        Z = W @ A + b
        A = np.maximum(Z, 0) if layer < len(weights) - 1 else 1 / (1 + np.exp(-Z))
    return A[0]


def loss(flat, sizes, X, Y) -> float:
    """The cross-entropy of the network on (X, Y)."""
    A = probabilities(flat, sizes, X)
    return float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))
