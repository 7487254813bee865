"""The data points of a decision-boundary plot, drawn so that a million of them stay cheap.

pyqtgraph's `ScatterPlotItem` given one brush per point keeps a QBrush and a style key per point
and sorts them into a symbol atlas on every paint: 200,000 points froze the window for 31 s and took
1.6 GB. Here each (split, class) pair is one item with one brush and pen, so pyqtgraph draws it with
a single cached symbol; above `MAX_DRAWN` points per split a fixed random sample is drawn (the plot
says so), so painting costs the same for 5,000 points or 1,000,000. The misclassified marks are
taken from the drawn points only, and on a sampled set at most `MAX_MARKED` of them, for the same
reason (they change with every live frame).

What drawing a data set needs besides the items themselves (the sample, each class's coordinates,
the bounds) is `prepare`d once per data set, NumPy only, so a loader can do it off the GUI thread
(`regstudio.data_loader`); the items are then filled on the GUI thread from the prepared arrays.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg

from regcore.data import Dataset

MAX_DRAWN = 5_000           # points drawn per split; above it, a sample of this many (pyqtgraph
                            # sets up 5,000 points in ~25 ms: a symbol-atlas key per point)
SMALL_SET = 2_000           # up to this many points per split, full-size symbols
MAX_MARKED = 1_500          # × marks drawn on a sampled set: they are re-set every live frame
SAMPLE_SEED = 0             # the sample is the same every time a data set is drawn


def drawn_indices(count: int, limit: int = MAX_DRAWN) -> np.ndarray:
    """Which of ``count`` points to draw: all of them, or a fixed sample of ``limit`` in their order."""
    if count <= limit:
        return np.arange(count)
    return np.sort(np.random.default_rng(SAMPLE_SEED).choice(count, size=limit, replace=False))


@dataclass(frozen=True)
class PreparedSplit:
    count: int                               # points in the split
    shown: np.ndarray                        # indices of the drawn ones
    classes: tuple[tuple[np.ndarray, np.ndarray], ...]  # (x, y) of the drawn points of class 0, of class 1
    size: int                                # symbol size


@dataclass(frozen=True)
class Prepared:
    """What drawing a data set's points needs, computed once (`prepare`)."""

    train: PreparedSplit
    test: PreparedSplit
    bounds: tuple[float, float, float, float]


_prepared: dict[int, tuple[weakref.ref, Prepared]] = {}   # id(data) -> (the data set, what was prepared)
_prepared_lock = threading.Lock()


def _split(X: np.ndarray, Y: np.ndarray) -> PreparedSplit:
    shown = drawn_indices(X.shape[1])
    labels = Y[0, shown] > 0.5
    classes = tuple((X[0, shown[labels == bool(label)]].copy(), X[1, shown[labels == bool(label)]].copy())
                    for label in (0, 1))
    return PreparedSplit(X.shape[1], shown, classes, 8 if len(shown) <= SMALL_SET else 4)


def prepare(data: Dataset) -> Prepared:
    """What drawing ``data`` needs; computed once per data set (from any thread) and then reused."""
    key = id(data)
    with _prepared_lock:
        cached = _prepared.get(key)
        if cached is not None and cached[0]() is data:
            return cached[1]
    prepared = Prepared(_split(data.X_train, data.Y_train), _split(data.X_test, data.Y_test), data.bounds())
    with _prepared_lock:
        _prepared[key] = (weakref.ref(data, lambda _, key=key: _prepared.pop(key, None)), prepared)
    return prepared


@dataclass
class _Split:
    items: tuple[pg.ScatterPlotItem, ...]   # one per class
    shown: np.ndarray                        # indices of the drawn points in the split
    count: int = 0                           # points in the split


class PointLayers:
    """The train (filled) and test (hollow) points of a plot, one item per class, and the red × marks."""

    def __init__(self, plot: pg.PlotItem, colours, wrong_colour):
        self.colours = colours
        self.train = _Split(tuple(pg.ScatterPlotItem(pen=pg.mkPen("w", width=1), brush=pg.mkBrush(colour))
                                  for colour in colours), np.arange(0))
        self.test = _Split(tuple(pg.ScatterPlotItem(pen=pg.mkPen(colour, width=2), brush=None)
                                 for colour in colours), np.arange(0))
        self.wrong = pg.ScatterPlotItem(size=13, symbol="x", pen=None, brush=pg.mkBrush(wrong_colour))
        for item in (*self.train.items, *self.test.items, self.wrong):
            plot.addItem(item)

    def set_data(self, data: Dataset) -> None:
        prepared = prepare(data)
        for split, ready in ((self.train, prepared.train), (self.test, prepared.test)):
            split.count, split.shown = ready.count, ready.shown
            for item, (x, y) in zip(split.items, ready.classes):
                item.setData(x=x, y=y, size=ready.size)
        self.wrong.setData(x=[], y=[], size=13 if len(self.train.shown) <= SMALL_SET else 8)

    def set_test_visible(self, visible: bool) -> None:
        for item in self.test.items:
            item.setVisible(visible)

    def mark_wrong(self, data: Dataset, train_wrong: np.ndarray, test_wrong: np.ndarray | None) -> None:
        """Put a × on every drawn point that is misclassified (``test_wrong`` None: train points only)."""
        xs = [data.X_train[:, self.train.shown[train_wrong[self.train.shown]]]]
        if test_wrong is not None:
            xs.append(data.X_test[:, self.test.shown[test_wrong[self.test.shown]]])
        wrong = np.concatenate(xs, axis=1)
        if self.sampled() and wrong.shape[1] > MAX_MARKED:  # every k-th: a frame's marks cost ~1 ms, not ~20
            wrong = wrong[:, np.linspace(0, wrong.shape[1] - 1, MAX_MARKED).astype(int)]
        self.wrong.setData(x=wrong[0], y=wrong[1])

    def clear_wrong(self) -> None:
        self.wrong.clear()

    def sampled(self) -> bool:
        return len(self.train.shown) < self.train.count or len(self.test.shown) < self.test.count

    def drawn(self, split: str) -> int:
        """How many points of ``split`` ("train" or "test") are on screen."""
        return sum(len(item.data) for item in getattr(self, split).items)

    def sample_note(self) -> str:
        """"" when every point is drawn, else what share of which split is."""
        parts = [f"{len(split.shown):,} of {split.count:,} {name} points"
                 for name, split in (("training", self.train), ("test", self.test)) if len(split.shown) < split.count]
        return (f"Showing a random {' and '.join(parts)}; × on at most {MAX_MARKED:,} of the misclassified"
                if parts else "")
