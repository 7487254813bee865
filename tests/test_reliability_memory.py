"""A long headless run keeps memory flat: iterations allocate nothing that stays, and the cost history
grows only at the chosen recording interval.

The full 1,000,000-iteration run takes about a minute, so it is measured by
``benchmarks/bench_memory.py`` (see the README); here tracemalloc checks what makes it flat, on a
shorter run: between two records the traced memory does not grow at all, and each record costs a
bounded few hundred bytes. So a run's memory is (records kept) x (bytes per record), whatever the
number of iterations.
"""

import gc
import tracemalloc

import numpy as np

from regcore.config import RunConfig

PER_RECORD_BYTES = 1024  # a record is an int and three (K,) arrays; about 450 bytes measured
SLACK_BYTES = 256         # interpreter noise (free lists, caches) allowed between two checkpoints


def kept_by_regcore() -> int:
    """Traced bytes allocated by regcore's own code (NumPy calls included, attributed to the regcore line
    that made them): other threads of a long test session (a window's, a progress bar's) are not counted."""
    snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(True, "*regcore*")])
    return sum(stat.size for stat in snapshot.statistics("filename"))


def traced_growth(training, report_every):
    """(iterations done, records so far, bytes regcore keeps) at every checkpoint of the run."""
    # preallocated, so that keeping the samples allocates nothing itself
    samples = np.zeros((training.iterations // report_every, 3), dtype=np.int64)
    tracemalloc.start()
    try:
        for row, progress in zip(samples, training.steps(report_every=report_every)):
            gc.collect()  # count what is kept, not garbage waiting for the collector
            row[:] = progress.iteration, len(training.history.iterations), kept_by_regcore()
        return samples.tolist()
    finally:
        tracemalloc.stop()


def test_iterations_between_records_allocate_nothing_and_records_are_bounded(registry, small_data):
    training = RunConfig(iterations=6_000, record_every=2_000).build(registry, small_data)
    samples = traced_growth(training, report_every=500)
    assert training.history.iterations == [0, 2_000, 4_000, 6_000]  # and the end
    for (_, records_before, bytes_before), (done, records, bytes_now) in zip(samples, samples[1:]):
        grown = bytes_now - bytes_before
        if records == records_before:
            assert grown <= SLACK_BYTES, f"{grown} bytes kept by iterations {done - 500}..{done}"
        else:
            assert grown <= (records - records_before) * PER_RECORD_BYTES + SLACK_BYTES
    assert samples[-1][2] - samples[0][2] <= 3 * PER_RECORD_BYTES + SLACK_BYTES


def test_recording_every_iteration_grows_as_asked_so_the_check_above_can_fail(registry, small_data):
    training = RunConfig(iterations=2_000, record_every=1).build(registry, small_data)
    samples = traced_growth(training, report_every=1_000)
    assert len(training.history.iterations) == 2_001
    assert samples[-1][2] - samples[0][2] >= 1_000 * 100  # 1,000 more records of 100+ bytes each

