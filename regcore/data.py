"""Data sets: the `Dataset` the core trains on, its validation, and the file loaders.

Arrays follow the notebook's layout: points are columns, X is (2, m) and Y is (1, m) of 0.0/1.0.
Three file formats are read, chosen by extension:

- ``.mat``: the course's MATLAB file with ``X`` (m, 2), ``y`` (m, 1), ``Xval`` and ``yval``;
- ``.npz``: the same four keys and shapes, written by ``numpy.savez``;
- ``.csv``: a header line ``x1,x2,label,split`` then one point per line, ``label`` 0 or 1 and
  ``split`` ``train`` or ``test`` (columns may come in any order; other columns are ignored).

Every loader ends in `Dataset.checked`, so a bad file is refused with one line saying what is wrong.
"""

from __future__ import annotations

import csv
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import DataError

FILE_SUFFIXES = (".mat", ".npz", ".csv")
MAX_ABS_COORDINATE = 1e6  # beyond this the network's arithmetic is meaningless; refuse, don't overflow
MAX_POINTS = 1_000_000


@dataclass(frozen=True)
class Dataset:
    """A 2-D binary classification set, split into training and test points."""

    name: str
    X_train: np.ndarray  # (n_x, m_train) float64
    Y_train: np.ndarray  # (1, m_train) float64 of 0.0 / 1.0
    X_test: np.ndarray   # (n_x, m_test)
    Y_test: np.ndarray   # (1, m_test)

    @classmethod
    def checked(cls, name: str, X_train, Y_train, X_test, Y_test) -> "Dataset":
        """Build a Dataset from points-as-rows arrays ((m, n_x) and (m,) or (m, 1)), validating them."""
        X_train, Y_train = _checked_part(name, "training", X_train, Y_train)
        X_test, Y_test = _checked_part(name, "test", X_test, Y_test, allow_empty=True)
        if X_test.shape[0] and X_test.shape[1] != X_train.shape[1]:
            raise DataError(f"{name}: training points have {X_train.shape[1]} coordinates but test points "
                            f"have {X_test.shape[1]}")
        return cls(name, X_train.T.copy(), Y_train[None, :].copy(),
                   X_test.T.reshape(X_train.shape[1], -1).copy(), Y_test[None, :].copy())

    @property
    def features(self) -> int:
        return self.X_train.shape[0]

    def bounds(self, margin: float = 0.1) -> tuple[float, float, float, float]:
        """(x_min, x_max, y_min, y_max) around all points, widened by ``margin`` of the span."""
        points = np.concatenate([self.X_train, self.X_test], axis=1)
        lo, hi = points.min(axis=1), points.max(axis=1)
        pad = np.maximum(hi - lo, 1e-9) * margin
        return float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1])


def _checked_part(name, part, X, Y, allow_empty=False):
    try:
        X = np.asarray(X, dtype=np.float64)
        Y = np.asarray(Y, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"{name}: the {part} points or labels are not numbers") from None
    if X.ndim != 2:
        raise DataError(f"{name}: {part} points must be a table of shape (points, 2), got shape {X.shape}")
    if Y.ndim == 2 and 1 in Y.shape:
        Y = Y.reshape(-1)
    if Y.ndim != 1:
        raise DataError(f"{name}: {part} labels must be one column, got shape {Y.shape}")
    if X.shape[1] != 2:
        raise DataError(f"{name}: {part} points must have 2 coordinates each, got {X.shape[1]}")
    if X.shape[0] != Y.shape[0]:
        raise DataError(f"{name}: {X.shape[0]} {part} points but {Y.shape[0]} labels")
    if X.shape[0] == 0 and not allow_empty:
        raise DataError(f"{name}: the {part} set is empty")
    if X.shape[0] > MAX_POINTS:
        raise DataError(f"{name}: {X.shape[0]} {part} points is more than the {MAX_POINTS:,} supported")
    if not np.all(np.isfinite(X)):
        raise DataError(f"{name}: the {part} points contain NaN or infinite values")
    if not np.all(np.isfinite(Y)) or not np.all((Y == 0) | (Y == 1)):
        raise DataError(f"{name}: {part} labels must be 0 or 1")
    if X.size and np.abs(X).max() > MAX_ABS_COORDINATE:
        raise DataError(f"{name}: {part} coordinates reach {np.abs(X).max():.3g}; scale them below "
                        f"{MAX_ABS_COORDINATE:g} (e.g. standardise them)")
    if part == "training" and len(np.unique(Y)) < 2:
        raise DataError(f"{name}: the training set has only one class (label {Y[0]:g}); it needs both 0 and 1")
    return X, Y


def load_file(path: str | os.PathLike) -> Dataset:
    """Read a data set file, choosing the format by its extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FILE_SUFFIXES:
        raise DataError(f"{path}: unknown data file type {suffix or '(none)'!r}; use {', '.join(FILE_SUFFIXES)}")
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a data file")
    try:
        return {".mat": _load_mat, ".npz": _load_npz, ".csv": _load_csv}[suffix](path)
    except DataError:
        raise
    except PermissionError:
        raise DataError(f"{path}: permission denied") from None
    except MemoryError:
        raise DataError(f"{path}: too large to load") from None
    except Exception as error:  # every parser has its own exceptions for a corrupt file
        raise DataError(f"{path}: not a readable {suffix} data file ({type(error).__name__}: "
                        f"{_first_line(error)})") from None


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else "no details"


def _keyed(path: Path, arrays) -> Dataset:
    missing = [key for key in ("X", "y", "Xval", "yval") if key not in arrays]
    if missing:
        raise DataError(f"{path}: missing key{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                        f"(expected X, y, Xval, yval)")
    return Dataset.checked(path.stem, arrays["X"], arrays["y"], arrays["Xval"], arrays["yval"])


def _load_mat(path: Path) -> Dataset:
    import scipy.io

    return _keyed(path, scipy.io.loadmat(str(path)))


def _load_npz(path: Path) -> Dataset:
    try:
        with np.load(path, allow_pickle=False) as archive:
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise DataError(f"{path}: not an .npz archive")
            return _keyed(path, {key: archive[key] for key in archive.files})
    except zipfile.BadZipFile:
        raise DataError(f"{path}: not an .npz archive (corrupt or truncated)") from None


def _load_csv(path: Path) -> Dataset:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise DataError(f"{path}: the file is empty")
        header = [column.strip().lower() for column in header]
        missing = [c for c in ("x1", "x2", "label", "split") if c not in header]
        if missing:
            raise DataError(f"{path}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                            f"(the header must name x1, x2, label, split)")
        at = {c: header.index(c) for c in ("x1", "x2", "label", "split")}
        parts = {"train": ([], []), "test": ([], [])}
        for line_number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                raise DataError(f"{path}: line {line_number} has {len(row)} columns, the header has {len(header)}")
            split = row[at["split"]].strip().lower()
            if split not in parts:
                raise DataError(f"{path}: line {line_number}: split must be train or test, got {split!r}")
            try:
                point = [float(row[at["x1"]]), float(row[at["x2"]])]
                label = float(row[at["label"]])
            except ValueError:
                raise DataError(f"{path}: line {line_number}: x1, x2 and label must be numbers") from None
            parts[split][0].append(point)
            parts[split][1].append(label)
    (X, y), (Xval, yval) = parts["train"], parts["test"]
    return Dataset.checked(path.stem, np.array(X).reshape(-1, 2), np.array(y),
                           np.array(Xval).reshape(-1, 2), np.array(yval))


def save_csv(dataset: Dataset, path: str | os.PathLike) -> None:
    """Write a data set in the documented CSV layout (used by tests and export)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["x1", "x2", "label", "split"])
        for split, X, Y in (("train", dataset.X_train, dataset.Y_train), ("test", dataset.X_test, dataset.Y_test)):
            for (x1, x2), label in zip(X.T, Y[0]):
                writer.writerow([repr(float(x1)), repr(float(x2)), int(label), split])


def split(name: str, X: np.ndarray, Y: np.ndarray, test_ratio: float, rng: np.random.Generator) -> Dataset:
    """Shuffle generated points (rows) and split off ``test_ratio`` of them as the test set."""
    order = rng.permutation(len(Y))
    n_test = int(round(len(Y) * test_ratio))
    test, train = order[:n_test], order[n_test:]
    return Dataset.checked(name, X[train], Y[train], X[test], Y[test])
