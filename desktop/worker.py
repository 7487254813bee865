"""Training off the GUI thread: a QThread that drives `Training.steps()` and sends throttled frames.

The GUI builds a `Training` (which copies the settings and parameters it is given) and hands it to
`TrainingWorker`; from then on only the worker touches it. The worker sends `Frame`s holding copies
of what changed — new cost records, the parameters, the decision-boundary probabilities on a grid —
at most about 30 times a second and only once the GUI has drawn the previous one (so frames never
queue up and drawing can never slow training by more than a small, fixed share of the time).

Stopping is cooperative: `stop()` sets a `threading.Event` that `Training.steps()` checks every
iteration, and wakes a paused worker. The owner then `wait()`s for the thread; nothing calls
`terminate()`.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QThread, Signal

from regcore.errors import RegcoreError
from regcore.training import Result, Training

from regcore import boundary
from regcore.boundary import FINAL_GRID, LIVE_GRID, Boundary, Grid

MAX_FRAMES_PER_SECOND = 30
# Share of wall time that preparing and drawing frames may take; frames are spaced further apart
# when they are costly, which is what keeps a live run within 1.25x of the headless core.
FRAME_BUDGET = 0.08


@dataclass(frozen=True)
class Frame:
    """What the GUI draws after some training: copies only, safe to keep."""

    iteration: int
    iterations: int
    seconds: float
    records: tuple              # (iteration, cost (K,), penalty (K,), test_cost (K,)) since the last frame
    boundary: Boundary
    final: bool = False         # the run's last frame (full resolution)


def frame_of(training: Training, grid: Grid, records=(), final: bool = False) -> Frame:
    """A frame of ``training`` as it is now (called from the thread that owns the training)."""
    return Frame(training.iteration, training.iterations, training.seconds, tuple(records),
                 boundary.compute(training.flat, training.layout, training.data, grid), final)


def interval_for(record_every: int, limit: int = 100) -> int:
    """The largest divisor of ``record_every`` up to ``limit``: how often the worker looks up.

    Looking up every few dozen iterations costs nothing measurable and lands exactly on the
    recording interval, where Step pauses.
    """
    return max(d for d in range(1, min(limit, record_every) + 1) if record_every % d == 0)


_workers: "weakref.WeakSet[TrainingWorker]" = weakref.WeakSet()


def running_workers() -> list["TrainingWorker"]:
    """Workers whose thread is still running (tests use this to catch leaks)."""
    return [worker for worker in list(_workers) if worker.isRunning()]


class TrainingWorker(QThread):
    """Runs one `Training` to its end, or until stopped; pausable and steppable."""

    frame = Signal(object)          # Frame
    paused = Signal(bool)           # True when it pauses, False when it resumes
    done = Signal(object, str, str)  # Result (None if beyond repair), error message, failing regularizer

    def __init__(self, training: Training, start_paused: bool = False, parent=None):
        super().__init__(parent)
        _workers.add(self)
        self.training = training
        self._stop = threading.Event()
        self._running = threading.Event()      # cleared while paused
        if not start_paused:
            self._running.set()
        self._step_until: int | None = None
        self._frame_drawn = threading.Event()
        self._frame_drawn.set()
        self._frame_cost = 0.0                  # seconds to prepare + draw the last frame
        self._live_grid = Grid.over(training.data, LIVE_GRID)
        self._final_grid = Grid.over(training.data, FINAL_GRID)

    # ------------------------------------------------------------------ called from the GUI thread

    def stop(self) -> None:
        self._stop.set()
        self._running.set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._step_until = None
        self._running.set()

    def step(self) -> None:
        """Run one recording interval, then pause."""
        every = self.training.record_every
        self._step_until = min(self.training.iterations, (self.training.iteration // every + 1) * every)
        self._running.set()

    @property
    def is_paused(self) -> bool:
        return not self._running.is_set()

    def frame_drawn(self, seconds: float) -> None:
        """The GUI has drawn the last frame, which took ``seconds``; the next may be sent."""
        self._frame_cost += seconds
        self._frame_drawn.set()

    # ------------------------------------------------------------------ the worker thread

    def run(self) -> None:
        training, records, last_sent = self.training, [], 0.0
        error, culprit = "", ""
        try:
            self._wait_while_paused()
            for progress in training.steps(report_every=interval_for(training.record_every), cancel=self._stop):
                records.extend(progress.new_records)
                now = time.perf_counter()
                gap = max(1.0 / MAX_FRAMES_PER_SECOND, self._frame_cost / FRAME_BUDGET)
                if self._step_until is not None and training.iteration >= self._step_until:
                    self._step_until = None
                    self._running.clear()
                pausing = not self._running.is_set()  # show exactly where it pauses, drawn or not
                if pausing or (self._frame_drawn.is_set() and now - last_sent >= gap):
                    self._send(training, self._live_grid, records)
                    records, last_sent = [], time.perf_counter()
                self._wait_while_paused()
        except RegcoreError as failure:  # TrainingError: divergence or a failing regularizer
            error, culprit = str(failure), getattr(failure, "regularizer", None) or ""
        except Exception as failure:  # noqa: BLE001 - a bug must end the run, not the app
            error = f"unexpected {type(failure).__name__}: {failure}"
        result = self._result(training)
        if result is not None and np.all(np.isfinite(result.parameters)):
            self.frame.emit(frame_of(training, self._final_grid, records, final=True))
        self.done.emit(result, error, culprit)

    def _send(self, training: Training, grid: Grid, records) -> None:
        started = time.perf_counter()
        frame = frame_of(training, grid, records)
        self._frame_cost = time.perf_counter() - started  # the GUI adds its drawing time
        self._frame_drawn.clear()
        self.frame.emit(frame)

    def _wait_while_paused(self) -> None:
        if self._running.is_set():
            return
        self.paused.emit(True)
        while not self._running.wait(0.1):
            pass
        if not self._stop.is_set():
            self.paused.emit(False)

    @staticmethod
    def _result(training: Training) -> Result | None:
        try:
            return training.result()
        except Exception:  # noqa: BLE001 - parameters beyond repair: there is no result to show
            return None
