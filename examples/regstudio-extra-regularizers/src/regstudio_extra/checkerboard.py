"""A checkerboard data set: points in [-1, 1]², the class alternating from cell to cell.

A data-set source is a `regcore.DatasetSource`: a name, declared parameters (offered by
``--data checkerboard:cells=4,n=400`` and by the window) and a function that makes a `regcore.Dataset`;
`regcore.split_points` shuffles the points and holds out the test share, as the built-in generators do.
"""

import numpy as np

from regcore import DatasetSource, Param, hookimpl, split_points


def make_checkerboard(n, cells, noise, test_ratio, seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    column, row = np.floor((X + 1.0) / 2.0 * cells).clip(0, cells - 1).astype(int).T
    labels = (column + row) % 2
    flipped = rng.random(n) < noise  # label noise: some points take the other class
    labels = np.where(flipped, 1 - labels, labels)
    return split_points(f"checkerboard (n={n}, cells={cells}, noise={noise:g})", X, labels, test_ratio, rng)


CHECKERBOARD = DatasetSource(
    name="checkerboard",
    label="Checkerboard",
    help="Points in a square; the class alternates from cell to cell, like a chess board.",
    params=(
        Param("n", "int", 300, low=4, high=100_000, help="Number of points, train and test together."),
        Param("cells", "int", 3, low=1, high=10, help="Cells along each side."),
        Param("noise", "float", 0.05, low=0.0, high=0.5, help="Share of points given the other class."),
        Param("test_ratio", "float", 0.5, low=0.0, high=1.0, low_open=True, high_open=True,
              help="Share of the points held out as the test set."),
        Param("seed", "int", 1, low=0, high=2**32 - 1, help="Same seed, same points."),
    ),
    make=make_checkerboard,
)


@hookimpl
def register_datasets(register):
    register(CHECKERBOARD)
