"""Turning a SOURCE (what ``--data`` takes) into a `Dataset`: a file path or a generator with options.

``football.mat`` / ``points.csv`` / ``set.npz`` name files; ``moons`` or ``moons:noise=0.3,n=400``
names a registered data-set source and its parameters. ``None`` gives the default data set.

A generated data set is named here, once for every source: the source's name and every option
that differs from its declared default, seed included (``moons (n=160, noise=0.3, seed=7)``), so
two different sets never share a name and the name says how to make the set again.
"""

from __future__ import annotations

import os

import dataclasses
from typing import Any, Mapping

from .data import Dataset, load_file
from .errors import PLUGIN_FAILURES, DataError, PluginError, RegcoreError
from .params import parse_assignments

# The default data set: small and noisy enough that the unregularized 2-20-3-1 network overfits it
# with the default settings, and L2 and dropout each narrow the train/test gap (see the README).
DEFAULT_SOURCE = "moons:n=160,noise=0.3,test_ratio=0.5,seed=7"


def looks_like_file(source: str) -> bool:
    """A path, not ``name:key=value``: has a folder separator, or a dot before any colon (``set.xlsx``)."""
    return "/" in source or "\\" in source or "." in source.partition(":")[0]


def resolve_data(source: str | None, registry) -> Dataset:
    """The data set a SOURCE names; raises DataError/ParamError/PluginError with a one-line reason."""
    source = DEFAULT_SOURCE if source is None else source.strip()
    if not source:
        raise DataError("no data source given: name a file (.mat, .npz, .csv) or a generator")
    if looks_like_file(source):
        return load_file(source)
    name, _, options = source.partition(":")
    if name.strip() not in registry.datasets and os.path.lexists(source):
        return load_file(source)  # a file named like a generator (no extension, or a colon in its name)
    entry = registry.dataset(name.strip())
    values = parse_assignments(options, entry.obj.params, f"data set {entry.obj.name!r}")
    title = f"data set {entry.obj.name!r} (from {entry.plugin.origin})"
    try:
        data = entry.obj.create(values)
    except RegcoreError:  # e.g. Dataset.checked refusing the points: already one line saying why
        raise
    except PLUGIN_FAILURES as error:  # a plugin's bug must be reported, not take the program down
        cause = " ".join(f"{type(error).__name__}: {error}".split())[:300]  # one line, however it was written
        raise PluginError(f"{title} failed: {cause}") from error
    if not isinstance(data, Dataset):
        raise PluginError(f"{title} made a {type(data).__name__}, not a regcore.Dataset")
    return dataclasses.replace(data, name=generated_name(entry.obj, values))


def generated_name(source, values: Mapping[str, Any]) -> str:
    """``moons (n=160, noise=0.3, seed=7)``: the source and each value that is not its default, in declared order."""
    changed = [f"{p.name}={_text(values[p.name])}" for p in source.params
               if p.name in values and values[p.name] != p.default]
    return f"{source.name} ({', '.join(changed)})" if changed else source.name


def _text(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
