"""Time a sweep of 16 lambd values against 16 baseline runs and 16 single core runs, in one process.

    python benchmarks/bench_sweep.py [--data PATH] [--iterations N] [--count 16] [--repeat R]
                                     [--baseline-runs B] [--chunk-scan] [--json]

Three ways to train the same 16 L2 models (lambd evenly from 0 to 3, seed 3, 2-20-3-1):

- the notebook transcription (`notebook_baseline.model`), one run after another. It is slow, so only
  B of the 16 values (default 4, spread over the range) are timed and the total is scaled by 16/B;
  the output says so;
- our core's single runs (`RunConfig.build(...).run()`), all 16, one after another;
- `regcore.sweep.Sweep`: stacked batches in worker processes on every core (process start-up included).

The three are run alternately R times and each keeps its best time: ratios from one run of this
script are what to compare; absolute times on a shared machine are noise. The sweep's models are
checked against the single runs (cost history and test accuracy). ``--chunk-scan`` also prints the
cost of one model-iteration for batches of 1 to 32 models in this process: the stacking gain that
sets the chunk size. Uses ../shared/datasets/football.mat if present, else the default data set.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebook_baseline as baseline  # noqa: E402

from regcore.config import RunConfig  # noqa: E402
from regcore.datasets import resolve_data  # noqa: E402
from regcore.plugins import load_registry  # noqa: E402
from regcore.sweep import Axis, Sweep, plan  # noqa: E402
from regcore.training import Training  # noqa: E402

FOOTBALL = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "football.mat"
TARGETS = {"baseline": 8.0, "single": 2.0}


class Clock:
    """Wall time, and CPU time of this process and its finished children (the sweep's workers)."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), _cpu()
        return self

    def __exit__(self, *_):
        self.wall, self.cpu = time.perf_counter() - self.wall, _cpu() - self.cpu


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def time_baseline(data, iterations, lambdas):
    with Clock() as clock:
        for lambd in lambdas:
            with contextlib.redirect_stdout(io.StringIO()), np.errstate(all="ignore"):
                baseline.model(data.X_train, data.Y_train, num_iterations=iterations, lambd=lambd)
    return clock, None


def time_singles(points, registry, data):
    with Clock() as clock:
        results = [point.config.build(registry, data).run() for point in points]
    return clock, results


def time_sweep(points, registry, data, jobs):
    with Clock() as clock:
        result = Sweep(points, data, registry, jobs=jobs).run()
    return clock, result


def chunk_scan(data, registry, iterations, sizes=(1, 2, 4, 8, 16, 32)):
    """Microseconds per model-iteration when K models are stacked in one batch, in this process."""
    out = {}
    for size in sizes:
        regs = [registry.activate("l2", {"lambd": list(np.linspace(0, 3, size))})]
        best = min(_timed(lambda: Training(data, iterations=iterations, seeds=[3] * size, regularizers=regs,
                                           record_every=1000).run())
                   for _ in range(2))
        out[size] = best / (size * iterations) * 1e6
    return out


def _timed(call):
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(FOOTBALL) if FOOTBALL.exists() else None)
    parser.add_argument("--iterations", type=int, default=30000)
    parser.add_argument("--count", type=int, default=16, help="lambd values (default 16)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--baseline-runs", type=int, default=4, help="baseline runs timed, then scaled (default 4)")
    parser.add_argument("--jobs", type=int, help="sweep processes (default: every core)")
    parser.add_argument("--chunk-scan", action="store_true", help="also time batches of 1..32 models")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    registry = load_registry()
    data = resolve_data(args.data, registry)
    # the notebook's recording interval (1,000), as the baseline records
    base = RunConfig(iterations=args.iterations, record_every=1000, regularizers=(("l2", {"lambd": 0.0}),))
    points = plan(base, [Axis("l2", "lambd", tuple(np.linspace(0, 3, args.count)))])
    lambdas = [p.params["lambd"] for p in points]
    sampled = lambdas[:: max(1, args.count // args.baseline_runs)][: args.baseline_runs]
    scale = args.count / len(sampled)

    measures = {"baseline": lambda: time_baseline(data, args.iterations, sampled),
                "single": lambda: time_singles(points, registry, data),
                "sweep": lambda: time_sweep(points, registry, data, args.jobs)}
    times, cpu, results = {name: [] for name in measures}, {name: [] for name in measures}, {}
    for _ in range(args.repeat):
        for name, measure in measures.items():
            clock, results[name] = measure()
            factor = scale if name == "baseline" else 1.0
            times[name].append(clock.wall * factor)
            cpu[name].append(clock.cpu * factor)
    singles, swept = results["single"], results["sweep"]
    best = {name: min(values) for name, values in times.items()}
    best_cpu = {name: min(values) for name, values in cpu.items()}
    sweep_cores = cpu["sweep"][times["sweep"].index(best["sweep"])] / best["sweep"]
    differences = [float(np.max(np.abs(p.cost - s.history["cost"][:, 0]) / np.abs(s.history["cost"][:, 0])))
                   for p, s in zip(swept.points, singles)]
    report = {
        "data": data.name, "iterations": args.iterations, "models": args.count, "repeat": args.repeat,
        "cores": os.cpu_count(), "sweep_jobs": swept.jobs, "chunk_sizes": list(swept.chunk_sizes),
        "baseline_runs_timed": len(sampled), "baseline_scale": scale,
        "seconds": best, "cpu_seconds": best_cpu, "sweep_cores_used": sweep_cores,
        "speedup_vs_baseline": best["baseline"] / best["sweep"],
        "speedup_vs_single": best["single"] / best["sweep"],
        "cpu_work_ratio_vs_baseline": best_cpu["baseline"] / best_cpu["sweep"],
        "cpu_work_ratio_vs_single": best_cpu["single"] / best_cpu["sweep"],
        "max_relative_cost_difference": max(differences),
        "same_accuracies": all(p.test_accuracy == s.test_accuracy[0] and p.train_accuracy == s.train_accuracy[0]
                               for p, s in zip(swept.points, singles)),
    }
    if args.chunk_scan:
        report["microseconds_per_model_iteration"] = chunk_scan(data, registry, max(1, args.iterations // 10))
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{args.count} L2 models (lambd 0..3) x {args.iterations} iterations on {data.name}, best of {args.repeat}, "
          f"{report['cores']} cores")
    print(f"{'':30s}  wall        CPU")
    print(f"  notebook baseline, {args.count} runs  {best['baseline']:7.2f} s  {best_cpu['baseline']:7.2f} s   "
          f"(timed {len(sampled)} runs, lambd {', '.join(f'{v:g}' for v in sampled)}, scaled x{scale:g})")
    print(f"  core, {args.count} single runs      {best['single']:7.2f} s  {best_cpu['single']:7.2f} s")
    print(f"  sweep                       {best['sweep']:7.2f} s  {best_cpu['sweep']:7.2f} s   ({swept.jobs} "
          f"process{'es' if swept.jobs > 1 else ''}, batches of {', '.join(map(str, swept.chunk_sizes))}; used {sweep_cores:.1f} cores)")
    for name, label in (("baseline", "the baseline"), ("single", "single core runs")):
        ratio = best[name] / best["sweep"]
        verdict = "meets" if ratio >= TARGETS[name] else "MISSES"
        print(f"  sweep vs {label:17s} {ratio:5.1f}x faster  ({verdict} the {TARGETS[name]:g}x target); "
              f"{best_cpu[name] / best_cpu['sweep']:.1f}x less CPU work")
    if sweep_cores < 0.8 * min(swept.jobs, report["cores"] or 1):
        print(f"  note: the sweep's {swept.jobs} processes got {sweep_cores:.1f} cores between them; other work "
              f"was using the rest, so the wall-time ratios understate the sweep")
    print(f"  sweep = single runs: max relative cost difference {report['max_relative_cost_difference']:.1e}, "
          f"same accuracies: {report['same_accuracies']}")
    if args.chunk_scan:
        scan = report["microseconds_per_model_iteration"]
        print("  one process, us per model-iteration by batch size: " +
              ", ".join(f"{k}: {v:.0f}" for k, v in scan.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
