"""Measure memory over a long headless run: 1,000,000 iterations by default, about a minute.

    python benchmarks/bench_memory.py [--iterations N] [--record-every R] [--data SOURCE] [--json]

Trains the default 2-20-3-1 network through the same `Training.steps()` loop the window and the CLI
use, and samples the process's resident memory (RSS, from /proc/self/statm) every 1% of the run.
Prints the RSS after the first 1% and at the end, the growth in between, the peak RSS of the
process and the number of cost records kept (iterations / R). Flat memory means the growth is
about R-independent noise plus a few hundred bytes per record. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

from regcore.config import RunConfig
from regcore.datasets import resolve_data
from regcore.plugins import load_registry

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def measure(iterations: int, record_every: int, source: str | None) -> dict:
    registry = load_registry()
    training = RunConfig(iterations=iterations, record_every=record_every).build(registry, resolve_data(source, registry))
    started = time.perf_counter()
    samples = [(progress.iteration, rss_bytes())
               for progress in training.steps(report_every=max(1, iterations // 100))]
    seconds = time.perf_counter() - started
    first_iteration, first_rss = samples[0]
    return {
        "iterations": iterations, "record_every": record_every, "records_kept": len(training.history.iterations),
        "seconds": round(seconds, 1), "microseconds_per_iteration": round(seconds / iterations * 1e6, 1),
        "rss_after_first_mib": round(first_rss / 2**20, 2), "rss_at_end_mib": round(samples[-1][1] / 2**20, 2),
        "rss_growth_kib": round((samples[-1][1] - first_rss) / 1024, 1),
        # ru_maxrss (KiB on Linux) is the kernel's high-water mark, which samples could miss
        "peak_rss_mib": round(max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                                  *(rss for _, rss in samples)) / 2**20, 2),
        "first_sample_at_iteration": first_iteration,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=1_000_000)
    parser.add_argument("--record-every", type=int, default=1000)
    parser.add_argument("--data", default=None, help="a data SOURCE (default: the built-in default data set)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = measure(args.iterations, args.record_every, args.data)
    if args.json:
        print(json.dumps(report))
        return
    print(f"{report['iterations']:,} iterations in {report['seconds']} s "
          f"({report['microseconds_per_iteration']} µs each), {report['records_kept']:,} cost records kept")
    print(f"RSS after {report['first_sample_at_iteration']:,} iterations: {report['rss_after_first_mib']} MiB; "
          f"at the end: {report['rss_at_end_mib']} MiB (growth {report['rss_growth_kib']} KiB); "
          f"peak RSS of the process: {report['peak_rss_mib']} MiB")


if __name__ == "__main__":
    main()
