"""Steering a run: the settings column's edits during a run, as the `regcore.schedule.Change`s they make.

While a run goes on (running or paused) the learning rate, the optimizer's values and the
regularizers — ticked or not, and their values — may change. `changes_between` turns the settings the run has and the ones the
column now shows into the changes that lead from one to the other (at iteration 0: the run says
where they took effect, in `Training.applied`); `at` places them there. What comes out is what
``regcore train --change`` takes, so the run replays headless to the last digit. `label` is the
short text a plot marks a change with ("λ 0.1").
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping, Sequence

from regcore.schedule import Change

Regularizers = Sequence[tuple[str, Mapping[str, Any]]]
SYMBOLS = {"lambd": "λ", "beta": "β", "beta1": "β1", "beta2": "β2", "eps": "ε"}  # a class's symbols for them


def changes_between(learning_rate: float, regularizers: Regularizers,
                    new_learning_rate: float, new_regularizers: Regularizers) -> tuple[Change, ...]:
    """The changes (at iteration 0) from (learning rate, regularizers) to the new ones: empty if none.

    A regularizer ticked off is an ``off``, one ticked on an ``on`` with all its values, and a value
    edited a ``param`` each; the order is one `regcore.schedule.apply` accepts.
    """
    before, after = dict(regularizers), dict(new_regularizers)
    changes = [Change(0, "lr", value=float(new_learning_rate))] if new_learning_rate != learning_rate else []
    changes += [Change(0, "off", name) for name in before if name not in after]
    for name, values in after.items():
        if name not in before:
            changes.append(Change(0, "on", name, values=tuple(values.items())))
            continue
        changes += [Change(0, "param", name, key, value) for key, value in values.items()
                    if before[name].get(key) != value]
    return tuple(changes)


def optimizer_changes(name: str, values: Mapping[str, Any], new_values: Mapping[str, Any]) -> tuple[Change, ...]:
    """The changes (at iteration 0) of optimizer ``name``'s values: one ``optimizer`` change per value edited."""
    return tuple(Change(0, "optimizer", param=key, value=value, optimizer=name)
                 for key, value in new_values.items() if values.get(key) != value)


def at(iteration: int, changes: Sequence[Change]) -> tuple[Change, ...]:
    """``changes`` as they took effect at ``iteration``."""
    return tuple(replace(change, iteration=int(iteration)) for change in changes)


def label(change: Change) -> str:
    """A few characters for a plot's marker: ``λ 0.1``, ``lr 0.05``, ``+dropout``, ``−l2``."""
    if change.kind == "lr":
        return f"lr {change.value:g}"
    if change.kind == "on":
        return f"+{change.regularizer}"
    if change.kind == "off":
        return f"−{change.regularizer}"
    value = f"{change.value:g}" if isinstance(change.value, float) else str(change.value)
    return f"{SYMBOLS.get(change.param, change.param)} {value}"
