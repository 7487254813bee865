"""Time the bias–variance lab against the equivalent sweep, alternately, in one process.

    python benchmarks/bench_biasvar.py [--data PATH] [--values 8] [--bootstraps 20] [--iterations 10000]
                                       [--repeat R] [--jobs J] [--json]

The lab: ``values`` values of L2's lambd from 0 to 3, ``bootstraps`` models per value, each on its
own bootstrap resample (`regcore.biasvar.BiasVarianceLab`, decomposition included). The equivalent
sweep: the same values x ``bootstraps`` seeds, every model on the whole training set
(`regcore.sweep.Sweep`, the shared-input fast path). Same models count, iterations, network
(2-20-3-1), worker processes. Issue 15's target: the lab takes at most 2x the sweep's time (the
bootstrap may cost its resampling, nothing more). The two are run alternately R times and each keeps
its best wall and CPU time (who goes first alternates): the ratios are what to compare; absolute times on a shared machine are noise. The
output says how many cores the process could use. Uses ../shared/datasets/football.mat if present,
else the default data set.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from regcore.biasvar import BiasVarianceLab
from regcore.config import RunConfig
from regcore.datasets import resolve_data
from regcore.plugins import load_registry
from regcore.sweep import Axis, Sweep, plan

FOOTBALL = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "football.mat"
TARGET = 2.0


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the workers, once their pool has shut down)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(FOOTBALL) if FOOTBALL.exists() else None)
    parser.add_argument("--values", type=int, default=8)
    parser.add_argument("--bootstraps", type=int, default=20)
    parser.add_argument("--iterations", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: every core)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    registry = load_registry()
    data = resolve_data(args.data, registry)
    base = RunConfig(iterations=args.iterations, record_every=1000, regularizers=(("l2", {"lambd": 0.0}),))
    axis = Axis("l2", "lambd", tuple(float(v) for v in np.linspace(0.0, 3.0, args.values)))
    jobs = args.jobs or cores()
    models = args.values * args.bootstraps

    def lab():
        result = BiasVarianceLab(base, axis, data, registry, bootstraps=args.bootstraps, seed=0, jobs=jobs).run()
        assert result.completed and not result.errors

    def sweep():
        result = Sweep(plan(base, [axis], seeds=range(1, args.bootstraps + 1)), data, registry, jobs=jobs).run()
        assert result.completed and not result.errors

    times: dict[str, list[float]] = {"lab": [], "sweep": []}
    cpu: dict[str, list[float]] = {"lab": [], "sweep": []}
    for turn in range(args.repeat):
        order = (("sweep", sweep), ("lab", lab)) if turn % 2 == 0 else (("lab", lab), ("sweep", sweep))
        for name, run in order:  # alternating which goes first, so neither always follows the other
            wall, processor = time.perf_counter(), cpu_seconds()
            run()
            times[name].append(time.perf_counter() - wall)
            cpu[name].append(cpu_seconds() - processor)
    lab_best, sweep_best = min(times["lab"]), min(times["sweep"])
    ratio = lab_best / sweep_best
    cpu_ratio = min(cpu["lab"]) / min(cpu["sweep"])
    report = {"data": data.name, "models": models, "values": args.values, "bootstraps": args.bootstraps,
              "iterations": args.iterations, "cores": cores(), "jobs": jobs, "repeat": args.repeat,
              "lab_seconds": times["lab"], "sweep_seconds": times["sweep"], "lab_best": lab_best,
              "sweep_best": sweep_best, "ratio": ratio, "lab_cpu": cpu["lab"], "sweep_cpu": cpu["sweep"],
              "cpu_ratio": cpu_ratio, "target": TARGET, "within_target": ratio <= TARGET}
    if args.json:
        print(json.dumps(report))
        return
    print(f"data {data.name}: {args.values} values of lambd x {args.bootstraps} bootstraps x {args.iterations:,} "
          f"iterations = {models} models, 2-20-3-1")
    print(f"cores available to this process: {cores()}; worker processes: {jobs}; best of {args.repeat}, alternating")
    for name, what in (("sweep", "shared training set"), ("lab", "one resample each")):
        print(f"  {name:5} ({models} models, {what:19}): {min(times[name]):7.2f} s wall, {min(cpu[name]):7.2f} s CPU "
              f"(runs: {', '.join(f'{t:.2f}' for t in times[name])} s)")
    print(f"  lab / sweep = {ratio:.2f} wall, {cpu_ratio:.2f} CPU  "
          f"(target <= {TARGET:g}: {'met' if ratio <= TARGET else 'NOT met'})")


if __name__ == "__main__":
    main()
