"""Loading a data set from the window in the background: the window answers while a file is read, the
last of two quick requests wins, a run going on is recorded whole, and a bad file is one message."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QTimer, Qt
from PySide6.QtWidgets import QFileDialog, QPushButton

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import wait_idle, wait_loaded
from regcore.data import save_csv
from regcore.datasets import resolve_data
from regstudio import data_loader


def slow_reads(monkeypatch, seconds: dict):
    """Make the loader's reads take ``seconds[source]`` (default 0) longer; returns the threads they ran on."""
    threads = []

    def slow(source, registry):
        threads.append(threading.current_thread())
        time.sleep(seconds.get(source, 0.0))
        return resolve_data(source, registry)

    monkeypatch.setattr(data_loader, "resolve_data", slow)
    return threads


def test_opening_a_file_reads_it_off_the_gui_thread_and_the_window_answers_meanwhile(qtbot, window, tmp_path,
                                                                                     monkeypatch):
    path = tmp_path / "points.csv"
    save_csv(resolve_data("circle:n=120,seed=5", window.registry), path)
    threads = slow_reads(monkeypatch, {str(path): 0.6})
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), ""))
    before = window.data
    ticks = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    qtbot.mouseClick(window.data_panel.findChild(QPushButton, "open_data"), Qt.MouseButton.LeftButton)
    assert window.data is before and window.statusBar().currentMessage().startswith(f"Loading {path}")
    wait_loaded(qtbot, window)
    timer.stop()
    assert threads and threading.main_thread() not in threads
    assert window.source == str(path) and window.data.name == "points" and window.data.X_train.shape[1] == 60
    assert len(ticks) >= 30  # the event loop ran during the 0.6 s read (10 ms ticks)
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert max(gaps) < 0.3, f"the window stopped answering for {max(gaps):.2f} s"
    assert window.boundary_plot.points.drawn("train") == 60


def test_two_quick_loads_show_the_second(qtbot, window, monkeypatch):
    first, second = "circle:n=100,seed=1", "gauss:n=80,seed=2"
    slow_reads(monkeypatch, {first: 0.8})
    window.load_in_background(first)
    window.load_in_background(second)  # before the first has been read
    wait_loaded(qtbot, window)
    assert window.source == second and window.data.name.startswith("gauss")
    qtbot.wait(1000)  # the first read ends now: it must not replace the second
    assert window.source == second and window.data.name.startswith("gauss")
    assert window.data.X_train.shape[1] + window.data.X_test.shape[1] == 80


def test_a_load_during_a_run_keeps_the_run_whole_and_records_it(qtbot, window, monkeypatch):
    source = "circle:n=100,seed=1"
    slow_reads(monkeypatch, {source: 0.5})
    old = window.data
    window.training_panel.iterations.setValue(2_000_000)
    window.start_action.trigger()
    qtbot.waitUntil(lambda: window.controller.last_frame is not None, timeout=10000)
    window.load_in_background(source)
    qtbot.wait(200)
    assert not window.controller.idle and window.data is old  # it trains on while the file is read
    wait_loaded(qtbot, window)
    wait_idle(qtbot, window)
    run = window.comparison.model.runs[-1]
    assert run.data is old and not run.result.completed and run.error == ""
    assert run.result.history["iterations"][-1] <= run.result.iterations_done  # its own curve, whole
    assert window.data.name.startswith("circle") and "stopped" in window.statusBar().currentMessage()


def test_a_file_that_cannot_be_read_says_so_and_keeps_the_data(qtbot, window, tmp_path):
    bad = tmp_path / "broken.csv"
    bad.write_text("x,y\n1,2,3\nnot numbers\n")
    before, source = window.data, window.source
    window.load_in_background(str(bad))
    wait_loaded(qtbot, window)
    qtbot.waitUntil(lambda: window.message_box is not None and window.message_box.isVisible(), timeout=5000)
    assert window.message_box.windowTitle() == "Could not load the data" and "broken.csv" in window.message_box.text()
    assert window.data is before and window.source == source
