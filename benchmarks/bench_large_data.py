"""Does the window stay responsive, and its memory proportional, with large data sets?

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_large_data.py [--sizes 200000,1000000]
                                                                    [--iterations N] [--json]

For each size, a data set of that many points (four fifths training, one fifth test: 1,000,000 is
the limit) is written as .npz and opened in the window as a user opens a file (File > Open data,
`load_in_background`: read and prepared off the GUI thread, then drawn). Measured: the time from
opening until the window has drawn it (load + draw), how late a 10 ms QTimer's ticks are while it
loads and draws and while a short live run draws (50th / 99th percentile; the target is a p99 under
50 ms), and the process's resident memory after loading and after the run (RSS, from /proc). One
process per size would be cleaner for RSS; sizes are run smallest first, so growth is visible.
Results: benchmarks/results/bench_large_data.txt.
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
from PySide6.QtCore import QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from regstudio.main_window import MainWindow  # noqa: E402

TIMER_MS = 10


def write_data(path: Path, points: int, seed: int = 1) -> None:
    """An XOR-like set of ``points`` points, four fifths of them training points, as .npz."""
    rng = np.random.default_rng(seed)

    def part(m):
        X = rng.normal(size=(m, 2))
        return X, (X[:, 0] * X[:, 1] > 0).astype(float)[:, None]

    X, y = part(points - points // 5)
    Xval, yval = part(points // 5)
    np.savez(path, X=X, y=y, Xval=Xval, yval=yval)


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class LateTicks:
    """A 10 ms timer that records how late each tick is (seconds)."""

    def __init__(self):
        self.delays: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer(interval=TIMER_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self):
        now = time.perf_counter()
        self.delays.append(max(0.0, now - self._last - TIMER_MS / 1000))
        self._last = now

    def start(self):
        self.delays, self._last = [], time.perf_counter()
        self.timer.start()

    def stop(self) -> dict:
        self.timer.stop()
        delays = np.array(self.delays or [0.0]) * 1000
        return {"ticks": len(self.delays), "p50_ms": float(np.percentile(delays, 50)),
                "p99_ms": float(np.percentile(delays, 99)), "max_ms": float(delays.max())}


def measure(app, window, path: Path, iterations: int, blocking: bool = False) -> dict:
    ticks = LateTicks()
    before = window.data
    ticks.start()
    # as when a user opens the file: read off the GUI thread, then drawn on it
    load = window.load_source if blocking else window.load_in_background
    QTimer.singleShot(50, lambda: load(str(path)))
    started = time.perf_counter()
    deadline = started + 120
    while (window.data is before or window.loading.loading) and time.perf_counter() < deadline:
        app.processEvents()
    loaded_at = time.perf_counter()
    app.processEvents()  # back to the event loop once, as the window would before it repaints
    window.live.grab()  # the first paint of the new points (the rest of the window repaints as it would anyway)
    draw_done = time.perf_counter()
    end = draw_done + 0.3
    while time.perf_counter() < end:
        app.processEvents()
    loading = ticks.stop()
    after_load = rss_mb()

    window.training_panel.iterations.setValue(iterations)
    window.training_panel.record_every.setValue(max(1, iterations // 10))
    ticks.start()
    window.start()
    while not window.controller.idle and time.perf_counter() < deadline + 600:
        app.processEvents()
    running = ticks.stop()
    return {"points": int(window.data.X_train.shape[1] + window.data.X_test.shape[1]),
            "load_and_draw_s": draw_done - started - 0.05, "draw_s": draw_done - loaded_at,
            "loading": loading, "running": running, "rss_after_load_mb": after_load, "rss_after_run_mb": rss_mb(),
            "note": window.boundary_plot.note.text}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200000,1000000", help="points per data set (train + test), comma-separated")
    parser.add_argument("--iterations", type=int, default=30, help="iterations of the live run on each set")
    parser.add_argument("--repeats", type=int, default=3,
                        help="loads of each size (a shared machine's load shows as outliers: the median is quoted)")
    parser.add_argument("--blocking", action="store_true",
                        help="load on the GUI thread (load_source, as scripts and the command line do): the comparison")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    results = []
    with tempfile.TemporaryDirectory(prefix="regstudio-bench-") as scratch:
        store = QSettings(os.path.join(scratch, "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(store=store)
        window.resize(1400, 860)
        window.show()
        app.processEvents()
        baseline = rss_mb()
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(scratch) / f"points-{size}.npz"
            write_data(path, size)
            for repeat in range(args.repeats):
                results.append({"size": size, "repeat": repeat + 1, "rss_before_mb": baseline,
                                **measure(app, window, path, args.iterations, args.blocking)})
        window.close()
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for r in results:
        print(f"{r['points']:>9,} points: load+draw {r['load_and_draw_s']:.2f} s (draw {r['draw_s'] * 1000:.0f} ms); "
              f"timer p99 {r['loading']['p99_ms']:.0f} ms loading (max {r['loading']['max_ms']:.0f}), "
              f"{r['running']['p99_ms']:.0f} ms running (max {r['running']['max_ms']:.0f}); "
              f"RSS {r['rss_after_load_mb']:.0f} MB loaded, {r['rss_after_run_mb']:.0f} MB after the run "
              f"(window alone {r['rss_before_mb']:.0f} MB)")
        if r["repeat"] == args.repeats:
            p99s = sorted(other["loading"]["p99_ms"] for other in results if other["size"] == r["size"])
            print(f"           median timer p99 while loading and drawing: {p99s[len(p99s) // 2]:.0f} ms "
                  f"over {len(p99s)} loads; {r['note']}")
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
