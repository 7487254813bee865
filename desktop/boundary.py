"""What a decision-boundary view shows, computed without Qt: probabilities on a grid, and which points
the network gets wrong. The worker computes these for live frames; comparison views for saved runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from regcore import network
from regcore.data import Dataset

LIVE_GRID = 100     # resolution while training: cheap enough for 30 frames a second
FINAL_GRID = 200    # resolution of a run's last frame and of comparison views


@dataclass(frozen=True)
class Grid:
    """A square grid of points over a data set's bounds, on which the boundary is evaluated."""

    bounds: tuple[float, float, float, float]   # x_min, x_max, y_min, y_max
    size: int
    points: np.ndarray                          # (2, size * size), row-major: y varies by row

    @classmethod
    def over(cls, data: Dataset, size: int) -> "Grid":
        bounds = data.bounds()
        xs = np.linspace(bounds[0], bounds[1], size)
        ys = np.linspace(bounds[2], bounds[3], size)
        return cls(bounds, size, np.stack(np.meshgrid(xs, ys)).reshape(2, -1))


@dataclass(frozen=True)
class Boundary:
    """One model's view of a data set: copies only, safe to hand between threads and to keep."""

    grid: Grid
    image: np.ndarray           # (size, size) P(y = 1), rows are y
    train_wrong: np.ndarray     # (m_train,) bool: misclassified training points
    test_wrong: np.ndarray      # (m_test,) bool
    train_accuracy: float
    test_accuracy: float        # NaN without test points


@np.errstate(all="ignore")
def compute(parameters: np.ndarray, layout: network.Layout, data: Dataset, grid: Grid) -> Boundary:
    """The boundary of the first model in ``parameters`` (K, P) on ``grid`` and ``data``."""
    flat = parameters[:1]
    image = network.probabilities(flat, layout, grid.points)[0].reshape(grid.size, grid.size)

    def wrong(X, Y):
        return (network.probabilities(flat, layout, X)[0] > 0.5) != (Y[0] > 0.5)

    train_wrong, test_wrong = wrong(data.X_train, data.Y_train), wrong(data.X_test, data.Y_test)
    test_accuracy = 1.0 - test_wrong.mean() if test_wrong.size else float("nan")
    return Boundary(grid, image, train_wrong, test_wrong, float(1.0 - train_wrong.mean()), float(test_accuracy))
