"""regcore: RegStudio's NumPy training core and its regularizer plugin contract (no Qt here).

The names a plugin author needs are importable from here: `Regularizer`, `Param`, `DatasetSource`,
`Dataset`, `split_points`, `RunControl` (what ``after_record`` gets) and the `hookimpl` marker; the
gradient check is `regcore.testing.check_gradients`.
"""

from .control import RunControl
from .data import Dataset, split_points
from .errors import DataError, ParamError, PluginError, RegcoreError, TrainingError
from .hookspecs import hookimpl
from .params import Param
from .regularizer import LayerArrays, ModelRandom, Regularizer, RunContext
from .sources import DatasetSource

__all__ = ["Dataset", "DatasetSource", "split_points", "Param", "Regularizer", "RunContext", "ModelRandom", "LayerArrays",
           "RunControl",
           "hookimpl", "RegcoreError", "DataError", "ParamError", "PluginError", "TrainingError"]
