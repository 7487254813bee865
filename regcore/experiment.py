"""Experiment files: a window's settings, data sets and finished runs, saved and reopened exactly.

An experiment file (``.regx``) is a zip archive holding one JSON index and NumPy ``.npy`` arrays:

``experiment.json``
    ``{"format": "regstudio-experiment", "version": 2, "settings": CONFIG | null,
    "current_data": ID | null, "datasets": [{"id", "name"}], "runs": [RUN, ...]}``. CONFIG is
    `RunConfig.to_dict()` (hidden, learning_rate, iterations, seed, record_every, regularizers as
    ``[{"name", "params"}]``, data: the SOURCE text or null, optimizer as ``{"name", "params"}`` and
    batch_size, both absent in files written before they existed: gd on the whole set). RUN is ``{"id", "data": ID, "config":
    CONFIG, "layer_sizes": [...], "train_accuracy", "test_accuracy", "final_cost", "seconds",
    "iterations_done", "completed", "error"}``; a metric that is not a number (no test points) is
    null; ``error`` is "" or the one-line reason the run ended early.
``datasets/ID/{X_train,Y_train,X_test,Y_test}.npy``
    float64 arrays shaped (2, m) and (1, m), as in `regcore.data.Dataset`.
``runs/ID/parameters.npy``
    float64 (P,): the trained weights and biases in `regcore.network.Layout` order.
``runs/ID/{iterations,cost,penalty,test_cost,train_loss}.npy``
    the recorded cost curves: int64 (R,) and float64 (R,).

Arrays are stored as ``.npy`` and numbers in JSON by their shortest exact repr, so save -> open
gives back every value bit for bit (a reopened run draws the identical decision boundary). Saving is
atomic: the archive is written to a temporary file in the destination folder, flushed, fsynced and
renamed over the target, so an interrupted save leaves the previous file intact. Opening anything
else — a truncated or corrupt file, another program's zip, a newer version — raises
`ExperimentError` with one line saying what is wrong. A reader accepts versions up to its own.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from . import network
from .config import RunConfig
from .data import Dataset
from .errors import RegcoreError
from .training import Result

FORMAT = "regstudio-experiment"
VERSION = 2  # 2: runs keep the clean training loss (train_loss); version 1 files open with it as NaN
SUFFIX = ".regx"
INDEX = "experiment.json"
DATA_ARRAYS = ("X_train", "Y_train", "X_test", "Y_test")
CURVES = ("iterations", "cost", "penalty", "test_cost", "train_loss")
SINCE_VERSION = {"train_loss": 2}  # curves a file of an older version does not have: read as NaN


class ExperimentError(RegcoreError):
    """An experiment file could not be written or read; the message is one line."""


@dataclass
class RunRecord:
    """One finished (or stopped, or failed) run: its settings, its data and what training produced."""

    config: RunConfig
    data: Dataset
    result: Result      # a batch of one
    error: str = ""     # why the run ended early, "" if it did not fail

    @property
    def status(self) -> str:
        if self.error:
            return "failed"
        return "finished" if self.result.completed else "stopped"


@dataclass
class Experiment:
    """What the window saves: the current settings and data, and every run in the runs table."""

    settings: RunConfig | None = None
    data: Dataset | None = None
    runs: list[RunRecord] = field(default_factory=list)


# ---------------------------------------------------------------------------------------- saving

def save(experiment: Experiment, path: str | os.PathLike) -> None:
    """Write ``experiment`` to ``path`` atomically (see the module docstring)."""
    with replacing(path) as temporary, open(temporary, "wb") as handle:
        _write_archive(experiment, handle)


@contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block succeeds, fsync it and rename it over ``path``.

    If the block fails (or the program dies), ``path`` keeps its previous content and the temporary
    file is removed. The temporary name ends with the target's suffix, for writers that go by it.
    OS errors become `ExperimentError` naming ``path``.
    """
    path = Path(path)
    try:
        descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".tmp{path.suffix}")
        os.close(descriptor)
    except OSError as error:
        raise ExperimentError(f"{path}: cannot write there ({error.strerror or error})") from None
    temporary = Path(name)
    try:
        yield temporary
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        _sync_folder(path.parent)
    except OSError as error:
        raise ExperimentError(f"{path}: could not save ({error.strerror or error})") from None
    finally:
        temporary.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """fsync the folder, so the rename itself survives a power cut (where the OS allows it)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open folders; the rename is still atomic there
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _write_archive(experiment: Experiment, handle) -> None:
    datasets: dict[str, Dataset] = {}

    def data_id(data: Dataset) -> str:
        key = _fingerprint(data)
        datasets.setdefault(key, data)
        return key

    index = {"format": FORMAT, "version": VERSION,
             "settings": experiment.settings.to_dict() if experiment.settings else None,
             "current_data": data_id(experiment.data) if experiment.data is not None else None,
             "runs": []}
    arrays: dict[str, np.ndarray] = {}
    for number, run in enumerate(experiment.runs):
        run_id = f"r{number}"
        result = run.result
        index["runs"].append({
            "id": run_id, "data": data_id(run.data), "config": run.config.to_dict(),
            "layer_sizes": list(result.layout.sizes),
            "train_accuracy": _number(result.train_accuracy[0]), "test_accuracy": _number(result.test_accuracy[0]),
            "final_cost": _number(result.final_cost[0]), "seconds": float(result.seconds),
            "iterations_done": int(result.iterations_done), "completed": bool(result.completed),
            "error": run.error})
        arrays[f"runs/{run_id}/parameters.npy"] = result.parameters[0]
        for name in CURVES:
            curve = result.history[name]
            arrays[f"runs/{run_id}/{name}.npy"] = curve if curve.ndim == 1 else curve[:, 0]
    index["datasets"] = [{"id": key, "name": data.name} for key, data in datasets.items()]
    for key, data in datasets.items():
        for name in DATA_ARRAYS:
            arrays[f"datasets/{key}/{name}.npy"] = getattr(data, name)
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(INDEX, json.dumps(index, indent=1, allow_nan=False))
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
            archive.writestr(name, buffer.getvalue())


def _fingerprint(data: Dataset) -> str:
    digest = hashlib.sha1(data.name.encode())
    for name in DATA_ARRAYS:
        digest.update(np.ascontiguousarray(getattr(data, name)).tobytes())
    return "d" + digest.hexdigest()[:12]


def _number(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


# ---------------------------------------------------------------------------------------- opening

def load(path: str | os.PathLike) -> Experiment:
    """Read an experiment file; raises `ExperimentError` (one line) for anything unreadable."""
    path = Path(path)
    if not path.exists():
        raise ExperimentError(f"{path}: no such file")
    if path.is_dir():
        raise ExperimentError(f"{path}: is a folder, not an experiment file")
    try:
        with zipfile.ZipFile(path) as archive:
            return _read_archive(archive, path)
    except ExperimentError as error:  # inner checks may not know the file's name: every message leads with it
        if str(error).startswith(f"{path}:"):
            raise
        raise ExperimentError(f"{path}: damaged experiment: {error}") from None
    except zipfile.BadZipFile:
        raise ExperimentError(f"{path}: not a RegStudio experiment (not a zip archive, or truncated)") from None
    except OSError as error:
        raise ExperimentError(f"{path}: cannot read it ({error.strerror or error})") from None
    except RegcoreError as error:  # the data or settings inside fail their own checks
        raise ExperimentError(f"{path}: damaged experiment: {error}") from None
    except Exception as error:  # zlib, numpy, json and KeyError all signal a damaged archive
        raise ExperimentError(f"{path}: damaged experiment file ({type(error).__name__}: "
                              f"{str(error).splitlines()[0][:200] if str(error) else 'no details'})") from None


def _read_archive(archive: zipfile.ZipFile, path: Path) -> Experiment:
    if INDEX not in archive.namelist():
        raise ExperimentError(f"{path}: not a RegStudio experiment (no {INDEX} inside)")
    index = json.loads(archive.read(INDEX))
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        raise ExperimentError(f"{path}: not a RegStudio experiment (format is not {FORMAT!r})")
    version = index.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ExperimentError(f"{path}: damaged experiment (version {version!r} is not a positive whole number)")
    if version > VERSION:
        raise ExperimentError(f"{path}: written by a newer RegStudio (format version {version}; this one reads "
                              f"up to {VERSION}); update RegStudio to open it")

    def array(name: str) -> np.ndarray:
        return np.load(io.BytesIO(archive.read(name)), allow_pickle=False)

    datasets = {}
    for entry in index["datasets"]:
        parts = {name: array(f"datasets/{entry['id']}/{name}.npy") for name in DATA_ARRAYS}
        datasets[entry["id"]] = Dataset.checked(entry["name"], parts["X_train"].T, parts["Y_train"].reshape(-1),
                                                parts["X_test"].T, parts["Y_test"].reshape(-1))
    runs = [_read_run(entry, datasets, array, version) for entry in index["runs"]]
    settings = RunConfig.from_dict(index["settings"]) if index["settings"] is not None else None
    current = index["current_data"]
    return Experiment(settings=settings, data=datasets[current] if current is not None else None, runs=runs)


def _read_run(entry: dict, datasets: dict, array, version: int) -> RunRecord:
    run_id = entry["id"]
    layout = network.Layout(tuple(int(n) for n in entry["layer_sizes"]))
    parameters = array(f"runs/{run_id}/parameters.npy")
    if parameters.shape != (layout.size,) or parameters.dtype != np.float64:
        raise ExperimentError(f"run {run_id}: {parameters.shape} parameters do not fit layers {layout.sizes}")
    curves = {name: array(f"runs/{run_id}/{name}.npy") for name in CURVES if version >= SINCE_VERSION.get(name, 1)}
    for name in CURVES:
        curves.setdefault(name, np.full(len(curves["iterations"]), np.nan))
    if len({len(c) for c in curves.values()}) != 1:
        raise ExperimentError(f"run {run_id}: its cost curves have different lengths")
    history = {"iterations": curves["iterations"],
               **{name: curves[name].reshape(-1, 1) for name in CURVES[1:]}}

    def metric(name):
        value = entry[name]
        return np.array([np.nan if value is None else float(value)])

    result = Result(layout=layout, parameters=parameters.reshape(1, -1), history=history,
                    train_accuracy=metric("train_accuracy"), test_accuracy=metric("test_accuracy"),
                    final_cost=metric("final_cost"), seconds=float(entry["seconds"]),
                    iterations_done=int(entry["iterations_done"]), completed=bool(entry["completed"]))
    return RunRecord(config=RunConfig.from_dict(entry["config"]), data=datasets[entry["data"]], result=result,
                     error=str(entry.get("error", "")))
