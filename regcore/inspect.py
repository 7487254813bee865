"""Numbers behind the views of the network's insides: weight norms, dead units, weight histograms.

What regularization does to the network, not just to its output: L2 shrinks the weights (their
Frobenius norms fall), L1 piles them up at zero (the histogram's spike, and the count of weights
near zero), an over-fit network has a
few huge weights and many dead units (ReLU units whose output is zero on every training point, so
they no longer learn). Everything here is computed from a parameter array by the clean forward pass
(`regcore.network.forward`), so it can run on a copy of the parameters in any thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import network

HISTOGRAM_BINS = 30
# A weight this close to 0 counts as switched off: L1 drives weights here (gradient descent then keeps
# them within about lr·lambd/m of 0, which is below this for the usual settings); an unregularized
# network has almost none.
NEAR_ZERO = 1e-3


def weight_norms(flat: np.ndarray, layout: network.Layout) -> np.ndarray:
    """‖W_l‖_F of every layer of every model: (K, layers)."""
    weights, _ = layout.views(np.atleast_2d(flat))
    return np.stack([np.sqrt(np.einsum("kij,kij->k", W, W)) for W in weights], axis=1)


def dead_units(flat: np.ndarray, layout: network.Layout, X: np.ndarray) -> np.ndarray:
    """Boolean (K, units) per hidden layer, as a list: True where the unit's ReLU output is 0 on every point of X."""
    passed = network.forward(np.atleast_2d(flat), layout, X, keep_hidden=True)
    return [~np.any(A > 0, axis=2) for A in passed.activations]


def near_zero_weights(flat: np.ndarray, layout: network.Layout) -> np.ndarray:
    """How many of every layer's weights are within `NEAR_ZERO` of 0, for every model: (K, layers) int.
    L1's sparsity, as a number."""
    weights, _ = layout.views(np.atleast_2d(flat))
    return np.stack([np.count_nonzero(np.abs(W) < NEAR_ZERO, axis=(1, 2)) for W in weights], axis=1)


def weight_histogram(W: np.ndarray, bins: int = HISTOGRAM_BINS) -> tuple[np.ndarray, np.ndarray]:
    """Counts and edges of one layer's weights, on edges symmetric about 0 that just cover them.

    Symmetric edges put 0 on a bin edge's centre line, so L1's spike at zero and L2's narrowing
    distribution read the same way in every layer.
    """
    reach = float(np.max(np.abs(W))) if W.size else 0.0
    reach = reach if reach > 0 else 1e-12
    counts, edges = np.histogram(W, bins=bins, range=(-reach, reach))
    return counts, edges


@dataclass(frozen=True)
class Inspection:
    """One model's insides at one iteration (what ``regcore train --json --inspect`` prints)."""

    iteration: int
    weight_norms: list[float]                # per layer
    dead_units: list[int]                    # per hidden layer: how many units are dead
    weight_histograms: list[list[int]]       # per layer: counts
    histogram_edges: list[list[float]]       # per layer: bins + 1 edges
    near_zero_weights: list[int]             # per layer: how many weights are within NEAR_ZERO of 0

    def to_dict(self) -> dict:
        return {"iteration": self.iteration, "weight_norms": self.weight_norms, "dead_units": self.dead_units,
                "weight_histograms": self.weight_histograms, "histogram_edges": self.histogram_edges,
                "near_zero_weights": self.near_zero_weights}


def inspect(flat: np.ndarray, layout: network.Layout, X: np.ndarray, iteration: int, model: int = 0,
            bins: int = HISTOGRAM_BINS) -> Inspection:
    """The `Inspection` of model ``model`` of ``flat`` (K, P), its dead units judged on the points ``X``."""
    one = np.atleast_2d(flat)[model:model + 1]
    weights, _ = layout.views(one)
    histograms = [weight_histogram(W[0], bins) for W in weights]
    return Inspection(iteration=int(iteration),
                      weight_norms=[float(v) for v in weight_norms(one, layout)[0]],
                      dead_units=[int(d[0].sum()) for d in dead_units(one, layout, X)],
                      weight_histograms=[[int(c) for c in counts] for counts, _ in histograms],
                      histogram_edges=[[float(e) for e in edges] for _, edges in histograms],
                      near_zero_weights=[int(c) for c in near_zero_weights(one, layout)[0]])


def switched_off(relu_active: np.ndarray, transformed: np.ndarray) -> np.ndarray:
    """Which units a regularizer's ``transform_hidden`` (dropout) switched off in a training pass.

    ``relu_active`` is relu'(Z) of a hidden layer as the training pass computed it, before any
    transform, and ``transformed`` the layer's activations after the transforms (same shape). A unit
    the ReLU let through whose activation came out exactly 0 was switched off. For inverted dropout
    that is exactly its mask wherever the ReLU was active; where the ReLU was not, the unit is off in
    any case and is not counted as switched off.
    """
    return np.logical_and(relu_active, transformed == 0)


@dataclass
class InsideHistory:
    """One model's insides over a run, added to as it trains: what the weight panels plot.

    At each added iteration (the parameters then, before that iteration's update, as the cost is
    recorded): ‖W_l‖_F per layer, the dead units per hidden layer (on the training points) and the
    train and test accuracies (their difference is the train–test gap; test NaN without test points).
    """

    iterations: list[int]
    weight_norms: list[np.ndarray]      # each (layers,)
    dead_units: list[np.ndarray]        # each (hidden layers,) int
    train_accuracy: list[float]
    test_accuracy: list[float]

    @classmethod
    def empty(cls) -> "InsideHistory":
        return cls([], [], [], [], [])

    def __len__(self) -> int:
        return len(self.iterations)

    def add(self, iteration: int, flat: np.ndarray, layout: network.Layout, data) -> None:
        """Add model 0 of ``flat`` (K, P) at ``iteration``, judged on ``data`` (a `Dataset`).

        About a tenth of a millisecond on the default data: the window adds one at every record of a
        live run, so it makes one forward pass over the training and test points together.
        """
        row = np.atleast_2d(flat)[0]
        train = data.X_train.shape[1]
        points = _joined_points(data)
        passed = network.forward(row[None, :], layout, points, keep_hidden=True)
        self.iterations.append(int(iteration))
        self.weight_norms.append(np.array([math.sqrt(np.dot(row[s], row[s])) for s in layout.weight_slices]))
        self.dead_units.append(np.array([np.count_nonzero(~np.any(A[0, :, :train] > 0, axis=1))
                                         for A in passed.activations], dtype=np.int64))
        right = (passed.probabilities[0, 0] > 0.5) == (_joined_labels(data) > 0.5)
        self.train_accuracy.append(float(right[:train].mean()) if train else float("nan"))
        self.test_accuracy.append(float(right[train:].mean()) if right.size > train else float("nan"))

    def arrays(self, layers: int) -> dict[str, np.ndarray]:
        """Copies: ``iterations`` (R,) int64, ``weight_norms`` (R, layers), ``dead_units`` (R, layers - 1)
        int64, ``train_accuracy`` and ``test_accuracy`` (R,)."""
        rows = len(self.iterations)
        return {"iterations": np.array(self.iterations, dtype=np.int64),
                "weight_norms": np.array(self.weight_norms, dtype=float).reshape(rows, layers),
                "dead_units": np.array(self.dead_units, dtype=np.int64).reshape(rows, layers - 1),
                "train_accuracy": np.array(self.train_accuracy, dtype=float),
                "test_accuracy": np.array(self.test_accuracy, dtype=float)}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> "InsideHistory":
        return cls([int(i) for i in arrays["iterations"]], [np.array(row, dtype=float) for row in arrays["weight_norms"]],
                   [np.array(row, dtype=np.int64) for row in arrays["dead_units"]],
                   [float(v) for v in arrays["train_accuracy"]], [float(v) for v in arrays["test_accuracy"]])

    def copy(self) -> "InsideHistory":
        return InsideHistory(list(self.iterations), list(self.weight_norms), list(self.dead_units),
                             list(self.train_accuracy), list(self.test_accuracy))


INSIDE_ARRAYS = ("iterations", "weight_norms", "dead_units", "train_accuracy", "test_accuracy")


_JOINED: dict[int, tuple] = {}  # id(data set) -> (the data set, its points, its labels): at most a few


def _joined(data) -> tuple[np.ndarray, np.ndarray]:
    """A data set's training then test points, and their labels, side by side (made once per data set)."""
    kept = _JOINED.get(id(data))
    if kept is None or kept[0] is not data:
        if len(_JOINED) >= 4:
            _JOINED.clear()
        kept = _JOINED[id(data)] = (data, np.concatenate([data.X_train, data.X_test], axis=1),
                                    np.concatenate([data.Y_train[0], data.Y_test[0]]))
    return kept[1], kept[2]


def _joined_points(data) -> np.ndarray:
    return _joined(data)[0]


def _joined_labels(data) -> np.ndarray:
    return _joined(data)[1]
