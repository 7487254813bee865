"""A single run's settings, as people give them: data source, network, training, optimizer and
regularizers by name.

`RunConfig` is what the CLI parses, the window edits, experiments save and sweeps vary; `build()`
turns it into a `Training` using the plugin registry. Parsing of ``NAME:key=value,...`` lives here.

The learning rate is one setting, `RunConfig.learning_rate`, whatever the optimizer. On the command
line ``--optimizer NAME:lr=X`` is another way to write ``--lr X`` (`parse_optimizer` hands the ``lr``
back separately, and giving both is refused), so a config never holds two learning rates.
"""

from __future__ import annotations

import hashlib
import math
import numbers
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

import numpy as np

from . import defaults
from .data import Dataset
from .errors import ParamError
from .optimizer import LEARNING_RATE
from .params import ALL_LAYERS, LAYERS, parse_assignments, parse_given, resolve
from .schedule import Change, Schedule
from .training import Training

MAX_HIDDEN_UNITS = 1024
MAX_ITERATIONS = 100_000_000
MAX_RECORDS = 1_000_000  # cost records kept in memory (~450 bytes each): bounds a run's memory

# The notebook's comparison: (name, regularizers) of its three runs. On the course's own data the
# dropout run uses the course's fixed masks, which is what reproduces its printed numbers.
NOTEBOOK_RUNS = (("none", ()), ("l2", (("l2", {"lambd": 0.7}),)),
                 ("dropout", (("dropout", {"keep_prob": 0.86, "mask": "course"}),)))
# SHA-256 of the course's football data as loaded (X_train, Y_train, X_test, Y_test as float64 bytes):
# recognises the course's file without shipping it.
COURSE_DATA_SHA256 = "6d7306196c3bdeb9690261c31accf8dac21ab91e9aac794d8f357ac1e8cd2873"


def is_course_data(data: Dataset) -> bool:
    """Whether ``data`` is the course's football data set (by a fingerprint of its arrays)."""
    digest = hashlib.sha256()
    for array in (data.X_train, data.Y_train, data.X_test, data.Y_test):
        digest.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
    return digest.hexdigest() == COURSE_DATA_SHA256


def notebook_runs(data: Dataset) -> tuple:
    """The notebook's comparison for ``data``: on the course's own data exactly `NOTEBOOK_RUNS`; on any
    other data dropout draws fresh masks, since the course's fixed masks are one arbitrary draw that
    stands for dropout only on the data they were drawn for (on other data they can make dropout look
    worse than no regularization)."""
    if is_course_data(data):
        return NOTEBOOK_RUNS
    return tuple((name, tuple((reg, {**values, "mask": "fresh"} if reg == "dropout" else values)
                              for reg, values in regularizers)) for name, regularizers in NOTEBOOK_RUNS)


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines a run (with the data set) and so its results."""

    hidden: tuple[int, ...] = defaults.HIDDEN
    learning_rate: float = defaults.LEARNING_RATE
    iterations: int = defaults.ITERATIONS
    seed: int = defaults.SEED
    record_every: int = defaults.RECORD_EVERY
    regularizers: tuple[tuple[str, dict[str, Any]], ...] = ()
    data: str | None = None  # the SOURCE it was given, None = the default data set
    optimizer: str = defaults.OPTIMIZER
    optimizer_values: Mapping[str, Any] = field(default_factory=dict)  # the optimizer's params (not lr)
    batch_size: int | None = None  # points per iteration; None = the whole training set
    changes: tuple[Change, ...] = ()  # settings changed mid-run (regcore.schedule), in the order they apply

    def __post_init__(self):
        check_training_settings(self.hidden, self.learning_rate, self.iterations, self.seed, self.record_every)
        _check_regularizer_pairs(self.regularizers)
        if not isinstance(self.optimizer, str) or not isinstance(self.optimizer_values, Mapping):
            raise ParamError(f"the optimizer must be a name with {{parameter: value}}, got "
                             f"{self.optimizer!r} and {self.optimizer_values!r}"[:300])
        if self.batch_size is not None and (not _whole(self.batch_size) or self.batch_size < 1):
            raise ParamError(f"batch size must be a whole number >= 1, got {self.batch_size!r}")
        if self.data is not None and not isinstance(self.data, str):
            raise ParamError(f"the data source must be text (a file or a generator), got {self.data!r}"[:300])
        # NumPy numbers (a sweep's values) pass the checks; keep plain ones so configs compare and save alike
        plain = dict(hidden=tuple(int(h) for h in self.hidden), learning_rate=float(self.learning_rate),
                     iterations=int(self.iterations), seed=int(self.seed), record_every=int(self.record_every),
                     regularizers=tuple(self.regularizers), optimizer_values=dict(self.optimizer_values),
                     batch_size=None if self.batch_size is None else int(self.batch_size), changes=tuple(self.changes))
        if not all(isinstance(change, Change) for change in plain["changes"]):
            raise ParamError(f"changes must be regcore.schedule.Change objects, got {self.changes!r}"[:300])
        Schedule(plain["changes"]).check(plain["learning_rate"], plain["regularizers"], plain["iterations"],
                                         self.optimizer)
        for name, value in plain.items():
            object.__setattr__(self, name, value)

    def build(self, registry, data: Dataset, seeds=None, data_changes=()) -> Training:
        """The run on ``data``; ``data_changes``: (iteration, Dataset) it trains on from then on (edited data)."""
        active = [registry.activate(name, values) for name, values in self.regularizers]
        schedule = Schedule(self.changes)
        changes = []
        for iteration in dict.fromkeys(change.iteration for change in self.changes):
            rate, regularizers = schedule.settings_at(iteration, self.learning_rate, self.regularizers)
            optimizer = (registry.activate_optimizer(self.optimizer, schedule.optimizer_at(
                iteration, self.optimizer_values)).values  # only where it changes
                if any(c.kind == "optimizer" for c in schedule.at(iteration)) else None)
            changes.append((iteration, rate, [registry.activate(name, values) for name, values in regularizers],
                            optimizer))
        return Training(data, hidden=self.hidden, learning_rate=self.learning_rate, iterations=self.iterations,
                        seeds=seeds or (self.seed,), regularizers=active, record_every=self.record_every,
                        optimizer=registry.activate_optimizer(self.optimizer, self.optimizer_values),
                        batch_size=self.batch_size, changes=changes, data_changes=data_changes)

    def to_dict(self) -> dict:
        """JSON-ready: ``optimizer`` is ``{"name", "params"}`` like each regularizer; ``batch_size`` null
        means the whole training set."""
        out = asdict(self)
        out["hidden"] = list(self.hidden)
        out["regularizers"] = [{"name": n, "params": dict(v)} for n, v in self.regularizers]
        out["changes"] = [change.to_dict() for change in self.changes]
        out["optimizer"] = {"name": self.optimizer, "params": dict(self.optimizer_values)}
        del out["optimizer_values"]
        return out

    @classmethod
    def from_dict(cls, raw: dict) -> "RunConfig":
        """The inverse of `to_dict`; malformed input (e.g. from a damaged file) raises ParamError.

        Settings saved before optimizers and mini-batches existed (no ``optimizer``, no ``batch_size``)
        mean what they meant then: gradient descent on the whole training set.
        """
        try:
            optimizer = raw.get("optimizer") or {"name": "gd", "params": {}}
            return cls(hidden=tuple(raw["hidden"]), learning_rate=raw["learning_rate"],
                       iterations=raw["iterations"], seed=raw["seed"], record_every=raw["record_every"],
                       regularizers=tuple((r["name"], dict(r["params"])) for r in raw["regularizers"]),
                       data=raw.get("data"), optimizer=optimizer["name"],
                       optimizer_values=dict(optimizer["params"]), batch_size=raw.get("batch_size"),
                       changes=tuple(Change.from_dict(c) for c in raw.get("changes", ())))
        except KeyError as error:
            raise ParamError(f"settings lack {error.args[0]!r}") from None
        except (TypeError, ValueError, AttributeError) as error:
            raise ParamError(f"settings are malformed ({error})") from None

    def describe_regularizers(self) -> str:
        """``l2(lambd=0.7) + dropout(keep_prob=0.86, mask=course)``, or ``none``."""
        if not self.regularizers:
            return "none"
        return " + ".join(_describe(n, p) for n, p in self.regularizers)



def _describe(name: str, values: Mapping[str, Any]) -> str:
    """``name(k=v, ...)``; a layer selection of every layer (``layers=all``, the usual) goes unsaid."""
    values = {k: v for k, v in values.items() if not (k == LAYERS.name and v == ALL_LAYERS)}
    return f"{name}({', '.join(f'{k}={v:g}' if isinstance(v, float) else f'{k}={v}' for k, v in values.items())})" \
        if values else name


def check_training_settings(hidden, learning_rate, iterations, seed, record_every) -> None:
    """Refuse impossible settings with one line saying what is allowed."""
    if not isinstance(hidden, (tuple, list)) or not hidden \
            or not all(_whole(h) and 1 <= h <= MAX_HIDDEN_UNITS for h in hidden):
        shown = list(hidden) if isinstance(hidden, (tuple, list)) else repr(hidden)
        raise ParamError(f"hidden layer sizes must be whole numbers from 1 to {MAX_HIDDEN_UNITS}, got {shown}")
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real) \
            or not math.isfinite(learning_rate) or learning_rate <= 0:
        raise ParamError(f"learning rate must be a finite number > 0, got {learning_rate!r}")
    for name, value, low in (("iterations", iterations, 1), ("record every", record_every, 1), ("seed", seed, 0)):
        if not _whole(value) or value < low:
            raise ParamError(f"{name} must be a whole number >= {low}, got {value!r}")
    if iterations > MAX_ITERATIONS:
        raise ParamError(f"iterations must be at most {MAX_ITERATIONS:,}, got {iterations:,}")
    if seed > 2**32 - 1:
        raise ParamError(f"seed must be below 2**32, got {seed}")
    records = (iterations - 1) // record_every + 1
    if records > MAX_RECORDS:
        raise ParamError(f"recording the cost every {record_every:,} of {iterations:,} iterations would keep "
                         f"{records:,} records; at most {MAX_RECORDS:,} (record less often)")


def _whole(value) -> bool:
    """An int or NumPy integer, but not a bool (True is not a layer size)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_regularizer_pairs(regularizers) -> None:
    if not isinstance(regularizers, (tuple, list)) or not all(
            isinstance(pair, (tuple, list)) and len(pair) == 2 and isinstance(pair[0], str)
            and isinstance(pair[1], Mapping) for pair in regularizers):
        raise ParamError(f"regularizers must be (name, {{parameter: value}}) pairs, got {regularizers!r}"[:300])


def parse_regularizer(text: str, registry) -> tuple[str, dict[str, Any]]:
    """``"dropout:keep_prob=0.8,mask=course"`` -> ("dropout", {"keep_prob": 0.8, "mask": "course"})."""
    name, _, options = text.partition(":")
    entry = registry.regularizer(name.strip())
    return entry.obj.name, parse_assignments(options, entry.obj.params, f"regularizer {entry.obj.name!r}")


def parse_optimizer(text: str, registry) -> tuple[str, dict[str, Any], float | None]:
    """``"adam:lr=0.01,beta1=0.8"`` -> ("adam", {"beta1": 0.8, "beta2": 0.999, "eps": 1e-08}, 0.01).

    The third item is the learning rate if ``lr`` was given (None otherwise): it belongs in
    `RunConfig.learning_rate`, not among the optimizer's values.
    """
    name, _, options = text.partition(":")
    entry = registry.optimizer(name.strip())
    owner = f"optimizer {entry.obj.name!r}"
    given = parse_given(options, (LEARNING_RATE, *entry.obj.params), owner)
    learning_rate = given.pop(LEARNING_RATE.name, None)
    return entry.obj.name, resolve(entry.obj.params, given, owner), learning_rate


def parse_regularizers(texts, registry) -> list[tuple[str, dict[str, Any]]]:
    """Every ``--reg`` of a command line, parsed; a regularizer named twice is refused (``--reg l2 --reg l2``
    would silently double the penalty: guessing what was meant would hide the slip)."""
    regularizers = [parse_regularizer(text, registry) for text in texts]
    names = [name for name, _ in regularizers]
    twice = next((name for name in names if names.count(name) > 1), None)
    if twice:
        raise ParamError(f"regularizer {twice!r} is given twice; give each regularizer once, with all its values")
    if "none" in names and len(names) > 1:
        raise ParamError("'none' means no regularization: give it alone, or leave it out and give the others")
    return regularizers


def parse_hidden(text: str) -> tuple[int, ...]:
    """``"20,3"`` -> (20, 3). Empty text is refused as empty, not read as a size."""
    if not text.strip():
        raise ParamError("the hidden layer sizes are empty: give one or more whole numbers separated by commas, "
                         "like 20,3")
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise ParamError(f"hidden sizes must be whole numbers separated by commas, like 20,3; got {text!r}") from None
    check_training_settings(sizes, 1.0, 1, 0, 1)
    return sizes


