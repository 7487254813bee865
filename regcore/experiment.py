"""Experiment files: a window's settings, data sets and finished runs, saved and reopened exactly.

An experiment file (``.regx``) is a zip archive holding one JSON index and NumPy ``.npy`` arrays:

``experiment.json``
    ``{"format": "regstudio-experiment", "version": 3, "settings": CONFIG | null,
    "current_data": ID | null, "datasets": [{"id", "name"}], "runs": [RUN, ...]}``. CONFIG is
    `RunConfig.to_dict()` (hidden, learning_rate, iterations, seed, record_every, regularizers as
    ``[{"name", "params"}]``, data: the SOURCE text or null, optimizer as ``{"name", "params"}`` and
    batch_size, both absent in files written before they existed: gd on the whole set). RUN is ``{"id", "data": ID, "config":
    CONFIG, "layer_sizes": [...], "train_accuracy", "test_accuracy", "final_cost", "seconds",
    "iterations_done", "completed", "error", "stopped_at", "kept_from"}``; a metric that is not a
    number (no test points) is null; ``error`` is "" or the one-line reason the run ended early;
    ``stopped_at``/``kept_from`` are the iteration at which early stopping stopped the run and the one
    whose parameters it kept (-1: trained to the end; files written before them open as -1).
    From version 3 a RUN may also hold ``"data_changes": [{"iteration", "data": ID}]``: the data it
    trained on from that iteration on (edited while it ran; absent: none), and ``"snapshots": S``,
    the number of parameter snapshots kept for replaying it (absent: none).
``datasets/ID/{X_train,Y_train,X_test,Y_test}.npy``
    float64 arrays shaped (2, m) and (1, m), as in `regcore.data.Dataset`.
``runs/ID/parameters.npy``
    float64 (P,): the trained weights and biases in `regcore.network.Layout` order.
``runs/ID/snapshot_iterations.npy``, ``runs/ID/snapshot_parameters.npy``
    int64 (S,) and float64 (S, P): the run's parameters at S iterations (`regcore.snapshots`), version 3.
``runs/ID/{iterations,cost,penalty,test_cost,train_loss}.npy``
    the recorded cost curves: int64 (R,) and float64 (R,); ``train_loss`` (the data loss on the
    clean forward pass) from version 2 on: a version 1 file opens with NaNs there.
``runs/ID/insides/{iterations,weight_norms,dead_units,train_accuracy,test_accuracy}.npy``
    version 3 on, only for runs whose index entry has ``"insides": true``: the run's insides as
    `regcore.inspect.InsideHistory` keeps them, int64 (R,), float64 (R, layers), int64 (R, hidden
    layers), float64 (R,) twice. Runs without them (and older files) open with ``insides`` None.
``"lab"`` in the index and ``lab/*.npy`` (version 3 on, optional)
    the Bias–variance tab's lab (`regcore.biasvar.SavedLab`): ``{"data": ID, "config": CONFIG (the
    base settings), "axis": {"regularizer", "param", "key", "values"}, "bootstraps", "seed",
    "layer_sizes", "seconds", "completed", "kept": [value indices]}``; for the K kept values (whose B
    models all finished), ``lab/parameters.npy`` float64 (K, B, P) and ``lab/{train_accuracy,
    test_accuracy,final_cost}.npy`` float64 (K, B), ``lab/iterations_done.npy`` int64 (K, B): what
    the U-curve and each value's heatmaps are computed from again (not the models' cost curves, so
    160 models of 2-20-3-1 take 0.2 MB). Absent or null: no lab.

Arrays are stored as ``.npy`` and numbers in JSON by their shortest exact repr, so save -> open
gives back every value bit for bit (a reopened run draws the identical decision boundary). Saving is
atomic (`regcore.files.atomic_write`): an interrupted save leaves the previous file intact, a symlink
is written through, a FIFO or device is refused. Opening anything else — a special file, a
truncated or corrupt file, another program's zip, a newer version, an archive declaring more than
its arrays can need (`regcore.archives`), runs whose layers do not fit their data or settings —
raises `ExperimentError` with one line saying what is wrong. Given the plugin registry, `load` also
checks each run's regularizers: a run naming one that is unknown here or values it refuses (a
negative ``lambd``) opens marked unusable, with the reason. A reader accepts versions up to its own.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from . import files, network
from .inspect import INSIDE_ARRAYS, InsideHistory
from .archives import BoundedArchive
from .biasvar import LabDesign, SavedLab, check_bootstraps
from .config import MAX_RECORDS, RunConfig
from .data import Dataset, max_array_bytes
from .snapshots import MAX_BYTES as MAX_SNAPSHOT_BYTES
from .snapshots import Snapshots
from .errors import RegcoreError
from .sweep import MAX_POINTS, Axis, PointResult
from .training import Result

FORMAT = "regstudio-experiment"
VERSION = 3  # 2: runs keep the clean training loss (train_loss); version 1 files open with it as NaN
#             3: the bias-variance lab (optional "lab"); runs keep their data edits (data_changes) and
#                parameter snapshots; older files open without them; and runs may keep their
#                insides (weight norms, dead units, accuracies over the run)
SUFFIX = ".regx"
INDEX = "experiment.json"
MAX_INDEX_BYTES = 64 * 1024 * 1024  # the JSON index: about a kilobyte per run
DATA_ARRAYS = ("X_train", "Y_train", "X_test", "Y_test")
CURVES = ("iterations", "cost", "penalty", "test_cost", "train_loss")
SINCE_VERSION = {"train_loss": 2}  # curves a file of an older version does not have: read as NaN
LAB_NUMBERS = ("train_accuracy", "test_accuracy", "final_cost")  # per model of a kept lab value, (K, B)


class ExperimentError(RegcoreError):
    """An experiment file could not be read; the message is one line. (Saving raises `files.FileError`.)"""


@dataclass
class RunRecord:
    """One finished (or stopped, or failed) run: its settings, its data and what training produced."""

    config: RunConfig
    data: Dataset
    result: Result      # a batch of one
    error: str = ""     # why the run ended early, "" if it did not fail
    unusable: str = ""  # why an opened run cannot be rerun here (say its regularizer is unknown), "" if it can
    insides: InsideHistory | None = None  # weight norms, dead units and accuracies over the run, if kept
    data_changes: tuple = ()            # (iteration, Dataset): the data it trained on from then on (edited mid-run)
    snapshots: Snapshots | None = None  # its parameters as it went, for replaying it

    def data_at(self, iteration: int) -> Dataset:
        """The data the run trained on at ``iteration``."""
        data = self.data
        for at, changed in self.data_changes:
            if at <= iteration:
                data = changed
        return data

    def rebuild(self, registry):
        """The run's `Training`, its settings and data edits included: ``.run()`` replays it."""
        return self.config.build(registry, self.data, data_changes=self.data_changes)

    @property
    def status(self) -> str:
        if self.unusable:
            return "unusable"
        if self.error:
            return "failed"
        return "finished" if self.result.completed else "stopped"


@dataclass
class Experiment:
    """What the window saves: the current settings and data, and every run in the runs table.

    ``notes`` are one-line remarks from opening it (what was left out of the settings and why);
    ``lab`` the Bias–variance tab's results, if it has any.
    """

    settings: RunConfig | None = None
    data: Dataset | None = None
    runs: list[RunRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lab: SavedLab | None = None


# ---------------------------------------------------------------------------------------- saving

def save(experiment: Experiment, path: str | os.PathLike) -> None:
    """Write ``experiment`` to ``path`` atomically (see the module docstring); raises `files.FileError`."""
    with files.atomic_write(path, "wb") as handle:
        _write_archive(experiment, handle)


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
            "error": run.error, "stopped_at": int(result.stopped_at[0]), "kept_from": int(result.kept_from[0])})
        entry = index["runs"][-1]
        if run.data_changes:
            entry["data_changes"] = [{"iteration": int(at), "data": data_id(data)} for at, data in run.data_changes]
        if run.snapshots is not None and len(run.snapshots):
            entry["snapshots"] = len(run.snapshots)
            arrays[f"runs/{run_id}/snapshot_iterations.npy"] = run.snapshots.iterations
            arrays[f"runs/{run_id}/snapshot_parameters.npy"] = run.snapshots.parameters
        arrays[f"runs/{run_id}/parameters.npy"] = result.parameters[0]
        for name in CURVES:
            curve = result.history[name]
            arrays[f"runs/{run_id}/{name}.npy"] = curve if curve.ndim == 1 else curve[:, 0]
        if run.insides is not None:
            index["runs"][-1]["insides"] = True
            for name, array in run.insides.arrays(len(result.layout.sizes) - 1).items():
                arrays[f"runs/{run_id}/insides/{name}.npy"] = array
    if experiment.lab is not None:
        index["lab"] = _lab_entry(experiment.lab, data_id(experiment.lab.design.data), arrays)
    index["datasets"] = [{"id": key, "name": data.name} for key, data in datasets.items()]
    for key, data in datasets.items():
        for name in DATA_ARRAYS:
            arrays[f"datasets/{key}/{name}.npy"] = getattr(data, name)
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_member(INDEX), json.dumps(index, indent=1, allow_nan=False))
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
            archive.writestr(_member(name), buffer.getvalue())


def _lab_entry(lab: SavedLab, data: str, arrays: dict) -> dict:
    """The lab's index entry; its arrays go into ``arrays``."""
    design = lab.design
    kept = sorted(lab.models)
    models = [lab.models[value] for value in kept]
    shape = (len(kept), design.bootstraps)
    arrays["lab/parameters.npy"] = np.array([[m.parameters for m in value] for value in models],
                                            dtype=float).reshape(*shape, design.layout.size)
    for name in LAB_NUMBERS:
        arrays[f"lab/{name}.npy"] = np.array([[getattr(m, name) for m in value] for value in models],
                                             dtype=float).reshape(shape)
    arrays["lab/iterations_done.npy"] = np.array([[m.iterations_done for m in value] for value in models],
                                                 dtype=np.int64).reshape(shape)
    axis = design.axis
    return {"data": data, "config": design.base.to_dict(),
            "axis": {"regularizer": axis.regularizer, "param": axis.param, "key": axis.key, "values": list(axis.values)},
            "bootstraps": design.bootstraps, "seed": design.seed, "layer_sizes": list(design.layout.sizes),
            "seconds": float(lab.seconds), "completed": bool(lab.completed), "kept": kept}


def _member(name: str) -> zipfile.ZipInfo:
    """A member with a fixed time stamp: the same experiment saved twice gives the same bytes (the
    current time made two saves a second apart differ)."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _fingerprint(data: Dataset) -> str:
    digest = hashlib.sha1(data.name.encode())
    for name in DATA_ARRAYS:
        digest.update(np.ascontiguousarray(getattr(data, name)).tobytes())
    return "d" + digest.hexdigest()[:12]


def _number(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


# ---------------------------------------------------------------------------------------- opening

def load(path: str | os.PathLike, registry=None) -> Experiment:
    """Read an experiment file; raises `ExperimentError` (one line) for anything unreadable.

    With the plugin ``registry``, each run's regularizers are checked too (see the module docstring).
    """
    path = Path(path)
    where = files.shown(path)
    try:
        with files.open_regular(path, what="experiment file") as handle, \
                BoundedArchive(handle, os.fstat(handle.fileno()).st_size) as archive:
            opened = _read_archive(archive, where)
    except files.FileError as error:
        raise ExperimentError(f"{where}: {error.reason}") from None
    except ExperimentError as error:  # inner checks may not know the file's name: every message leads with it
        if str(error).startswith(f"{where}:"):
            raise
        raise ExperimentError(f"{where}: damaged experiment: {error}") from None
    except zipfile.BadZipFile:
        raise ExperimentError(f"{where}: not a RegStudio experiment (not a zip archive, or truncated)") from None
    except OSError as error:
        raise ExperimentError(f"{where}: cannot read it ({error.strerror or error})") from None
    except RegcoreError as error:  # the data, settings or sizes inside fail their own checks
        raise ExperimentError(f"{where}: damaged experiment: {error}") from None
    except Exception as error:  # zlib, numpy, json and KeyError all signal a damaged archive
        raise ExperimentError(f"{where}: damaged experiment file ({type(error).__name__}: "
                              f"{str(error).splitlines()[0][:200] if str(error) else 'no details'})") from None
    return _checked_against(opened, registry) if registry is not None else opened


def _read_archive(archive: BoundedArchive, where: str) -> Experiment:
    if INDEX not in archive:
        raise ExperimentError(f"{where}: not a RegStudio experiment (no {INDEX} inside)")
    index = json.loads(archive.read(INDEX, MAX_INDEX_BYTES))
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        raise ExperimentError(f"{where}: not a RegStudio experiment (format is not {FORMAT!r})")
    version = index.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ExperimentError(f"{where}: damaged experiment (version {version!r} is not a positive whole number)")
    if version > VERSION:
        raise ExperimentError(f"{where}: written by a newer RegStudio (format version {version}; this one reads "
                              f"up to {VERSION}); update RegStudio to open it")

    datasets = {}
    for entry in index["datasets"]:
        parts = {name: archive.array(f"datasets/{entry['id']}/{name}.npy", max_array_bytes())
                 for name in DATA_ARRAYS}
        datasets[entry["id"]] = Dataset.checked(entry["name"], parts["X_train"].T, parts["Y_train"].reshape(-1),
                                                parts["X_test"].T, parts["Y_test"].reshape(-1))
    runs = [_read_run(entry, datasets, archive, version) for entry in index["runs"]]
    settings = RunConfig.from_dict(index["settings"]) if index["settings"] is not None else None
    current = index["current_data"]
    lab = _read_lab(index["lab"], datasets, archive) if version >= 3 and index.get("lab") is not None else None
    return Experiment(settings=settings, data=datasets[current] if current is not None else None, runs=runs, lab=lab)


def _read_lab(entry: dict, datasets: dict, archive: BoundedArchive) -> SavedLab:
    """The saved lab, checked: its axis and settings make its points, its arrays fit its values, B and layers."""
    config = RunConfig.from_dict(entry["config"])
    raw = entry["axis"]
    values = raw["values"]
    if not isinstance(values, list) or not 1 <= len(values) <= MAX_POINTS or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values):
        raise ExperimentError(f"the lab's swept values are not 1 to {MAX_POINTS:,} finite numbers")
    if not all(isinstance(raw[name], str) for name in ("regularizer", "param", "key")):
        raise ExperimentError("the lab's axis names are not text")
    axis = Axis(raw["regularizer"], raw["param"], tuple(values), raw["key"])
    seed = entry["seed"]
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ExperimentError(f"the lab's seed {seed!r} is not a whole number"[:300])
    design = LabDesign(config, axis, check_bootstraps(entry["bootstraps"]), seed, datasets[entry["data"]])
    settings = design.settings  # plan(): the axis must sweep a regularizer of the settings
    if entry["layer_sizes"] != list(design.layout.sizes):
        raise ExperimentError(f"the lab's layers {entry['layer_sizes']!r} do not match its data and settings, "
                              f"which make {list(design.layout.sizes)}"[:300])
    kept = entry["kept"]
    if not isinstance(kept, list) or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < len(values)
                                             for v in kept) or len(set(kept)) != len(kept):
        raise ExperimentError("the lab's kept values are not distinct indices of its swept values")
    shape = (len(kept), design.bootstraps)
    models = len(kept) * design.bootstraps
    parameters = archive.array("lab/parameters.npy", models * design.layout.size * 8)
    numbers = {name: archive.array(f"lab/{name}.npy", models * 8) for name in (*LAB_NUMBERS, "iterations_done")}
    if parameters.shape != (*shape, design.layout.size) or parameters.dtype != np.float64 or \
            any(a.shape != shape for a in numbers.values()) or \
            any(numbers[name].dtype != np.float64 for name in LAB_NUMBERS) or numbers["iterations_done"].dtype.kind not in "iu":
        raise ExperimentError(f"the lab's arrays do not fit its {len(kept)} kept values x {design.bootstraps} "
                              f"models of layers {design.layout.sizes}")
    done = numbers["iterations_done"]
    if done.size and not (0 <= done.min() and done.max() <= config.iterations):
        raise ExperimentError(f"the lab's models did outside 0 to {config.iterations:,} iterations")
    empty = np.zeros(0)
    lab = SavedLab(design, seconds=float(entry["seconds"]), completed=bool(entry["completed"]))
    for row, value in enumerate(kept):
        lab.models[value] = [PointResult(settings[value], *(float(numbers[name][row, b]) for name in LAB_NUMBERS),
                                         parameters[row, b].copy(), empty.astype(np.int64), empty,
                                         int(done[row, b]), True) for b in range(design.bootstraps)]
    return lab


def _read_run(entry: dict, datasets: dict, archive: BoundedArchive, version: int) -> RunRecord:
    run_id = entry["id"]
    config = RunConfig.from_dict(entry["config"])
    data = datasets[entry["data"]]
    sizes = entry["layer_sizes"]
    if not isinstance(sizes, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in sizes):
        raise ExperimentError(f"run {run_id}: its layer sizes {sizes!r} are not a list of whole numbers"[:300])
    expected = [data.features, *config.hidden, 1]
    if sizes != expected:
        raise ExperimentError(f"run {run_id}: its layers {sizes} do not match its data ({data.features} features) "
                              f"and settings (hidden {list(config.hidden)}), which make {expected}")
    layout = network.Layout(tuple(sizes))
    parameters = archive.array(f"runs/{run_id}/parameters.npy", layout.size * 8)
    if parameters.shape != (layout.size,) or parameters.dtype != np.float64:
        raise ExperimentError(f"run {run_id}: {parameters.shape} parameters do not fit layers {layout.sizes}")
    curves = {name: archive.array(f"runs/{run_id}/{name}.npy", MAX_RECORDS * 8) for name in CURVES
              if version >= SINCE_VERSION.get(name, 1)}
    if any(curve.ndim != 1 for curve in curves.values()) or len({len(c) for c in curves.values()}) != 1:
        raise ExperimentError(f"run {run_id}: its cost curves are not of one length")
    kinds = {curve.dtype.kind for name, curve in curves.items() if name != "iterations"}
    if curves["iterations"].dtype.kind not in "iu" or kinds - {"f"}:
        raise ExperimentError(f"run {run_id}: its cost curves are not numbers of the right kinds")
    records = len(curves["iterations"])
    history = {"iterations": curves["iterations"].astype(np.int64, copy=False),
               **{name: (curves[name].astype(float, copy=False) if name in curves
                         else np.full(records, np.nan)).reshape(-1, 1) for name in CURVES[1:]}}
    done = entry["iterations_done"]
    if not isinstance(done, int) or isinstance(done, bool) or not 0 <= done <= config.iterations:
        raise ExperimentError(f"run {run_id}: {done!r} iterations done of the {config.iterations:,} "
                              f"it was set to"[:300])

    def metric(name):
        value = entry[name]
        number = np.nan if value is None else float(value)
        if name.endswith("accuracy") and not (math.isnan(number) or 0.0 <= number <= 1.0):
            raise ExperimentError(f"run {run_id}: a {name} of {value!r} is not a fraction from 0 to 1"[:300])
        return np.array([number])

    seconds = float(entry["seconds"])
    if not seconds >= 0.0:
        raise ExperimentError(f"run {run_id}: it took {entry['seconds']!r} seconds, not a time"[:300])

    def stop(name):  # absent from files written before early stopping: -1, trained to the end
        value = entry.get(name, -1)
        if not isinstance(value, int) or isinstance(value, bool) or not -1 <= value <= done:
            raise ExperimentError(f"run {run_id}: {name} {value!r} is not -1 or an iteration up to the "
                                  f"{done:,} done"[:300])
        return np.array([value], dtype=np.int64)

    result = Result(layout=layout, parameters=parameters.reshape(1, -1), history=history,
                    train_accuracy=metric("train_accuracy"), test_accuracy=metric("test_accuracy"),
                    final_cost=metric("final_cost"), seconds=seconds,
                    iterations_done=done, completed=bool(entry["completed"]),
                    stopped_at=stop("stopped_at"), kept_from=stop("kept_from"))
    return RunRecord(config=config, data=data, result=result, error=str(entry.get("error", "")),
                     data_changes=_data_changes(entry, datasets, done), snapshots=_snapshots(entry, archive, layout),
                     insides=_read_insides(entry, archive, layout) if version >= 3 else None)


def _data_changes(entry: dict, datasets: dict, done: int) -> tuple:
    changes = entry.get("data_changes", [])
    if not isinstance(changes, list):
        raise ExperimentError(f"run {entry['id']}: its data_changes are not a list")
    out = []
    for change in changes:
        at = change.get("iteration") if isinstance(change, dict) else None
        if not isinstance(at, int) or isinstance(at, bool) or not 0 <= at <= done or change.get("data") not in datasets:
            raise ExperimentError(f"run {entry['id']}: a data change {change!r} is not an iteration it trained "
                                  f"and a data set of the file"[:300])
        out.append((at, datasets[change["data"]]))
    return tuple(out)


def _snapshots(entry: dict, archive: BoundedArchive, layout: network.Layout) -> Snapshots | None:
    if not entry.get("snapshots"):
        return None
    run_id = entry["id"]
    iterations = archive.array(f"runs/{run_id}/snapshot_iterations.npy", MAX_SNAPSHOT_BYTES)
    parameters = archive.array(f"runs/{run_id}/snapshot_parameters.npy", 2 * MAX_SNAPSHOT_BYTES)
    if iterations.ndim != 1 or iterations.dtype.kind not in "iu" or parameters.dtype != np.float64 \
            or parameters.shape != (len(iterations), layout.size):
        raise ExperimentError(f"run {run_id}: its snapshots ({parameters.shape} parameters at "
                              f"{iterations.shape} iterations) do not fit layers {layout.sizes}")
    return Snapshots.of(iterations, parameters)


def _read_insides(entry: dict, archive: BoundedArchive, layout: network.Layout) -> InsideHistory | None:
    """A run's insides (version 3 on, optional): arrays of one length, of the run's layers."""
    if entry.get("insides") is not True:
        return None
    run_id, layers = entry["id"], len(layout.sizes) - 1
    arrays = {name: archive.array(f"runs/{run_id}/insides/{name}.npy", MAX_RECORDS * 8 * layers)
              for name in INSIDE_ARRAYS}
    rows = len(arrays["iterations"])
    shapes = {"iterations": (rows,), "weight_norms": (rows, layers), "dead_units": (rows, layers - 1),
              "train_accuracy": (rows,), "test_accuracy": (rows,)}
    if any(arrays[name].shape != shape for name, shape in shapes.items()) or \
            arrays["iterations"].dtype.kind not in "iu" or arrays["dead_units"].dtype.kind not in "iu" or \
            any(arrays[name].dtype.kind != "f" for name in ("weight_norms", "train_accuracy", "test_accuracy")):
        raise ExperimentError(f"run {run_id}: its insides are not arrays of one length and of its layers")
    return InsideHistory.from_arrays(arrays)


def _checked_against(experiment: Experiment, registry) -> Experiment:
    """Mark runs whose regularizers the registry refuses unusable; leave such regularizers out of the settings."""
    for run in experiment.runs:
        reason = _refusal(registry, run.config.regularizers)
        if reason:
            run.unusable = f"cannot be rerun here: {reason}"
    if experiment.lab is not None:
        reason = _refusal(registry, experiment.lab.design.base.regularizers)
        if reason:
            experiment.notes.append(f"the bias-variance lab is shown but cannot be rerun here: {reason}")
    settings = experiment.settings
    if settings is not None:
        kept = []
        for pair in settings.regularizers:
            reason = _refusal(registry, [pair])
            if reason:
                experiment.notes.append(f"regularizer {pair[0]!r} was left out of the settings: {reason}")
            else:
                kept.append(pair)
        if len(kept) != len(settings.regularizers):
            experiment.settings = replace(settings, regularizers=tuple(kept))
    return experiment


def _refusal(registry, regularizers) -> str:
    """Why the registry refuses the first of ``regularizers`` it refuses (unknown, bad values), or ""."""
    for name, values in regularizers:
        try:
            registry.activate(name, values)
        except RegcoreError as error:
            return str(error)
    return ""
