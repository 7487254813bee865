"""The compiled path: when `Training` may run its planned iteration as the numba kernel, and how.

The training loop (`regcore.training`) is one loop. Between two recordings (and changes, and control
points) its iterations can run in `regcore.kernel.train_chunk`, which performs the same planned
iteration compiled — when every per-iteration hook of the run has a compiled equivalent:

- the optimizer is plain gradient descent (`regcore.optimizer.GradientDescent`);
- each regularizer either overrides no per-iteration hook (``none``, early stopping: penalties and
  ``after_record`` run in Python, at the recordings), or says what its hooks do in `kernel_terms`
  (`WeightTerm`: L2, L1; `HiddenDropout`: dropout) in the same class that defines them, so a subclass
  that changes a hook falls back;
- the whole training set every iteration (no mini-batches) and no input transforms.

Anything else — a third-party Python hook, an unknown optimizer — keeps the NumPy path, with no
change in what the run does. The recordings always run on the NumPy path, so records, penalties,
``after_record`` and error messages are the loop's own. Dropout's fresh masks are drawn in Python from
the run's generators, a chunk at a time, in the order the NumPy path draws them, so runs match.

Two ways of computing the iteration, both in `regcore.kernel`. The exact kernel gives the NumPy path's
digits (NumPy's BLAS calls, pairwise sums and exp loop): single runs use it, because the notebook's
unregularized run is chaotic enough that the loop kernel's last-bit differences grow past the issue's
1e-12 (measured: 2e-12 from the notebook's costs after 30,000 iterations). Batches (sweeps, the
bias-variance lab) use the loop kernel: every product as compiled loops (fused multiply-adds, sums in
SIMD lanes), about twice as fast per model, the models spread over the cores by numba's threads. Its
costs stay within about 1e-15 relative of the NumPy path on L2 and the course's dropout and a few 1e-8
with L1 after 30,000 iterations (without regularization 2e-11: so a batch's unregularized models run
exact too); fresh dropout is chaotic, so it ends as another sample of the same experiment. A model gets
the same numbers in any batch, however the batches are grouped (each model's arithmetic is its own).
A run whose regularizers decide at the recordings (`after_record`: early stopping) runs exact, so its
models stop where they stop alone.

Compiling the kernel takes a few seconds the first time, then numba's cache loads it in a fraction of
one. `warm_up()` starts that in a background thread (the window calls it at start-up); a run that
starts before it is done uses the NumPy path and moves to the kernel between two chunks once it is
ready. Without `warm_up`, the first run long enough to gain (`MIN_MODEL_ITERATIONS`) loads it itself.

``REGCORE_FAST``: ``0`` always uses the NumPy path; ``1`` uses the kernel for every eligible run,
however short (the tests use both); ``exact`` is ``1`` with the exact kernel for batches too (the NumPy
path's digits everywhere: the tests that compare control flow use it); unset, the kernel serves
eligible runs of at least `MIN_MODEL_ITERATIONS` model-iterations, and a sweep it serves trains in this
process (`serves`). Without numba (or if it fails to compile) the NumPy path is used and `status()`
says why.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from .optimizer import GradientDescent
from .regularizer import Regularizer

ENV = "REGCORE_FAST"
DONE, GRADIENT_NOT_FINITE, DIVERGED = 0, 1, 2  # a chunk's outcome (the kernel's statuses)
MIN_MODEL_ITERATIONS = 5000          # iterations: below this, loading the kernel costs more than it saves
CHUNK_MODEL_ITERATIONS = 4096        # per kernel call: a few ms, so cancel and live changes stay prompt
FRESH_BUFFER_BYTES = 4 << 20         # the uniform numbers of one chunk's fresh dropout masks
# the hooks that run every iteration; the others (penalties, after_record) run at the recordings
ITERATION_HOOKS = ("transform_inputs", "transform_hidden", "backward_hidden", "hidden_gradient",
                   "add_gradients", "after_update")


@dataclass(frozen=True)
class WeightTerm:
    """``add_gradients`` as grads.flat += coefficient * f(weights.flat): f(w) = w for ``"l2"``, sign(w)
    for ``"l1"``; ``coefficient`` broadcasts to (K, number of weights)."""

    kind: str
    coefficient: np.ndarray


@dataclass(frozen=True)
class HiddenDropout:
    """Inverted dropout on every hidden layer: A * mask / keep, and the same on the gradient.

    ``keep``: broadcasts to (K,); ``masks``: one fixed (K or 1, n_l, m) array of 0.0/1.0 per hidden
    layer, or None for fresh masks: uniform numbers drawn each iteration, layer by layer, from the run's
    generators (`ModelRandom.random_into`), kept where u < keep."""

    keep: np.ndarray
    masks: tuple[np.ndarray, ...] | None = None


# ---------------------------------------------------------------- the kernel itself

_lock = threading.Lock()
_kernel: Any = None        # regcore.kernel.train_chunk once loaded
_parallel: Any = None      # regcore.kernel.train_parallel (batches: the models over the cores)
_parallel_lock = threading.Lock()  # numba's default thread pool serves one parallel call at a time
_problem: str | None = None
_loading: threading.Thread | None = None


def enabled() -> str:
    """``"0"``, ``"1"``, ``"exact"`` or ``"auto"``: what ``REGCORE_FAST`` asks for."""
    value = os.environ.get(ENV, "").strip()
    return value if value in ("0", "1", "exact") else "auto"


_exp = (0, 0)              # NumPy's float64 exp loop for the kernel: (address, data), or (0, 0)
_modes: dict = {}          # (n_out, n_in, m, transposed) -> how the kernel computes that product
LOOP_TERMS = 4             # products summing at most this many terms may run as loops (BLAS costs its call)


def numpy_exp_loop() -> tuple[int, int]:
    """(address, data) of NumPy's float64 ``exp`` inner loop, read from the ufunc object (the layout of
    NumPy's PyUFuncObject: nin, nout, nargs at 16, functions at 32, data at 40, ntypes at 48, name at
    56), or (0, 0) when what is there does not look like it."""
    import ctypes

    base, ufunc = id(np.exp), np.exp
    try:
        nin, nout, nargs = (ctypes.c_int * 3).from_address(base + 16)
        ntypes = ctypes.c_int.from_address(base + 48).value
        name = ctypes.c_char_p.from_address(base + 56).value
        if (nin, nout, nargs, ntypes, name) != (1, 1, 2, len(ufunc.types), b"exp"):
            return 0, 0
        index = ufunc.types.index("d->d")
        functions = ctypes.c_void_p.from_address(base + 32).value
        data = ctypes.c_void_p.from_address(base + 40).value
        address = ctypes.c_void_p.from_address(functions + 8 * index).value
        return address or 0, (ctypes.c_void_p.from_address(data + 8 * index).value or 0) if data else 0
    except (ValueError, TypeError, OSError):
        return 0, 0


def _exp_agrees(kernel, loop: tuple[int, int]) -> bool:
    """Whether the kernel's exp by ``loop`` gives np.exp's digits, on numbers of every size."""
    x = np.random.default_rng(0).normal(scale=20.0, size=4096)
    y = x.copy()
    kernel._exp_in_place(y, loop[0], loop[1], np.empty(5, dtype=np.int64))
    return bool(np.array_equal(y, np.exp(x), equal_nan=True))


def _single_threaded_kernel_blas() -> None:
    """numba's products call SciPy's OpenBLAS (not NumPy's): on matrices this small its threads cost
    more than they give, so that library runs on one (best effort; nothing else here uses it)."""
    import ctypes

    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "scipy.libs/libscipy_openblas" in line}
        for path in paths:
            setter = getattr(ctypes.CDLL(path), "scipy_openblas_set_num_threads", None)
            if setter is not None:
                setter(1)
    except OSError:  # no /proc (not Linux), or a library that cannot be opened: its default threads
        pass


def _load() -> None:
    global _kernel, _parallel, _problem, _exp
    with _lock:
        if _kernel is not None or _problem is not None:
            return
        try:
            from . import kernel
            loop = numpy_exp_loop()
            if not (loop[0] and _exp_agrees(kernel, loop)):
                # the C library's exp differs from NumPy's in the last bit now and then, and chaotic runs
                # (no regularization, fresh dropout) grow that into different results: keep NumPy
                _problem = "NumPy's float64 exp loop could not be found, so the kernel would not give its digits"
                return
            _exp = loop
            _single_threaded_kernel_blas()
            _parallel = kernel.train_parallel
            _kernel = kernel.train_chunk
        except Exception as error:  # numba missing, or unable to compile here: the NumPy path serves
            _problem = f"{type(error).__name__}: {error}".splitlines()[0]


def warm_up() -> None:
    """Load (or compile) the kernel in a background thread; returns at once. Safe to call repeatedly."""
    global _loading
    if enabled() == "0" or _kernel is not None or _problem is not None:
        return
    with _lock:
        if _loading is None:
            _loading = threading.Thread(target=_load, name="regcore-kernel", daemon=True)
            _loading.start()


def kernel(wait: bool = True):
    """The compiled `train_chunk`, or None: numba is missing or failed, or a background load is under way
    (with ``wait`` False, or while `warm_up`'s thread works, the caller uses the NumPy path meanwhile)."""
    if _kernel is not None or _problem is not None:
        return _kernel
    if _loading is not None and _loading.is_alive():
        return None
    if wait:
        _load()
    return _kernel


def wait_for_kernel():
    """The kernel, or None, once any background load (`warm_up`) has finished: for callers that must
    know which path their runs take (the tests comparing the two paths), never the window."""
    loading = _loading
    if loading is not None:
        loading.join()
    return kernel()


def status() -> str:
    """One line: whether runs can use the compiled kernel, and if not why."""
    if enabled() == "0":
        return f"the NumPy path ({ENV}=0)"
    if _problem is not None:
        return f"the NumPy path (the kernel is unavailable: {_problem})"
    if _kernel is None:
        return "the compiled kernel (not loaded yet)"
    return "the compiled kernel"


def product_mode(n_out: int, n_in: int, m: int, transposed: bool) -> int:
    """How the kernel computes a (n_out, n_in) x (n_in, m) product (``transposed``: W is the transpose
    of a C-ordered array, as the gradient's way down reads it): a loop when one gives exactly
    ``np.dot``'s digits here (the order OpenBLAS sums short products in), else BLAS."""
    key = (n_out, n_in, m, transposed)
    if key not in _modes:
        from . import kernel as compiled

        _modes[key] = compiled.BLAS
        if n_in <= LOOP_TERMS:
            rng = np.random.default_rng(n_out * 1000 + n_in)
            trials = [(rng.normal(size=(n_in, n_out)).T if transposed else rng.normal(size=(n_out, n_in)),
                       rng.normal(size=(n_in, m)) * rng.uniform(0.0, 3.0, size=(n_in, 1))) for _ in range(3)]
            for mode in (compiled.FUSED_LOOP, compiled.PLAIN_LOOP):
                if all(_loop_agrees(compiled, W, A, mode) for W, A in trials):
                    _modes[key] = mode
                    break
    return _modes[key]


def _loop_mode() -> int:
    """The loop kernel's products: fused multiply-adds where the processor has them (half the work), else plain."""
    from llvmlite import binding

    from . import kernel as compiled

    return compiled.FUSED_LOOP if "+fma" in binding.get_host_cpu_features().flatten() else compiled.PLAIN_LOOP


def _loop_agrees(compiled, W, A, mode) -> bool:
    out = np.empty((W.shape[0], A.shape[1]))
    compiled._product(W, A, mode, out)
    return bool(np.array_equal(out, np.dot(W, A)))


# ---------------------------------------------------------------- which runs, and running them

def terms_of(instance: Regularizer, ask=lambda method: method()):
    """The compiled terms of a regularizer's per-iteration hooks: () for none, None when it has hooks
    the kernel cannot run."""
    cls = type(instance)
    hooks = [name for name in ITERATION_HOOKS if cls.overrides(name)]
    if not hooks:
        return ()
    owner = next(c for c in cls.__mro__ if "kernel_terms" in vars(c))
    if owner is Regularizer or any(next(c for c in cls.__mro__ if name in vars(c)) is not owner for name in hooks):
        return None  # no equivalent, or a subclass changed a hook its parent's terms describe
    return ask(instance.kernel_terms)


def plan(training) -> CompiledIteration | None:
    """A `CompiledIteration` for ``training`` (a `regcore.training.Training`), or None for the NumPy path."""
    mode = enabled()
    if mode == "auto" and training.models * training.iterations < MIN_MODEL_ITERATIONS:
        return None  # too short to gain what loading the kernel costs
    terms = _compiled_terms(training)
    return None if terms is None else CompiledIteration(training, *terms)


def serves(training) -> bool:
    """Whether the kernel can run ``training``'s iterations (however many): a sweep then trains its batches
    in this process, the kernel spreading each batch's models over the cores, instead of in worker processes."""
    import importlib.util

    return _problem is None and importlib.util.find_spec("numba") is not None and _compiled_terms(training) is not None


def _compiled_terms(training):
    """(weight terms, dropout or None) of the kernel's equivalent of ``training``'s hooks, or None."""
    if enabled() == "0" or training.batched or training._input_transforms or training._constraints \
            or training._hidden_gradients or type(training.optimizer) is not GradientDescent:
        return None
    weight_terms, dropouts = [], []
    for reg, instance in zip(training.active, training.instances):
        # a kernel_terms that raises fails the run naming its plugin, as any hook does
        terms = terms_of(instance, lambda method, r=reg: training._guard(r, "kernel_terms", method))
        if terms is None:
            return None
        for term in terms:
            (weight_terms if isinstance(term, WeightTerm) else dropouts).append(term)
    if len(dropouts) > 1 or any(t.kind not in ("l2", "l1") for t in weight_terms):
        return None
    if len(training._transforms) != len(dropouts) or len(training._backwards) != len(dropouts):
        return None  # a transform without a compiled equivalent
    return weight_terms, dropouts[0] if dropouts else None


class CompiledIteration:
    """Iterations of one `Training`'s plan, run by the kernel on the training's own arrays."""

    def __init__(self, training, weight_terms: list[WeightTerm], dropout: HiddenDropout | None):
        self.training = t = training
        K, sizes = t.models, t.layout.sizes
        self.sizes = np.array(sizes, dtype=np.int64)
        X, Y = t.train_X, t.train_Y            # (n_x, m) shared, or (K, n_x, m') each model's own
        self.inputs = np.ascontiguousarray(X if X.ndim == 3 else X[None], dtype=float)
        self.labels = np.ascontiguousarray((Y if Y.ndim == 3 else Y[None])[:, 0, :], dtype=float)
        m, hidden = self.inputs.shape[2], sum(sizes[1:-1])
        self.inv_m = 1.0 / t.batch_size
        weights = t.layout.weight_count
        self.kinds = np.array([1 if term.kind == "l2" else 2 for term in weight_terms], dtype=np.int64)
        self.coefficients = np.zeros((len(weight_terms), K, weights))
        for row, term in zip(self.coefficients, weight_terms):
            row[...] = np.broadcast_to(np.asarray(term.coefficient, dtype=float), (K, weights))
        self.mode, self.keep, self.drop = 0, np.ones(K), np.zeros((1, 1, hidden, m))
        self.chunk = max(1, CHUNK_MODEL_ITERATIONS // K)
        if dropout is not None:
            self.keep = np.broadcast_to(np.asarray(dropout.keep, dtype=float).reshape(-1), (K,)).copy()
            if dropout.masks is None:
                self.mode = 2
                self.chunk = max(1, min(self.chunk, FRESH_BUFFER_BYTES // (8 * K * hidden * m)))
                self.drop = np.empty((K, self.chunk, hidden, m))
            else:
                self.mode = 1
                stacked = np.concatenate([mask.reshape(-1, *mask.shape[-2:]) for mask in dropout.masks], axis=-2)
                self.drop = np.ascontiguousarray(stacked[:, None], dtype=float)
        # the exact kernel for single runs, and in a batch for the models trained without regularization:
        # those are chaotic on the course's data, and only NumPy's digits keep them within 1e-12 of the notebook
        # and for every model of a run whose regularizers decide something at the recordings (early stopping):
        # a plateau's near-ties would flip with the loop kernel's last bits, and the model stop elsewhere than alone
        unregularized = np.all(self.coefficients == 0.0, axis=(0, 2)) & (dropout is None or np.all(self.keep == 1.0))
        decides = any(type(instance).overrides("after_record") for instance in t.instances)
        self.exact = np.ones(K, dtype=bool) if K == 1 or decides or enabled() == "exact" else unregularized
        self.parallel = K > 1
        self.work = np.zeros((K, hidden + 1, m) if self.parallel else (hidden + 1, m))
        self.work_grads = np.zeros_like(self.work)
        self.modes = None  # chosen once the kernel is loaded (see product_mode)

    def ready(self) -> bool:
        return kernel(wait=True) is not None

    def _draw(self, count: int) -> None:
        """The fresh masks' uniform numbers of ``count`` iterations, from each model's generator."""
        for generator, row in zip(self.training.context.random.generators, self.drop):
            generator.random(out=row[:count])

    def _call(self, count: int, update: bool, limit: float = np.inf):
        t = self.training
        if self.modes is None:  # [0]: the loop kernel's products, [1]: the exact kernel's (see product_mode)
            sizes, m = self.sizes, self.inputs.shape[2]
            self.modes = np.full((2, 2, len(sizes) - 1), _loop_mode(), dtype=np.int64)
            for l in range(len(sizes) - 1):
                self.modes[1, 0, l] = product_mode(int(sizes[l + 1]), int(sizes[l]), m, False)
                self.modes[1, 1, l] = product_mode(int(sizes[l]), int(sizes[l + 1]), m, True) if l else 0
        rates = np.ascontiguousarray(t.learning_rate[:, 0], dtype=float)
        arguments = (*_exp, self.modes, t.flat, t.grad, self.sizes, self.inputs, self.labels, rates, t.control.stopped,
                     self.inv_m, self.kinds, self.coefficients, self.mode, self.drop, self.keep, float(limit), count)
        if self.parallel and update:
            with _parallel_lock:
                return _parallel(*arguments, self.exact, self.work, self.work_grads)
        work, work_grads = (self.work[0], self.work_grads[0]) if self.parallel else (self.work, self.work_grads)
        return kernel()(*arguments, update, self.exact, work, work_grads)

    def run(self, start: int, stop: int, limit: float) -> tuple[int, int]:
        """Iterations ``start`` .. at most ``stop`` - 1 (one chunk). Returns (iteration reached, status):
        see `regcore.kernel`; on status 1 the run's generators are as they were at that iteration."""
        count = min(stop - start, self.chunk)
        state = None
        if self.mode == 2:
            state = self.training.context.random.state()
            self._draw(count)
        done, status = self._call(count, True, limit)
        if status == 1 and state is not None:  # rewind to that iteration's draws, for the NumPy path to redo it
            self.training.context.random.restore(state)
            if done:
                self._draw(done)
        return start + done, status

    def gradient(self) -> None:
        """One pass without an update: the complete gradient in ``training.grad`` (the run's generators advance
        as an iteration's would)."""
        if self.mode == 2:
            self._draw(1)
        self._call(1, False)
