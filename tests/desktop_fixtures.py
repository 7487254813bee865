"""GUI test fixtures: a main window with throw-away settings, and a check that nothing outlives a test.

Like napari's conftest, `no_leftovers` fails a test that leaves a background worker (a training run
or a sweep) running or a top-level window open, after giving the test's own teardown the chance to
close what it opened.
Then it destroys every top-level widget the test made: left to the garbage collector, widgets die
in an order PySide does not control, and a later test crashed (a segmentation fault in CI).
Import the fixtures into a test module with ``from desktop_fixtures import *``.
"""

from __future__ import annotations

import gc

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QSettings

__all__ = ["no_leftovers", "settings_store", "make_window", "window", "wait_idle", "wait_loaded", "notebook_runs"]


def address(widget) -> int:
    return shiboken6.getCppPointer(widget)[0]


def top_levels(qapp) -> set[int]:
    """The C++ addresses of the application's top-level widgets (Python ids of wrappers are not stable)."""
    return {address(widget) for widget in qapp.topLevelWidgets()}


def destroy_new_top_levels(qapp, before: set[int]) -> None:
    """Delete, now, the windows made since ``before`` (their children go with them). pyqtgraph's
    context menus are parentless top-levels its plot items own and use: those go with their items."""
    from PySide6.QtWidgets import QMenu

    for widget in qapp.topLevelWidgets():
        if address(widget) not in before and widget.parentWidget() is None and not isinstance(widget, QMenu):
            widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # processEvents alone does not
    qapp.processEvents()
    gc.collect()  # here, in the GUI thread: the window installed regstudio.gui_thread_gc, which collects on a timer


def clean_up_leftovers(qapp, before: set[int]) -> list[str]:
    """Stop the workers still running and close the windows opened since ``before``; say what they were."""
    from regstudio.background import running_workers

    qapp.processEvents()
    running = running_workers()
    for worker in running:  # stop them so one leak does not hang the rest of the session
        worker.stop()
        worker.wait()
    left = [widget for widget in qapp.topLevelWidgets() if widget.isVisible() and address(widget) not in before]
    for widget in left:
        widget.close()
    problems = []
    if running:
        problems.append(f"background workers still running after the test: {[type(w).__name__ for w in running]}")
    if left:
        problems.append(f"top-level widgets left open: {[type(w).__name__ for w in left]}")
    return problems


@pytest.fixture(autouse=True)
def no_leftovers(qapp):
    before = top_levels(qapp)
    yield
    problems = clean_up_leftovers(qapp, before)
    destroy_new_top_levels(qapp, before)
    assert not problems, "; ".join(problems)


@pytest.fixture
def settings_store(tmp_path):
    return QSettings(str(tmp_path / "regstudio.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, settings_store):
    """Build shown main windows (optionally with a registry); each is closed at the end of the test."""
    from regstudio.main_window import MainWindow

    windows = []

    def make(registry=None, store=None):
        window = MainWindow(registry=registry, store=store or settings_store)
        qtbot.addWidget(window)
        window.resize(1200, 800)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


@pytest.fixture
def window(make_window):
    return make_window()


def wait_idle(qtbot, window, timeout=20000):
    """Wait until the window has no run going and nothing queued."""
    qtbot.waitUntil(lambda: window.controller.idle, timeout=timeout)


def wait_loaded(qtbot, window, timeout=20000):
    """Wait until a data set the window loads in the background (Generate, Open file) is shown."""
    qtbot.waitUntil(lambda: not window.loading.loading, timeout=timeout)


@pytest.fixture
def notebook_runs():
    """`regcore.config.notebook_runs`: the notebook's three runs for a data set (course masks on its data only)."""
    from regcore.config import notebook_runs

    return notebook_runs
