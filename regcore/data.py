"""Data sets: the `Dataset` the core trains on, its validation, and the file loaders.

Arrays follow the notebook's layout: points are columns, X is (2, m) and Y is (1, m) of 0.0/1.0.
Three file formats are read, chosen by extension:

- ``.mat``: the course's MATLAB file with ``X`` (m, 2), ``y`` (m, 1), ``Xval`` and ``yval``;
- ``.npz``: the same four keys and shapes, written by ``numpy.savez``;
- ``.csv``: a header line ``x1,x2,label,split`` then one point per line, ``label`` 0 or 1 and
  ``split`` ``train`` or ``test`` (columns may come in any order; other columns are ignored).

Every loader ends in `Dataset.checked`, so a bad file is refused with one line naming the file and
saying what is wrong: missing, unreadable, another format than its extension says, truncated,
missing keys or columns, shapes, lengths, non-numbers, NaN/inf, labels other than 0/1, an empty
training set, one class only, coordinates too large to train on, more than `MAX_POINTS` points
(training and test together).

A path is stat-ed before it is opened: a FIFO, device, socket or folder is refused unread (see
`regcore.files`). Compressed files are checked against what they declare before anything is
inflated: an ``.npz``'s members and their ``.npy`` headers (`regcore.archives`), a ``.mat``'s
variable shapes and the inflated size of its compressed variables, each against what
`MAX_POINTS` points can fill, so a small file declaring gigabytes is refused in one line.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from . import files, matfile
from .archives import BoundedArchive
from .errors import DataError, RegcoreError

FILE_SUFFIXES = (".mat", ".npz", ".csv")
KEYS = ("X", "y", "Xval", "yval")
CSV_COLUMNS = ("x1", "x2", "label", "split")
MAX_ABS_COORDINATE = 1e6  # beyond this the network's arithmetic is meaningless; refuse, don't overflow
MAX_POINTS = 1_000_000

# What a file's first bytes say it is, for "not the format its extension says".
_SIGNATURES = ((b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"), (b"\x93NUMPY", "npy"),
               (b"MATLAB 7.3", "mat73"), (b"MATLAB", "mat"), (b"\x89HDF\r\n\x1a\n", "hdf5"),
               (b"\x1f\x8b", "gzip"))
_DESCRIBED = {"zip": "a zip archive (like .npz)", "npy": "a single NumPy array (.npy)",
              "mat": "a MATLAB file (.mat)", "hdf5": "an HDF5 file", "gzip": "a gzip-compressed file",
              "binary": "a binary file"}
_EXPECTED = {".mat": "mat", ".npz": "zip", ".csv": "text"}
_NOT_NUMBERS = {"U": "text", "S": "text", "c": "complex numbers", "M": "dates", "m": "time spans",
                "O": "mixed or nested values", "V": "records"}


@dataclass(frozen=True)
class Dataset:
    """A 2-D binary classification set, split into training and test points."""

    name: str
    X_train: np.ndarray  # (n_x, m_train) float64
    Y_train: np.ndarray  # (1, m_train) float64 of 0.0 / 1.0
    X_test: np.ndarray   # (n_x, m_test)
    Y_test: np.ndarray   # (1, m_test)

    @classmethod
    def checked(cls, name: str, X_train, Y_train, X_test, Y_test, *, source: str | None = None) -> "Dataset":
        """Build a Dataset from points-as-rows arrays ((m, 2) and (m,) or (m, 1)), validating them.

        A problem raises DataError starting with ``source`` (e.g. the file) or else ``name``.
        """
        try:
            X_train, Y_train = _checked_part("training", X_train, Y_train)
            X_test, Y_test = _checked_part("test", X_test, Y_test)
            total = X_train.shape[0] + X_test.shape[0]
            if total > MAX_POINTS:
                raise DataError(f"{X_train.shape[0]:,} training + {X_test.shape[0]:,} test points is "
                                f"{total:,} points, more than the {MAX_POINTS:,} supported")
        except DataError as error:
            raise DataError(f"{source or name}: {error}") from None
        return cls(name, X_train.T.copy(), Y_train[None, :].copy(), X_test.T.copy(), Y_test[None, :].copy())

    @property
    def features(self) -> int:
        return self.X_train.shape[0]

    def bounds(self, margin: float = 0.1) -> tuple[float, float, float, float]:
        """(x_min, x_max, y_min, y_max) around all points, widened by ``margin`` of the span."""
        points = np.concatenate([self.X_train, self.X_test], axis=1)
        lo, hi = points.min(axis=1), points.max(axis=1)
        pad = np.maximum(hi - lo, 1e-9) * margin
        return float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1])


def _checked_part(part: str, X, Y) -> tuple[np.ndarray, np.ndarray]:
    """The training or test part as float64 (m, 2) and (m,); a problem raises DataError (no name)."""
    X, Y = _numbers(f"{part} points", X), _numbers(f"{part} labels", Y)
    if X.size == 0 and Y.size == 0:  # MATLAB saves an empty set as 0x0, NumPy as (0,) or (0, 2)
        X, Y = X.reshape(0, 2), Y.reshape(0)
    if X.ndim != 2:
        raise DataError(f"the {part} points must be a table of shape (points, 2), got shape {X.shape}")
    if Y.ndim == 2 and 1 in Y.shape:
        Y = Y.reshape(-1)
    if Y.ndim != 1:
        raise DataError(f"the {part} labels must be one column, got shape {Y.shape}")
    if X.shape[1] != 2:
        hint = " (points as columns? store one point per row)" if X.shape[0] == 2 else ""
        raise DataError(f"the {part} points must have 2 coordinates each, got {X.shape[1]}{hint}")
    if X.shape[0] != Y.shape[0]:
        raise DataError(f"{X.shape[0]} {part} points but {Y.shape[0]} labels")
    if X.shape[0] == 0 and part == "training":
        raise DataError("the training set is empty")
    if X.shape[0] > MAX_POINTS:
        raise DataError(f"{X.shape[0]:,} {part} points is more than the {MAX_POINTS:,} supported")
    if not np.isfinite(X).all():
        raise DataError(f"the {part} points contain NaN or infinite values")
    bad = Y[(Y != 0) & (Y != 1)]  # NaN included
    if bad.size:
        raise DataError(f"the {part} labels must be 0 or 1, found {bad[0]:g}")
    if X.size and np.abs(X).max() > MAX_ABS_COORDINATE:
        raise DataError(f"the {part} coordinates reach {np.abs(X).max():.3g}; scale them below "
                        f"{MAX_ABS_COORDINATE:g} (e.g. standardise them)")
    if part == "training" and np.unique(Y).size < 2:
        raise DataError(f"the training set has only one class (label {Y[0]:g}); it needs both 0 and 1")
    return X, Y


def _numbers(what: str, values) -> np.ndarray:
    """``values`` as a float64 array; refuses text, complex numbers, dates and the like, which NumPy
    would otherwise convert (or silently truncate) rather than reject."""
    if hasattr(values, "toarray"):  # a sparse matrix, as MATLAB files may hold
        values = values.toarray()
    try:
        array = np.asarray(values)
    except ValueError:  # ragged nested lists
        raise DataError(f"the {what} are not a table of numbers (rows of different lengths)") from None
    if array.dtype.kind not in "biuf":
        raise DataError(f"the {what} must be numbers, not {_NOT_NUMBERS.get(array.dtype.kind, array.dtype)}")
    return array.astype(np.float64, copy=False)


def max_array_bytes() -> int:
    """The most bytes one array of a data set file can need: `MAX_POINTS` points' two float64 coordinates."""
    return MAX_POINTS * 2 * 8


def load_file(path: str | os.PathLike) -> Dataset:
    """Read a data set file, choosing the format by its extension."""
    path = Path(path)
    where = files.shown(path)
    suffix = path.suffix.lower()
    if suffix not in FILE_SUFFIXES:
        if os.path.lexists(path):  # what it is first (a folder, a FIFO, a link loop), then what it is named
            try:
                files.check_readable(path, what="data file")
            except files.FileError as error:
                raise DataError(f"{where}: {error.reason}") from None
        raise DataError(f"{where}: unknown data file type {suffix or '(none)'!r}; use {', '.join(FILE_SUFFIXES)}")
    try:
        with files.open_regular(path, what="data file") as handle:  # a FIFO or a device is refused unopened
            _check_kind(handle, suffix)
            arrays = {".mat": _read_mat, ".npz": _read_npz, ".csv": _read_csv}[suffix](handle)
    except Exception as error:  # every parser has its own exceptions for a corrupt or truncated file
        raise DataError(f"{where}: {_why_unreadable(error, suffix)}") from None
    return Dataset.checked(path.stem, *arrays, source=where)


def _why_unreadable(error: Exception, suffix: str) -> str:
    if isinstance(error, files.FileError):
        return error.reason
    if isinstance(error, RegcoreError):
        return str(error)
    if isinstance(error, OSError) and error.errno is not None:  # parsers raise bare OSErrors for bad data
        return f"cannot be read ({error.strerror})"
    if isinstance(error, UnicodeDecodeError):
        return "is not UTF-8 text; save it as UTF-8 CSV"
    if isinstance(error, MemoryError):
        return "too large to load"
    return (f"not a readable {suffix} data file, perhaps damaged or truncated "
            f"({type(error).__name__}: {_first_line(error)})")


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else "no details"


def _check_kind(handle: IO[bytes], suffix: str) -> None:
    """Refuse an empty file, or one whose first bytes say it is something else than its extension."""
    head = handle.read(1024)
    handle.seek(0)
    if not head:
        raise DataError("the file is empty")
    kind = next((name for magic, name in _SIGNATURES if head.startswith(magic)),
                "binary" if b"\0" in head else "text")
    expected = _EXPECTED[suffix]
    if kind == "mat73":
        raise DataError("MATLAB v7.3 files are not supported; save it from MATLAB with save(..., '-v7')")
    if kind == expected or (expected == "mat" and kind == "binary"):  # MATLAB v4 files have no signature
        return
    if expected == "text":
        raise DataError(f"this is {_DESCRIBED[kind]}, not CSV text")
    raise DataError(f"this is {'a text file' if kind == 'text' else _DESCRIBED[kind]}, not a {suffix} file")


def _read_mat(handle: IO[bytes]) -> tuple:
    # our own bounded reader, not scipy's loadmat: a damaged file crashed that with a segfault
    return _keyed(matfile.read(handle, KEYS, max_array_bytes() // 8, MAX_POINTS))


def _read_npz(handle: IO[bytes]) -> tuple:
    size = os.fstat(handle.fileno()).st_size
    with BoundedArchive(handle, size) as archive:
        arrays = {}
        for key in KEYS:
            name = next((n for n in (f"{key}.npy", key) if n in archive), None)
            if name is not None:
                arrays[key] = archive.array(name, max_array_bytes(), label=f"key {key}")
        return _keyed(arrays)


def _keyed(arrays) -> tuple:
    missing = [key for key in KEYS if key not in arrays]
    if missing:
        raise DataError(f"missing key{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                        f"(expected {', '.join(KEYS)})")
    return tuple(arrays[key] for key in KEYS)


def _read_csv(binary: IO[bytes]) -> tuple:
    # utf-8-sig: spreadsheets often start a UTF-8 file with a byte-order mark
    with io.TextIOWrapper(binary, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [column.strip().lower() for column in next(reader, [])]
        missing = [c for c in CSV_COLUMNS if c not in header]
        if missing:
            raise DataError(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                            f"(the header must name {', '.join(CSV_COLUMNS)})")
        twice = [c for c in CSV_COLUMNS if header.count(c) > 1]
        if twice:  # which one would be meant? refuse rather than silently take the first
            raise DataError(f"the header names column{'s' if len(twice) > 1 else ''} {', '.join(twice)} more than once")
        at = [header.index(c) for c in CSV_COLUMNS]
        parts = {"train": ([], []), "test": ([], [])}
        for line_number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                raise DataError(f"line {line_number} has {len(row)} columns, the header has {len(header)}")
            x1, x2, label, split = (row[i].strip() for i in at)
            points, labels = parts.get(split.lower(), (None, None))
            if points is None:
                raise DataError(f"line {line_number}: split must be train or test, got {split!r}")
            try:
                points.append((float(x1), float(x2)))
                labels.append(float(label))
            except ValueError:
                raise DataError(f"line {line_number}: x1, x2 and label must be numbers") from None
            if len(parts["train"][0]) + len(parts["test"][0]) > MAX_POINTS:  # stop reading a huge file early
                raise DataError(f"more than the {MAX_POINTS:,} supported points (training and test together)")
    (X, y), (Xval, yval) = parts["train"], parts["test"]
    return np.array(X).reshape(-1, 2), np.array(y), np.array(Xval).reshape(-1, 2), np.array(yval)


def save_csv(dataset: Dataset, path: str | os.PathLike) -> None:
    """Write a data set in the documented CSV layout (used by tests and export), atomically like every save."""
    parts = (("train", dataset.X_train, dataset.Y_train), ("test", dataset.X_test, dataset.Y_test))
    rows = ([repr(float(x1)), repr(float(x2)), int(label), split]
            for split, X, Y in parts for (x1, x2), label in zip(X.T, Y[0]))
    files.write_csv(path, list(CSV_COLUMNS), rows)


def split_points(name: str, X, Y, test_ratio: float, rng: np.random.Generator) -> Dataset:
    """A `Dataset` from generated points: shuffle them with ``rng`` and hold out ``test_ratio`` as the test set.

    ``X`` holds the points as rows, (m, 2); ``Y`` the labels 0/1, (m,). ``round(m * test_ratio)``
    points go to the test set. Part of the plugin API (``regcore.split_points``): a data-set
    plugin's ``make`` can end with it, as the built-in generators do.
    """
    X, Y = np.asarray(X), np.asarray(Y)
    order = rng.permutation(len(Y))
    n_test = int(round(len(Y) * test_ratio))
    test, train = order[:n_test], order[n_test:]
    return Dataset.checked(name, X[train], Y[train], X[test], Y[test])
