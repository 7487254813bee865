"""The regularizer interface: what a plugin subclasses, and what the training core calls when.

Everything is batch-native. A run trains K models at once (a single run is K = 1; a sweep is K > 1),
so every array a regularizer sees has a leading model axis:

- weights and gradients: one array per layer, shaped (K, n_out, n_in); both lists also carry
  ``.flat``, a (K, total) view of all the layers' entries side by side, for penalties that treat
  the weights as one vector (L2, L1);
- biases and their gradients: one (K, n_out, 1) array per layer, ``.flat`` (K, all biases);
- activations of hidden layer ``l`` (1-based) and their gradients: (K, n_l, b), b the batch size
  (``context.batch_size``: the m training points, or a mini-batch of them); the training pass's
  labels: (1, b), 0.0 or 1.0 (per model, (K, 1, b), with mini-batches or per-model training sets);
- the training pass's inputs (`Regularizer.transform_inputs`): (K, n_x, b);
- numeric parameter values: ``self.values[name]`` is a float64 (or int64) array shaped (K, 1, 1),
  which broadcasts against any of the above; choices and booleans are plain Python values, the same
  for every model of the run.

Methods that are not overridden cost nothing: the core only calls what a subclass defines. Array
arguments are modified in place. ``transform_inputs``, ``transform_hidden`` and ``backward_hidden``
may instead return a new array of exactly the same shape, which the core copies in (another shape
ends the run with an error naming the regularizer); ``penalty`` and ``hidden_penalty`` return their
term; whatever the other methods return is ignored (an array returned by ``add_gradients`` is not
added). A regularizer must not keep references to the arrays it is handed beyond the call, and must
draw random numbers only from ``self.context.random`` (never NumPy's global generator), so runs are
reproducible.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

import numpy as np

from .control import RunControl
from .params import ALL_LAYERS, Param, selected_layers


class LayerArrays(list):
    """A list of per-layer (K, n_out, n_in) arrays with ``.flat``: all of them as one (K, total) view."""

    flat: np.ndarray


class ModelRandom:
    """The run's random generators, one `numpy.random.Generator` per model, seeded from the models' seeds.

    Every draw takes each model's numbers from that model's generator in turn and stacks them to
    (K, *shape): a model in a sweep gets exactly the numbers it gets in a single run.

    - ``random(shape)`` / ``random_into(out)``: uniform numbers in [0, 1);
    - ``draw(method, shape, **arguments)``: any `numpy.random.Generator` method by name, e.g.
      ``draw("normal", (n, m), loc=0.0, scale=1.0)``, ``draw("binomial", shape, n=1, p=0.3)``;
    - ``draw_into(method, out, **arguments)``: the same into a (K, ...) array, in place (without
      allocating for ``random``, ``standard_normal``, ``standard_exponential``, which take ``out``);
    - ``generators``: the per-model generators themselves, for anything else (model k's is
      ``generators[k]``; draw from each in model order).
    """

    # Generator methods that can write into an existing array (the others allocate their result)
    IN_PLACE = frozenset({"random", "standard_normal", "standard_exponential"})

    def __init__(self, seeds):
        self.generators = [np.random.default_rng(int(seed)) for seed in seeds]

    def random(self, shape) -> np.ndarray:
        return np.stack([g.random(shape) for g in self.generators])

    def random_into(self, out: np.ndarray) -> np.ndarray:
        """Like ``random(out.shape[1:])`` but fills ``out`` in place (no allocation)."""
        for generator, row in zip(self.generators, out):
            generator.random(out=row)
        return out

    def draw(self, method: str, shape, **arguments) -> np.ndarray:
        """``Generator.<method>(**arguments, size=shape)`` of each model, stacked to (K, *shape)."""
        draw = self._method(method)
        return np.stack([draw(g)(**arguments, size=shape) for g in self.generators])

    def draw_into(self, method: str, out: np.ndarray, **arguments) -> np.ndarray:
        """Like ``draw(method, out.shape[1:], ...)`` but into ``out`` (K, ...), in place."""
        draw = self._method(method)
        for generator, row in zip(self.generators, out):
            if method in self.IN_PLACE:
                draw(generator)(**arguments, out=row)
            else:
                row[...] = draw(generator)(**arguments, size=row.shape)
        return out

    def state(self) -> list:
        """Every generator's state: `restore` it to draw the same numbers again (the gradient check does)."""
        return [g.bit_generator.state for g in self.generators]

    def restore(self, state: list) -> None:
        for generator, saved in zip(self.generators, state):
            generator.bit_generator.state = saved

    @staticmethod
    def _method(name: str):
        if not isinstance(name, str) or name.startswith("_") or not callable(getattr(np.random.Generator, name, None)):
            raise ValueError(f"numpy.random.Generator has no method {name!r}")
        return lambda generator: getattr(generator, name)

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

    def weight_mask(self, layers: str) -> np.ndarray | None:
        """For a ``"layers"`` parameter's value: a (1, total) array, 1.0 on the entries of the selected
        layers' weights and 0.0 elsewhere, that multiplies ``weights.flat``; ``None`` for ``"all"`` (no
        mask needed). ParamError when it names a layer the network does not have."""
        pairs = list(zip(self.layer_sizes, self.layer_sizes[1:]))
        chosen = selected_layers(layers, len(pairs))
        if layers == ALL_LAYERS:
            return None
        return np.concatenate([np.full(n_in * n_out, 1.0 if index in chosen else 0.0)
                               for index, (n_in, n_out) in enumerate(pairs)])[None, :]


class Regularizer:
    """Subclass this to add a regularizer. Declare the class attributes; override what you need.

    The core creates one instance per run (after validating the parameter values) and calls, in
    each iteration: ``transform_inputs`` on the iteration's training inputs before the forward pass,
    ``transform_hidden`` for each hidden layer during the training forward pass,
    ``hidden_gradient`` then ``backward_hidden`` for each hidden layer (last first) during
    back-propagation, ``add_gradients`` once the data gradients are complete (already divided by the
    batch size), then, after the optimizer's update, ``after_update``. ``penalty`` and
    ``hidden_penalty`` are called only when the cost is recorded, and ``after_record`` right after
    each recording.

    Version 1 of this interface had ``penalty(weights)`` and ``add_gradients(weights, grads)``; the
    core inspects each override's signature once, at setup, and passes ``biases`` and ``bias_grads``
    (by keyword) only to methods that accept them, so version-1 plugins keep working.
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

    def penalty(self, weights: LayerArrays, *, biases: LayerArrays | None = None) -> np.ndarray | None:
        """Return the term added to each model's cost, shape (K,), or None for no term."""
        return None

    def add_gradients(self, weights: LayerArrays, grads: LayerArrays, *, biases: LayerArrays | None = None,
                      bias_grads: LayerArrays | None = None) -> None:
        """Add this regularizer's share to the weight (and bias) gradients, in place."""

    def hidden_penalty(self, layer: int, activations: np.ndarray, labels: np.ndarray) -> np.ndarray | None:
        """A data-aware term of each model's cost, (K,), from hidden layer ``layer``'s training-pass activations."""
        return None

    def hidden_gradient(self, layer: int, activations: np.ndarray, labels: np.ndarray,
                        gradients: np.ndarray) -> None:
        """Add the derivative of ``hidden_penalty`` with respect to the activations into ``gradients``, in place."""

    def transform_inputs(self, inputs: np.ndarray) -> None:
        """Transform the iteration's training inputs (K, n_x, b) (noise, augmentation), in place."""

    def transform_hidden(self, layer: int, activations: np.ndarray) -> None:
        """Transform hidden layer ``layer``'s activations (training forward pass only), in place."""

    def backward_hidden(self, layer: int, gradients: np.ndarray) -> None:
        """Apply the matching change to the gradient of those activations, in place."""

    def after_update(self, weights: LayerArrays, biases: LayerArrays) -> None:
        """Constrain the parameters after each update (e.g. max-norm), in place."""

    def after_record(self, record, control: RunControl) -> None:
        """See each `regcore.training.Record` as it is made; may stop models through ``control``."""

    def kernel_terms(self) -> tuple | None:
        """What this class's per-iteration hooks do, in terms the compiled kernel runs (`regcore.fast`:
        `WeightTerm`, `HiddenDropout`), or None (the default): the run keeps the NumPy path. Define it
        in the class that defines those hooks; a subclass that overrides one of them falls back."""
        return None

    @classmethod
    def overrides(cls, method: str) -> bool:
        """Whether this class defines ``method`` itself rather than inheriting the no-op."""
        return getattr(cls, method) is not getattr(Regularizer, method)


def accepted_keywords(method, keywords: tuple[str, ...]) -> tuple[str, ...]:
    """Which of ``keywords`` a (bound) method accepts by keyword: read once at setup, this is how the
    core passes version-2 arguments (``biases``, ``bias_grads``) without breaking version-1 plugins."""
    try:
        parameters = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):  # no signature to read (a builtin): pass nothing extra
        return ()
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return keywords
    named = {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return tuple(k for k in keywords if k in named)


@dataclass(frozen=True)
class Active:
    """A plugin's class (a regularizer's, an optimizer's) with its validated values and where it came
    from: one entry of a run. Numeric values may be a scalar (every model the same) or a sequence with
    one value per model."""

    cls: type
    values: Mapping[str, Any]
    origin: str = "built-in"
    kind: ClassVar[str] = "plugin"

    @property
    def title(self) -> str:
        return f"{self.kind} {self.cls.name!r} (from {self.origin})"


class ActiveRegularizer(Active):
    """A regularizer of a run (see `Active`)."""

    kind = "regularizer"
