"""The regularizer interface: what a plugin subclasses, and what the training core calls when.

Everything is batch-native. A run trains K models at once (a single run is K = 1; a sweep is K > 1),
so every array a regularizer sees has a leading model axis:

- weights and gradients: one array per layer, shaped (K, n_out, n_in); both lists also carry
  ``.flat``, a (K, total) view of all the layers' entries side by side, for penalties that treat
  the weights as one vector (L2, L1);
- activations of hidden layer ``l`` (1-based) and their gradients: (K, n_l, b), b the batch size
  (``context.batch_size``: the m training points, or a mini-batch of them);
- the training pass's inputs (`Regularizer.transform_inputs`): (K, n_x, b);
- numeric parameter values: ``self.values[name]`` is a float64 (or int64) array shaped (K, 1, 1),
  which broadcasts against any of the above; choices and booleans are plain Python values, the same
  for every model of the run.

Methods that are not overridden cost nothing: the core only calls what a subclass defines. All
array arguments must be modified in place; returning a new array has no effect. A regularizer must
not keep references to the arrays it is handed beyond the call, and must draw random numbers only
from ``self.context.random`` (never NumPy's global generator), so runs are reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

import numpy as np

from .params import Param


class LayerArrays(list):
    """A list of per-layer (K, n_out, n_in) arrays with ``.flat``: all of them as one (K, total) view."""

    flat: np.ndarray


class ModelRandom:
    """The run's random generators, one per model, seeded from the models' seeds.

    ``random(shape)`` draws ``generator.random(shape)`` from each model's generator in turn and
    stacks them to (K, *shape): a model in a sweep gets exactly the numbers it gets in a single run.
    """

    def __init__(self, seeds):
        self.generators = [np.random.default_rng(int(seed)) for seed in seeds]

    def random(self, shape) -> np.ndarray:
        return np.stack([g.random(shape) for g in self.generators])

    def random_into(self, out: np.ndarray) -> np.ndarray:
        """Like ``random(out.shape[1:])`` but fills ``out`` in place (no allocation)."""
        for generator, row in zip(self.generators, out):
            generator.random(out=row)
        return out

    def permutations_into(self, out: np.ndarray) -> np.ndarray:
        """Fill each model's row of the (K, n) integer array ``out`` with that model's
        ``generator.permutation(n)`` (the same numbers, in place)."""
        out[...] = np.arange(out.shape[-1])
        for generator, row in zip(self.generators, out):
            generator.shuffle(row)
        return out


@dataclass(frozen=True)
class RunContext:
    """What a regularizer knows about the run it is part of."""

    models: int                    # K, the number of models trained together
    examples: int                  # m, the number of training examples
    layer_sizes: tuple[int, ...]   # (n_x, hidden..., 1)
    random: ModelRandom
    batch_size: int = 0            # b, the points of each iteration's training pass (m without mini-batches)

    def __post_init__(self):
        if not self.batch_size:
            object.__setattr__(self, "batch_size", self.examples)

    @property
    def hidden_layers(self) -> range:
        """The 1-based indices of the hidden layers (those whose activations can be transformed)."""
        return range(1, len(self.layer_sizes) - 1)


class Regularizer:
    """Subclass this to add a regularizer. Declare the class attributes; override what you need.

    The core creates one instance per run (after validating the parameter values) and calls, in
    each iteration: ``transform_inputs`` on the iteration's training inputs before the forward pass,
    ``transform_hidden`` for each hidden layer during the training forward pass,
    ``backward_hidden`` for each hidden layer (last first) during back-propagation,
    ``add_gradients`` once the data gradients are complete (already divided by the batch size), then, after the
    optimizer's update, ``after_update``. ``penalty`` is called only when the cost is recorded.
    """

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    help: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()

    def __init__(self, values: Mapping[str, Any], context: RunContext):
        self.values = dict(values)
        self.context = context
        self.setup()

    def setup(self) -> None:
        """Called once before the first iteration; precompute what you can here."""

    def penalty(self, weights: LayerArrays) -> np.ndarray | None:
        """Return the term added to each model's cost, shape (K,), or None for no term."""
        return None

    def add_gradients(self, weights: LayerArrays, grads: LayerArrays) -> None:
        """Add this regularizer's share to the weight gradients, in place."""

    def transform_inputs(self, inputs: np.ndarray) -> None:
        """Transform the iteration's training inputs (K, n_x, b) (noise, augmentation), in place."""

    def transform_hidden(self, layer: int, activations: np.ndarray) -> None:
        """Transform hidden layer ``layer``'s activations (training forward pass only), in place."""

    def backward_hidden(self, layer: int, gradients: np.ndarray) -> None:
        """Apply the matching change to the gradient of those activations, in place."""

    def after_update(self, weights: LayerArrays, biases: LayerArrays) -> None:
        """Constrain the parameters after each update (e.g. max-norm), in place."""

    @classmethod
    def overrides(cls, method: str) -> bool:
        """Whether this class defines ``method`` itself rather than inheriting the no-op."""
        return getattr(cls, method) is not getattr(Regularizer, method)


@dataclass(frozen=True)
class ActiveRegularizer:
    """A regularizer class with its validated values and where it came from: one entry of a run.

    Numeric values may be a scalar (every model the same) or a sequence with one value per model.
    """

    cls: type[Regularizer]
    values: Mapping[str, Any]
    origin: str = "built-in"

    @property
    def title(self) -> str:
        return f"regularizer {self.cls.name!r} (from {self.origin})"
