"""Numbers behind the views of the network's insides: weight norms, dead units, weight histograms.

What regularization does to the network, not just to its output: L2 shrinks the weights (their
Frobenius norms fall), L1 piles them up at zero (the histogram's spike), an over-fit network has a
few huge weights and many dead units (ReLU units whose output is zero on every training point, so
they no longer learn). Everything here is computed from a parameter array by the clean forward pass
(`regcore.network.forward`), so it can run on a copy of the parameters in any thread.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import network

HISTOGRAM_BINS = 30


def weight_norms(flat: np.ndarray, layout: network.Layout) -> np.ndarray:
    """‖W_l‖_F of every layer of every model: (K, layers)."""
    weights, _ = layout.views(np.atleast_2d(flat))
    return np.stack([np.sqrt(np.einsum("kij,kij->k", W, W)) for W in weights], axis=1)


def dead_units(flat: np.ndarray, layout: network.Layout, X: np.ndarray) -> np.ndarray:
    """Boolean (K, units) per hidden layer, as a list: True where the unit's ReLU output is 0 on every point of X."""
    passed = network.forward(np.atleast_2d(flat), layout, X, keep_hidden=True)
    return [~np.any(A > 0, axis=2) for A in passed.activations]


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

    def to_dict(self) -> dict:
        return {"iteration": self.iteration, "weight_norms": self.weight_norms, "dead_units": self.dead_units,
                "weight_histograms": self.weight_histograms, "histogram_edges": self.histogram_edges}


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
                      histogram_edges=[[float(e) for e in edges] for _, edges in histograms])
