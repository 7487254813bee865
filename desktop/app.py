"""Entry point of ``regstudio`` and ``python -m regstudio``: open the window, or make a screenshot.

    regstudio [--data SOURCE] [--reg NAME[:key=value,...]]... [--iterations N] [--hidden SIZES]
    regstudio --screenshot PATH [--compare] [--tab NAME] [--seeds N] [--presenter] [--data SOURCE]
              [--reg ...] [--iterations N] [--change ITER:KEY=VALUE]... [--noise K] [--edit-data]
              [--replay FRACTION]

With ``--screenshot`` it runs headless (offscreen), trains with the given settings — or, with
``--compare``, runs the notebook's comparison and shows the Runs tab; with ``--tab sweep`` or
``--tab biasvar``, runs that tab's sweep or lab as it is set up (``--seeds N``: the Sweep tab's seeds
per setting) — writes a PNG of the whole window to PATH and exits 0 (2 with a one-line message if
the settings or the run fail). ``--tab`` picks the tab shown (training, runs, sweep, biasvar, network, weights),
``--presenter`` turns on presenter mode (large type) as the View menu does.
``--change`` trains with scheduled changes (as ``regcore train --change``; marked on the plots),
``--noise K`` adds K mislabelled points to the data first (seeded: the same every time),
``--edit-data`` ticks "Edit data", and ``--replay F`` moves the timeline to F (0 to 1) of the run.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from typing import Sequence

from regcore import fast, files
from regcore.errors import RegcoreError

from . import display_check

SCREENSHOT_TIMEOUT_MS = 600_000
TABS = ("training", "runs", "sweep", "biasvar", "network", "weights")  # --tab names
TAB_TITLES = {"training": "Training", "runs": "Runs", "sweep": "Sweep", "biasvar": "Bias", "network": "Network",
              "weights": "Weights"}  # how the title of each name's tab starts


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="regstudio", description="RegStudio: see what regularization does.")
    parser.add_argument("--data", metavar="SOURCE", help="a .mat/.npz/.csv file or a generator like moons:noise=0.3")
    parser.add_argument("--reg", action="append", default=[], metavar="NAME[:key=value,...]",
                        help="tick a regularizer (repeat to combine), e.g. l2:lambd=0.7")
    parser.add_argument("--iterations", type=int, help="gradient-descent iterations (every tab's settings)")
    parser.add_argument("--hidden", metavar="SIZES", help="hidden layer sizes, e.g. 20,3 or 64,64 (every tab's settings)")
    parser.add_argument("--screenshot", metavar="PATH", help="train headless, save a PNG of the window, exit")
    parser.add_argument("--compare", action="store_true", help="with --screenshot: the notebook's comparison")
    parser.add_argument("--size", default="1400x860", type=_size, metavar="WIDTHxHEIGHT",
                        help="window size for --screenshot (default 1400x860)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("--tab", choices=TABS, type=str.lower,
                        help="the tab to show: training, runs (default with --compare), sweep or biasvar (with "
                             "--screenshot, runs its sweep or its bias-variance lab), network or weights")
    parser.add_argument("--seeds", type=int, metavar="N", help="the Sweep tab's seeds per setting (default 1)")
    parser.add_argument("--presenter", action="store_true", help="presenter mode: large type for a projector")
    parser.add_argument("--change", action="append", default=[], metavar="ITER:KEY=VALUE",
                        help="a change mid-run, as regcore train --change takes it (repeatable), e.g. 15000:l2.lambd=2")
    parser.add_argument("--noise", type=int, metavar="K", help="add K mislabelled training points to the data first")
    parser.add_argument("--edit-data", action="store_true", help="tick 'Edit data' (clicks on the boundary edit it)")
    parser.add_argument("--replay", type=_fraction, metavar="FRACTION",
                        help="with --screenshot: move the timeline to this fraction (0 to 1) of the finished run")
    return parser


def _size(text: str) -> str:
    """``--size``: WIDTHxHEIGHT in pixels (argparse turns the ValueError into a one-line usage error)."""
    width, x, height = text.lower().partition("x")
    if not (x and width.isdigit() and height.isdigit() and 0 < int(width) <= 10_000 and 0 < int(height) <= 10_000):
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT in pixels, e.g. 1280x800, got {text!r}")
    return text


def _fraction(text: str) -> float:
    """``--replay``: a number from 0 to 1 (argparse turns the ValueError into a one-line usage error)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:  # NaN too
        raise argparse.ArgumentTypeError(f"expected a fraction of the run from 0 to 1, e.g. 0.25, got {text!r}")
    return value


def _version() -> str:
    """The installed distribution's version (its package metadata)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("regstudio")
    except PackageNotFoundError:
        return "unknown (not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Before Qt: where no window can open, Qt's xcb platform would abort with a core dump.
    cannot_open = None if args.screenshot else display_check.problem()
    if cannot_open:
        print(cannot_open, file=sys.stderr)
        return 2
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("RegStudio")
    app.setApplicationName("RegStudio")
    from .main_window import MainWindow

    if not args.screenshot:
        fast.warm_up()  # the compiled kernel loads in the background; runs use NumPy until it is ready
        return _open(app, MainWindow(), args)
    # A screenshot must not depend on, or change, the user's remembered settings: it gets throw-away
    # ones. (Not os.devnull: QSettings saves by renaming a new file over its path, which as root
    # replaces /dev/null itself.)
    with tempfile.TemporaryDirectory(prefix="regstudio-screenshot-") as scratch:
        store = QSettings(os.path.join(scratch, "settings.ini"), QSettings.Format.IniFormat)
        return _open(app, MainWindow(store=store), args)


def run() -> None:
    """The ``regstudio`` command: `main`, then end the process without Python's final clean-up.

    That clean-up destroys the remaining Qt objects (pyqtgraph's menus, the windows' wrappers) in an
    order PySide does not control, some after the QApplication, which can crash with a segmentation
    fault after the work is done and the settings saved. Everything worth keeping is written by then.
    """
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _ended(status: int) -> int:
    """The exit status; a run left stuck in a plugin's code (never terminated) would keep the process
    alive, and Qt aborts when a running thread's object is destroyed: then end the process here."""
    from .controller import ABANDONED

    if any(worker.isRunning() for worker in ABANDONED):
        print("regstudio: a run was still inside a regularizer's code that does not return; it was left behind",
              file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status


def _open(app, window, args) -> int:
    """Apply the command line to ``window``; show it, or train and write the screenshot."""
    from PySide6.QtCore import QTimer

    start_config = None
    try:
        apply_arguments(window, args)
        if args.screenshot:
            files.check_writable(args.screenshot)  # before training, not after it
        start_config = scheduled(window, args) if args.screenshot else None
    except RegcoreError as error:
        print(f"regstudio: error: {error}", file=sys.stderr)
        if args.screenshot:
            window.close()
            return 2
        window.report("Could not apply the command-line settings", str(error), "Fix them in the settings column.")
    if not args.screenshot:
        window.show()
        return _ended(app.exec())
    width, height = (int(n) for n in args.size.lower().split("x"))
    window.resize(width, height)
    window.show()
    outcome = {"status": 2, "ended": False}
    tab = args.tab or ("runs" if args.compare else "training")
    view = {"sweep": window.sweep_view, "biasvar": window.biasvar_view}.get(tab)
    sweeping = view is not None

    def finish_when_done(*_):
        # the run (or the whole comparison) going idle, or the sweep's thread ending, says it is done
        busy = window.controller.state != "idle" or (sweeping and view.worker is not None)
        if busy or outcome["ended"]:
            return
        outcome["ended"] = True
        window.tabs.setCurrentIndex(tab_index(window, tab))
        if window.message_box is not None:
            window.message_box.close()
        app.processEvents()
        runs = window.comparison.model.runs
        if args.replay is not None and window.timeline.run is not None:
            slider = window.timeline.slider
            slider.setValue(round(args.replay * slider.maximum()))
            app.processEvents()
        if sweeping and not view.results:
            print("regstudio: error: the sweep failed: " + view.status.text(), file=sys.stderr)
        elif not sweeping and (not runs or runs[-1].error):
            print(f"regstudio: error: the run failed: {runs[-1].error if runs else 'no result'}", file=sys.stderr)
        else:
            from .export import png

            try:
                png(window, args.screenshot)  # atomically, like every save
            except RegcoreError as error:
                print(f"regstudio: error: {error}", file=sys.stderr)
            else:
                outcome["status"] = 0
                print(f"regstudio: wrote {args.screenshot}")
        window.close()
        app.quit()

    if sweeping:
        window.tabs.setCurrentIndex(tab_index(window, tab))
        view.start()
        if view.worker is None:
            print("regstudio: error: the sweep could not start: " + view.status.text(), file=sys.stderr)
            window.close()
            return 2
        view.worker.finished.connect(finish_when_done)  # after its result reached the view
    elif not (window.notebook_comparison() if args.compare else window.start(start_config)):
        print("regstudio: error: the run could not start: " + window.statusBar().currentMessage(), file=sys.stderr)
        window.close()
        return 2
    else:
        window.controller.state_changed.connect(finish_when_done)  # the run only reports once app.exec() runs

    def give_up():
        outcome["ended"] = True  # closing stops the run, which goes idle: that is no screenshot
        window.close()
        app.quit()

    QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, give_up)
    app.exec()
    return _ended(outcome["status"])


def tab_index(window, name: str) -> int:
    """The index of the window's tab for ``name`` (one of `TABS`): the one whose title starts as
    `TAB_TITLES` says (other engineers' tabs may come in between)."""
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    return next(i for i, title in enumerate(titles) if title.startswith(TAB_TITLES[name]))


def apply_arguments(window, args) -> None:
    """Put --data, --reg, --iterations and --hidden into the window's settings; raises RegcoreError if invalid."""
    from regcore.config import RunConfig, parse_hidden, parse_regularizer

    if args.data:
        window.load_source(args.data, strict=True)  # RegcoreError: why it could not be loaded
    if args.reg:
        window.regularizer_panel.set_selected([parse_regularizer(text, window.registry) for text in args.reg])
    changed = {}
    if args.iterations is not None:
        changed["iterations"] = args.iterations
    if getattr(args, "hidden", None) is not None:
        changed["hidden"] = parse_hidden(args.hidden)
    if changed:  # the Training tab's settings, and the Sweep and Bias–variance tabs' own
        for panel in (window.training_panel, *(view.training for view in window.sweep_views())):
            panel.set_config(RunConfig(**{**panel.fields(), **changed}))
    if getattr(args, "presenter", False):
        window.presenter_action.setChecked(True)
    if getattr(args, "seeds", None) is not None:
        if window.sweep_view is None:
            raise RegcoreError("--seeds is for the Sweep tab, which this build does not have")
        if not 1 <= args.seeds <= window.sweep_view.MAX_SEEDS:
            raise RegcoreError(f"--seeds must be a whole number from 1 to {window.sweep_view.MAX_SEEDS} for the "
                               f"Sweep tab, got {args.seeds}")
        window.sweep_view.seeds.setValue(args.seeds)
    if getattr(args, "noise", None):
        import numpy as np

        from regcore.edits import noise_points

        if args.noise < 1:
            raise RegcoreError(f"--noise must be at least 1, got {args.noise}")
        window.edit_data(noise_points(window.data, args.noise, np.random.default_rng(0)), f"+{args.noise} noise points")
    if getattr(args, "edit_data", False):
        window.editor.enabled.setChecked(True)


def scheduled(window, args):
    """The settings column's run with ``--change``'s schedule, or None (the column as it is)."""
    from dataclasses import replace

    from regcore.schedule import Schedule

    if not getattr(args, "change", None):
        return None
    return replace(window.config(), changes=Schedule.parse(args.change, window.registry).changes)
