"""The network view's numbers, without Qt: what every unit computes over the input plane, the weights
and biases, the dead units, the units dropout switched off, and which edges to draw.

A `Picture` is computed from a parameter array on any thread (the window's worker computes one per
live frame) and holds copies only. Each unit's map is its activation on the same kind of grid as the
decision boundary (`regcore.boundary.Grid`), at a modest resolution: the hidden units' ReLU outputs
and the output unit's P(y = 1). Above `EDGE_LIMIT` weights, only the strongest are listed for
drawing (`strongest_edges`): a graph with thousands of lines is unreadable, and slow to draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import inspect, network
from .boundary import Grid
from .data import Dataset

MAP_GRID = 32          # points per side of each unit's map: enough to read its shape, cheap every frame
EDGE_LIMIT = 300       # above this many weights, draw only the strongest this many
UNIT_LIMIT = 24        # above this many units in a layer, the view lists them in a scrollable column


@dataclass(frozen=True)
class Picture:
    """One model's network at one iteration (see the module docstring)."""

    iteration: int
    sizes: tuple[int, ...]                 # (n_x, hidden..., 1)
    weights: tuple[np.ndarray, ...]        # per layer (n_out, n_in)
    biases: tuple[np.ndarray, ...]         # per layer (n_out,)
    maps: tuple[np.ndarray, ...]           # per layer after the inputs: (n_out, g, g), rows are y
    bounds: tuple[float, float, float, float]
    dead: tuple[np.ndarray, ...]           # per hidden layer (n_l,) bool: ReLU 0 on every training point
    switched_off: tuple[np.ndarray, ...] | None = None  # per hidden layer (n_l, points) bool, or None
    #                                        (the training pass of the last iteration: see `inspect.switched_off`)
    edges: tuple[np.ndarray, ...] = ()     # per layer: flat indices into weights[l] of the edges to draw

    @property
    def dead_counts(self) -> list[int]:
        return [int(d.sum()) for d in self.dead]

    @property
    def edge_count(self) -> int:
        return sum(W.size for W in self.weights)

    @property
    def all_edges(self) -> bool:
        """Whether every weight is drawn (False: only the strongest `EDGE_LIMIT`)."""
        return sum(e.size for e in self.edges) == self.edge_count


def strongest_edges(weights, limit: int = EDGE_LIMIT) -> tuple[np.ndarray, ...]:
    """Per layer, the flat indices of the weights to draw: all of them if there are at most ``limit``,
    else the ``limit`` largest in magnitude over the whole network (ties broken by position)."""
    sizes = [W.size for W in weights]
    if sum(sizes) <= limit:
        return tuple(np.arange(n) for n in sizes)
    magnitudes = np.concatenate([np.abs(W).reshape(-1) for W in weights])
    chosen = np.sort(np.argsort(-magnitudes, kind="stable")[:limit])
    starts = np.cumsum([0, *sizes])
    return tuple(chosen[(chosen >= a) & (chosen < b)] - a for a, b in zip(starts[:-1], starts[1:]))


@np.errstate(all="ignore")
def picture(flat: np.ndarray, layout: network.Layout, data: Dataset, iteration: int = 0,
            switched_off=None, grid_size: int = MAP_GRID, limit: int = EDGE_LIMIT) -> Picture:
    """The `Picture` of model 0 of ``flat`` (K, P) on ``data`` (whose bounds the maps cover)."""
    one = np.atleast_2d(flat)[:1]
    weights, biases = layout.views(one)
    grid = Grid.over(data, grid_size)
    passed = network.forward(one, layout, grid.points, keep_hidden=True)
    g = grid.size
    maps = [A[0].reshape(-1, g, g) for A in passed.activations] + [passed.probabilities[0].reshape(1, g, g)]
    dead = [d[0] for d in inspect.dead_units(one, layout, data.X_train)]
    Ws = tuple(W[0].copy() for W in weights)
    return Picture(int(iteration), layout.sizes, Ws, tuple(b[0, :, 0].copy() for b in biases),
                   tuple(maps), grid.bounds, tuple(dead),
                   None if switched_off is None else tuple(np.asarray(s, dtype=bool) for s in switched_off),
                   strongest_edges(Ws, limit))
