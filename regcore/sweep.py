"""Sweeps: train many models that differ only in numeric parameters (and seeds), batched and parallel.

A sweep is a list of `SweepPoint`s, each a full `RunConfig` (so any point can be rerun, saved or
sent to the main view) plus the swept values that label it. `plan()` makes the grid from a base
configuration, one or more `Axis`es (a parameter and its values, see `value_range`) and optionally
several seeds. An axis sweeps a regularizer's parameter, or the optimizer's when its ``regularizer``
is `OPTIMIZER` (``"optimizer"``): its ``lr`` is the learning rate, any other name one of the
optimizer's declared parameters (``optimizer.lr``, ``optimizer.beta1`` on the command line). `Sweep` trains the points with the one training loop (`Training`), many
models per batch: the points are cut into chunks of a cache-friendly size, each chunk is trained as
one stacked batch, and chunks run in parallel worker processes, one per core. Stacking amortises
NumPy's per-call overhead, which dominates on arrays this small; the processes add the other cores.

`Sweep.steps()` is a generator, like `Training.steps()`: it yields `SweepProgress` (with the points
finished since the last yield) and stops early once its ``cancel`` event is set; `Sweep.result()`
then returns everything. The CLI and the window's worker thread both drive it. Each model's numbers
equal its single run's: batching changes how many models an array holds, not the arithmetic.

A chunk that fails (a regularizer raising, a model diverging) does not stop the sweep: the chunk is
split in halves and retrained until the failure is pinned on single points, whose result then
carries the error message (which names the regularizer); the others finish normally.

Worker processes are spawned (fork is unsafe in a process with Qt or other threads), so a script
that runs a sweep big enough for them needs the usual ``if __name__ == "__main__":`` guard. Workers
never outlive the sweep: cancelled, they stop between two iterations, and one that does not (a
regularizer stuck in a loop) is terminated after `STOP_SECONDS`; and each worker watches its parent,
ending within a second of it however it died (SIGKILL included). A worker's stdout is its stderr, so
plugin code printing in a worker cannot corrupt the parent's output.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import itertools
import math
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any, Iterator, Sequence

import numpy as np

from . import fast
from . import inspect as inspection
from . import limits
from .config import RunConfig
from .data import Dataset
from .errors import ParamError, RegcoreError
from .network import Layout, layer_sizes
from .optimizer import LEARNING_RATE, ActiveOptimizer
from .params import Param
from .regularizer import ActiveRegularizer
from .training import Training

OPTIMIZER = "optimizer"   # an Axis's ``regularizer`` for the optimizer's parameters (``lr``: the learning rate)
MAX_POINTS = 10_000
MAX_CHUNK = 32            # beyond this a batch gains nothing, and progress gets coarse
MIN_CHUNK = 4
KERNEL_CHUNK = 128        # models per batch when the kernel trains them (a few MB of scratch)
CACHE_BYTES = 2 << 20     # one core's L2 here; a chunk's hidden-layer arrays should fit in it
# Below this much estimated work, starting worker processes (about half a second each: Python,
# NumPy and the plugins are imported afresh) costs more than the second core saves.
MIN_PARALLEL_SECONDS = 1.5
SECONDS_PER_UNIT = 7e-9   # measured: a batched model-iteration costs about this per (point x hidden unit)
REPORT_SECONDS = 0.1      # how often the parallel loop looks for progress
STOP_SECONDS = 1.0        # a cancelled worker gets this long to stop by itself before it is terminated
PARENT_POLL_SECONDS = 0.5 # how often a worker checks that the process that started it is still there
# BLAS may not start threads in the workers: one process per core already uses every core.
SINGLE_THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                     "NUMBA_NUM_THREADS": "1"}  # worker processes: one thread each, the processes share the cores


# ---------------------------------------------------------------- what to sweep

def value_range(param: Param, start: float, stop: float, count: int, log: bool = False) -> tuple:
    """``count`` values from ``start`` to ``stop`` (both included), evenly or log-evenly spaced.

    Each value is validated against ``param``; whole-number parameters are rounded (repeats dropped).
    Raises ParamError with one line for a bad range.
    """
    where = f"the range of {param.name}"
    if not param.numeric:
        raise ParamError(f"{param.name} takes {param.allowed()}: only numeric parameters can be swept")
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
        raise ParamError(f"{where}: the count must be a whole number >= 1, got {count!r}")
    if count > MAX_POINTS:
        raise ParamError(f"{where}: the count must be at most {MAX_POINTS:,}, got {count:,}")
    try:
        start, stop = float(start), float(stop)
    except (TypeError, ValueError):
        raise ParamError(f"{where}: start and stop must be numbers, got {start!r} and {stop!r}") from None
    if not (math.isfinite(start) and math.isfinite(stop)):
        raise ParamError(f"{where}: start and stop must be finite, got {start:g} and {stop:g}")
    if log and (start <= 0 or stop <= 0):
        raise ParamError(f"{where}: a log range needs start and stop > 0, got {start:g} and {stop:g}")
    if count == 1 and start != stop:
        raise ParamError(f"{where}: one value cannot span {start:g} to {stop:g}; give a count >= 2")
    values = np.geomspace(start, stop, count) if log else np.linspace(start, stop, count)
    if count > 1:  # exact ends: geomspace and linspace can be an ulp off, and bounds are often ends
        values[0], values[-1] = start, stop
    if param.kind == "int":
        values = list(dict.fromkeys(int(round(v)) for v in values))
    try:
        return tuple(param.validate(float(v) if param.kind == "float" else v) for v in values)
    except ParamError as error:
        raise ParamError(f"{where} goes out of bounds: {error}") from None


def suggested_range(param: Param) -> tuple[float, float, bool]:
    """A sensible (start, stop, log) to offer for ``param``, from its declaration alone."""
    default = float(param.default)
    if param.low is not None and not param.low_open:
        start = float(param.low)
    else:
        start = default / 10 if default > 0 else default - 1
    if param.high is not None and param.high <= 10 * max(abs(default), 1.0):
        stop = float(param.high)
    else:
        stop = max(4 * default, start + 1)
    log = param.log and start > 0
    return start, stop, log


@dataclass(frozen=True)
class Axis:
    """One swept parameter: regularizer ``regularizer``'s ``param`` takes each of ``values``
    (``regularizer`` `OPTIMIZER`: the optimizer's ``param``, ``lr`` being the learning rate).

    ``key`` labels it in results (the CLI uses what the user wrote: ``lambd`` or ``dropout.keep_prob``).
    """

    regularizer: str
    param: str
    values: tuple
    key: str = ""

    @property
    def label(self) -> str:
        return self.key or self.param


@dataclass(frozen=True)
class SweepPoint:
    """One model of a sweep: its complete settings and the swept values that tell it apart."""

    config: RunConfig
    params: dict[str, Any]   # axis label -> value
    # the indices of the training points this model trains on (a bootstrap resample, say); None: all of them.
    # Not part of what tells points apart: the bias-variance lab's B resamples of one setting are one setting.
    sample: np.ndarray | None = field(default=None, compare=False, repr=False)


def plan(base: RunConfig, axes: Sequence[Axis], seeds: Sequence[int] | None = None) -> list[SweepPoint]:
    """Every combination of the axes' values (the first axis varying slowest), for each seed.

    ``base`` gives everything else, including the fixed values of every regularizer and the
    optimizer; an axis's regularizer must be one of ``base.regularizers`` (or `OPTIMIZER`). Without
    ``seeds``, every point uses ``base.seed``.
    """
    names = [name for name, _ in base.regularizers]
    for axis in axes:
        if axis.regularizer not in names and axis.regularizer != OPTIMIZER:
            raise ParamError(f"cannot sweep {axis.regularizer}.{axis.param}: regularizer {axis.regularizer!r} "
                             f"is not used (used: {', '.join(names) or 'none'})")
        if not axis.values:
            raise ParamError(f"the sweep of {axis.label} has no values")
    if len({(a.regularizer, a.param) for a in axes}) != len(axes):
        raise ParamError("a parameter is swept twice; give each parameter one range")
    seeds = tuple(seeds) if seeds else (base.seed,)
    count = math.prod(len(a.values) for a in axes) * len(seeds)
    if count > MAX_POINTS:
        raise ParamError(f"the sweep has {count:,} points; at most {MAX_POINTS:,} are allowed")
    points = []
    for combination in itertools.product(*(axis.values for axis in axes)):
        regularizers = [(name, dict(values)) for name, values in base.regularizers]
        optimizer_values, learning_rate = dict(base.optimizer_values), base.learning_rate
        for axis, value in zip(axes, combination):
            if axis.regularizer != OPTIMIZER:
                regularizers[names.index(axis.regularizer)][1][axis.param] = value
            elif axis.param == LEARNING_RATE.name:
                learning_rate = value
            else:
                optimizer_values[axis.param] = value
        labels = {axis.label: value for axis, value in zip(axes, combination)}
        for seed in seeds:
            points.append(SweepPoint(replace(base, seed=seed, regularizers=tuple(regularizers),
                                             learning_rate=learning_rate, optimizer_values=optimizer_values),
                                     labels))
    return points


# ---------------------------------------------------------------- results

@dataclass(frozen=True)
class PointResult:
    """What one model of the sweep came to. ``error`` is set (and the numbers are NaN) if it failed."""

    point: SweepPoint
    train_accuracy: float
    test_accuracy: float
    final_cost: float
    parameters: np.ndarray | None   # (P,), the model's final weights and biases
    iterations: np.ndarray          # (R,) iterations at which the cost was recorded
    cost: np.ndarray                # (R,) the training objective there
    iterations_done: int
    completed: bool
    error: str | None = None
    weight_norms: tuple[float, ...] = ()    # final ‖W_l‖_F per layer (empty if it failed)
    dead_units: tuple[int, ...] = ()        # final dead ReLU units per hidden layer, on the training points
    stopped_at: int = -1                    # where early stopping stopped it and the iteration whose
    kept_from: int = -1                     # parameters it kept (-1: trained to the end), as in `Result`

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class SweepProgress:
    """What `Sweep.steps()` yields: how far the whole sweep is, and the points finished since last time."""

    done: int                  # model-iterations done
    total: int                 # model-iterations asked for
    seconds: float
    finished: tuple[tuple[int, PointResult], ...]   # (point index, result)

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


@dataclass(frozen=True)
class SweepResult:
    points: list[PointResult | None]   # in plan order; None for a point never started (cancelled)
    layout: Layout
    seconds: float
    jobs: int                          # processes used (1: trained in the calling thread)
    chunk_sizes: tuple[int, ...]
    completed: bool

    @property
    def errors(self) -> list[str]:
        """The distinct error messages, in order of first appearance."""
        return list(dict.fromkeys(p.error for p in self.points if p is not None and p.error))

    def settings(self, points: Sequence[SweepPoint]) -> list[SettingSummary]:
        """Per setting, the mean and spread over its seeds (see `settings_of`)."""
        return settings_of(points, self.points)

    def best(self) -> list[int]:
        """Indices of the finished points with the highest test accuracy (ties all count)."""
        return best_indices([p.test_accuracy if p is not None and p.ok and p.completed else math.nan
                             for p in self.points])


@dataclass(frozen=True)
class SettingSummary:
    """The models of one setting (the same swept values, different seeds), aggregated.

    Means and standard deviations (population, over the seeds) of the finished models; ``finished``
    counts them. With one seed the standard deviations are 0.
    """

    params: dict[str, Any]
    indices: tuple[int, ...]           # the points (in plan order) of this setting
    finished: int
    train_accuracy_mean: float
    train_accuracy_std: float
    test_accuracy_mean: float
    test_accuracy_std: float
    final_cost_mean: float
    final_cost_std: float

    def to_dict(self) -> dict:
        numbers = {name: None if math.isnan(value) else value for name, value in (
            ("train_accuracy_mean", self.train_accuracy_mean), ("train_accuracy_std", self.train_accuracy_std),
            ("test_accuracy_mean", self.test_accuracy_mean), ("test_accuracy_std", self.test_accuracy_std),
            ("final_cost_mean", self.final_cost_mean), ("final_cost_std", self.final_cost_std))}
        return {"params": self.params, "seeds": len(self.indices), "finished": self.finished, **numbers}


def settings_of(points: Sequence[SweepPoint], results: Sequence[PointResult | None]) -> list[SettingSummary]:
    """One `SettingSummary` per distinct setting, in plan order (a setting's seeds are consecutive)."""
    groups: dict[tuple, list[int]] = {}
    for index, point in enumerate(points):
        groups.setdefault(tuple(sorted(point.params.items())), []).append(index)
    summaries = []
    for indices in groups.values():
        done = [results[i] for i in indices if results[i] is not None and results[i].ok and results[i].completed]

        def stats(name):
            values = np.array([getattr(r, name) for r in done], dtype=float)
            return (float(values.mean()), float(values.std())) if values.size else (math.nan, math.nan)

        summaries.append(SettingSummary(dict(points[indices[0]].params), tuple(indices), len(done),
                                        *stats("train_accuracy"), *stats("test_accuracy"), *stats("final_cost")))
    return summaries


def best_setting(summaries: Sequence[SettingSummary]) -> list[int]:
    """Indices (into ``summaries``) of the settings with the highest mean test accuracy."""
    return best_indices([s.test_accuracy_mean for s in summaries])


def best_indices(test_accuracies: Sequence[float]) -> list[int]:
    values = np.asarray(test_accuracies, dtype=float)
    if values.size == 0 or np.all(np.isnan(values)):
        return []
    return [int(i) for i in np.flatnonzero(values == np.nanmax(values))]


# ---------------------------------------------------------------- running

class Sweep:
    """Train ``points`` on ``data``. ``jobs``: worker processes (default: every core); ``chunk``: models
    per batch (default: what fits in cache). Bad settings raise ParamError/PluginError here, before
    anything runs.
    """

    def __init__(self, points: Sequence[SweepPoint], data: Dataset, registry, *, jobs: int | None = None,
                 chunk: int | None = None):
        if not points:
            raise ParamError("a sweep needs at least one point")
        if len(points) > MAX_POINTS:
            raise ParamError(f"the sweep has {len(points):,} points; at most {MAX_POINTS:,} are allowed")
        for label, value in (("jobs", jobs), ("chunk", chunk)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ParamError(f"{label} must be a whole number >= 1, got {value!r}")
        self.points = list(points)
        self.data = data
        first = self.points[0].config
        shared = ("hidden", "iterations", "record_every", "optimizer", "batch_size")
        for point in self.points:
            if any(getattr(point.config, name) != getattr(first, name) for name in shared) or \
                    [n for n, _ in point.config.regularizers] != [n for n, _ in first.regularizers]:
                raise ParamError("the points of a sweep must share the network, iterations, optimizer, batch size "
                                 "and regularizers; only numeric values (the learning rate's too) and seeds may differ")
        _check_samples(self.points, data)
        self.models = [_ModelSpec(p.config.seed, tuple(registry.activate(n, v) for n, v in p.config.regularizers),
                                  p.config.learning_rate,
                                  registry.activate_optimizer(p.config.optimizer, p.config.optimizer_values),
                                  p.sample)
                       for p in self.points]
        _check_shared_choices(self.models)
        self.layout = Layout(layer_sizes(data.X_train.shape[0], first.hidden))
        self.iterations = first.iterations
        # a plugin that refuses these settings (say dropout's course masks with mini-batches) says so now,
        # before anything trains, not once per model as the sweep goes
        compiled = fast.serves(first.build(registry, data))
        self.chunks, self.jobs = _batches(len(self.points), data, first, jobs, chunk, compiled)
        # the batches that train at once (one per process) must fit together, not each on its own
        limits.check_training(data, first.hidden, self.jobs * max(len(c) for c in self.chunks),
                              self.models[0].regularizers)
        self._settings = dict(hidden=first.hidden, iterations=first.iterations, record_every=first.record_every,
                              batch_size=first.batch_size)
        self._results: list[PointResult | None] = [None] * len(self.points)
        self._done = [0] * len(self.chunks)
        self._seconds = 0.0
        self._completed = False

    @property
    def total(self) -> int:
        return len(self.points) * self.iterations

    def steps(self, cancel: threading.Event | None = None) -> Iterator[SweepProgress]:
        """Train every chunk, yielding progress; see the module docstring."""
        cancel = cancel or threading.Event()
        started = time.perf_counter()
        runner = self._in_processes if self.jobs > 1 else self._in_this_thread
        self._completed = False
        try:
            for finished in runner(cancel):
                self._seconds = time.perf_counter() - started
                yield SweepProgress(sum(self._done), self.total, self._seconds, tuple(finished))
        finally:
            self._seconds = time.perf_counter() - started
        self._completed = not cancel.is_set()

    def run(self, cancel: threading.Event | None = None) -> SweepResult:
        for _ in self.steps(cancel):
            pass
        return self.result()

    def result(self) -> SweepResult:
        return SweepResult(list(self._results), self.layout, self._seconds, self.jobs,
                           tuple(len(c) for c in self.chunks), self._completed)

    def _task(self, index: int) -> "_Task":
        return _Task(self.data, self._settings, [self.models[i] for i in self.chunks[index]])

    def _finish(self, index: int, outcomes: list["_Outcome"]) -> list[tuple[int, PointResult]]:
        finished = []
        for point_index, outcome in zip(self.chunks[index], outcomes):
            if outcome is None:  # cancelled before it started
                continue
            result = PointResult(self.points[point_index], **vars(outcome))
            self._results[point_index] = result
            finished.append((point_index, result))
        # a failed model is done too; a cancelled one got as far as it got; one never started, nowhere
        self._done[index] = sum(0 if o is None else self.iterations if o.error else o.iterations_done
                                for o in outcomes)
        return finished

    def _in_this_thread(self, cancel: threading.Event) -> Iterator[list]:
        for index in range(len(self.chunks)):
            if cancel.is_set():
                return
            training = _train_chunk(self._task(index), cancel)
            while True:
                try:
                    self._done[index] = max(self._done[index], next(training))
                except StopIteration as stop:
                    yield self._finish(index, stop.value)
                    break
                yield []

    def _in_processes(self, cancel: threading.Event) -> Iterator[list]:
        context = multiprocessing.get_context("spawn")  # fork is unsafe under Qt and other threads
        reports, stop = context.Queue(), context.Event()
        pool = concurrent.futures.ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_init_worker,
                                                      initargs=(reports, stop, os.getpid()))
        workers: dict[int, Any] = {}  # every worker process seen, kept to say how a dead one ended
        futures: dict[concurrent.futures.Future, int] = {}
        collected: set[concurrent.futures.Future] = set()
        try:
            with _single_threaded_blas():  # spawned children inherit the environment as it is now
                futures = {pool.submit(_work, index, self._task(index)): index for index in range(len(self.chunks))}
            pending = set(futures)
            while pending:
                workers.update(getattr(pool, "_processes", None) or {})
                done, pending = concurrent.futures.wait(pending, timeout=REPORT_SECONDS,
                                                        return_when=concurrent.futures.FIRST_COMPLETED)
                if cancel.is_set():
                    stop.set()
                _drain(reports, self._done)
                finished = []
                for future in done:
                    index = futures[future]
                    finished += self._finish(index, _outcome_of(future, len(self.chunks[index]), workers))
                    collected.add(future)
                yield finished
        finally:
            # Done, cancelled, Ctrl-C or a closed generator: no worker may linger, not even one whose
            # regularizer hangs or whose plugin left a thread running (which blocks a worker's exit).
            stop.set()
            workers.update(getattr(pool, "_processes", None) or {})
            pool.shutdown(wait=False, cancel_futures=True)
            _end_processes(list(workers.values()), STOP_SECONDS)
            pool.shutdown(wait=True, cancel_futures=True)
            reports.close()
            reports.join_thread()
            # chunks that finished while we were stopping (their results were on the way): keep them
            for future, index in futures.items():
                if future not in collected and future.done() and not future.cancelled() and future.exception() is None:
                    self._finish(index, future.result())


def _end_processes(processes: list, grace: float) -> None:
    """Give ``processes`` ``grace`` seconds to end by themselves, then terminate (and if need be kill) them."""
    from multiprocessing.connection import wait

    def alive(items):
        try:
            ready = set(wait([p.sentinel for p in items], timeout=0))
        except (ValueError, OSError):  # a process already closed: it ended
            return [p for p in items if p.is_alive()]
        return [p for p in items if p.sentinel not in ready]

    deadline = time.monotonic() + grace
    remaining = alive(processes)
    while remaining and time.monotonic() < deadline:
        time.sleep(0.02)
        remaining = alive(remaining)
    for ending in (lambda p: p.terminate(), lambda p: p.kill()):
        for process in remaining:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                ending(process)
        wait_until = time.monotonic() + 1.0
        while remaining and time.monotonic() < wait_until:
            time.sleep(0.02)
            remaining = alive(remaining)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _batches(count: int, data: Dataset, config: RunConfig, jobs: int | None,
             chunk: int | None, compiled: bool = False) -> tuple[list[list[int]], int]:
    """Split point indices into batches, as large as the cache allows and at least one per process;
    and choose how many processes to use (1: train in the calling thread). ``compiled``: the kernel
    serves these runs (`regcore.fast.serves`), spreading a batch's models over the cores itself, so by
    default one process trains batches of up to `KERNEL_CHUNK` (each model's scratch is its own)."""
    points = data.X_train.shape[1] if config.batch_size is None else min(config.batch_size, data.X_train.shape[1])
    units = points * sum(config.hidden)  # activation entries of a model
    if compiled and jobs is None:
        jobs, chunk = 1, chunk or KERNEL_CHUNK
    if chunk is None:
        # activations, their gradients and a regularizer's scratch: about three float arrays of them
        chunk = min(MAX_CHUNK, max(MIN_CHUNK, CACHE_BYTES // (3 * 8 * units)))
    if jobs is None:
        estimated = count * config.iterations * (units + 300) * SECONDS_PER_UNIT
        jobs = _cores() if estimated >= MIN_PARALLEL_SECONDS else 1
    batches = max(math.ceil(count / chunk), min(jobs, count))
    size = math.ceil(count / batches)
    chunks = [list(range(start, min(start + size, count))) for start in range(0, count, size)]
    return chunks, min(jobs, len(chunks))


def _check_shared_choices(models: list["_ModelSpec"]) -> None:
    """Only numbers can differ between the models of a batch; choices and switches are per batch."""
    first = (*models[0].regularizers, models[0].optimizer)
    for model in models[1:]:
        for a, b in zip(first, (*model.regularizers, model.optimizer)):
            for name, value in a.values.items():
                if isinstance(value, (str, bool)) and b.values[name] != value:
                    raise ParamError(f"the points of a sweep must share {a.cls.name}'s {name} "
                                     f"({value!r} and {b.values[name]!r}); only numbers can be swept")


def _check_samples(points: list[SweepPoint], data: Dataset) -> None:
    """Either every point has a ``sample`` or none does, all of one size, indexing the training points."""
    samples = [p.sample for p in points]
    if all(s is None for s in samples):
        return
    if any(s is None for s in samples):
        raise ParamError("either every point of a sweep has a training sample or none does")
    examples = data.X_train.shape[1]
    for sample in samples:
        sample = np.asarray(sample)
        if sample.ndim != 1 or sample.dtype.kind not in "iu" or len(sample) != len(samples[0]) or not len(sample):
            raise ParamError("the training samples of a sweep's points must be integer index arrays of one size")
        if sample.min() < 0 or sample.max() >= examples:
            raise ParamError(f"a training sample must index the {examples} training points")


_ENV_LOCK = threading.Lock()


@contextlib.contextmanager
def _single_threaded_blas():
    with _ENV_LOCK:
        saved = {name: os.environ.get(name) for name in SINGLE_THREAD_ENV}
        os.environ.update(SINGLE_THREAD_ENV)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


# ---------------------------------------------------------------- one chunk (in a worker or in this thread)

@dataclass(frozen=True)
class _ModelSpec:
    seed: int
    regularizers: tuple[ActiveRegularizer, ...]   # with this model's (scalar) values
    learning_rate: float
    optimizer: ActiveOptimizer                    # with this model's (scalar) values
    sample: np.ndarray | None = None              # this model's training points (None: all)


@dataclass(frozen=True)
class _Task:
    data: Dataset
    settings: dict
    models: list[_ModelSpec]


@dataclass(frozen=True)
class _Outcome:
    """A `PointResult` without its point: what travels back from a worker."""

    train_accuracy: float
    test_accuracy: float
    final_cost: float
    parameters: np.ndarray | None
    iterations: np.ndarray
    cost: np.ndarray
    iterations_done: int
    completed: bool
    error: str | None = None
    weight_norms: tuple[float, ...] = ()
    dead_units: tuple[int, ...] = ()
    stopped_at: int = -1
    kept_from: int = -1


REPORT_ITERATIONS = 500


def _train_chunk(task: _Task, cancel, models: list[_ModelSpec] | None = None, before: int = 0):
    """Train ``models`` (default: the task's) as one batch; yields model-iterations done, returns outcomes.

    If the batch fails, its halves are trained separately, down to single models, so only the
    models that fail themselves carry the error. ``before`` is the work done by earlier batches.
    """
    models = task.models if models is None else models
    iterations = task.settings["iterations"]
    if cancel.is_set():
        return [None] * len(models)
    try:
        training = Training(task.data, seeds=[m.seed for m in models], **task.settings,
                            regularizers=[_stacked([m.regularizers[i] for m in models])
                                          for i in range(len(models[0].regularizers))],
                            learning_rate=tuple(m.learning_rate for m in models),
                            optimizer=_stacked([m.optimizer for m in models]),
                            samples=None if models[0].sample is None else np.stack([m.sample for m in models]))
        for progress in training.steps(report_every=REPORT_ITERATIONS, cancel=cancel):
            yield before + progress.iteration * len(models)
        result = training.result()
    except RegcoreError as error:
        if len(models) == 1:  # a TrainingError knows how far the model got
            return [_failed(str(error), getattr(error, "iteration", 0))]
        half = len(models) // 2
        first = yield from _train_chunk(task, cancel, models[:half], before)
        second = yield from _train_chunk(task, cancel, models[half:], before + half * iterations)
        return first + second
    history = result.history
    norms = inspection.weight_norms(result.parameters, result.layout)
    dead = inspection.dead_units(result.parameters, result.layout, training.train_X)  # each on its own points
    return [_Outcome(float(result.train_accuracy[k]), float(result.test_accuracy[k]), float(result.final_cost[k]),
                     result.parameters[k], history["iterations"], history["cost"][:, k].copy(),
                     result.iterations_done, result.completed,
                     weight_norms=tuple(float(v) for v in norms[k]),
                     dead_units=tuple(int(layer[k].sum()) for layer in dead),
                     stopped_at=int(result.stopped_at[k]), kept_from=int(result.kept_from[k])) for k in range(len(models))]


def _stacked(per_model: list):
    """One regularizer (or optimizer) of a batch from its per-model copies: each numeric value becomes a
    tuple with one entry per model; choices and switches are the batch's (see `_check_shared_choices`)."""
    first = per_model[0]
    values = {name: value if isinstance(value, (str, bool)) else tuple(one.values[name] for one in per_model)
              for name, value in first.values.items()}
    return replace(first, values=values)


def _failed(message: str, iterations_done: int = 0) -> _Outcome:
    return _Outcome(math.nan, math.nan, math.nan, None, np.zeros(0, dtype=np.int64), np.zeros(0), int(iterations_done),
                    False, message)


# ---------------------------------------------------------------- worker processes

_reports = None
_stop = None


def _init_worker(reports, stop, parent: int) -> None:
    global _reports, _stop
    _reports, _stop = reports, stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it cancels cleanly
    with contextlib.suppress(OSError, ValueError, AttributeError):  # stdout is the parent's: plugins print to stderr
        sys.stdout.flush()
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _die_with_parent()
    threading.Thread(target=_watch_parent, args=(parent,), name="regcore-parent-watch", daemon=True).start()


def _die_with_parent() -> None:
    """Linux: have the kernel send SIGKILL to this worker when its parent dies (the watchdog is the fallback)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)


def _watch_parent(parent: int) -> None:
    """End this worker once the sweep's process is gone: an orphan would compute, then wait forever."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def _work(index: int, task: _Task) -> list[_Outcome]:
    """A worker's job: train one chunk, sending (chunk, work done) to the parent as it goes."""
    training = _train_chunk(task, _stop)
    while True:
        try:
            _reports.put((index, next(training)))
        except StopIteration as stop:
            return stop.value


def _drain(reports, done: list[int]) -> None:
    while True:
        try:
            index, amount = reports.get_nowait()
        except queue.Empty:
            return
        done[index] = max(done[index], amount)


def _outcome_of(future, count: int, workers: dict | None = None) -> list[_Outcome]:
    try:
        return future.result()
    except concurrent.futures.process.BrokenProcessPool:
        return [_failed(_worker_death(list((workers or {}).values())))] * count
    except concurrent.futures.CancelledError:
        return [None] * count
    except Exception as error:  # a bug must not take the sweep down; say what it was
        return [_failed(f"{type(error).__name__}: {error}")] * count


def _worker_death(processes: list, wait: float = 1.0) -> str:
    """What is known of how a worker died: its exit status or signal, from the processes seen.

    The pool reaps its processes in its own thread, so their statuses may take a moment to appear.
    """
    deadline = time.monotonic() + wait
    while True:
        codes = []
        for process in processes:
            with contextlib.suppress(ValueError, AttributeError):
                codes.append(process.exitcode)
        # when one worker dies, the pool terminates the others (SIGTERM): those are not the news
        telling = [c for c in codes if c not in (None, 0, -signal.SIGTERM)]
        if telling or None not in codes or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    telling = telling or [c for c in codes if c not in (None, 0)]
    if not telling:
        return "a sweep worker process died unexpectedly"
    code = telling[0]
    if code > 0:
        return f"a sweep worker process exited unexpectedly with status {code}"
    name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else f"signal {-code}"
    hint = " (out of memory?)" if code == -signal.SIGKILL else ""
    return f"a sweep worker process was killed by {name}{hint}"
