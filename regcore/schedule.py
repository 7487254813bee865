"""Changes made during a run, as a schedule: at iteration ITER, set the learning rate, a regularizer's
or the optimizer's value, or switch a regularizer on or off.

A teacher turning λ up while the network trains makes a change; the run records it, so the same run
can be replayed headless with ``regcore train --change ITER:KEY=VALUE`` (repeatable):

- ``10000:lr=0.1`` — the learning rate from iteration 10,000 on;
- ``10000:l2.lambd=0.1`` — regularizer ``l2``'s parameter ``lambd`` (the regularizer must be in use);
- ``10000:adam.beta1=0.8`` — the optimizer's parameter (it must be the run's optimizer; its state,
  velocities and moment estimates, goes on);
- ``5000:+dropout`` or ``5000:+dropout:keep_prob=0.8`` — switch a regularizer on (defaults fill the gaps);
- ``20000:-l2`` — switch it off.

A change at iteration ITER takes effect before ITER's forward pass, from the weights the run has
then. `Schedule` checks a whole list against the run's starting settings before anything trains,
by playing it through (`settings_at`), so a change to a regularizer that is not in use at that
point is refused up front with one line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .errors import ParamError
from .params import parse_assignments


KINDS = ("lr", "param", "on", "off", "optimizer")


@dataclass(frozen=True)
class Change:
    """One scheduled change. ``kind`` is ``lr``, ``param``, ``on``, ``off`` or ``optimizer`` (a parameter of it)."""

    iteration: int
    kind: str
    regularizer: str = ""          # for param / on / off
    param: str = ""                # for param
    value: Any = None              # the new learning rate or parameter value
    values: tuple = ()             # for on: (key, value) pairs given with it
    optimizer: str = ""            # for optimizer: its name (param and value say what changes)

    def describe(self) -> str:
        """The change as ``--change`` takes it: ``10000:l2.lambd=0.1``."""
        if self.kind == "lr":
            what = f"lr={self.value:g}"
        elif self.kind in ("param", "optimizer"):
            what = f"{self.optimizer or self.regularizer}.{self.param}={_text(self.value)}"
        elif self.kind == "on":
            options = ",".join(f"{k}={_text(v)}" for k, v in self.values)
            what = f"+{self.regularizer}" + (f":{options}" if options else "")
        else:
            what = f"-{self.regularizer}"
        return f"{self.iteration}:{what}"

    def to_dict(self) -> dict:
        return {"iteration": self.iteration, "kind": self.kind, "regularizer": self.regularizer, "param": self.param,
                "value": self.value, "values": [list(pair) for pair in self.values], "optimizer": self.optimizer}

    @classmethod
    def from_dict(cls, raw: dict) -> "Change":
        """The inverse of `to_dict` (values are checked when the run is built); malformed input raises ParamError."""
        try:
            change = cls(int(raw["iteration"]), str(raw["kind"]), str(raw.get("regularizer", "")),
                         str(raw.get("param", "")), raw.get("value"),
                         tuple((str(k), v) for k, v in raw.get("values", ())), str(raw.get("optimizer", "")))
        except (KeyError, TypeError, ValueError) as error:
            raise ParamError(f"a scheduled change is malformed ({error})") from None
        if change.kind not in KINDS:
            raise ParamError(f"a scheduled change has kind {change.kind!r}; expected one of {', '.join(KINDS)}")
        return change


def _text(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def parse_change(text: str, registry) -> Change:
    """``ITER:KEY=VALUE``, ``ITER:+NAME[:k=v,...]`` or ``ITER:-NAME``, validated against the registry.
    In ``NAME.PARAM`` a regularizer's name comes first; an optimizer's otherwise."""
    where, sep, what = text.strip().partition(":")
    hint = "write ITER:lr=VALUE, ITER:NAME.PARAM=VALUE, ITER:+NAME or ITER:-NAME, e.g. 10000:l2.lambd=0.1"
    if not sep or not what.strip():
        raise ParamError(f"--change {text!r}: {hint}")
    try:
        iteration = int(where)
    except ValueError:
        raise ParamError(f"--change {text!r}: ITER must be a whole number, got {where!r}") from None
    if iteration < 0:
        raise ParamError(f"--change {text!r}: ITER must be >= 0")
    what = what.strip()
    if what[0] in "+-":
        name, _, options = what[1:].partition(":")
        entry = registry.regularizer(name.strip())
        if entry.obj.name == "none":
            raise ParamError(f"--change {text!r}: 'none' is the absence of regularizers, nothing to switch on or "
                             f"off: switch the regularizers themselves (ITER:-l2)")
        if what[0] == "-":
            if options:
                raise ParamError(f"--change {text!r}: switching a regularizer off takes no values")
            return Change(iteration, "off", entry.obj.name)
        given = parse_assignments(options, entry.obj.params, f"regularizer {entry.obj.name!r}")
        return Change(iteration, "on", entry.obj.name, values=tuple(given.items()))
    key, eq, value = what.partition("=")
    key = key.strip()
    if not eq:
        raise ParamError(f"--change {text!r}: {hint}")
    if key == "lr":
        try:
            rate = float(value)
        except ValueError:
            rate = math.nan
        if not (math.isfinite(rate) and rate > 0):
            raise ParamError(f"--change {text!r}: the learning rate must be a finite number > 0")
        return Change(iteration, "lr", value=rate)
    name, dot, param = key.partition(".")
    if not dot:
        raise ParamError(f"--change {text!r}: KEY is lr or NAME.PARAM (like l2.lambd), got {key!r}")
    name = name.strip()
    if name == "optimizer" and name not in registry.regularizers:
        raise ParamError(f"--change {text!r}: name the run's optimizer, e.g. {iteration}:adam.{param or 'beta1'}="
                         f"{value.strip() or '0.8'} ('optimizer.KEY' is how sweep --param spells it)")
    is_optimizer = name not in registry.regularizers and name in registry.optimizers
    entry = registry.optimizer(name) if is_optimizer else registry.regularizer(name)
    params = {p.name: p for p in entry.obj.params}
    if param not in params:
        raise ParamError(f"--change {text!r}: {'optimizer' if is_optimizer else 'regularizer'} {entry.obj.name!r} "
                         f"has no parameter {param!r} (it has {', '.join(params) or 'no parameters'})")
    try:
        parsed = params[param].parse(value)
    except ParamError as error:  # say which change holds the value
        raise ParamError(f"--change {text!r}: {error}") from None
    if is_optimizer:
        return Change(iteration, "optimizer", param=param, value=parsed, optimizer=entry.obj.name)
    return Change(iteration, "param", entry.obj.name, param, parsed)


def apply(change: Change, learning_rate: float, regularizers: tuple) -> tuple[float, tuple]:
    """The settings after ``change``: (learning rate, ((name, values), ...)). Raises ParamError if it
    does not fit them (a regularizer not in use, or already in use)."""
    names = [name for name, _ in regularizers]
    if change.kind == "optimizer":  # the optimizer's values are played through by `Schedule.optimizer_at`
        return learning_rate, regularizers
    if change.kind == "lr":
        return change.value, regularizers
    if change.kind == "on":
        if change.regularizer in names:
            raise ParamError(f"change at iteration {change.iteration}: {change.regularizer} is already on")
        return learning_rate, (*regularizers, (change.regularizer, dict(change.values)))
    if change.regularizer not in names:
        in_use = f"in use: {', '.join(names)}" if names else "no regularizer is in use then"
        raise ParamError(f"change at iteration {change.iteration}: {change.regularizer} is not in use then ({in_use})")
    if change.kind == "off":
        return learning_rate, tuple(pair for pair in regularizers if pair[0] != change.regularizer)
    return learning_rate, tuple((name, {**values, change.param: change.value} if name == change.regularizer else values)
                                for name, values in regularizers)


@dataclass(frozen=True)
class Schedule:
    """Changes in the order they take effect (by iteration; changes at one iteration in the order given)."""

    changes: tuple[Change, ...] = ()

    @classmethod
    def parse(cls, texts, registry) -> "Schedule":
        changes = [parse_change(text, registry) for text in texts]
        seen = set()
        for change in changes:  # the same setting changed twice at one iteration: which was meant?
            key = (change.iteration, change.kind, change.regularizer or change.optimizer, change.param)
            if key in seen:
                raise ParamError(f"--change {change.describe()}: that setting is changed twice at iteration "
                                 f"{change.iteration}; give each change once")
            seen.add(key)
        return cls(tuple(sorted(changes, key=lambda c: c.iteration)))

    def check(self, learning_rate: float, regularizers: tuple, iterations: int, optimizer: str | None = None) -> None:
        """Refuse, before training, a schedule that does not fit the run (one line); ``optimizer``: the
        run's (None: not checked)."""
        for change in self.changes:
            if change.iteration >= iterations:
                raise ParamError(f"change {change.describe()} is at or after the run's last iteration: it "
                                 f"trains {iterations:,} iterations, numbered 0 to {iterations - 1:,}, and a change "
                                 f"takes effect from the iteration it names")
            if change.kind == "optimizer" and optimizer is not None and change.optimizer != optimizer:
                raise ParamError(f"change {change.describe()}: the run's optimizer is {optimizer}, "
                                 f"not {change.optimizer}")
        self.settings_at(iterations, learning_rate, regularizers)

    def optimizer_at(self, iteration: int, values: dict) -> dict:
        """The optimizer's values in force at ``iteration`` (changes at ``iteration`` included)."""
        values = dict(values)
        for change in self.changes:
            if change.kind == "optimizer" and change.iteration <= iteration:
                values[change.param] = change.value
        return values

    def settings_at(self, iteration: int, learning_rate: float, regularizers: tuple) -> tuple[float, tuple]:
        """The settings in force at ``iteration`` (changes at ``iteration`` included)."""
        for change in self.changes:
            if change.iteration <= iteration:
                learning_rate, regularizers = apply(change, learning_rate, regularizers)
        return learning_rate, regularizers

    def at(self, iteration: int) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.iteration == iteration)

    def describe(self) -> str:
        return " ".join(change.describe() for change in self.changes)
