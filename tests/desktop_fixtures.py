"""GUI test fixtures: a main window with throw-away settings, and a check that nothing outlives a test.

Like napari's conftest, `no_leftovers` fails a test that leaves a background worker (a training run
or a sweep) running or a top-level window open, after giving the test's own teardown the chance to
close what it opened.
Import the fixtures into a test module with ``from desktop_fixtures import *``.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

__all__ = ["no_leftovers", "settings_store", "make_window", "window", "wait_idle", "notebook_runs"]


def visible_windows(qapp) -> set[int]:
    return {id(widget) for widget in qapp.topLevelWidgets() if widget.isVisible()}


def clean_up_leftovers(qapp, before: set[int]) -> list[str]:
    """Stop the workers still running and close the windows opened since ``before``; say what they were."""
    from regstudio.background import running_workers

    qapp.processEvents()
    running = running_workers()
    for worker in running:  # stop them so one leak does not hang the rest of the session
        worker.stop()
        worker.wait()
    left = [widget for widget in qapp.topLevelWidgets() if widget.isVisible() and id(widget) not in before]
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
    before = visible_windows(qapp)
    yield
    problems = clean_up_leftovers(qapp, before)
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


@pytest.fixture
def notebook_runs():
    """`regcore.config.notebook_runs`: the notebook's three runs for a data set (course masks on its data only)."""
    from regcore.config import notebook_runs

    return notebook_runs
