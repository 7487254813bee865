"""Time the notebook transcription, RegStudio's NumPy path, its compiled path and JAX, in one process.

    python benchmarks/bench_fast.py [--data PATH] [--iterations N] [--repeat R] [--sweep-iterations N]
                                    [--no-jax] [--json]

Single runs (30,000 iterations, the notebook's initialisation) of none, L2, dropout with fresh masks,
dropout with the course's masks and L2 + dropout: the notebook transcription
(`notebook_baseline.model`; it has only the course's masks and no L2 + dropout, so the three dropout
rows time its dropout run), the
core with ``REGCORE_FAST=0`` (NumPy), the core's compiled path, and JAX (``jit`` + ``lax.fori_loop``
in float64, compiled before timing) when it is installed (``pip install -e ".[bench]"``). The four
are run alternately R times; each keeps its best time. The two core paths are checked to give the same
costs and accuracies. Then sweeps of 16 and 64 L2 models (lambd 0..3): microseconds per
model-iteration of JAX ``vmap`` and of `regcore.sweep.Sweep` on every core (worker processes' start included);
the 16 x 30,000 sweep against 16 notebook runs (a sweep the kernel serves trains in this process, the
models over the cores by the loop kernel's threads; otherwise in worker processes) (2 of them timed, scaled by 8); a run with a
third-party Python regularizer (it falls back to the NumPy path); the 200x200 boundary grid; and the
kernel's first-use cost with a cold and a warm numba cache (fresh processes). Ratios measured in one
run are what to compare; absolute times on a shared machine are noise.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebook_baseline as baseline  # noqa: E402

from regcore import Regularizer, fast, network  # noqa: E402
from regcore.config import RunConfig  # noqa: E402
from regcore.datasets import resolve_data  # noqa: E402
from regcore.plugins import load_registry  # noqa: E402
from regcore.regularizer import ActiveRegularizer  # noqa: E402
from regcore.sweep import Axis, Sweep, plan  # noqa: E402
from regcore.training import Training  # noqa: E402

FOOTBALL = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "football.mat"
RECORD_EVERY = 1000  # the notebook's
RUNS = (  # name, notebook (lambd, keep_prob), regularizers, JAX (lambd, keep_prob, masks)
    ("none", (0.0, 1.0), [], (0.0, 1.0, None)),
    ("l2", (0.7, 1.0), [("l2", {"lambd": 0.7})], (0.7, 1.0, None)),
    ("dropout fresh", (0.0, 0.86), [("dropout", {"keep_prob": 0.86, "mask": "fresh"})], (0.0, 0.86, "fresh")),
    ("dropout course", (0.0, 0.86), [("dropout", {"keep_prob": 0.86, "mask": "course"})], (0.0, 0.86, "course")),
    ("l2+dropout", (0.0, 0.86), [("l2", {"lambd": 0.7}), ("dropout", {"keep_prob": 0.86, "mask": "course"})],
     (0.7, 0.86, "course")),
)


class PythonL2(Regularizer):
    """A third-party regularizer as a plugin author writes it: L2 in plain NumPy, no compiled terms."""

    name = "python_l2"

    def setup(self):
        self.lambd = self.values["lambd"]

    def penalty(self, weights):
        return sum(np.sum(W * W, axis=(1, 2)) for W in weights) * self.lambd[:, 0, 0] / (2 * self.context.examples)

    def add_gradients(self, weights, grads):
        for W, dW in zip(weights, grads):
            dW += self.lambd / self.context.examples * W


@contextlib.contextmanager
def fast_path(flag: str):
    saved = os.environ.get(fast.ENV)
    os.environ[fast.ENV] = flag
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(fast.ENV, None)
        else:
            os.environ[fast.ENV] = saved


def best(call, repeat):
    times, out = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        out = call()
        times.append(time.perf_counter() - started)
    return min(times), out


def time_notebook(data, iterations, lambd, keep_prob):
    with contextlib.redirect_stdout(io.StringIO()), np.errstate(all="ignore"):
        baseline.model(data.X_train, data.Y_train, num_iterations=iterations, lambd=lambd, keep_prob=keep_prob)


def time_core(data, iterations, regularizers, flag, seeds=(3,)):
    with fast_path(flag):
        training = Training(data, iterations=iterations, seeds=seeds, regularizers=regularizers,
                            record_every=RECORD_EVERY)
        compiled = training._compiled is not None
        result = training.run()
    return result, compiled


# ---------------------------------------------------------------- JAX, as a researcher would write it

def jax_trainer(data, initial, layout, iterations, keep_prob, masks):
    """A jitted function (W, b, lambd, key) -> final parameters: the notebook's loop in float64."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    X, Y, m = jnp.asarray(data.X_train), jnp.asarray(data.Y_train), data.X_train.shape[1]
    fixed = None
    if masks == "course":
        state = np.random.RandomState(1)
        fixed = [jnp.asarray(state.rand(n, m) < keep_prob, dtype=jnp.float64) for n in layout.sizes[1:-1]]

    def gradient(params, lambd, key):
        W, b = params
        A, cache = X, []
        keys = jax.random.split(key, len(W))
        for layer in range(len(W) - 1):
            Z = W[layer] @ A + b[layer]
            A = jnp.maximum(Z, 0.0)
            D = None
            if masks == "course":
                D = fixed[layer]
            elif masks == "fresh":
                D = jax.random.bernoulli(keys[layer], keep_prob, A.shape).astype(jnp.float64)
            if D is not None:
                A = A * D / keep_prob
            cache.append((Z, A, D))
        P = jax.nn.sigmoid(W[-1] @ A + b[-1])
        dZ = P - Y
        dW, db = [None] * len(W), [None] * len(W)
        for layer in range(len(W) - 1, -1, -1):
            A_in = X if layer == 0 else cache[layer - 1][1]
            dW[layer] = dZ @ A_in.T / m + lambd / m * W[layer]
            db[layer] = jnp.sum(dZ, axis=1, keepdims=True) / m
            if layer:
                Z, _, D = cache[layer - 1]
                dA = W[layer].T @ dZ
                if D is not None:
                    dA = dA * D / keep_prob
                dZ = dA * (Z > 0)
        return dW, db

    def train(params, lambd, key):
        def step(i, carry):
            (W, b), key = carry
            key, sub = jax.random.split(key)
            dW, db = gradient((W, b), lambd, sub)
            return ([w - 0.3 * g for w, g in zip(W, dW)], [c - 0.3 * g for c, g in zip(b, db)]), key
        return jax.lax.fori_loop(0, iterations, step, (params, key))[0]

    weights, biases = layout.views(initial)
    params = ([jnp.asarray(W[0]) for W in weights], [jnp.asarray(b[0]) for b in biases])
    return jax.jit(train), params


def jax_single(data, initial, layout, iterations, lambd, keep_prob, masks):
    import jax

    train, params = jax_trainer(data, initial, layout, iterations, keep_prob, masks)
    key = jax.random.PRNGKey(0)
    jax.block_until_ready(train(params, lambd, key))  # compile
    return lambda: jax.block_until_ready(train(params, lambd, key))


def jax_vmap(data, initial, layout, iterations, lambdas):
    import jax
    import jax.numpy as jnp

    train, params = jax_trainer(data, initial, layout, iterations, 1.0, None)
    batched = jax.jit(jax.vmap(train, in_axes=(None, 0, None)))
    lambdas, key = jnp.asarray(lambdas), jax.random.PRNGKey(0)
    jax.block_until_ready(batched(params, lambdas, key))  # compile
    return lambda: jax.block_until_ready(batched(params, lambdas, key))


def threads() -> int:
    import numba

    return numba.get_num_threads()


def have_jax() -> bool:
    try:
        import jax  # noqa: F401
    except ImportError:
        return False
    return True


# ---------------------------------------------------------------- the rest

def first_use_seconds(cache_dir: str) -> float:
    """Seconds a fresh process takes to have the kernel (compile, or load from the cache in cache_dir)."""
    code = ("import time; from regcore import fast; t = time.perf_counter(); k = fast.kernel(); "
            "print(time.perf_counter() - t if k is not None else 'nan')")
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir, REGCORE_FAST="1")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return float(done.stdout.strip())


def grid_seconds(data, repeat=20):
    training = Training(data, iterations=1)
    xs = np.linspace(-1, 1, 200)
    grid = np.stack(np.meshgrid(xs, xs)).reshape(2, -1)
    flat = training.snapshot()
    return best(lambda: network.probabilities(flat, training.layout, grid), repeat)[0]


def sweep_seconds(data, registry, count, iterations):
    base = RunConfig(iterations=iterations, record_every=RECORD_EVERY, regularizers=(("l2", {"lambd": 0.0}),))
    points = plan(base, [Axis("l2", "lambd", tuple(np.linspace(0, 3, count)))])
    started = time.perf_counter()
    result = Sweep(points, data, registry).run()
    return time.perf_counter() - started, result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(FOOTBALL) if FOOTBALL.exists() else None)
    parser.add_argument("--iterations", type=int, default=30000)
    parser.add_argument("--sweep-iterations", type=int, default=5000, help="for the 16 and 64 model sweeps")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-jax", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    registry = load_registry()
    data = resolve_data(args.data, registry)
    use_jax = not args.no_jax and have_jax()
    out = print if not args.json else (lambda *a, **k: None)
    out(f"{args.iterations} iterations on {data.name}, best of {args.repeat}; kernel: {fast.status()}")
    if not use_jax:
        out("  (JAX is not installed: pip install -e '.[bench]' to compare with it; its columns are skipped)")
    fast.kernel()
    layout_training = Training(data, iterations=1)
    initial, layout = layout_training.snapshot(), layout_training.layout

    rows = []
    out(f"  {'run':15s} {'notebook':>9s} {'JAX jit':>9s} {'NumPy':>9s} {'fast':>9s}   fast vs notebook / JAX / NumPy")
    for name, (lambd, keep), regs, (j_lambd, j_keep, j_masks) in RUNS:
        active = [registry.activate(n, v) for n, v in regs]
        jax_call = jax_single(data, initial, layout, args.iterations, j_lambd, j_keep, j_masks) if use_jax else None
        times = {"notebook": [], "jax": [], "numpy": [], "fast": []}
        for _ in range(args.repeat):
            times["notebook"].append(best(lambda: time_notebook(data, args.iterations, lambd, keep), 1)[0])
            if jax_call:
                times["jax"].append(best(jax_call, 1)[0])
            numpy_result, _ = time_core(data, args.iterations, active, "0")
            times["numpy"].append(numpy_result.seconds)
            fast_result, compiled = time_core(data, args.iterations, active, "1")
            times["fast"].append(fast_result.seconds)
        t = {k: (min(v) if v else float("nan")) for k, v in times.items()}
        same = (np.array_equal(numpy_result.history["cost"], fast_result.history["cost"])
                and np.array_equal(numpy_result.test_accuracy, fast_result.test_accuracy)
                and np.array_equal(numpy_result.train_accuracy, fast_result.train_accuracy))
        rows.append({"run": name, **{f"{k}_seconds": v for k, v in t.items()}, "compiled": compiled,
                     "identical_costs_and_accuracies": same})
        out(f"  {name:15s} {t['notebook']:8.2f}s {t['jax']:8.2f}s {t['numpy']:8.2f}s {t['fast']:8.3f}s   "
            f"{t['notebook'] / t['fast']:5.1f}x / {t['jax'] / t['fast']:4.1f}x / {t['numpy'] / t['fast']:4.1f}x"
            f"   {'same digits' if same else 'DIFFERENT'}")

    python_reg = [ActiveRegularizer(PythonL2, {"lambd": 0.7}, origin="bench_fast.py")]
    python_result, python_compiled = time_core(data, args.iterations, python_reg, "1")
    out(f"  third-party Python L2: {python_result.seconds:.2f} s (compiled: {python_compiled}; NumPy path)")

    sweeps = []
    for count in (16, 64):
        lambdas = np.linspace(0, 3, count)
        jax_seconds = best(jax_vmap(data, initial, layout, args.sweep_iterations, lambdas), 2)[0] if use_jax else float("nan")
        ours, result = min((sweep_seconds(data, registry, count, args.sweep_iterations) for _ in range(2)),
                           key=lambda pair: pair[0])
        per = 1e6 / (count * args.sweep_iterations)
        sweeps.append({"models": count, "iterations": args.sweep_iterations, "jax_vmap_us": jax_seconds * per,
                       "sweep_us": ours * per, "sweep_jobs": result.jobs})
        how = f"{result.jobs} processes" if result.jobs > 1 else f"in this process, {threads()} kernel threads"
        out(f"  sweep {count:2d} L2 x {args.sweep_iterations}: JAX vmap {jax_seconds * per:5.1f} us, RegStudio "
            f"{ours * per:5.1f} us per model-iteration ({how})   {jax_seconds / ours:4.1f}x")
    long_sweep, _ = sweep_seconds(data, registry, 16, args.iterations)
    notebook_two = sum(best(lambda: time_notebook(data, args.iterations, lam, 1.0), 1)[0] for lam in (0.0, 1.6))
    notebook_16 = notebook_two * 8
    out(f"  sweep 16 L2 x {args.iterations}: {long_sweep:.2f} s; 16 notebook runs {notebook_16:.1f} s "
        f"(2 timed, x8): {notebook_16 / long_sweep:.1f}x")

    grid = grid_seconds(data)
    out(f"  probabilities on a 200x200 grid: {grid * 1e3:.2f} ms")
    with tempfile.TemporaryDirectory() as cache:
        cold, warm = first_use_seconds(cache), first_use_seconds(cache)
    started = time.perf_counter()
    fast.warm_up()
    warm_up_call = time.perf_counter() - started
    out(f"  first use of the kernel: {cold:.2f} s with a cold cache (compiling), {warm:.2f} s from the cache; "
        f"warm_up() returns in {warm_up_call * 1e3:.2f} ms (the window's first run meanwhile uses NumPy)")
    report = {"data": data.name, "iterations": args.iterations, "repeat": args.repeat, "jax": use_jax,
              "runs": rows, "python_regularizer_seconds": python_result.seconds, "sweeps": sweeps,
              "sweep_16_long_seconds": long_sweep, "notebook_16_seconds": notebook_16,
              "grid_200x200_seconds": grid, "first_use_cold_seconds": cold, "first_use_warm_seconds": warm}
    if args.json:
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
