"""Training off the GUI thread: a `Worker` that drives `Training.steps()` and sends throttled frames.

The GUI builds a `Training` (which copies the settings and parameters it is given) and hands it to
`TrainingWorker` with the live panels' `compute` functions; from then on only the worker touches
it. Each `Frame` it yields holds every panel's payload, computed in the worker thread from a
`Snapshot` of what the panels asked for. Frames go out at most about 30 times a second and only once
the GUI has drawn the previous one (so frames never queue up and drawing can never slow training by
more than a small, fixed share of the time).

It follows the protocol of `regstudio.background` (yielded frames, errored, aborted, returned
`Result`), plus ``paused(bool)``. Stopping is cooperative: `stop()` sets the event that
`Training.steps()` checks every iteration, and wakes a paused worker.

The worker also keeps the run's parameters at its records, thinned (`snapshots`, see
`regcore.snapshots`), so a finished run can be scrubbed through.

Slow motion is paced here, not in the core: at a speed (`set_speed`, iterations per second) the
worker asks `Training.steps()` for smaller steps (down to one iteration) and sleeps between them in
short slices, so Stop and Pause still answer at once. Step trains a given number of iterations (or
to the end of the recording interval) at full speed, then pauses; the worker looks up exactly there.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
from PySide6.QtCore import Signal

from regcore.errors import RegcoreError
from regcore.inspect import InsideHistory
from regcore.snapshots import Snapshots
from regcore.training import Result, Training

from .background import JobFailed, Worker
from .live.panel import Snapshot, snapshot_of

MAX_FRAMES_PER_SECOND = 30
LOOK_EVERY = 100    # iterations at most between two looks at Stop, Pause and Step (at full speed)
SLEEP_SLICE = 0.02  # seconds: how long a paced worker sleeps before looking at Stop and Pause again
# Share of wall time that preparing and drawing frames may take; frames are spaced further apart
# when they are costly, which is what keeps a live run within 1.25x of the headless core.
FRAME_BUDGET = 0.08


@dataclass(frozen=True)
class Frame:
    """What the GUI draws after some training: copies only, safe to keep."""

    iteration: int
    iterations: int
    seconds: float
    payloads: Mapping[str, Any]     # panel name -> what its compute() returned
    final: bool = False             # the run's last frame (full resolution)


@dataclass(frozen=True)
class PanelJob:
    """The thread-side half of a live panel: its name, what it needs, and its Qt-free compute."""

    name: str
    needs: frozenset[str]
    compute: Callable[[Snapshot], Any]

    @classmethod
    def of(cls, panel) -> "PanelJob":
        return cls(panel.name, frozenset(panel.needs), panel.compute)


def unexpected(error: Exception) -> JobFailed:
    return JobFailed(f"unexpected {type(error).__name__}: {error}")


def interval_for(record_every: int, limit: int = LOOK_EVERY) -> int:
    """The largest divisor of ``record_every`` up to ``limit``: how often the worker looks up.

    Looking up every few dozen iterations costs nothing measurable and lands exactly on the
    recording interval, where Step pauses.
    """
    return max(d for d in range(1, min(limit, record_every) + 1) if record_every % d == 0)


class TrainingWorker(Worker):
    """Runs one `Training` to its end, or until stopped; pausable and steppable."""

    paused = Signal(bool)           # True when it pauses, False when it resumes

    def __init__(self, training: Training, panels: Sequence[PanelJob] = (), start_paused: bool = False,
                 parent=None):
        super().__init__(parent)
        self.training = training
        self.panels = tuple(panels)
        self._needs = frozenset().union(*(panel.needs for panel in self.panels))
        self._running = threading.Event()      # cleared while paused
        if not start_paused:
            self._running.set()
        self._step_until: int | None = None
        self._speed = 0.0                       # iterations per second; 0: full speed
        self._pace_from: tuple[float, int] | None = None  # (time, iteration) the pace is counted from
        self._replan = True                     # the speed or a step changed how often to look up
        self._frame_drawn = threading.Event()
        self._frame_drawn.set()
        self._frame_cost = 0.0                  # seconds to prepare + draw the last frame
        self.hidden: frozenset[str] = frozenset()  # panels not on screen: no payload but in the final frame
        #                                            (set from the GUI thread; replaced whole, never changed)
        # the run's insides at every recorded iteration and at its end, if a panel needs them (the run's
        # record keeps them); computed here, where the parameters are, between iterations
        self.insides = InsideHistory.empty() if "insides" in self._needs else None
        # the run's parameters at its records, thinned (regcore.snapshots): a finished run can be replayed
        self.snapshots = Snapshots(training.record_every, training.flat[0].size)

    # ------------------------------------------------------------------ called from the GUI thread

    def stop(self) -> None:
        super().stop()
        self._running.set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._step_until, self._replan = None, True
        self._running.set()

    def step(self, iterations: int = 0) -> None:
        """Run ``iterations`` more (0: to the end of the recording interval), then pause."""
        at = self.training.iteration  # paused, or nearly: the worker does not change it while paused
        every = self.training.record_every
        target = at + iterations if iterations > 0 else (at // every + 1) * every
        self._step_until, self._replan = min(self.training.iterations, target), True
        self._running.set()

    def set_speed(self, iterations_per_second: float) -> None:
        """Train at most ``iterations_per_second`` (0: full speed), from now on."""
        self._speed, self._pace_from, self._replan = max(0.0, float(iterations_per_second)), None, True

    @property
    def is_paused(self) -> bool:
        return not self._running.is_set()

    def frame_drawn(self, seconds: float) -> None:
        """The GUI has drawn the last frame, which took ``seconds``; the next may be sent."""
        self._frame_cost += seconds
        self._frame_drawn.set()

    # ------------------------------------------------------------------ the worker thread

    def work(self):
        training, records, last_sent = self.training, [], 0.0
        failure = None
        try:
            self.snapshots.offer(training.iteration, training.flat[0])
            self._wait_while_paused()
            self._inspect()
            while not (training.completed or self.cancel.is_set()):
                self._replan = False
                # a new steps() picks up where the last left off: all the loop's state is the Training's
                for progress in training.steps(report_every=self._report_every(), cancel=self.cancel):
                    records.extend(progress.new_records)
                    self._inspect()
                    self.snapshots.offer(training.iteration, training.flat[0])
                    now = time.perf_counter()
                    gap = max(1.0 / MAX_FRAMES_PER_SECOND, self._frame_cost / FRAME_BUDGET)
                    if self._step_until is not None and training.iteration >= self._step_until:
                        self._step_until, self._replan = None, True
                        if not training.completed:  # a step to the last iteration ends the run, not pauses it
                            self._running.clear()
                    pausing = not self._running.is_set()  # show exactly where it pauses, drawn or not
                    if pausing or (self._frame_drawn.is_set() and now - last_sent >= gap):
                        yield self._frame(records)
                        records, last_sent = [], time.perf_counter()
                    self._pace()
                    self._wait_while_paused()
                    if self._replan:
                        break
        except RegcoreError as error:  # TrainingError: divergence or a failing regularizer
            failure = JobFailed(str(error), getattr(error, "regularizer", None) or "")
        except Exception as error:  # noqa: BLE001 - a bug (here or in a panel) must end the run, not the app
            failure = unexpected(error)
        result = self._result(training)
        if np.all(np.isfinite(training.flat[0])):
            self.snapshots.finish(training.iteration, training.flat[0])
        if result is not None and np.all(np.isfinite(result.parameters)):
            try:
                self._inspect(end=True)
                final = self._frame(records, final=True)
            except Exception as error:  # noqa: BLE001 - a panel's bug must not lose the run's result
                failure = failure or unexpected(error)
            else:
                yield final
        if failure is not None:
            failure.partial = result
            raise failure
        return result

    def _frame(self, records, final: bool = False) -> Frame:
        """Every panel's payload for the training as it is now; the GUI adds its drawing time to the cost."""
        started = time.perf_counter()
        training = self.training
        snapshot = snapshot_of(training, self._needs, records, final, self.insides)
        frame = Frame(training.iteration, training.iterations, training.seconds,
                      {panel.name: None if panel.name in self.hidden and not final else panel.compute(snapshot)
                       for panel in self.panels}, final)
        if not final:
            self._frame_cost = time.perf_counter() - started
            self._frame_drawn.clear()
        return frame

    def _inspect(self, end: bool = False) -> None:
        """Add the insides at a recorded iteration (the parameters the record is made with) or at the end."""
        training, insides = self.training, self.insides
        if insides is None or (insides.iterations and insides.iterations[-1] == training.iteration):
            return
        if end or training.iteration % training.record_every == 0 or training.completed:
            insides.add(training.iteration, training.flat, training.layout, training.data)

    def _report_every(self) -> int:
        """How many iterations between two looks: lands on a step's end, or the recording interval;
        at a slow speed, few enough for about `MAX_FRAMES_PER_SECOND` looks a second."""
        limit = max(1, int(self._speed / MAX_FRAMES_PER_SECOND)) if self._speed else LOOK_EVERY
        if self._step_until is not None:
            return interval_for(max(1, self._step_until), limit)
        return interval_for(self.training.record_every, limit)

    def _pace(self) -> None:
        """At a set speed (and not stepping), sleep until the iterations done are due; wake for Stop and Pause."""
        if not self._speed or self._step_until is not None:
            return
        iteration = self.training.iteration
        if self._pace_from is None:
            self._pace_from = (time.perf_counter(), iteration)
            return
        started, first = self._pace_from
        due = started + (iteration - first) / self._speed
        while self._running.is_set() and not self.cancel.is_set() and not self._replan:
            left = due - time.perf_counter()
            if left <= 0:
                return
            time.sleep(min(left, SLEEP_SLICE))

    def _wait_while_paused(self) -> None:
        if self._running.is_set():
            return
        self._pace_from = None  # the pace starts again after the pause
        self.paused.emit(True)
        while not self._running.wait(0.1):
            pass
        if not self.cancel.is_set():
            self.paused.emit(False)

    @staticmethod
    def _result(training: Training) -> Result | None:
        try:
            return training.result()
        except Exception:  # noqa: BLE001 - parameters beyond repair: there is no result to show
            return None
