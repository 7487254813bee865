"""The optimizer step: how the complete gradient of an iteration becomes a parameter update.

The training loop hands an optimizer the (K, P) parameter and gradient arrays once, and `plan()`
returns the zero-argument calls that perform one update in place; the loop runs them every
iteration, after the gradient is complete (the data gradient divided by m plus every regularizer's
share) and before the regularizers' ``after_update`` constraints. The calls may overwrite the
gradient array. State an optimizer keeps between iterations (momentum, moment estimates) lives in
arrays it allocates in `setup()`, shaped like the parameters, so every model of a batch has its own.

`GradientDescent` is the notebook's update, ``p = p - learning_rate * dp``, written as two in-place
NumPy calls so the results equal the notebook's to the last digit.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, ClassVar, Mapping

import numpy as np

from .params import Param
from .regularizer import RunContext


class Optimizer:
    """Subclass this to add an optimizer: declare the class attributes, implement `plan`."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    help: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()

    def __init__(self, learning_rate: float, values: Mapping[str, Any], context: RunContext):
        self.learning_rate = float(learning_rate)
        self.values = dict(values)
        self.context = context
        self.setup()

    def setup(self) -> None:
        """Called once before the first iteration: allocate state here."""

    def plan(self, parameters: np.ndarray, gradients: np.ndarray) -> list[Callable[[], None]]:
        """The calls that update ``parameters`` (K, P) in place from ``gradients`` (K, P), in order."""
        raise NotImplementedError


class GradientDescent(Optimizer):
    name = "gd"
    label = "Gradient descent"
    help = "The notebook's full-batch update: every parameter moves by -learning_rate times its gradient."

    def plan(self, parameters, gradients):
        return [partial(np.multiply, gradients, self.learning_rate, gradients),
                partial(np.subtract, parameters, gradients, parameters)]
