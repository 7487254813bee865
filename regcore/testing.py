"""The gradient check for plugin authors: back-propagation against central finite differences.

`check_gradients(data, regularizers)` builds a small run with the regularizers and, for every
weight and bias, compares the analytic derivative of the training objective (`Training.evaluate`:
back-propagation, 1/m, every ``add_gradients``/``hidden_gradient``) with the central difference
(J(p + h) − J(p − h)) / 2h, where J is the objective exactly as a record states it: data loss on the
training pass (with every ``transform_hidden``) plus every ``penalty`` and ``hidden_penalty``.

Every evaluation starts from the same state of the run's per-model generators (`ModelRandom.state`),
so dropout masks and noise are identical in each: J is a fixed function of the parameters and a
plugin's gradient must be its derivative. The biases start at small random values rather than 0,
so that no unit sits exactly on the ReLU's kink, where no finite difference can agree with any
gradient. The result reports the largest relative error of each layer's weights and biases: below
`TOLERANCE` (1e-5) the gradients are right; a wrong derivative gives errors of 1e-3 and more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from .data import Dataset
from .regularizer import ActiveRegularizer
from .training import Training

TOLERANCE = 1e-5   # measured: right gradients stay below 1e-7 on the built-ins; wrong ones exceed 1e-3
STEP = 1e-5        # h: the truncation error (~h²) and the rounding error (~1e-16/h) are then both below 1e-9
# Derivatives smaller than this are compared absolutely: a relative error of two numbers that are
# both rounding noise says nothing.
FLOOR = 1e-4
HIDDEN = (6, 4)
SEED = 5


@dataclass(frozen=True)
class LayerError:
    """The largest relative error among one layer's weights and among its biases (1-based; the last is the output)."""

    layer: int
    weights: float
    biases: float

    @property
    def largest(self) -> float:
        return max(self.weights, self.biases)


@dataclass(frozen=True)
class GradientCheck:
    """What `check_gradients` found: the errors per layer, the tolerance, and the two gradients compared."""

    layers: tuple[LayerError, ...]
    tolerance: float
    analytic: np.ndarray = field(repr=False)   # (P,) the back-propagated gradient
    numeric: np.ndarray = field(repr=False)    # (P,) the central differences

    @property
    def largest(self) -> float:
        return max(layer.largest for layer in self.layers)

    @property
    def passed(self) -> bool:
        return self.largest < self.tolerance

    def lines(self) -> list[str]:
        """One line per layer, e.g. ``layer 1  weights 2.1e-10  biases 8.0e-11``."""
        return [f"layer {e.layer}  weights {e.weights:.1e}  biases {e.biases:.1e}" for e in self.layers]

    def summary(self) -> str:
        """One line: passed, or where the largest error is."""
        worst = max(self.layers, key=lambda e: e.largest)
        part = "weights" if worst.weights >= worst.biases else "biases"
        verdict = "passed" if self.passed else "failed"
        return (f"gradient check {verdict}: the largest relative error is {self.largest:.1e}, in layer "
                f"{worst.layer}'s {part} (tolerance {self.tolerance:g})")


def check_gradients(data: Dataset, regularizers: Sequence[ActiveRegularizer] = (), *,
                    hidden: Sequence[int] = HIDDEN, seed: int = SEED, step: float = STEP,
                    tolerance: float = TOLERANCE) -> GradientCheck:
    """Compare back-propagation with central differences of the training objective; see the module docstring.

    Raises `regcore.TrainingError` when a regularizer fails (as in a run). Costs two training passes
    per parameter: keep ``hidden`` small (the default has 51 parameters on two features).
    """
    training = Training(data, hidden=tuple(hidden), seeds=(int(seed),), regularizers=list(regularizers), iterations=1)
    biases = training.biases.flat
    biases[...] = np.random.default_rng(0).normal(0.0, 0.1, biases.shape)
    start = training.flat.copy()
    draws = training.context.random.state()

    def objective(flat: np.ndarray) -> float:
        training.flat[...] = flat
        training.context.random.restore(draws)  # the same masks and noise in every evaluation
        return float(training.evaluate()[0])

    objective(start)
    analytic = training.grad[0].copy()
    numeric = np.empty_like(analytic)
    moved = start.copy()
    for j in range(start.shape[1]):
        moved[0, j] = start[0, j] + step
        plus = objective(moved)
        moved[0, j] = start[0, j] - step
        minus = objective(moved)
        moved[0, j] = start[0, j]
        numeric[j] = (plus - minus) / (2 * step)
    training.flat[...] = start

    error = np.abs(analytic - numeric) / np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), FLOOR)
    layout = training.layout
    layers = tuple(LayerError(layer, float(error[w].max(initial=0.0)), float(error[b].max(initial=0.0)))
                   for layer, (w, b) in enumerate(zip(layout.weight_slices, layout.bias_slices), start=1))
    return GradientCheck(layers, float(tolerance), analytic, numeric)
