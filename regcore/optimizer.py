"""The optimizer interface: how the complete gradient of an iteration becomes a parameter update.

An optimizer is a plugin, like a regularizer: a subclass of `Optimizer` that declares ``name``,
``label``, ``help`` and ``params`` (`Param`s, from which the CLI's ``--optimizer NAME:key=value``, the
window's widgets and sweep ranges derive) and is registered by a ``register_optimizers`` hook. The
built-ins (``gd``, ``momentum``, ``adam``, ``adamw``) live in ``plugins/``; `GradientDescent` is
defined here because it is the core's default when no optimizer is named.

The training loop creates one instance per run and hands it the (K, P) parameter and gradient
arrays once; `plan()` returns the zero-argument calls that perform one update in place, and the loop
runs them every iteration, after the gradient is complete (the data gradient divided by the batch
size plus every regularizer's share) and before the regularizers' ``after_update`` constraints. The
calls may overwrite the gradient array; they must not allocate (preallocate in `setup`). State kept
between iterations (velocities, moment estimates) lives in arrays shaped like the parameters, so
every model of a batch has its own.

Values may change mid-run (`regcore.schedule`): the loop writes the new numbers into
``self.learning_rate`` and ``self.values``'s arrays in place and calls `values_changed`, so an
optimizer that derives numbers from them in `setup` (``1 - beta``) recomputes those there, in place.
The planned calls and the state they hold are kept. An optimizer that does not define
`values_changed` cannot have its parameters changed mid-run (the learning rate can: the calls read
its array).

The learning rate is the run's (``--lr``, `RunConfig.learning_rate`); it is not one of an
optimizer's declared ``params`` but is offered beside them as `LEARNING_RATE` (``lr``), so
``--optimizer adam:lr=0.01`` means ``--optimizer adam --lr 0.01`` and a sweep can vary it as
``optimizer.lr``. ``self.learning_rate`` and every numeric ``self.values[name]`` are float64 arrays
shaped (K, 1): one value per model, broadcasting along each model's row of parameters.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, ClassVar, Mapping

import numpy as np

from . import defaults
from .params import Param
from .regularizer import Active, RunContext

LEARNING_RATE = Param("lr", "float", defaults.LEARNING_RATE, low=0.0, low_open=True, log=True,
                      label="learning rate", help="Step size of every update (the same as --lr).")


class Optimizer:
    """Subclass this to add an optimizer: declare the class attributes, implement `plan`."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    help: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()

    def __init__(self, learning_rate: np.ndarray, values: Mapping[str, Any], context: RunContext):
        self.learning_rate = learning_rate
        self.values = dict(values)
        self.context = context
        self.setup()

    def setup(self) -> None:
        """Called once before the first iteration: allocate state and scratch arrays here."""

    def values_changed(self) -> None:
        """Called mid-run after ``self.learning_rate`` or ``self.values``'s arrays were changed in place:
        recompute, in place, whatever `setup` derived from them (the planned calls keep reading it)."""

    def plan(self, parameters: np.ndarray, gradients: np.ndarray) -> list[Callable[[], None]]:
        """The calls that update ``parameters`` (K, P) in place from ``gradients`` (K, P), in order."""
        raise NotImplementedError

    def weight_columns(self) -> slice:
        """The columns of a (K, P) parameter row that hold weights (the biases follow them)."""
        sizes = self.context.layer_sizes
        return slice(0, sum(n_in * n_out for n_in, n_out in zip(sizes, sizes[1:])))


class GradientDescent(Optimizer):
    name = "gd"
    label = "Gradient descent"
    help = "The notebook's update: every parameter moves by -learning_rate times its gradient."

    def plan(self, parameters, gradients):
        # two in-place calls, p = p - lr * dp, so the digits equal the notebook's; the (K, 1) array (not a
        # float) so that a learning rate changed mid-run is read at the next update
        return [partial(np.multiply, gradients, self.learning_rate, gradients),
                partial(np.subtract, parameters, gradients, parameters)]


class ActiveOptimizer(Active):
    """The optimizer of a run (see `regcore.regularizer.Active`)."""

    kind = "optimizer"


DEFAULT = ActiveOptimizer(GradientDescent, {})
