"""Does live plotting slow training, and does the window stay responsive while it trains?

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui.py [--iterations N] [--repeat R] [--json] [--all-visible]

In one process, alternately R times: a headless run of the core (`RunConfig.build(...).run()`), and
the same run started from the window with live plotting (cost curves and decision boundary redrawn
as the worker sends frames), timed from Start until the run is in the runs table. During each live
run a 10 ms QTimer records how late each of its ticks is. Reports the best time of each, their ratio
(the target: at most 1.25), the frames drawn per second, and the 50th/99th percentile timer delay
over all live runs (the target: p99 under 50 ms). Ratios from one run of the script are what to
compare; absolute times on a shared machine are noise.

With ``--all-visible`` every panel is on screen at once: the Network and Weights tabs' views are
taken out of the tab widget into windows of their own beside the main window (tabs show one at a
time, and a hidden panel does not draw), so the live run draws the cost, the boundary, the network
graph and the weight panels with every frame.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from regstudio.main_window import MainWindow  # noqa: E402
from regcore.config import RunConfig  # noqa: E402

TIMER_MS = 10


def headless_seconds(window, config: RunConfig) -> float:
    started = time.perf_counter()
    config.build(window.registry, window.data).run()
    return time.perf_counter() - started


def live_run(app, window, config: RunConfig) -> tuple[float, list[float], int]:
    """Wall time of a live run, the 10 ms timer's delays during it (seconds) and the frames drawn."""
    delays, frames = [], [0]
    last = [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        delays.append(now - last[0] - TIMER_MS / 1000)
        last[0] = now

    def count(_frame):
        frames[0] += 1

    timer = QTimer(interval=TIMER_MS)
    timer.timeout.connect(tick)
    loop = QEventLoop()
    started = time.perf_counter()
    runs = window.controller
    runs.frame.connect(count)
    # connected after the window's own handler, so the run is in the runs table when the loop ends
    runs.finished.connect(loop.quit)
    window.start(config)
    last[0] = time.perf_counter()
    timer.start()
    loop.exec()  # an event loop, as when a person uses the window
    seconds = time.perf_counter() - started
    timer.stop()
    runs.frame.disconnect(count)
    runs.finished.disconnect(loop.quit)
    assert window.comparison.model.runs[-1].result.completed
    return seconds, delays, frames[0]


def show_every_panel(window) -> list:
    """Take the tabs of the panels with a tab of their own out of the tab widget and show each in a
    window of its own, so they are visible (and draw) while the Training tab is shown too."""
    views = []
    for panel in window.panels:
        if panel.tab:
            window.tabs.removeTab(window.tabs.indexOf(panel.plot))
            panel.plot.setParent(None)
            panel.plot.resize(1100, 700)
            panel.plot.show()
            views.append(panel.plot)
    window.tabs.setCurrentIndex(0)
    return views


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=30000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--all-visible", action="store_true",
                        help="show the Network and Weights views in windows of their own, so every panel draws")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    scratch = tempfile.TemporaryDirectory(prefix="bench-gui-")  # throw-away settings (never os.devnull:
    # QSettings saves by renaming a file over its path, which as root replaces /dev/null)
    window = MainWindow(store=QSettings(os.path.join(scratch.name, "settings.ini"), QSettings.Format.IniFormat))
    window.resize(1400, 860)
    window.show()
    detached = show_every_panel(window) if args.all_visible else []
    app.processEvents()
    config = RunConfig(iterations=args.iterations, record_every=100, data=window.source)
    headless, live, delays, fps = [], [], [], []
    for _ in range(args.repeat):
        headless.append(headless_seconds(window, config))
        seconds, run_delays, frames = live_run(app, window, config)
        live.append(seconds)
        delays.extend(run_delays)
        fps.append(frames / seconds)
    for view in detached:
        view.close()
    window.close()
    delays_ms = np.array(delays) * 1000
    report = {"data": window.data.name, "iterations": args.iterations, "repeat": args.repeat,
              "panels": "every panel visible" if args.all_visible else "Training tab shown (others hidden)",
              "headless_seconds": min(headless), "live_seconds": min(live), "ratio": min(live) / min(headless),
              "frames_per_second": float(np.median(fps)), "timer_ticks": len(delays),
              "timer_delay_p50_ms": float(np.percentile(delays_ms, 50)),
              "timer_delay_p99_ms": float(np.percentile(delays_ms, 99))}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{args.iterations:,} iterations on {report['data']}, best of {args.repeat}; {report['panels']}")
        print(f"  headless core   {report['headless_seconds']:6.2f} s")
        print(f"  live window     {report['live_seconds']:6.2f} s  ratio {report['ratio']:.2f} (target <= 1.25), "
              f"{report['frames_per_second']:.0f} frames/s drawn")
        print(f"  10 ms timer     delay p50 {report['timer_delay_p50_ms']:.1f} ms, "
              f"p99 {report['timer_delay_p99_ms']:.1f} ms over {len(delays)} ticks (target p99 < 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
