"""Turning a SOURCE (what ``--data`` takes) into a `Dataset`: a file path or a generator with options.

``football.mat`` / ``points.csv`` / ``set.npz`` name files; ``moons`` or ``moons:noise=0.3,n=400``
names a registered data-set source and its parameters. ``None`` gives the default data set.
"""

from __future__ import annotations

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
    return data
