"""Time a 30,000-iteration run of regcore against the notebook transcription, in one process.

    python benchmarks/bench_core.py [--data PATH] [--iterations N] [--repeat R] [--json]

For each of the notebook's three runs (none, L2 lambd=0.7, dropout keep_prob=0.86 with course
masks) it runs the baseline and the core alternately R times, keeps each one's best time, checks the
two give the same costs and accuracies, and prints the speed-up. Ratios measured in one run are what
to compare; absolute times on a shared machine are noise. Uses ../shared/datasets/football.mat if
present, else the default built-in data set.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebook_baseline as baseline  # noqa: E402

from regcore.datasets import resolve_data  # noqa: E402
from regcore.plugins import load_registry  # noqa: E402
from regcore.training import Training  # noqa: E402

FOOTBALL = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "football.mat"
RUNS = (("none", 0.0, 1.0, []), ("l2", 0.7, 1.0, [("l2", {"lambd": 0.7})]),
        ("dropout", 0.0, 0.86, [("dropout", {"keep_prob": 0.86, "mask": "course"})]))


def time_baseline(data, iterations, lambd, keep_prob):
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        parameters, costs = baseline.model(data.X_train, data.Y_train, num_iterations=iterations,
                                           lambd=lambd, keep_prob=keep_prob)
    seconds = time.perf_counter() - started
    return seconds, np.array(costs, dtype=float), baseline.predict(data.X_test, data.Y_test, parameters)[1]


def time_core(data, iterations, registry, regs):
    # the baseline records every 1,000th cost, as the notebook did; record the same ones to compare them
    training = Training(data, iterations=iterations, record_every=1000,
                        regularizers=[registry.activate(n, v) for n, v in regs])
    result = training.run()
    return result.seconds, result.history["cost"][:, 0], float(result.test_accuracy[0])


def time_grid(data, registry, side=200, repeat=20):
    """Seconds for the network's probabilities on a side x side grid (a decision-boundary redraw)."""
    from regcore import network

    training = Training(data, iterations=1)
    xs = np.linspace(-1, 1, side)
    grid = np.stack(np.meshgrid(xs, xs)).reshape(2, -1)
    flat = training.snapshot()
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        network.probabilities(flat, training.layout, grid)
        best = min(best, time.perf_counter() - started)
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(FOOTBALL) if FOOTBALL.exists() else None)
    parser.add_argument("--iterations", type=int, default=30000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    registry = load_registry()
    data = resolve_data(args.data, registry)
    rows = []
    for name, lambd, keep_prob, regs in RUNS:
        base_times, core_times = [], []
        for _ in range(args.repeat):
            b_seconds, b_costs, b_test = time_baseline(data, args.iterations, lambd, keep_prob)
            c_seconds, c_costs, c_test = time_core(data, args.iterations, registry, regs)
            base_times.append(b_seconds)
            core_times.append(c_seconds)
        rows.append({"run": name, "baseline_seconds": min(base_times), "core_seconds": min(core_times),
                     "speedup": min(base_times) / min(core_times),
                     "max_relative_cost_difference": float(np.max(np.abs(c_costs - b_costs) / np.abs(b_costs))),
                     "same_test_accuracy": b_test == c_test})
    grid_seconds = time_grid(data, registry)
    report = {"data": data.name, "iterations": args.iterations, "repeat": args.repeat, "runs": rows,
              "grid_200x200_seconds": grid_seconds}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{args.iterations} iterations on {data.name}, best of {args.repeat}")
        for r in rows:
            print(f"  {r['run']:8s} baseline {r['baseline_seconds']:6.2f} s  core {r['core_seconds']:6.2f} s  "
                  f"speed-up {r['speedup']:4.1f}x  max cost diff {r['max_relative_cost_difference']:.1e}  "
                  f"same test accuracy: {r['same_test_accuracy']}")
        print(f"  probabilities on a 200x200 grid: {grid_seconds * 1e3:.1f} ms ({1 / grid_seconds:.0f} redraws/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
