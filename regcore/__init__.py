"""regcore: RegStudio's NumPy training core and its regularizer plugin contract (no Qt here).

The names a plugin author needs are importable from here: `Regularizer`, `Param`, `DatasetSource`,
`Dataset` and the `hookimpl` marker.
"""

from .data import Dataset
from .errors import DataError, ParamError, PluginError, RegcoreError, TrainingError
from .hookspecs import hookimpl
from .params import Param
from .regularizer import LayerArrays, ModelRandom, Regularizer, RunContext
from .sources import DatasetSource

__all__ = ["Dataset", "DatasetSource", "Param", "Regularizer", "RunContext", "ModelRandom", "LayerArrays",
           "hookimpl", "RegcoreError", "DataError", "ParamError", "PluginError", "TrainingError"]
