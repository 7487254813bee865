"""The one training loop: K models trained at once by a planned optimizer step, Qt-free, step by step.

`Training` owns the parameters and work buffers of a batch of models that share data, architecture,
optimizer and batch size and differ in seeds and numeric values (regularizers', the optimizer's, the
learning rate). Its `steps()` generator runs
iterations and yields `Progress` every `report_every` iterations, so the CLI, the window's worker
thread, sweeps and the notebook-compatible `model()` all drive the same loop; `run()` drives it to
the end. A single run is a batch of one.

The hot loop does no allocation and calls into NumPy as few times as it can (in-place ufuncs,
`out=` buffers, one update for all parameters) while keeping the notebook's order of operations,
so results match the notebook's printed numbers.

The input stage. By default every iteration trains on the whole training set, shared by the models
as one (n_x, m) array (the fast path). With ``batch_size`` b < m each iteration trains on a
mini-batch: at the start of every epoch each model draws a permutation of the training points from
its own generator (`ModelRandom`), and the epoch's iterations take consecutive runs of b points of
it; the m mod b points left over by the last full batch sit the epoch out (a different few each
epoch), so every iteration has exactly b points. Layer 1 then reads per-model inputs (K, n_x, b),
and a model's batches are the same in a sweep as in its single run. A regularizer's
``transform_inputs`` (input noise, augmentation) works on such per-model inputs too, full batch or
not; the clean passes (test cost, clean training loss, accuracies) never see it. With mini-batches
the recorded ``cost`` is the objective on that iteration's batch; ``train_loss`` and ``test_cost``
stay over the whole sets.

Per-model training sets. With ``samples`` (K, m') — each row the indices of a model's training points,
a bootstrap resample say — model k trains on ``X_train[:, samples[k]]`` as if that were its data set:
its full-batch inputs are its own (K, n_x, m') slice, its mini-batches are drawn from its own sample,
and the clean training loss, train accuracy, final cost and what early stopping watches are all on
its sample (the test costs stay on the shared test set), so each model equals its single run on a
`Dataset` built from its resample. Without ``samples`` the models share the training set.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Iterator, NamedTuple, Sequence

import numpy as np

from . import defaults, fast, limits, network
from .data import Dataset
from .errors import PLUGIN_FAILURES, ParamError, RegcoreError, TrainingError
from .control import RunControl
from .optimizer import DEFAULT as DEFAULT_OPTIMIZER
from .optimizer import ActiveOptimizer, Optimizer
from .regularizer import ActiveRegularizer, ModelRandom, RunContext, accepted_keywords

DIVERGED_HINT = "try a smaller learning rate"
# Weights this large mean gradient descent has blown up (sane runs stay below ~1e3); stopping here,
# rather than at overflow, names the iteration where it went wrong instead of thousands later.
DIVERGED_SQUARED_NORM = 1e16


class Record(NamedTuple):
    """The costs recorded at one iteration, one entry per model (each (K,))."""

    iteration: int
    cost: np.ndarray         # the training objective, as the notebook prints it
    penalty: np.ndarray      # the penalties' share of it
    test_cost: np.ndarray    # data loss on the test set (clean forward pass); NaN without test points
    train_loss: np.ndarray   # data loss on the training set (clean forward pass)


CURVES = ("cost", "penalty", "test_cost", "train_loss")


@dataclass
class History:
    """Costs recorded every `record_every` iterations from iteration 0, and at the end (iteration
    `iterations`, the parameters a finished run ends with), one column per model.

    ``cost`` is what the notebook prints: the training objective on the training forward pass
    (data loss, with any activation transform such as dropout, plus penalties). ``penalty`` is the
    penalties' share of it; ``test_cost`` is the data loss on the test set and ``train_loss`` the
    data loss on the training set, both by the clean forward pass (no dropout, no penalty): the
    honest pair to compare for over-fitting.
    """

    models: int = 1
    records: list[Record] = field(default_factory=list)

    @property
    def iterations(self) -> list[int]:
        return [record.iteration for record in self.records]

    def arrays(self) -> dict[str, np.ndarray]:
        """Copies as arrays: ``iterations`` (R,), and each of `CURVES` (R, K)."""
        shape = (len(self.records), self.models)  # explicit, so a run stopped before iteration 0 works too
        out = {"iterations": np.array(self.iterations, dtype=np.int64)}
        for name in CURVES:
            out[name] = np.array([getattr(record, name) for record in self.records], dtype=float).reshape(shape)
        return out


@dataclass(frozen=True)
class Progress:
    """What `Training.steps()` yields: how far it is and the records made since the last yield."""

    iteration: int        # iterations completed
    iterations: int       # iterations asked for
    seconds: float        # time spent training so far (not counting the consumer's time)
    new_records: tuple[Record, ...]

    @property
    def fraction(self) -> float:
        return self.iteration / self.iterations


@dataclass(frozen=True)
class Result:
    """A finished (or cancelled) batch: everything needed to report, plot, save or reopen it."""

    layout: network.Layout
    parameters: np.ndarray            # (K, P) copy
    history: dict[str, np.ndarray]
    train_accuracy: np.ndarray        # (K,)
    test_accuracy: np.ndarray         # (K,)
    final_cost: np.ndarray            # (K,) training objective of the final parameters, clean pass
    seconds: float
    iterations_done: int
    completed: bool
    # per model, (K,): the iteration at which an `after_record` (early stopping) stopped it and the
    # iteration whose parameters it kept; -1 for a model that trained to the end (None: all -1)
    stopped_at: np.ndarray | None = None
    kept_from: np.ndarray | None = None

    def __post_init__(self):
        for name in ("stopped_at", "kept_from"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.full(self.parameters.shape[0], -1, dtype=np.int64))


class Training:
    """Train K models together. See the module docstring; `run()` for the simple case."""

    def __init__(self, data: Dataset, *, hidden: Sequence[int] = defaults.HIDDEN,
                 learning_rate: float | Sequence[float] = defaults.LEARNING_RATE,
                 iterations: int = defaults.ITERATIONS, seeds: Sequence[int] = (defaults.SEED,),
                 regularizers: Sequence[ActiveRegularizer] = (), record_every: int = defaults.RECORD_EVERY,
                 optimizer: ActiveOptimizer = DEFAULT_OPTIMIZER, batch_size: int | None = None,
                 changes: Sequence[tuple[int, float, Sequence[ActiveRegularizer]]] = (),
                 samples: np.ndarray | None = None, data_changes: Sequence[tuple[int, Dataset]] = ()):
        """``learning_rate``: one number, or one per model; ``batch_size``: points per iteration
        (None, or anything >= the number of training points: the whole training set); ``changes``:
        (iteration, learning rate, regularizers) in force from that iteration on (`RunConfig.build`
        makes them from a schedule; a fourth item, when there, is the optimizer's values from then
        on); ``samples``: None, or (K, m') indices of each model's own training points (see the module
        docstring); ``data_changes``: (iteration, Dataset) to train on from that iteration on (edited data)."""
        limits.check_training(data, hidden, len(seeds), regularizers)  # refuse what cannot fit, before allocating
        self.data = data
        self.iterations = int(iterations)
        self.record_every = int(record_every)
        self.models = len(seeds)
        self.layout = network.Layout(network.layer_sizes(data.X_train.shape[0], tuple(hidden)))
        self.flat = network.initial_parameters(self.layout, seeds)
        self.grad = np.zeros_like(self.flat)
        self.weights, self.biases = self.layout.views(self.flat)
        self.grad_weights, self.grad_biases = self.layout.views(self.grad)
        self.iteration = 0
        self.seconds = 0.0
        self.history = History(models=self.models)
        self._pending: list = []
        self.control = RunControl(self.flat)
        self._ended = False  # every model has stopped

        self.samples = _checked_samples(samples, self.models, data.X_train.shape[1])
        self._asked_batch_size = batch_size
        self._set_data(data, ModelRandom(seeds))

        self.learning_rate = self._per_model(learning_rate, 2)   # (K, 1)
        self.optimizer_spec = optimizer
        values = {name: self._per_model(value, 2) for name, value in optimizer.values.items()}
        self.optimizer = self._guard(optimizer, "setup",
                                     lambda: optimizer.cls(self.learning_rate, values, self.context))
        self._scheduled = sorted(changes, key=lambda change: change[0])  # (iteration, learning rate, regularizers)
        for _, _, later, *optimizer in self._scheduled:  # a plugin refusing a scheduled setting says so now
            if optimizer and optimizer[0] is not None:
                self._check_retunable()
            for reg in later:
                values = {name: self._per_model(value) for name, value in reg.values.items()}
                self._guard(reg, "setup", lambda r=reg, v=values: r.cls(v, self.context))
        self._scheduled_data = sorted(data_changes, key=lambda change: change[0])  # (iteration, Dataset)
        self._requests: list = []     # live changes asked for from another thread, applied between iterations
        self.applied: list = []       # (iteration, what) of every live change, as it took effect
        self._optimizer_ops: list | None = None  # planned once: its state (velocities, moments) lives in them
        self._configure(regularizers)
        for _, later_data in self._scheduled_data:
            self._check_new_data(later_data)

    def _set_data(self, data: Dataset, random: ModelRandom) -> None:
        """Train on ``data`` from now on: the training points, the run's context and the work arrays sized to them."""
        self.data = data
        self.X, self.Y = data.X_train, data.Y_train
        # what the clean passes over the training points read: the shared set, or each model's own (K, n_x, m')
        self.train_X, self.train_Y = self.X, self.Y
        if self.samples is not None:
            self.train_X = np.ascontiguousarray(self.X[:, self.samples].swapaxes(0, 1))
            self.train_Y = np.ascontiguousarray(self.Y[:, self.samples].swapaxes(0, 1))
        K, examples, batch_size = self.models, self.train_X.shape[-1], self._asked_batch_size
        self.batch_size = m = examples if batch_size is None else max(1, min(int(batch_size), examples))
        self.context = RunContext(models=K, examples=examples, layer_sizes=self.layout.sizes,
                                  random=random, batch_size=m)
        hidden_sizes = self.layout.sizes[1:-1]
        self.activations = [np.zeros((K, n, m)) for n in hidden_sizes]
        self.act_grads = [np.zeros((K, n, m)) for n in hidden_sizes]
        self.masks = [np.zeros((K, n, m), dtype=bool) for n in hidden_sizes]  # relu'(Z), from the forward pass
        self.logits = np.zeros((K, 1, m))
        self.probs = np.zeros((K, 1, m))
        self.out_grad = np.zeros((K, 1, m))
        self.__dict__.pop("_epoch", None)  # mini-batches: a new epoch over the new points

    def _configure(self, regularizers: Sequence[ActiveRegularizer]) -> None:
        """Set up the regularizers (a new instance each) and plan the iteration for them."""
        self.active = list(regularizers)
        self.instances = []
        for reg in self.active:
            values = {name: self._per_model(value) for name, value in reg.values.items()}
            self.instances.append(self._guard(reg, "setup", lambda r=reg, v=values: r.cls(v, self.context)))
        pairs = list(zip(self.active, self.instances))
        self._transforms = [(r, i.transform_hidden) for r, i in pairs if r.cls.overrides("transform_hidden")]
        self._backwards = [(r, i.backward_hidden) for r, i in reversed(pairs) if r.cls.overrides("backward_hidden")]
        self._constraints = [(r, i.after_update) for r, i in pairs if r.cls.overrides("after_update")]
        # version-1 methods take weights (and grads) only: biases go by keyword to those that accept them
        parameters = {"biases": self.biases, "bias_grads": self.grad_biases}
        self._grad_adders = [(r, i.add_gradients, {k: parameters[k] for k in accepted_keywords(
            i.add_gradients, ("biases", "bias_grads"))}) for r, i in pairs if r.cls.overrides("add_gradients")]
        self._penalties = [(r, i.penalty, {k: parameters[k] for k in accepted_keywords(i.penalty, ("biases",))})
                           for r, i in pairs if r.cls.overrides("penalty")]
        self._hidden_penalties = [(r, i.hidden_penalty) for r, i in pairs if r.cls.overrides("hidden_penalty")]
        self._hidden_gradients = [(r, i.hidden_gradient) for r, i in pairs if r.cls.overrides("hidden_gradient")]
        self._recorders = [(r, i.after_record) for r, i in pairs if r.cls.overrides("after_record")]
        self._input_transforms = [(r, i.transform_inputs) for r, i in pairs if r.cls.overrides("transform_inputs")]
        # where hidden_gradient adds its plain derivative, before the core scales it to the loop's convention
        self.hidden_penalty_grads = [np.zeros_like(A) for A in self.activations] if self._hidden_gradients else []
        self._setup_inputs()
        self._plan()

    # ---------------------------------------------------------------- changing settings mid-run

    def change(self, learning_rate: float, regularizers: Sequence[ActiveRegularizer], what=None,
               optimizer_values=None) -> None:
        """Ask for new settings from the next iteration on, from the current weights (thread-safe: a
        worker's owner may call it while `steps()` runs). ``what`` describes the change for the record:
        `applied` gets ``(iteration, what)`` when it takes effect. The optimizer keeps its state;
        ``optimizer_values`` (None: as they are) are its new numeric values (see `Optimizer.values_changed`)."""
        if optimizer_values is not None:
            self._check_retunable()
        self._requests.append((learning_rate, list(regularizers), what, optimizer_values))

    def change_data(self, data: Dataset, what=None) -> None:
        """Ask to train on ``data`` (same features) from the next iteration on, from the current weights and
        optimizer state (thread-safe, like `change`); `applied` gets ``(iteration, what)``."""
        self._check_new_data(data)
        self._requests.append((data, what))

    def _apply_changes(self) -> None:
        """Apply the scheduled changes due at this iteration, then the live ones asked for."""
        while self._scheduled_data and self._scheduled_data[0][0] <= self.iteration:
            self._switch_data(self._scheduled_data.pop(0)[1])
        while self._scheduled and self._scheduled[0][0] <= self.iteration:
            _, learning_rate, regularizers, *optimizer = self._scheduled.pop(0)
            self._reconfigure(learning_rate, regularizers, optimizer[0] if optimizer else None)
        while self._requests:
            request = self._requests.pop(0)
            if len(request) == 2:  # new data
                self._switch_data(request[0])
            else:
                self._reconfigure(request[0], request[1], request[3])
            self.applied.append((self.iteration, request[-1] if len(request) == 2 else request[2]))

    def _reconfigure(self, learning_rate, regularizers: Sequence[ActiveRegularizer], optimizer_values=None) -> None:
        # in place: the optimizer's planned update reads these (K, 1) arrays, and keeps its own state
        self.learning_rate[...] = self._per_model(learning_rate, 2)
        for name, value in (optimizer_values or {}).items():
            current = self.optimizer.values.get(name)
            if isinstance(current, np.ndarray):
                current[...] = self._per_model(value, 2)
            else:
                self.optimizer.values[name] = value
        self._guard(self.optimizer_spec, "values_changed", self.optimizer.values_changed)
        self._configure(regularizers)

    def _check_retunable(self) -> None:
        if type(self.optimizer).values_changed is Optimizer.values_changed:
            raise ParamError(f"{self.optimizer_spec.title} cannot change its parameters mid-run "
                             "(it does not define values_changed)")

    def _check_new_data(self, data: Dataset) -> None:
        if self.samples is not None:
            raise ParamError("a run whose models train on their own samples cannot change its data mid-run")
        if data.features != self.layout.sizes[0]:
            raise ParamError(f"the new data have {data.features} features; the network takes {self.layout.sizes[0]}")
        limits.check_training(data, self.layout.sizes[1:-1], self.models, self.active)

    def _switch_data(self, data: Dataset) -> None:
        self._set_data(data, self.context.random)
        self.optimizer.context = self.context
        self._configure(self.active)

    def _next_change(self) -> int:
        due = [changes[0][0] for changes in (self._scheduled, self._scheduled_data) if changes]
        return min(due, default=self.iterations)

    def _per_model(self, value, dimensions: int = 3):
        """Numbers become (K, 1, 1) arrays (``dimensions`` 2: (K, 1)) so they broadcast per model;
        other values pass through."""
        if isinstance(value, (str, bool)):
            return value
        array = np.asarray(value)
        if array.dtype.kind not in "fiu":
            return value
        return np.broadcast_to(array, (self.models,)).reshape(self.models, *(1,) * (dimensions - 1)).copy()

    def _setup_inputs(self) -> None:
        """The training pass's inputs: the shared (n_x, m) set, or per-model (K, n_x, b) buffers.

        ``inputs`` is what layer 1 reads and ``labels`` what the cost compares with. Per-model inputs
        are kept as (K, b, n_x) rows (what the weight gradient multiplies by) and read transposed.
        With ``samples`` and the full batch, a model's inputs are its own sample: copied in once, and
        again every iteration only when an input transform changes them.
        """
        K, b = self.models, self.batch_size
        examples, n_x = self.train_X.shape[-1], self.X.shape[0]
        self.batched = b < examples
        self.per_model_inputs = self.batched or bool(self._input_transforms) or self.samples is not None
        self.inputs, self.labels = self.X, self.train_Y
        self._input_ops: list = []
        if not self.per_model_inputs:
            return
        self._input_rows = np.empty((K, b, n_x))
        self.inputs = self._input_rows.swapaxes(1, 2)
        if self.batched:
            self.labels = np.empty((K, 1, b))
            self._label_rows = self.labels.reshape(K, b)
            self._points = np.ascontiguousarray(self.X.T)       # (m, n_x): a point per row
            self._point_labels = np.ascontiguousarray(self.Y[0])
            if not hasattr(self, "_epoch"):  # set up again for a change mid-run: the epoch goes on
                self._order = np.empty((K, examples), dtype=np.intp)
                self._epoch = np.empty((examples // b, K, b), dtype=np.intp)  # each batch's indices, contiguous
                self._next_batch = 0
                if self.samples is not None:  # a model's positions in its sample -> indices of the training set
                    self._sample_points = self.samples.reshape(-1).copy()
                    self._sample_offsets = (np.arange(K) * examples)[:, None]
            self._input_ops.append(self._take_batch)
        elif self.samples is None:
            self._input_ops.append(partial(np.copyto, self.inputs, self.X))
        else:
            np.copyto(self.inputs, self.train_X)
            if self._input_transforms:
                self._input_ops.append(partial(np.copyto, self.inputs, self.train_X))
        rows = self._input_rows.reshape(-1)
        for reg, transform in self._input_transforms:
            self._input_ops += [partial(self._call, reg, transform, self.inputs, result_into=self.inputs),
                                partial(self._check_inputs, rows, reg)]

    def _check_inputs(self, rows: np.ndarray, reg: ActiveRegularizer) -> None:
        """After an input transform: one dot product (no allocation) tells whether the inputs are finite."""
        if not math.isfinite(np.dot(rows, rows)):
            self._check_finite(self.inputs, "the training inputs after it transformed them", reg)

    def _take_batch(self) -> None:
        """Copy this iteration's mini-batch into the input buffers; shuffle at the start of an epoch."""
        if self._next_batch == 0:
            self.context.random.permutations_into(self._order)
            per_epoch, K, b = self._epoch.shape
            if self.samples is not None:  # the permutation is of each model's sample: map it to the points
                np.add(self._order, self._sample_offsets, self._order)
                self._sample_points.take(self._order, None, self._order)
            np.copyto(self._epoch, self._order[:, :per_epoch * b].reshape(K, per_epoch, b).swapaxes(0, 1))
        indices = self._epoch[self._next_batch]
        self._points.take(indices, 0, self._input_rows)  # the method: np.take's Python wrapper costs a call
        self._point_labels.take(indices, None, self._label_rows)
        self._next_batch = (self._next_batch + 1) % len(self._epoch)

    # ---------------------------------------------------------------- running

    def steps(self, report_every: int | None = None,
              cancel: threading.Event | None = None) -> Iterator[Progress]:
        """Train, yielding `Progress` every `report_every` iterations (default: `record_every`).

        Stops early, between two iterations, once ``cancel`` is set; the consumer may also simply stop
        iterating. Raises `TrainingError` when values stop being finite or a regularizer fails.
        """
        every = max(1, int(report_every or self.record_every))
        while self.iteration < self.iterations and not self._ended:
            self._apply_changes()
            report_at = min(self.iterations, (self.iteration // every + 1) * every)
            until = min(report_at, self._next_change())
            started = time.perf_counter()
            try:
                with np.errstate(all="ignore"):  # overflow is caught by the finiteness checks, with a message
                    self._run_until(until, cancel)
                    if self.iteration >= self.iterations and not self._ended:
                        self._record_end()
            finally:
                self.seconds += time.perf_counter() - started
            cancelled = cancel is not None and cancel.is_set()
            if self.iteration < report_at and not (cancelled or self._ended):
                continue  # stopped for a change: apply it and go on to the report
            records, self._pending = tuple(self._pending), []
            yield Progress(self.iteration, self.iterations, self.seconds, records)
            if cancelled:
                return

    def run(self, cancel: threading.Event | None = None) -> Result:
        """Train to the end (or until cancelled) and return the result."""
        for _ in self.steps(report_every=max(self.iterations, 1), cancel=cancel):
            pass
        return self.result()

    @property
    def completed(self) -> bool:
        """Trained every iteration asked for, or every model was stopped by an ``after_record``."""
        return self.iteration >= self.iterations or self._ended

    def _run_until(self, until: int, cancel: threading.Event | None) -> None:
        """Iterations up to ``until``: the recordings on the NumPy path, the stretches between them in the
        compiled kernel when the plan has one (`regcore.fast`) and it is loaded, a chunk at a time."""
        if self._compiled is None:
            return self._run_numpy(until, cancel)
        record_every, limit = self.record_every, DIVERGED_SQUARED_NORM * self.models
        while self.iteration < until and not self._ended:
            if self._requests or (cancel is not None and cancel.is_set()):
                return
            i, compiled = self.iteration, self._compiled
            next_record = (i // record_every + 1) * record_every
            if not compiled.ready():  # still loading in the background: NumPy to the next record meanwhile
                self._run_numpy(min(until, next_record), cancel)
                continue
            if i % record_every == 0:
                self._run_numpy(i + 1, cancel)
                continue
            reached, status = compiled.run(i, min(until, next_record), limit)
            self.iteration = reached
            if status == fast.GRADIENT_NOT_FINITE:
                self._diagnose(reached)
            elif status == fast.DIVERGED:
                self.iteration = reached + 1
                self._diverged(reached)

    def _run_numpy(self, until: int, cancel: threading.Event | None) -> None:
        record_every = self.record_every
        forward, backward, update = self._forward_ops, self._backward_ops, self._update_ops
        dot, isfinite = np.dot, math.isfinite
        flat_1d, grad_1d = self.flat.reshape(-1), self.grad.reshape(-1)  # checks: one dot each (NaN/inf propagate)
        limit = DIVERGED_SQUARED_NORM * self.models
        requests = self._requests
        for i in range(self.iteration, until):
            if requests or (cancel is not None and cancel.is_set()):
                return
            for op in forward:
                op()
            if i % record_every == 0:
                self._record(i)
                if self._ended:  # every model stopped at this record: no update
                    return
            for op in backward:
                op()
            if not isfinite(dot(grad_1d, grad_1d)):
                self._diagnose(i)
            for op in update:
                op()
            self.iteration = i + 1
            if not dot(flat_1d, flat_1d) < limit:  # also true for NaN
                self._diverged(i)

    def _diverged(self, i: int) -> None:
        raise TrainingError(f"the training diverged at iteration {i}: the weights grew beyond 1e8 or stopped being "
                            f"finite; {DIVERGED_HINT} than {_rates(self.learning_rate)}", iteration=i)

    # ---------------------------------------------------------------- the arithmetic

    def _plan(self) -> None:
        """Write one iteration down as lists of zero-argument calls on preallocated views.

        The hot loop then only calls them: no allocation, no attribute look-ups, and NumPy's ``out``
        given positionally (keyword ``out=`` costs about a microsecond a call on arrays this small).
        A batch of one works on 2-D views with ``np.dot`` (faster than ``np.matmul`` on a stack of
        one, with the same digits); larger batches use ``np.matmul`` on the stacks.
        """
        forward, self._backward_ops = self._iteration_ops(check=False)
        self._forward_ops = self._input_ops + forward
        inv_m, grad = 1.0 / self.batch_size, self.grad
        if self._optimizer_ops is None:  # a change mid-run re-plans the rest, never the optimizer's state
            self._optimizer_ops = self._guard(self.optimizer_spec, "plan",
                                              lambda: list(self.optimizer.plan(self.flat, grad)))
        self._update_ops = [partial(self._optimizer_step, self._optimizer_ops)]
        self._update_ops += [partial(self._constrain, reg, constrain) for reg, constrain in self._constraints]
        if self.control.stopped.any():  # re-planned (a change mid-run) after a model stopped: keep it frozen
            self._update_ops.append(self.control.freeze)
        # the notebook's 1/m * (data gradient) (m: the batch's points), then the regularizers' terms
        self._backward_ops.append(partial(np.multiply, grad, inv_m, grad))
        self._backward_ops += [partial(self._call, reg, add, self.weights, self.grad_weights, **keywords)
                               for reg, add, keywords in self._grad_adders]
        self._compiled = fast.plan(self)  # the same plan, compiled, when every hook has a kernel (or None)

    def _iteration_ops(self, check: bool) -> tuple[list, list]:
        """The forward and back-propagation calls; with ``check``, each stage is followed by a finiteness check."""
        single = self.models == 1
        flat2d = (lambda a: a[0]) if single else (lambda a: a)
        matmul = np.dot if single else np.matmul
        weights = [flat2d(W) for W in self.weights]
        outputs = [flat2d(A) for A in self.activations] + [flat2d(self.logits)]
        inputs = [flat2d(self.inputs) if self.per_model_inputs else self.X] + outputs[:-1]
        labels = flat2d(self.labels) if self.labels.ndim == 3 else self.labels
        biases = [np.broadcast_to(flat2d(b), out.shape) for b, out in zip(self.biases, outputs)]
        dZs = [flat2d(dA) for dA in self.act_grads] + [flat2d(self.out_grad)]
        probs = flat2d(self.probs)

        def checked(array, what, reg=None):
            return [partial(self._check_finite, array, what, reg)] if check else []

        forward = []
        for layer, A3 in enumerate(self.activations, start=1):
            W, A_in, A, b = weights[layer - 1], inputs[layer - 1], outputs[layer - 1], biases[layer - 1]
            if layer == 1 and not single and not self.per_model_inputs:
                forward += self._first_layer_of_batch()
            else:
                forward += [partial(matmul, W, A_in, A), partial(np.add, A, b, A)]
            forward.append(partial(np.maximum, 0.0, A, out=A))
            # relu'(Z) now, before any transform: noise may change signs, and the derivative is the ReLU's
            forward.append(partial(np.greater, A, 0, flat2d(self.masks[layer - 1])))
            forward += checked(A, f"the activations of hidden layer {layer}")
            for reg, transform in self._transforms:
                forward.append(partial(self._call, reg, transform, layer, A3, result_into=A3))
                forward += checked(A, f"hidden layer {layer} after it transformed it", reg)
        Z = outputs[-1]
        forward += [partial(matmul, weights[-1], inputs[-1], Z), partial(np.add, Z, biases[-1], Z)]
        forward += network.sigmoid_ops(Z, probs)

        backward = [partial(np.subtract, probs, labels, dZs[-1])]
        for index in range(len(weights) - 1, -1, -1):  # the output layer first
            dZ = dZs[index]
            backward += [partial(matmul, dZ, inputs[index].swapaxes(-1, -2), flat2d(self.grad_weights[index])),
                         partial(np.add.reduce, dZ, -1, None, flat2d(self.grad_biases[index]), True)]
            if index == 0:
                break
            layer, dA, dA3 = index, dZs[index - 1], self.act_grads[index - 1]
            W_T = weights[index].swapaxes(-1, -2)
            if not single and W_T.shape[-1] == 1:  # below the output unit: an outer product, exactly W * dZ,
                backward.append(partial(np.multiply, W_T, dZ, dA))  # faster than a stack of k = 1 products
            else:
                backward.append(partial(matmul, W_T, dZ, dA))
            backward += self._hidden_gradient_ops(layer, dA3, checked)
            for reg, backward_hidden in self._backwards:
                backward.append(partial(self._call, reg, backward_hidden, layer, dA3, result_into=dA3))
                backward += checked(dA, f"the gradient of hidden layer {layer} after it changed it", reg)
            # dZ = dA * relu'(Z), in place
            backward.append(partial(np.multiply, dA, flat2d(self.masks[layer - 1]), dA))
        return forward, backward

    def _hidden_gradient_ops(self, layer: int, dA3: np.ndarray, checked) -> list:
        """dA += m * (sum of the ``hidden_gradient``s): the loop's data gradients are m times the
        derivative (summed over points, divided by m at the end), so a plugin writes its plain derivative."""
        if not self._hidden_gradients:
            return []
        extra, A3 = self.hidden_penalty_grads[layer - 1], self.activations[layer - 1]
        ops = [partial(extra.fill, 0.0)]
        for reg, hidden_gradient in self._hidden_gradients:
            ops.append(partial(self._call, reg, hidden_gradient, layer, A3, self.labels, extra))
            ops += checked(extra, f"the gradient of its penalty on hidden layer {layer}", reg)
        return ops + [partial(np.multiply, extra, float(self.batch_size), extra), partial(np.add, dA3, extra, dA3)]

    def _first_layer_of_batch(self) -> list:
        """Z1 = W1 X + b1 of every model of a batch in one 2-D product: [W1 | b1] (K*n1, n_x + 1) @ [X; 1].

        The models share X, so one BLAS call replaces K small ones, and the product adds the bias in
        place of an add that broadcasts it along the points (about 10% of a batched iteration). The
        product sums in the same order as W1 X + b1 (here the digits are the single run's; tests
        hold every model of a batch to its single run within 1e-10).
        """
        W, b, A = self.weights[0], self.biases[0], self.activations[0]
        K, n1, n_x = W.shape
        stacked = np.empty((K, n1, n_x + 1))
        X1 = np.vstack([self.X, np.ones((1, self.X.shape[1]))])
        return [partial(np.copyto, stacked[:, :, :n_x], W), partial(np.copyto, stacked[:, :, n_x:], b),
                partial(np.dot, stacked.reshape(K * n1, n_x + 1), X1, A.reshape(K * n1, -1))]

    def _objective(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(objective, penalty, data loss), each (K,), of the training pass just made."""
        data_cost = network.cross_entropy(self.logits, self.probs, self.labels)
        penalty = self._penalty(i, self.activations, self.labels)
        return data_cost + penalty, penalty, data_cost

    def evaluate(self) -> np.ndarray:
        """One training pass at the current parameters, without an update: returns the objective (K,)
        as a record states it and leaves the complete gradient (data, 1/b, every regularizer's share)
        in `grad`. It draws random numbers as an iteration does: `restore` ``context.random`` to repeat
        a pass exactly (`regcore.testing.check_gradients` does)."""
        compiled = self._compiled if self._compiled is not None and self._compiled.ready() else None
        with np.errstate(all="ignore"):
            if compiled is not None:  # the gradient by the kernel, then the cost by the same draws in NumPy
                drawn = self.context.random.state()
                compiled.gradient()
                self.context.random.restore(drawn)
            for op in self._forward_ops:
                op()
            cost = self._objective(self.iteration)[0]
            if compiled is None:
                for op in self._backward_ops:
                    op()
        return cost

    def _record_end(self) -> None:
        """Record the parameters the run ends with, at iteration `iterations`: the loop records before
        an iteration's update, every `record_every`, so without this the last update would never be
        seen (a 100-iteration run recorded every 100 would have only iteration 0)."""
        if self.history.records and self.history.records[-1].iteration >= self.iteration:
            return
        for op in self._forward_ops:
            op()
        self._record(self.iteration)

    def _record(self, i: int) -> None:
        cost, penalty, data_cost = self._objective(i)
        if not np.all(np.isfinite(cost)):
            if self._transforms:  # redo the forward pass checking each stage: names a transform that broke it
                for op in self._iteration_ops(check=True)[0]:
                    op()
            raise TrainingError(f"the cost stopped being finite at iteration {i}; {DIVERGED_HINT}", iteration=i)
        # on the whole untransformed set the training pass is the clean pass: its data loss is the clean loss
        clean = not (self._transforms or self._input_transforms or self.batched)
        train_loss = data_cost if clean else self.train_loss()
        record = Record(i, cost, penalty, self.test_cost(), train_loss)
        self.history.records.append(record)
        self._pending.append(record)
        if self._recorders:
            self.control.iteration = i
            for reg, after_record in self._recorders:
                self._call(reg, after_record, record, self.control)
            if self.control.stopped.any() and self.control.freeze not in self._update_ops:
                self._update_ops.append(self.control.freeze)  # the same list the loop runs: from the next update on
            self._ended = self.control.all_stopped

    def _penalty(self, i: int, activations, labels) -> np.ndarray:
        """Every penalty, (K,); ``activations`` are the hidden layers' (the training pass's, or a clean one's)
        and ``labels`` the labels of the points they were computed on."""
        total = np.zeros(self.models)
        for reg, penalty, keywords in self._penalties:
            total = total + self._checked_penalty(reg, self._call(reg, penalty, self.weights, **keywords), i)
        for reg, hidden_penalty in self._hidden_penalties:
            for layer, A in enumerate(activations, start=1):
                total = total + self._checked_penalty(reg, self._call(reg, hidden_penalty, layer, A, labels), i)
        return total

    def _checked_penalty(self, reg: ActiveRegularizer, value, i: int):
        """A penalty a plugin returned, as (K,) (None counts 0), or a TrainingError saying what is wrong."""
        if value is None:
            return 0.0
        try:
            value = np.broadcast_to(np.asarray(value, dtype=float), (self.models,))
        except (TypeError, ValueError):
            try:
                what = f"shape {np.shape(value)}"
            except ValueError:  # a ragged list has no shape
                what = f"a ragged {type(value).__name__}"
            raise TrainingError(f"{reg.title} returned a penalty of {what}, expected shape ({self.models},)",
                                iteration=i, regularizer=reg.cls.name) from None
        if not np.all(np.isfinite(value)):
            raise TrainingError(f"{reg.title} returned a non-finite penalty at iteration {i}",
                                iteration=i, regularizer=reg.cls.name)
        return value

    # ---------------------------------------------------------------- guarding plugins

    def _guard(self, reg: ActiveRegularizer, what: str, call):
        try:
            return call()
        except TrainingError:
            raise
        except ParamError as error:  # a value the run cannot take (a layer it does not have): the user's, not a bug
            raise ParamError(f"{reg.title}: {error}") from None
        except PLUGIN_FAILURES as error:  # a plugin's bug must end the run, not the program
            raise self._failure(reg, what, error) from error

    def _call(self, reg: ActiveRegularizer, method, *args, result_into: np.ndarray | None = None, **keywords):
        try:
            result = method(*args, **keywords)
        except PLUGIN_FAILURES as error:  # a plugin's bug must end the run, not the program
            raise self._failure(reg, getattr(method, "__name__", "a method"), error) from error
        if result is not None and result_into is not None:
            self._take_result(reg, getattr(method, "__name__", "a method"), result, result_into)
        return result

    def _failure(self, reg: ActiveRegularizer, what: str, error: BaseException) -> TrainingError:
        if isinstance(error, RegcoreError):  # the plugin refused something, in a line of its own: say just that
            return TrainingError(f"{reg.title}: {error}", iteration=self.iteration, regularizer=reg.cls.name)
        return TrainingError(f"{reg.title} failed in {what} at iteration {self.iteration}: "
                             f"{type(error).__name__}: {error}", iteration=self.iteration, regularizer=reg.cls.name)

    def _take_result(self, reg: ActiveRegularizer, name: str, result, into: np.ndarray) -> None:
        """Copy an array a method returned (rather than working in place) into place, if it is one that fits."""
        try:
            if np.shape(result) == into.shape:
                np.copyto(into, result)
                return
            what = f"shape {np.shape(result)}"
        except (TypeError, ValueError):  # ragged lists, strings, complex numbers: not usable values
            what = f"an unusable {type(result).__name__}"
        raise TrainingError(f"{reg.title} returned {what} from {name}, expected an array of shape {into.shape} "
                            f"(or None, having changed the array in place)", iteration=self.iteration,
                            regularizer=reg.cls.name)

    def _optimizer_step(self, planned: list) -> None:
        """Run the optimizer's update calls; one that raises ends the run naming the optimizer."""
        try:
            for op in planned:
                op()
        except PLUGIN_FAILURES as error:  # a plugin's bug must end the run, not the program
            raise self._failure(self.optimizer_spec, "its update", error) from error

    def _constrain(self, reg: ActiveRegularizer, constrain) -> None:
        """Run an ``after_update``; parameters it leaves non-finite are its fault, not the learning rate's."""
        self._call(reg, constrain, self.weights, self.biases)
        self._check_finite(self.flat, "the parameters after it constrained them", reg)

    def _check_finite(self, array: np.ndarray, what: str, reg: ActiveRegularizer | None = None) -> None:
        if np.all(np.isfinite(array)):
            return
        if reg is None:
            raise TrainingError(f"{what} stopped being finite at iteration {self.iteration}; {DIVERGED_HINT}",
                                iteration=self.iteration)
        raise TrainingError(f"{reg.title} produced non-finite values in {what} at iteration {self.iteration}",
                            iteration=self.iteration, regularizer=reg.cls.name)

    def _diagnose(self, i: int) -> None:
        """The gradient is not finite: redo the iteration checking every stage, and say which failed."""
        if not np.all(np.isfinite(self.flat)):
            raise TrainingError(f"the parameters stopped being finite at iteration {i - 1}; {DIVERGED_HINT}",
                                iteration=i - 1)
        forward, backward = self._iteration_ops(check=True)
        for op in forward + backward:
            op()
        self.grad *= 1.0 / self.batch_size
        self._check_finite(self.grad, "the data gradient")
        for reg, add, keywords in self._grad_adders:
            self._call(reg, add, self.weights, self.grad_weights, **keywords)
            self._check_finite(self.grad, "the gradients after it added to them", reg)
        raise TrainingError(f"the gradient stopped being finite at iteration {i}; {DIVERGED_HINT}", iteration=i)

    # ---------------------------------------------------------------- looking at the models

    def snapshot(self) -> np.ndarray:
        """A copy of all parameters, (K, P): safe to hand to another thread."""
        return self.flat.copy()

    @np.errstate(all="ignore")
    def test_cost(self) -> np.ndarray:
        """Data loss on the test set, (K,); NaN when the data set has no test points."""
        if self.data.X_test.shape[1] == 0:
            return np.full(self.models, np.nan)
        return _data_loss(network.forward(self.flat, self.layout, self.data.X_test), self.data.Y_test)

    @np.errstate(all="ignore")
    def train_loss(self) -> np.ndarray:
        """Data loss on the training set by the clean forward pass (no dropout, no penalty), (K,)."""
        return _data_loss(network.forward(self.flat, self.layout, self.train_X), self.train_Y)

    @np.errstate(all="ignore")
    def accuracies(self) -> tuple[np.ndarray, np.ndarray]:
        """Train and test accuracy of the current parameters, each (K,)."""
        def accuracy(X, Y):
            if X.shape[-1] == 0:
                return np.full(self.models, np.nan)
            if X.ndim == 3:  # each model's own sample (a small set: one pass, no chunks)
                return network.accuracy(network.forward(self.flat, self.layout, X).probabilities[:, 0, :], Y)
            return network.accuracy(network.probabilities(self.flat, self.layout, X), Y)
        return accuracy(self.train_X, self.train_Y), accuracy(self.data.X_test, self.data.Y_test)

    @np.errstate(all="ignore")
    def final_cost(self) -> np.ndarray:
        """The training objective of the current parameters on the clean forward pass, (K,)."""
        passed = network.forward(self.flat, self.layout, self.train_X, keep_hidden=bool(self._hidden_penalties))
        return _data_loss(passed, self.train_Y) + self._penalty(self.iteration, passed.activations, self.train_Y)

    def result(self) -> Result:
        """The batch as it is now. Always returns, so a failed run keeps its history: a final cost that
        cannot be computed (the regularizer whose penalty failed the run fails again) is NaN."""
        train, test = self.accuracies()
        try:
            final_cost = self.final_cost()
        except TrainingError:
            final_cost = np.full(self.models, np.nan)
        return Result(layout=self.layout, parameters=self.snapshot(), history=self.history.arrays(),
                      train_accuracy=train, test_accuracy=test, final_cost=final_cost,
                      seconds=self.seconds, iterations_done=self.iteration, completed=self.completed,
                      stopped_at=self.control.stopped_at, kept_from=self.control.kept_from)


def _rates(learning_rate: np.ndarray) -> str:
    """The learning rate(s) of a batch, for a message: ``0.3``, or ``0.1 to 0.3``."""
    low, high = float(learning_rate.min()), float(learning_rate.max())
    return f"{low:g}" if low == high else f"{low:g} to {high:g}"


def _checked_samples(samples, models: int, examples: int) -> np.ndarray | None:
    """``samples`` as a (K, m') integer array of indices into the training points, or a one-line error."""
    if samples is None:
        return None
    array = np.asarray(samples)
    if array.dtype.kind not in "iu" or array.ndim != 2 or array.shape[0] != models or array.shape[1] == 0:
        raise ParamError(f"samples must be a ({models}, m) integer array of training-point indices, "
                         f"got {array.dtype} of shape {array.shape}")
    if array.min() < 0 or array.max() >= examples:
        raise ParamError(f"samples must index the {examples} training points, got indices "
                         f"{int(array.min())} to {int(array.max())}")
    return array.astype(np.intp)


def _data_loss(passed: network.ForwardPass, Y: np.ndarray) -> np.ndarray:
    return network.cross_entropy(passed.logits, passed.probabilities, Y)
