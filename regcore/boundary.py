"""What a decision-boundary view shows, computed without Qt: probabilities on a grid, the 0.5
contour, and which points the network gets wrong. The window's worker thread computes these for
live frames (so the GUI thread only draws); comparison and sweep views compute them once per run.

The contour is traced here by vectorised marching squares rather than by pyqtgraph's
`IsocurveItem` in the GUI thread: pyqtgraph's tracer is a Python loop over cells that, competing
with the training thread for the GIL, took up to 50 ms a frame; this takes about a millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from functools import lru_cache

from . import network
from .data import Dataset

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
        return _grid(data.bounds(), size)


@lru_cache(maxsize=16)
def _grid(bounds: tuple[float, float, float, float], size: int) -> Grid:
    """Grids are shared (read-only) by every frame of a run: building one costs ~5% of a live frame."""
    xs = np.linspace(bounds[0], bounds[1], size)
    ys = np.linspace(bounds[2], bounds[3], size)
    points = np.stack(np.meshgrid(xs, ys)).reshape(2, -1)
    points.setflags(write=False)
    return Grid(bounds, size, points)


@dataclass(frozen=True)
class Boundary:
    """One model's view of a data set: copies only, safe to hand between threads and to keep."""

    grid: Grid
    image: np.ndarray           # (size, size) P(y = 1), rows are y
    train_wrong: np.ndarray     # (m_train,) bool: misclassified training points
    test_wrong: np.ndarray      # (m_test,) bool
    train_accuracy: float
    test_accuracy: float        # NaN without test points
    contour: tuple[np.ndarray, np.ndarray]  # x, y of the 0.5 contour as segment end points, in pairs


@np.errstate(all="ignore")
def compute(parameters: np.ndarray, layout: network.Layout, data: Dataset, grid: Grid) -> Boundary:
    """The boundary of the first model in ``parameters`` (K, P) on ``grid`` and ``data``."""
    flat = parameters[:1]
    image = network.probabilities(flat, layout, grid.points)[0].reshape(grid.size, grid.size)

    def wrong(X, Y):
        return (network.probabilities(flat, layout, X)[0] > 0.5) != (Y[0] > 0.5)

    train_wrong, test_wrong = wrong(data.X_train, data.Y_train), wrong(data.X_test, data.Y_test)
    test_accuracy = 1.0 - test_wrong.mean() if test_wrong.size else float("nan")
    return Boundary(grid, image, train_wrong, test_wrong, float(1.0 - train_wrong.mean()), float(test_accuracy),
                    contour_segments(image, 0.5, grid.bounds))


def blend(a: Boundary, b: Boundary, fraction: float) -> Boundary:
    """A cross-fade from boundary ``a`` to ``b`` (two models on one grid), ``fraction`` of the way:
    P(class 1) is (1 - fraction) a + fraction b, with its own 0.5 contour; the mistakes marked and the
    accuracies are the nearer model's (a blend of two networks is not a network that has any)."""
    if a.grid is not b.grid and (a.grid.bounds != b.grid.bounds or a.grid.size != b.grid.size):
        raise ValueError("blend needs two boundaries on the same grid")
    image = (1.0 - fraction) * a.image + fraction * b.image
    near = a if fraction < 0.5 else b
    return Boundary(a.grid, image, near.train_wrong, near.test_wrong, near.train_accuracy, near.test_accuracy,
                    contour_segments(image, 0.5, a.grid.bounds))


@np.errstate(all="ignore")
def contour_segments(image: np.ndarray, level: float, bounds) -> tuple[np.ndarray, np.ndarray]:
    """Marching squares: the ``level`` contour of ``image`` (rows are y) as line segments.

    Returns x and y arrays of even length, each consecutive pair one segment (pyqtgraph's
    ``connect="pairs"``), in the data coordinates given by ``bounds`` (x_min, x_max, y_min, y_max).
    Crossings are placed on cell edges by linear interpolation; a saddle cell gets two segments.
    """
    ny, nx = image.shape
    above = image > level
    rows, cols = np.arange(ny, dtype=float)[:, None], np.arange(nx, dtype=float)[None, :]

    def crossing(a, b):  # fraction of the way from a to b where the level is met
        return (level - a) / (b - a)

    # crossing points on every horizontal edge (i, j)-(i, j+1) and vertical edge (i, j)-(i+1, j), NaN where none
    h_x = np.where(above[:, :-1] != above[:, 1:], cols[:, :-1] + crossing(image[:, :-1], image[:, 1:]), np.nan)
    h_y = np.where(np.isnan(h_x), np.nan, rows)
    v_y = np.where(above[:-1, :] != above[1:, :], rows[:-1] + crossing(image[:-1, :], image[1:, :]), np.nan)
    v_x = np.where(np.isnan(v_y), np.nan, cols)
    # each cell's four edges: top, bottom, left, right
    xs = np.stack([h_x[:-1], h_x[1:], v_x[:, :-1], v_x[:, 1:]]).reshape(4, -1)
    ys = np.stack([h_y[:-1], h_y[1:], v_y[:, :-1], v_y[:, 1:]]).reshape(4, -1)
    crossed = ~np.isnan(xs)
    count = crossed.sum(axis=0)
    pairs = []
    two = np.flatnonzero(count == 2)
    if two.size:
        first_two = np.argsort(~crossed[:, two], axis=0, kind="stable")[:2]
        pairs.append((xs[first_two, two], ys[first_two, two]))
    four = np.flatnonzero(count == 4)
    for a, b in ((0, 2), (1, 3)):  # a saddle: top with left, bottom with right
        pairs.append((xs[[a, b]][:, four], ys[[a, b]][:, four]))
    seg_x = np.concatenate([p[0] for p in pairs], axis=1).T.reshape(-1)
    seg_y = np.concatenate([p[1] for p in pairs], axis=1).T.reshape(-1)
    x0, x1, y0, y1 = bounds
    return x0 + seg_x * (x1 - x0) / max(nx - 1, 1), y0 + seg_y * (y1 - y0) / max(ny - 1, 1)
