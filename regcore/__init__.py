"""regcore: RegStudio's NumPy training core and its regularizer plugin contract (no Qt here).

The names a plugin author needs are importable from here: `Regularizer`, `Param`, `DatasetSource`,
`Dataset`, `split_points`, `Optimizer` (and the default `GradientDescent`), `RunControl` (what
``after_record`` gets) and the `hookimpl` marker;
the gradient check is `regcore.testing.check_gradients`.

They are imported on first use (PEP 562), not when the package is: ``import regcore.cli`` must not
pull in NumPy before the CLI has installed its Ctrl-C handling, or a Ctrl-C in the first moments of
a command is a long traceback instead of one line.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# public name -> the module that defines it
_EXPORTS = {
    "Dataset": "data", "split_points": "data",
    "DataError": "errors", "ParamError": "errors", "PluginError": "errors", "RegcoreError": "errors",
    "TrainingError": "errors",
    "hookimpl": "hookspecs",
    "Param": "params",
    "LayerArrays": "regularizer", "ModelRandom": "regularizer", "Regularizer": "regularizer",
    "RunContext": "regularizer",
    "DatasetSource": "sources",
    "RunControl": "control",
    "Optimizer": "optimizer", "GradientDescent": "optimizer",
}

__all__ = ["Dataset", "DatasetSource", "split_points", "Param", "Regularizer", "RunContext", "ModelRandom", "LayerArrays",
           "RunControl", "Optimizer", "GradientDescent",
           "hookimpl", "RegcoreError", "DataError", "ParamError", "PluginError", "TrainingError"]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'regcore' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value  # once imported, a plain attribute
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # for type checkers and editors, which do not run __getattr__
    from .data import Dataset, split_points
    from .errors import DataError, ParamError, PluginError, RegcoreError, TrainingError
    from .hookspecs import hookimpl
    from .params import Param
    from .regularizer import LayerArrays, ModelRandom, Regularizer, RunContext
    from .sources import DatasetSource
    from .control import RunControl
    from .optimizer import GradientDescent, Optimizer
