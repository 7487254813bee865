"""One protocol for every background job in the window (a training run, a sweep), after superqt's
workers, and the registry of running ones that the tests check for leaks.

A job is a generator, `Worker.work()`, run in a QThread. Its signals, in the order they arrive:

- ``yielded(object)``: each value the generator yields (copies the worker no longer touches);
- ``errored(str, str)``: at most once, why the job failed and the plugin to blame ("" if none);
- ``aborted()``: at most once, when `stop()` ended the job early;
- ``returned(object)``: exactly once, last: the generator's return value; for a failed or stopped job
  what it had done (None if nothing usable). Handle the end of a job here;
- ``finished()`` (QThread's own): the thread has ended.

Stopping is cooperative: `stop()` sets `cancel`, a `threading.Event` the job checks between steps;
the owner then `wait()`s for the thread. Nothing calls `terminate()`.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Iterator

import shiboken6
from PySide6.QtCore import QThread, Signal

from regcore.errors import RegcoreError

_workers: "weakref.WeakSet[Worker]" = weakref.WeakSet()


def running_workers() -> list["Worker"]:
    """Workers of any kind whose thread is still running (tests use this to catch leaks)."""
    return [worker for worker in list(_workers) if shiboken6.isValid(worker) and worker.isRunning()]


class JobFailed(RegcoreError):
    """Raised by a `work()` generator that failed but has a partial result to return."""

    def __init__(self, message: str, culprit: str = "", partial: Any = None):
        super().__init__(message)
        self.culprit, self.partial = culprit, partial


class Worker(QThread):
    """See the module docstring; subclasses implement `work()`."""

    yielded = Signal(object)
    errored = Signal(str, str)      # message, culprit
    aborted = Signal()
    returned = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        _workers.add(self)
        self.cancel = threading.Event()

    def work(self) -> Iterator[Any]:
        """The job, run in the thread: yield values to send, return the result."""
        raise NotImplementedError

    def stop(self) -> None:
        """Ask the job to end at its next step (from any thread)."""
        self.cancel.set()

    def run(self) -> None:
        result = None
        try:
            generator = self.work()
            while True:
                try:
                    value = next(generator)
                except StopIteration as end:
                    result = end.value
                    break
                self.yielded.emit(value)
        except JobFailed as failure:
            self.errored.emit(str(failure), failure.culprit)
            result = failure.partial
        except RegcoreError as failure:
            self.errored.emit(str(failure), getattr(failure, "regularizer", None) or "")
        except Exception as failure:  # noqa: BLE001 - a bug must reach the user as a message, not kill the app
            self.errored.emit(f"unexpected {type(failure).__name__}: {failure}", "")
        else:
            if self.cancel.is_set():
                self.aborted.emit()
        self.returned.emit(result)

