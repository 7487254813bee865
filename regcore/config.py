"""A single run's settings, as people give them: data source, network, training, regularizers by name.

`RunConfig` is what the CLI parses, the window edits, experiments save and sweeps vary; `build()`
turns it into a `Training` using the plugin registry. Parsing of ``NAME:key=value,...`` lives here.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from .data import Dataset
from .errors import ParamError
from .params import parse_assignments
from .training import Training

MAX_HIDDEN_UNITS = 1024
MAX_ITERATIONS = 100_000_000


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines a run (with the data set) and so its results."""

    hidden: tuple[int, ...] = (20, 3)
    learning_rate: float = 0.3
    iterations: int = 30000
    seed: int = 3
    record_every: int = 1000
    regularizers: tuple[tuple[str, dict[str, Any]], ...] = ()
    data: str | None = None  # the SOURCE it was given, None = the default data set

    def __post_init__(self):
        check_training_settings(self.hidden, self.learning_rate, self.iterations, self.seed, self.record_every)

    def build(self, registry, data: Dataset, seeds=None) -> Training:
        active = [registry.activate(name, values) for name, values in self.regularizers]
        return Training(data, hidden=self.hidden, learning_rate=self.learning_rate, iterations=self.iterations,
                        seeds=seeds or (self.seed,), regularizers=active, record_every=self.record_every)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["hidden"] = list(self.hidden)
        out["regularizers"] = [{"name": n, "params": dict(v)} for n, v in self.regularizers]
        return out

    @classmethod
    def from_dict(cls, raw: dict) -> "RunConfig":
        return cls(hidden=tuple(raw["hidden"]), learning_rate=raw["learning_rate"], iterations=raw["iterations"],
                   seed=raw["seed"], record_every=raw["record_every"],
                   regularizers=tuple((r["name"], dict(r["params"])) for r in raw["regularizers"]),
                   data=raw.get("data"))

    def describe_regularizers(self) -> str:
        """``l2(lambd=0.7) + dropout(keep_prob=0.86, mask=course)``, or ``none``."""
        if not self.regularizers:
            return "none"
        return " + ".join(f"{n}({', '.join(f'{k}={v:g}' if isinstance(v, float) else f'{k}={v}' for k, v in p.items())})"
                          if p else n for n, p in self.regularizers)


def check_training_settings(hidden, learning_rate, iterations, seed, record_every) -> None:
    """Refuse impossible settings with one line saying what is allowed."""
    if not hidden or not all(isinstance(h, int) and not isinstance(h, bool) and 1 <= h <= MAX_HIDDEN_UNITS
                             for h in hidden):
        raise ParamError(f"hidden layer sizes must be whole numbers from 1 to {MAX_HIDDEN_UNITS}, got {list(hidden)}")
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)) \
            or not math.isfinite(learning_rate) or learning_rate <= 0:
        raise ParamError(f"learning rate must be a finite number > 0, got {learning_rate!r}")
    for name, value, low in (("iterations", iterations, 1), ("record every", record_every, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ParamError(f"{name} must be a whole number >= {low}, got {value!r}")
    if iterations > MAX_ITERATIONS:
        raise ParamError(f"iterations must be at most {MAX_ITERATIONS:,}, got {iterations:,}")
    if seed > 2**32 - 1:
        raise ParamError(f"seed must be below 2**32, got {seed}")


def parse_regularizer(text: str, registry) -> tuple[str, dict[str, Any]]:
    """``"dropout:keep_prob=0.8,mask=course"`` -> ("dropout", {"keep_prob": 0.8, "mask": "course"})."""
    name, _, options = text.partition(":")
    entry = registry.regularizer(name.strip())
    return entry.obj.name, parse_assignments(options, entry.obj.params, f"regularizer {entry.obj.name!r}")


def parse_hidden(text: str) -> tuple[int, ...]:
    """``"20,3"`` -> (20, 3)."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise ParamError(f"hidden sizes must be whole numbers separated by commas, like 20,3; got {text!r}") from None
    check_training_settings(sizes, 1.0, 1, 0, 1)
    return sizes


