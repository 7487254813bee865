"""The bias–variance lab: decompose the test error against a regularization strength.

For each value of a swept regularizer parameter, B models are trained on bootstrap resamples of the
training set — each model its own resample, drawn from a seeded generator, all models the same
initialisation — as one sweep (batched, over the worker processes). For every test point x with
label y, with p_b(x) the probability of model b and p̄(x) their mean:

    bias2(x)    = (p̄(x) - y)^2
    variance(x) = mean_b (p_b(x) - p̄(x))^2
    error(x)    = mean_b (p_b(x) - y)^2          so that error = bias2 + variance exactly,

and the report gives their means over the test points, with the mean test accuracy of the B models
and its spread (population standard deviation). Each model equals its single run on a data set made
of its resample (`regcore.training.Training`'s ``samples``); its train accuracy is on its resample. Little regularization: low bias, high variance (the models chase their resample's
quirks); much: the reverse. The sum is the U-curve whose minimum the notebook asks you to find.

`LabDesign` is what a lab is over (settings, axis, B, seed, data) apart from training; a `SavedLab`
is a design with the finished values' models (their final parameters and numbers, not their cost
curves): what an experiment file keeps (`regcore.experiment`), enough to draw the U-curve and every
value's heatmaps again. `write_csv` writes the one-row-per-value table of ``regcore biasvar --csv``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Iterator

import numpy as np

from . import files, network
from .config import RunConfig
from .data import Dataset
from .errors import ParamError
from .sweep import Axis, PointResult, Sweep, SweepPoint, SweepProgress, SweepResult, plan

DEFAULT_BOOTSTRAPS = 20
MAX_BOOTSTRAPS = 1000


def bootstrap_samples(examples: int, bootstraps: int, seed: int) -> np.ndarray:
    """(B, m) indices of the training points of each bootstrap resample (drawn with replacement)."""
    return np.random.default_rng(seed).integers(0, examples, size=(bootstraps, examples))


def check_bootstraps(bootstraps) -> int:
    """``bootstraps`` if it is a usable B, else a one-line ParamError."""
    if isinstance(bootstraps, bool) or not isinstance(bootstraps, (int, np.integer)) or \
            not 2 <= bootstraps <= MAX_BOOTSTRAPS:
        raise ParamError(f"bootstraps must be a whole number from 2 to {MAX_BOOTSTRAPS}, got {bootstraps!r}")
    return int(bootstraps)


@dataclass(frozen=True)
class Decomposition:
    """The decomposition over the test points of one swept value."""

    bias2: float
    variance: float
    error: float
    test_accuracy_mean: float
    test_accuracy_std: float
    train_accuracy_mean: float
    mean_probability: np.ndarray     # p̄ on the points it was computed on, (n,)
    variance_per_point: np.ndarray   # (n,)


def decompose(probabilities: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-point bias², variance and error of B models' probabilities (B, n) against labels (n,).

    Computed so that ``error == bias2 + variance`` holds to rounding: variance and error are both
    means over the models of squared deviations, from p̄ and from y.
    """
    p = np.asarray(probabilities, dtype=float)
    y = np.asarray(labels, dtype=float)
    mean, variance = spread(p)
    return (mean - y) ** 2, variance, ((p - y) ** 2).mean(axis=0)


def spread(probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """p̄ and the variance between the models, per point, of probabilities (B, n)."""
    mean = probabilities.mean(axis=0)
    return mean, ((probabilities - mean) ** 2).mean(axis=0)


REPORTED = ("bias2", "variance", "error", "test_accuracy_mean", "test_accuracy_std")


@dataclass(frozen=True)
class LabPoint:
    """One value of the swept parameter and what its B models came to."""

    params: dict
    decomposition: Decomposition | None     # None if a model of it failed or it was cancelled
    models: list                            # the sweep's PointResults of its B models
    error: str | None = None

    def to_dict(self) -> dict:
        """The issue's JSON entry: ``params`` and the five numbers (null where the value failed or
        was not finished)."""
        d = self.decomposition
        return {"params": self.params, **{name: None if d is None else getattr(d, name) for name in REPORTED}}


@dataclass(frozen=True)
class LabResult:
    """Every swept value's `LabPoint`, in the axis's order, and the sweep that trained them."""

    points: list[LabPoint]
    bootstraps: int
    seconds: float
    completed: bool
    sweep: SweepResult

    def best(self) -> int | None:
        """Index of the value with the lowest error (bias² + variance)."""
        errors = [p.decomposition.error if p.decomposition is not None else np.inf for p in self.points]
        return int(np.argmin(errors)) if self.points and np.isfinite(min(errors)) else None

    @property
    def errors(self) -> list[str]:
        """The distinct failure messages of the values that failed (not those merely unfinished)."""
        return self.sweep.errors

    def to_dict(self) -> dict:
        """JSON-ready, as issue 15 specifies: ``points``, ``bootstraps``, ``seconds``; plus ``best``, the
        index of the lowest error (null if none finished), as `regcore sweep`'s JSON has."""
        return {"points": [p.to_dict() for p in self.points], "bootstraps": self.bootstraps, "seconds": self.seconds,
                "best": self.best()}


@dataclass(frozen=True, eq=False)
class LabDesign:
    """What a lab is over, apart from training it: the base settings, the swept axis, B, the resampling
    seed and the data (the test points the error is measured on, the plane the heatmaps cover)."""

    base: RunConfig
    axis: Axis
    bootstraps: int
    seed: int
    data: Dataset

    @cached_property
    def layout(self) -> network.Layout:
        return network.Layout(network.layer_sizes(self.data.features, self.base.hidden))

    @cached_property
    def settings(self) -> list[SweepPoint]:
        """One point per swept value, in the axis's order (its B models share its settings)."""
        return plan(self.base, [self.axis])

    @property
    def values(self) -> int:
        return len(self.axis.values)

    def decomposition(self, models: list[PointResult]) -> Decomposition:
        """Bias², variance and error over the test points, and the accuracies, of one value's B models."""
        parameters = np.stack([m.parameters for m in models])
        probabilities = network.probabilities(parameters, self.layout, self.data.X_test)
        bias2, variance, error = decompose(probabilities, self.data.Y_test[0])
        accuracies = np.array([m.test_accuracy for m in models])
        return Decomposition(float(bias2.mean()), float(variance.mean()), float(error.mean()),
                             float(accuracies.mean()), float(accuracies.std()),
                             float(np.mean([m.train_accuracy for m in models])),
                             probabilities.mean(axis=0), variance)


class BiasVarianceLab:
    """Plan and run the lab: ``base`` gives the settings, ``axis`` the swept values, ``bootstraps`` B,
    ``seed`` the resampling generator's seed (``samples``: (B, m) resamples to use instead). Every model
    starts from ``base.seed``'s initialisation. Bad settings raise one-line errors here, before training."""

    def __init__(self, base: RunConfig, axis: Axis, data: Dataset, registry, *, bootstraps: int = DEFAULT_BOOTSTRAPS,
                 seed: int = 0, samples: np.ndarray | None = None, jobs: int | None = None, chunk: int | None = None):
        bootstraps = check_bootstraps(bootstraps if samples is None else len(samples))
        if data.X_test.shape[1] == 0:
            raise ParamError("the bias-variance lab measures the error on test points; this data set has none")
        self.bootstraps, self.data, self.axis = bootstraps, data, axis
        self.design = LabDesign(base, axis, bootstraps, seed, data)
        self.samples = bootstrap_samples(data.X_train.shape[1], bootstraps, seed) if samples is None \
            else np.asarray(samples)
        self.points = [replace(point, sample=sample) for point in self.design.settings for sample in self.samples]
        self.sweep = Sweep(self.points, data, registry, jobs=jobs, chunk=chunk)

    @property
    def total(self) -> int:
        """Model-iterations to train (what `SweepProgress.done` counts towards)."""
        return self.sweep.total

    @property
    def jobs(self) -> int:
        """Worker processes the lab trains in (1: the calling thread)."""
        return self.sweep.jobs

    @property
    def values(self) -> int:
        return len(self.axis.values)

    def steps(self, cancel: threading.Event | None = None) -> Iterator[SweepProgress]:
        return self.sweep.steps(cancel)

    def run(self, cancel: threading.Event | None = None) -> LabResult:
        for _ in self.steps(cancel):
            pass
        return self.result()

    def result(self) -> LabResult:
        swept = self.sweep.result()
        B = self.bootstraps
        points = []
        for v in range(self.values):
            models = swept.points[v * B:(v + 1) * B]
            params = self.points[v * B].params
            failed = next((m.error for m in models if m is not None and m.error), None)
            if failed or any(m is None or not m.completed for m in models):
                points.append(LabPoint(params, None, models, failed or "not finished"))
                continue
            points.append(LabPoint(params, self.decomposition(models), models))
        return LabResult(points, B, swept.seconds, swept.completed, swept)

    def decomposition(self, models) -> Decomposition:
        return self.design.decomposition(models)


@dataclass
class SavedLab:
    """A lab as an experiment file keeps it: its design and, per value whose B models all finished
    well, those models (``models[value]``, B `PointResult`s with their final parameters and numbers;
    their cost curves are not kept). ``completed``: whether the lab ran to its end."""

    design: LabDesign
    models: dict[int, list[PointResult]] = field(default_factory=dict)
    seconds: float = 0.0
    completed: bool = True

    def points(self) -> list[LabPoint]:
        """Every value's `LabPoint` in the axis's order (those not kept: no decomposition, "not finished")."""
        out = []
        for value, setting in enumerate(self.design.settings):
            models = self.models.get(value)
            out.append(LabPoint(setting.params, self.design.decomposition(models), models) if models
                       else LabPoint(setting.params, None, [], "not finished"))
        return out


CSV_NUMBERS = ("bias2", "variance", "error", "test_accuracy_mean", "test_accuracy_std", "train_accuracy_mean")


def write_csv(path, points: list[LabPoint], key: str, completed: bool = True) -> None:
    """One row per swept value (``key``, the six numbers, ``error_message``; empty numbers where it
    failed or was not finished), written atomically; a stopped lab says so on the last line."""
    rows = []
    for point in points:
        d = point.decomposition
        rows.append([repr(point.params[key]), *("" if d is None else files.csv_number(getattr(d, name))
                                                for name in CSV_NUMBERS), point.error or ""])
    finished = sum(1 for p in points if p.decomposition is not None)
    files.write_csv(path, [key, *CSV_NUMBERS, "error_message"], rows,
                    None if completed else f"the lab was stopped after {finished} of {len(points)} values")


def grid_views(lab_point: LabPoint, layout, grid_points: np.ndarray, show: int = 5) -> tuple:
    """Over a grid (2, G): p̄, the variance between the models, and ``show`` of the models' probabilities."""
    parameters = np.stack([m.parameters for m in lab_point.models])
    probabilities = network.probabilities(parameters, layout, grid_points)
    return (*spread(probabilities), probabilities[:show])


__all__ = ["BiasVarianceLab", "LabDesign", "LabResult", "LabPoint", "SavedLab", "Decomposition", "decompose",
           "bootstrap_samples", "check_bootstraps", "grid_views", "write_csv", "DEFAULT_BOOTSTRAPS", "MAX_BOOTSTRAPS"]
