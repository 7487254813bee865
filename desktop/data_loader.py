"""Loading a data set off the GUI thread, so the window stays responsive while a large file is read.

`DataLoading` reads (or generates) a SOURCE with `regcore.datasets.resolve_data` in a `DataLoadWorker`
and prepares what drawing its points needs (`regstudio.points.prepare`: the sample, each class's
coordinates, the bounds) there too; the window then only fills its plots. The last request wins:
asking for another source while one loads drops the first one's result (its worker is told to stop,
and whatever it returns is ignored), so loading twice quickly shows the second. ``loaded`` carries
(source, Dataset) on the GUI thread; ``failed`` (source, message) a source that could not be loaded;
``busy`` whether a load is going on.
"""

from __future__ import annotations

from typing import Iterator

from PySide6.QtCore import QObject, Signal, Slot

from regcore.datasets import resolve_data

from .background import Worker
from .points import prepare


class DataLoadWorker(Worker):
    """One load: `resolve_data`, then `prepare`; returns the Dataset (None if stopped first)."""

    def __init__(self, source: str, registry, parent=None):
        super().__init__(parent)
        self.source, self.registry = source, registry

    def work(self) -> Iterator[None]:
        data = resolve_data(self.source, self.registry)  # RegcoreError: `errored`, with its one line
        if self.cancel.is_set():
            return None
        prepare(data)
        return data
        yield  # a generator, as `Worker` runs it


class DataLoading(QObject):
    """See the module docstring."""

    loaded = Signal(str, object)   # source, Dataset
    failed = Signal(str, str)      # source, why
    busy = Signal(bool)

    def __init__(self, registry, parent=None):
        super().__init__(parent)
        self.registry = registry
        self.worker: DataLoadWorker | None = None     # the load whose result counts
        self._finishing: list[DataLoadWorker] = []    # superseded loads, until their threads end
        self._error = ""

    @property
    def loading(self) -> bool:
        return self.worker is not None

    @property
    def source(self) -> str | None:
        """The source being loaded, if any."""
        return self.worker.source if self.worker is not None else None

    def load(self, source: str) -> None:
        """Load ``source`` in the background; a load going on is superseded."""
        self.cancel()
        worker = DataLoadWorker(source, self.registry, parent=self)
        worker.errored.connect(self._errored)
        worker.returned.connect(self._returned)
        worker.finished.connect(lambda w=worker: self._ended(w))
        self.worker, self._error = worker, ""
        worker.start()
        self.busy.emit(True)

    def cancel(self) -> None:
        """Drop the load going on (its result will be ignored)."""
        if self.worker is not None:
            self.worker.stop()
            self._finishing.append(self.worker)
            self.worker = None
            self.busy.emit(False)

    def shutdown(self) -> None:
        """Wait for every load's thread (the window is closing). A read cannot be interrupted: this
        waits for the file being read."""
        self.cancel()
        for worker in list(self._finishing):
            worker.wait()

    @Slot(str, str)
    def _errored(self, message: str, _culprit: str) -> None:
        if self.sender() is self.worker:
            self._error = message

    @Slot(object)
    def _returned(self, data) -> None:
        worker = self.sender()
        if worker is not self.worker:
            return  # superseded: the last request wins
        self.worker = None
        self.busy.emit(False)
        if data is not None:
            self.loaded.emit(worker.source, data)
        else:
            self.failed.emit(worker.source, self._error or "the data set could not be loaded")

    def _ended(self, worker: DataLoadWorker) -> None:
        if worker in self._finishing:
            self._finishing.remove(worker)
        worker.wait()
        worker.deleteLater()
