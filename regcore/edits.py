"""Editing a data set by hand: add a point, remove the one nearest a place, add mislabelled noise.

The window's boundary plot turns clicks into these; each returns a new, checked `Dataset` (the
arrays are never changed in place, so a run or a record holding the old one keeps it). An edited
set's name says so once: ``moons (edited)``. Removing the last point of a class from the training
set is refused by `Dataset.checked` with its one-line `DataError`.
"""

from __future__ import annotations

import numpy as np

from .data import Dataset

EDITED = " (edited)"
SPLITS = ("train", "test")


def edited_name(name: str) -> str:
    return name if name.endswith(EDITED) else name + EDITED


def _parts(data: Dataset) -> dict:
    return {"train": (data.X_train.T, data.Y_train[0]), "test": (data.X_test.T, data.Y_test[0])}


def _rebuilt(data: Dataset, parts: dict) -> Dataset:
    (X, Y), (Xt, Yt) = parts["train"], parts["test"]
    return Dataset.checked(edited_name(data.name), X, Y, Xt, Yt)


def add_points(data: Dataset, points, label: int, split: str = "train") -> Dataset:
    """``data`` with the (n, 2) ``points`` added to ``split`` ("train" or "test"), all of class ``label``."""
    if split not in SPLITS:
        raise ValueError(f"split must be train or test, got {split!r}")
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    parts = _parts(data)
    X, Y = parts[split]
    parts[split] = (np.concatenate([X, points]), np.concatenate([Y, np.full(len(points), float(label))]))
    return _rebuilt(data, parts)


def nearest(data: Dataset, x: float, y: float) -> tuple[str, int, float]:
    """(split, index, distance) of the point of ``data`` (training or test) nearest (x, y)."""
    best = ("train", -1, np.inf)
    for split, (X, _) in _parts(data).items():
        if len(X):
            distances = np.hypot(X[:, 0] - x, X[:, 1] - y)
            index = int(np.argmin(distances))
            if distances[index] < best[2]:
                best = (split, index, float(distances[index]))
    return best


def remove_nearest(data: Dataset, x: float, y: float, within: float = np.inf) -> Dataset | None:
    """``data`` without its point nearest (x, y), or None if no point lies ``within`` that distance."""
    split, index, distance = nearest(data, x, y)
    if index < 0 or distance > within:
        return None
    parts = _parts(data)
    X, Y = parts[split]
    parts[split] = (np.delete(X, index, axis=0), np.delete(Y, index))
    return _rebuilt(data, parts)


def noise_points(data: Dataset, count: int, rng: np.random.Generator) -> Dataset:
    """``data`` with ``count`` mislabelled training points: each at a random place among the training
    points (uniform over their bounding box) and of the class opposite to its nearest training point's."""
    X, Y = data.X_train, data.Y_train[0]
    low, high = X.min(axis=1), X.max(axis=1)
    places = rng.uniform(low, high, size=(int(count), 2))
    # one place at a time: a (count, 2, m) array of differences would be 160 MB for a million points
    labels = np.array([1.0 - Y[np.argmin((X[0] - x) ** 2 + (X[1] - y) ** 2)] for x, y in places])
    parts = _parts(data)
    parts["train"] = (np.concatenate([X.T, places]), np.concatenate([Y, labels]))
    return _rebuilt(data, parts)
