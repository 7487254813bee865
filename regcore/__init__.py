"""regcore: RegStudio's NumPy training core and its regularizer plugin contract (no Qt here).

The names a plugin author needs are importable from here: `Regularizer`, `Param`, `DatasetSource`,
`Dataset`, `split_points`, `Optimizer` (and the default `GradientDescent`) and the `hookimpl` marker.
"""

from .data import Dataset, split_points
from .errors import DataError, ParamError, PluginError, RegcoreError, TrainingError
from .hookspecs import hookimpl
from .optimizer import GradientDescent, Optimizer
from .params import Param
from .regularizer import LayerArrays, ModelRandom, Regularizer, RunContext
from .sources import DatasetSource

__all__ = ["Dataset", "DatasetSource", "split_points", "Param", "Regularizer", "Optimizer", "GradientDescent", "RunContext", "ModelRandom", "LayerArrays",
           "hookimpl", "RegcoreError", "DataError", "ParamError", "PluginError", "TrainingError"]
