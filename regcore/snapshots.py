"""A run's parameters as it went, for replaying it: snapshots at its recording interval, thinned.

`Snapshots.offer(iteration, parameters)` is called at every record (the worker that trains a run
does it); a snapshot is kept when its iteration is a multiple of the current stride, which starts
at the recording interval. When more than `limit` are kept, every other one is dropped and the
stride doubles, so a run of any length keeps between limit/2 and limit snapshots spread evenly over
it, and the memory stays bounded: `limit` is at most `MAX_SNAPSHOTS`, and fewer for networks large
enough that `MAX_BYTES` would not hold as many. `finish` adds the run's last parameters.

The parameters at iteration i are those the record at i was computed with (i updates done).
"""

from __future__ import annotations

import numpy as np

MAX_SNAPSHOTS = 300
MAX_BYTES = 64 * 1024 * 1024


def limit_for(parameters: int) -> int:
    """How many snapshots of ``parameters`` float64 numbers to keep: `MAX_SNAPSHOTS`, or what fits `MAX_BYTES`."""
    return int(max(2, min(MAX_SNAPSHOTS, MAX_BYTES // max(1, 8 * parameters))))


class Snapshots:
    """See the module docstring. ``iterations`` (S,) and ``parameters`` (S, P) are copies."""

    def __init__(self, record_every: int, size: int, limit: int | None = None):
        self.stride = max(1, int(record_every))
        self.limit = limit or limit_for(size)
        self._iterations: list[int] = []
        self._parameters: list[np.ndarray] = []

    def offer(self, iteration: int, parameters: np.ndarray) -> None:
        """Keep a copy of ``parameters`` (P,) at ``iteration`` if it falls on the stride."""
        if iteration % self.stride or (self._iterations and iteration <= self._iterations[-1]):
            return
        self._iterations.append(int(iteration))
        self._parameters.append(np.array(parameters, dtype=float).reshape(-1))
        if len(self._iterations) > self.limit:
            self.stride *= 2
            kept = [k for k, i in enumerate(self._iterations) if i % self.stride == 0]
            self._iterations = [self._iterations[k] for k in kept]
            self._parameters = [self._parameters[k] for k in kept]

    def finish(self, iteration: int, parameters: np.ndarray) -> None:
        """The run's last parameters, kept whatever the stride (replacing a snapshot at the same iteration)."""
        if self._iterations and self._iterations[-1] >= iteration:
            return
        self._iterations.append(int(iteration))
        self._parameters.append(np.array(parameters, dtype=float).reshape(-1))

    @property
    def iterations(self) -> np.ndarray:
        return np.array(self._iterations, dtype=np.int64)

    @property
    def parameters(self) -> np.ndarray:
        return np.array(self._parameters, dtype=float).reshape(len(self._iterations), -1)

    def __len__(self) -> int:
        return len(self._iterations)

    @classmethod
    def of(cls, iterations, parameters) -> "Snapshots":
        """Snapshots read back (from a file): (S,) iterations and (S, P) parameters, as kept."""
        parameters = np.asarray(parameters, dtype=float)
        snapshots = cls(1, parameters.shape[-1] if parameters.ndim == 2 else 1, limit=max(2, len(parameters)))
        snapshots._iterations = [int(i) for i in iterations]
        snapshots._parameters = [row.copy() for row in parameters]
        return snapshots
