"""The window's runs, without the window: at most one `TrainingWorker`, a queue of configurations
waiting to run after it (the notebook's comparison), and the state the run controls follow.

`RunController` starts, pauses, steps, paces and stops runs, passes changes of the learning rate, the
optimizer's values and the regularizers on to a run going on (`change`: see `regstudio.steering`) and
edited data (`change_data`), turns what the worker reports into run records (with the changes, where
they took effect, in ``config.changes``; the data edits in ``data_changes``; the worker's parameter
snapshots) and says
what happened through its signals; it touches no widget. The window wires its widgets to
it. Every run that gets as far as a result ends in ``finished`` (finished, stopped or failed); a
failure then also comes as ``failed``. The state goes back to idle only when nothing more is queued.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal, Slot

from regcore.config import RunConfig
from regcore.data import Dataset
from regcore.errors import RegcoreError
from regcore.experiment import RunRecord
from regcore.training import Result

from . import steering
from .live import LivePanel
from .worker import Frame, PanelJob, TrainingWorker

IDLE, RUNNING, PAUSED = "idle", "running", "paused"


@dataclass(frozen=True)
class DataEdit:
    """The data a running run was asked to go on with (`RunController.change_data`), and what changed."""

    data: Dataset
    text: str
NOT_RESPONDING_SECONDS = 2.0   # a run asked to stop that has not, after this, is stuck in a plugin's code
SHUTDOWN_SECONDS = 3.0         # how long closing the window waits for a run to end
ABANDONED: list = []           # workers stuck in a plugin when their window closed (app.main ends the process)


def _stuck(worker) -> str:
    """One line: the run does not stop, and which regularizers' code it may be stuck in."""
    names = ", ".join(f"'{reg.cls.name}'" for reg in worker.training.active) or "none"
    return (f"the run is not stopping: it is inside a regularizer's code that does not return (regularizers: {names}); "
            "it ends when that code returns, or when RegStudio is closed")
NO_RESULT = "the run ended without a result to show (its parameters could not be read back)"


class RunController(QObject):
    """See the module docstring. ``panels`` are the live panels whose payloads each frame carries."""

    state_changed = Signal(str)         # idle | running | paused
    started = Signal(object, object)    # RunConfig, Training (read its settings only: the worker owns it)
    frame = Signal(object)              # Frame
    finished = Signal(object)           # RunRecord of every run that has a result, however it ended
    failed = Signal(str, str)           # why a run failed, the regularizer to blame ("" if none)
    could_not_start = Signal(str)       # the settings of a run to start cannot be built
    comparison_finished = Signal(list)  # the RunRecords of a comparison, once its last run has ended
    not_responding = Signal(str)        # asked to stop, the run has not: one line saying why (a hung plugin)
    changed = Signal(object)            # a regcore.schedule.Change, once it has taken effect in the run
    data_changed = Signal(int, str)     # the run trains on edited data from this iteration on; what changed

    def __init__(self, registry, panels: Sequence[LivePanel] = (), paint_seconds: Callable[[], float] = lambda: 0.0,
                 parent=None):
        super().__init__(parent)
        self.registry = registry
        self.panels = [PanelJob.of(panel) for panel in panels]
        self.paint_seconds = paint_seconds  # how long the last repaint of the plots took
        self.state = IDLE
        self.worker: TrainingWorker | None = None
        self.queue: list[RunConfig] = []            # configurations waiting to run after this one
        self.comparison: list[RunRecord] | None = None  # records of a comparison in progress
        self.running_config: RunConfig | None = None
        self.data: Dataset | None = None            # the data set of the running series
        self.last_frame: Frame | None = None
        self.speed = 0.0                            # iterations per second; 0: full speed
        self.live_settings: tuple = (0.0, ())       # (learning rate, regularizers) the run has or will have
        self.live_optimizer: dict = {}              # the run's optimizer values, as it has or will have them
        self.changes: list = []                     # the running run's changes that have taken effect
        self.data_changes: list = []                # its (iteration, Dataset) edits that have taken effect
        self.run_data: Dataset | None = None        # the data the running run started on
        self._applied_seen = 0                      # how many of its Training.applied are in `changes`
        self._error = ("", "")
        self._closing = False

    @property
    def idle(self) -> bool:
        return self.state == IDLE

    @property
    def in_series(self) -> bool:
        """Whether more runs, or a comparison's summary, follow the current one."""
        return bool(self.queue) or self.comparison is not None

    # ---------------------------------------------------------------- starting

    def start(self, config: RunConfig, data: Dataset | None, paused: bool = False) -> bool:
        """Start a run of ``config`` on ``data``; False if one is going, or (with ``could_not_start``) if
        the settings cannot be built."""
        if self.worker is not None or data is None:
            return False
        try:
            training = config.build(self.registry, data)
        except RegcoreError as error:
            self.queue.clear()
            self.comparison = None
            self.could_not_start.emit(str(error))
            self._set_state(IDLE)
            return False
        self.running_config, self.data, self.last_frame = config, data, None
        self.live_settings, self.changes, self._applied_seen = (config.learning_rate, config.regularizers), [], 0
        self.live_optimizer = dict(training.optimizer_spec.values)
        self.data_changes, self.run_data = [], data
        self.worker = TrainingWorker(training, self.panels, start_paused=paused, parent=self)
        self.worker.set_speed(self.speed)
        self.worker.yielded.connect(self._frame)
        self.worker.paused.connect(self._paused)
        self.worker.errored.connect(self._errored)
        self.worker.returned.connect(self._returned)
        self._error = ("", "")
        self._set_state(PAUSED if paused else RUNNING)
        self.started.emit(config, training)
        self.worker.start()
        return True

    def start_comparison(self, configs: Sequence[RunConfig], data: Dataset | None) -> bool:
        """Run ``configs`` one after the other, then send their records in ``comparison_finished``."""
        if self.worker is not None or not configs:
            return False
        self.comparison, self.queue = [], list(configs[1:])
        if not self.start(configs[0], data):
            self.comparison, self.queue = None, []
            return False
        return True

    # ---------------------------------------------------------------- controlling the run

    def pause_or_resume(self) -> None:
        if self.worker is None:
            return
        if self.state == RUNNING:
            self.worker.pause()
        else:
            self.worker.resume()

    def step(self, iterations: int = 0) -> None:
        """Train ``iterations`` more (0: to the end of the recording interval) of the running run, then pause."""
        if self.worker is not None:
            self.worker.step(iterations)

    def set_speed(self, iterations_per_second: float) -> None:
        """Pace this run and the next at ``iterations_per_second`` (0: full speed)."""
        self.speed = float(iterations_per_second)
        if self.worker is not None:
            self.worker.set_speed(self.speed)

    def change(self, learning_rate: float, regularizers, optimizer_values=None) -> None:
        """Have the run go on, from its next iteration, with this learning rate, these (name, values)
        regularizers and (None: as they are) these optimizer values; nothing if they are what it has.
        Raises RegcoreError for values a plugin refuses (the run is left as it was). ``changed``
        follows once the change has taken effect."""
        if self.worker is None:
            return
        training = self.worker.training
        changes = steering.changes_between(*self.live_settings, learning_rate, regularizers)
        retuned = None
        if optimizer_values is not None:
            name = training.optimizer_spec.cls.name
            retuned = self.registry.activate_optimizer(name, optimizer_values).values
            optimizer_changes = steering.optimizer_changes(name, self.live_optimizer, retuned)
            changes += optimizer_changes
            retuned = retuned if optimizer_changes else None
        if not changes:
            return
        active = [self.registry.activate(name, values) for name, values in regularizers]
        # thread-safe: between iterations
        training.change(learning_rate, active, what=changes, optimizer_values=retuned)
        self.live_settings = (learning_rate, tuple(regularizers))
        self.live_optimizer = retuned or self.live_optimizer

    def change_data(self, data: Dataset, text: str = "data edited") -> None:
        """Have the run go on, from its next iteration and its current weights, on ``data`` (an edit of
        its data); the runs after it in a series train on it too. Raises RegcoreError for data the run
        cannot take. ``data_changed`` follows once it has taken effect."""
        if self.worker is None:
            return
        self.worker.training.change_data(data, what=DataEdit(data, text))  # thread-safe: between iterations
        self.data = data

    def _take_applied(self, training) -> None:
        """The changes that have taken effect since last looked: kept for the record and announced."""
        applied = training.applied[self._applied_seen:]  # the worker only appends to it
        self._applied_seen += len(applied)
        for iteration, what in applied:
            if isinstance(what, DataEdit):
                if self.data_changes and self.data_changes[-1][0] == iteration:
                    self.data_changes.pop()  # edits that took effect together: the last is what it trained on
                self.data_changes.append((iteration, what.data))
                self.data_changed.emit(iteration, what.text)
                continue
            for change in steering.at(iteration, what):
                self.changes.append(change)
                self.changed.emit(change)

    def stop(self, wait: bool = False, timeout: float | None = None) -> bool:
        """Ask the worker to end the run (it still ends in ``finished``) and drop the queue; ``wait``
        blocks until the run has ended and been reported, or for ``timeout`` seconds at most. Returns
        whether the run has ended. A run that has not ended `NOT_RESPONDING_SECONDS` after being asked
        is stuck in a plugin's code (the loop checks the stop flag between two calls): `not_responding`
        says so."""
        self.queue.clear()
        self.comparison = None
        worker = self.worker
        if worker is None:
            return True
        worker.stop()
        if not wait:
            QTimer.singleShot(int(NOT_RESPONDING_SECONDS * 1000), lambda: self._check_stopped(worker))
            return False
        if not worker.wait(-1 if timeout is None else int(timeout * 1000)):
            self.not_responding.emit(_stuck(worker))
            return False
        # deliver the worker's last queued signals now, so the run is recorded before we go on
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)
        return True

    @property
    def closing(self) -> bool:
        """The window is closing: nothing more is reported."""
        return self._closing

    def _check_stopped(self, worker) -> None:
        if worker is self.worker and worker.isRunning():
            self.not_responding.emit(_stuck(worker))

    def shutdown(self) -> bool:
        """Stop and wait (a few seconds at most), reporting nothing more: the window is closing. A run
        stuck in a plugin's code is left behind (never terminated) and False returned."""
        self._closing = True
        ended = self.stop(wait=True, timeout=SHUTDOWN_SECONDS)
        if not ended and self.worker is not None:
            self.worker.setParent(None)  # the window may go; the thread object must outlive it
            ABANDONED.append(self.worker)
        return ended

    def clear(self) -> None:
        """Forget the last run's frame: the view it was drawn on has been cleared."""
        self.last_frame = None

    # ---------------------------------------------------------------- what the worker reports

    def _set_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)

    @Slot(object)
    def _frame(self, frame: Frame) -> None:
        started = time.perf_counter()
        self.last_frame = frame
        if self.worker is not None:
            self._take_applied(self.worker.training)  # marked before the frame that shows their effect
        self.frame.emit(frame)
        if self.sender() is self.worker and self.worker is not None:
            # the repaint this causes comes later; the last one's duration stands in for it
            self.worker.frame_drawn(time.perf_counter() - started + self.paint_seconds())

    @Slot(bool)
    def _paused(self, paused: bool) -> None:
        if self.worker is not None:
            self._set_state(PAUSED if paused else RUNNING)

    @Slot(str, str)
    def _errored(self, message: str, culprit: str) -> None:
        self._error = (message, culprit)

    @Slot(object)
    def _returned(self, result: Result | None) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.wait()
            self._take_applied(worker.training)
            worker.deleteLater()
        if self._closing:
            self._set_state(IDLE)
            return
        error, culprit = self._error
        if result is None and not error:
            error = NO_RESULT
        if result is not None:
            # the changes made during the run are part of its settings: `regcore train --change` replays them
            changes = sorted((*self.running_config.changes, *self.changes), key=lambda change: change.iteration)
            record = RunRecord(replace(self.running_config, changes=tuple(changes)), self.run_data, result, error,
                               data_changes=tuple(self.data_changes), snapshots=worker.snapshots if worker else None)
            if self.comparison is not None:
                self.comparison.append(record)
            self.finished.emit(record)
        if error:
            self.queue.clear()
            self.comparison = None
            self.failed.emit(error, culprit)
        elif self.queue:
            self.start(self.queue.pop(0), self.data)
            return
        elif self.comparison is not None:
            records, self.comparison = self.comparison, None
            self.comparison_finished.emit(records)
        self._set_state(IDLE)
