"""``regcore sweep``: train one model per value of a parameter and tabulate the accuracies.

    regcore sweep --reg l2 --param lambd=0:3:31
    regcore sweep --reg dropout:mask=fresh --param keep_prob=0.5:1:11 --seeds 1-5 --csv keep.csv
    regcore sweep --reg l2 --param lambd=0.01:10:9:log --also dropout:keep_prob=0.9 --json
    regcore sweep --optimizer adam --param optimizer.lr=0.001:0.1:5:log

``--param KEY=START:STOP:COUNT[:log]`` may be repeated for a grid; KEY is a parameter of ``--reg``,
``NAME.KEY`` for one of an ``--also`` regularizer, or ``optimizer.KEY`` for one of the optimizer's
(``optimizer.lr``: the learning rate, with any optimizer). Everything runs through `regcore.sweep`; this
module only parses, prints and writes. Stopped early (Ctrl-C, SIGTERM, SIGHUP), a sweep still prints
and writes the models that finished, the CSV marked as incomplete, and exits 130 (or 128 + signal).
With more than one seed, each setting's models are also aggregated (mean and spread of the
accuracies and final cost, the best setting by mean test accuracy): a second table, ``settings`` and
``best_setting`` in the JSON, the setting's columns on each CSV row. One seed: nothing of that.

`sweep_options`, `train`, `report_failures`, `stopped`, `parse_axis` and `check_writable` are what ``regcore biasvar``
(`regcore.cli.biasvar`), a sweep too, shares with this command.
"""

from __future__ import annotations

import contextlib
import json
import sys

from ..config import parse_regularizers
from ..datasets import resolve_data
from ..errors import ParamError
from .. import defaults, files
from ..files import csv_number
from ..files import write_csv as write_rows
from ..optimizer import LEARNING_RATE
from ..sweep import MAX_POINTS, OPTIMIZER, Axis, SettingSummary, Sweep, SweepResult, best_setting, plan, value_range
from . import output, progress, stopping
from .output import OutputError
from .options import Once, UsageError, json_number, percent, run_config, training_options

BEST_MARK = "*"


def register(commands) -> None:
    sweep = commands.add_parser("sweep", help="train one model per value of a regularizer or optimizer parameter",
                                description="Train many models that differ only in regularizer or optimizer "
                                            "parameters (batched, on every core) and compare their accuracies.")
    training_options(sweep)
    sweep.add_argument("--reg", action=Once, metavar="NAME[:key=value,...]",
                       help="the regularizer to sweep, with fixed values for its other parameters (once; "
                            "regularizers kept fixed alongside it: --also)")
    sweep.add_argument("--param", action="append", required=True, metavar="KEY=START:STOP:COUNT[:log]",
                       help="a parameter and its range, e.g. lambd=0:3:31 or lambd=0.01:10:7:log; repeat "
                            "for a grid; NAME.KEY sweeps a parameter of an --also regularizer, optimizer.KEY "
                            "one of the optimizer's (optimizer.lr: the learning rate)")
    sweep.add_argument("--seeds", metavar="LIST", help="train each setting once per seed, e.g. 1-5 or 1,4,9 "
                                                       "(instead of --seed)")
    sweep_options(sweep, "sweep", "one row per model")
    sweep.set_defaults(handler=run)


def sweep_options(parser, what: str, rows: str) -> None:
    """What every command that runs a `Sweep` takes besides the training options: ``--also``, ``--jobs``,
    ``--chunk``, and ``--json`` or ``--csv`` (``rows``: what the CSV's rows are)."""
    parser.add_argument("--also", action="append", default=[], metavar="NAME[:key=value,...]",
                        help="another regularizer every model uses (repeatable; default: none)")
    parser.add_argument("--jobs", type=int, help=f"worker processes (default: every core, if the {what} is "
                                                 f"big enough to pay for starting them)")
    parser.add_argument("--chunk", type=int, help="models trained together per batch (default: what fits in cache)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    output.add_argument("--csv", metavar="FILE", help=f"write {rows} to FILE (the table still prints)")


def run(args, registry) -> int:
    regularizers = parse_regularizers([*([args.reg] if args.reg is not None else []), *args.also], registry)
    base = run_config(args, regularizers, registry)
    axes = [parse_axis(text, regularizers, registry, base.optimizer) for text in args.param]
    swept = [(axis.regularizer, axis.param) for axis in axes]
    if len(set(swept)) < len(swept):
        raise UsageError("a parameter is given twice in --param: give each parameter one range")
    points = plan(base, axes, parse_seeds(args.seeds) if args.seeds is not None else None)
    if args.csv is not None:
        check_writable(args.csv)
    with output.to_stderr():  # plugin code (the data set's maker, the regularizers) may print
        data = resolve_data(args.data, registry)
        sweep = Sweep(points, data, registry, jobs=args.jobs, chunk=args.chunk)
        interruption = train(args, sweep, f"sweep of {len(points)} models")
    result = sweep.result()
    keys = [axis.label for axis in axes]
    with_seed = args.seeds is not None
    settings = result.settings(points) if len({p.config.seed for p in points}) > 1 else None
    try:
        if args.json:
            print(json.dumps(report(result, data.name, settings)))
        else:
            print_table(result, keys, with_seed, data.name)
            if settings is not None:
                print_settings(settings, keys)
    finally:  # the file keeps the results even if stdout went away (``| head``)
        if args.csv is not None:
            write_csv(args.csv, result, keys, settings)
    report_failures(result)
    if interruption is not None:
        return stopped(interruption, sum(1 for p in result.points if p is not None and p.completed), len(points),
                       args.csv)
    return 2 if result.errors else 0


def train(args, sweep, description: str) -> KeyboardInterrupt | None:
    """Drive ``sweep`` (a `Sweep`, or anything with its ``total`` and ``steps()``) under a progress bar.

    Ctrl-C, SIGTERM or SIGHUP stop it cleanly (closing the generator stops the workers): what finished
    is kept, and the interruption is returned for `stopped` to report once the results are out.
    """
    with progress.bar(args, sweep.total, description) as bar:
        try:
            with contextlib.closing(sweep.steps()) as steps:
                for step in steps:
                    bar.update(step.done - bar.n)
        except KeyboardInterrupt as interruption:
            # without its traceback, whose frames would keep the sweep's process queues from being released
            return interruption.with_traceback(None)
    return None


def report_failures(result: SweepResult) -> None:
    """One line on stderr per distinct failure: how many models it failed, and why."""
    for error in result.errors:
        failed = sum(1 for p in result.points if p is not None and p.error == error)
        print(f"regcore: error: {failed} of {len(result.points)} models failed: {error}", file=sys.stderr)


def stopped(interruption: KeyboardInterrupt, finished: int, total: int, csv_path: str | None) -> int:
    """Say on stderr how far a stopped sweep got; returns the exit status (130, or 128 + signal)."""
    what, status = stopping.outcome(interruption)
    kept = f"; {csv_path} holds them, marked incomplete" if csv_path is not None else ""
    print(f"regcore: {what} after {finished} of {total} models{kept}", file=sys.stderr)
    return status


def parse_axis(text: str, regularizers, registry, optimizer: str = defaults.OPTIMIZER) -> Axis:
    """``lambd=0:3:31``, ``dropout.keep_prob=0.5:1:6:log`` or ``optimizer.lr=0.001:0.1:5:log`` -> an
    `Axis` with validated values (``optimizer``: the run's optimizer, whose parameters ``optimizer.KEY`` names)."""
    key, sep, spec = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ParamError(f"--param {text!r}: write KEY=START:STOP:COUNT[:log], e.g. lambd=0:3:31")
    name, dot, param_name = key.rpartition(".")
    if name == OPTIMIZER:
        declared = (LEARNING_RATE, *registry.optimizer(optimizer).obj.params)
        owner = f"optimizer {optimizer!r}"
    else:
        if not dot:
            if not regularizers:
                raise ParamError(f"--param {key}: name what it belongs to: --reg NAME for a regularizer's "
                                 f"parameter, or optimizer.{key} for the optimizer's")
            name, param_name = regularizers[0][0], key
        used = [n for n, _ in regularizers]
        if name not in used:
            raise ParamError(f"--param {key}: regularizer {name!r} is not used; add it with --also "
                             f"(used: {', '.join(used) or 'none'})")
        declared, owner = registry.regularizer(name).obj.params, f"regularizer {name!r}"
    params = {p.name: p for p in declared}
    if param_name not in params:
        raise ParamError(f"{owner} has no parameter {param_name!r} (it has {', '.join(params) or 'no parameters'})")
    parts = spec.split(":")
    log = len(parts) == 4 and parts[3].strip().lower() == "log"
    if len(parts) not in (3, 4) or (len(parts) == 4 and not log):
        raise ParamError(f"--param {text!r}: the range must be START:STOP:COUNT or START:STOP:COUNT:log")
    try:
        start, stop = float(parts[0]), float(parts[1])
    except ValueError:
        raise ParamError(f"--param {text!r}: START and STOP must be numbers") from None
    try:
        count = int(parts[2])
    except ValueError:
        raise ParamError(f"--param {text!r}: COUNT must be a whole number >= 1") from None
    return Axis(name, param_name, value_range(params[param_name], start, stop, count, log), key)


def parse_seeds(text: str) -> list[int]:
    """``1-5`` or ``1,4,9`` or ``1-3,10`` -> [1, 2, 3, 10]."""
    seeds: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        low, dash, high = part.partition("-")
        try:
            span = range(int(low), int(high) + 1) if dash else [int(low)]
        except ValueError:
            raise ParamError(f"--seeds {text!r}: write whole numbers and ranges, like 1-5 or 1,4,9") from None
        if len(seeds) + len(span) > MAX_POINTS:  # a sweep cannot use more; don't build a huge list first
            raise ParamError(f"--seeds {text!r}: at most {MAX_POINTS:,} seeds")
        seeds.extend(span)
    if not seeds or len(set(seeds)) != len(seeds):
        raise ParamError(f"--seeds {text!r}: give at least one seed, each once")
    return seeds


def report(result: SweepResult, data_name: str, settings: list[SettingSummary] | None = None) -> dict:
    """The JSON-ready report: one entry per model, in plan order; with ``settings`` (several seeds), also
    each setting's aggregate (``settings``) and the indices of the best of them (``best_setting``)."""
    points = []
    for point in result.points:
        if point is None:
            continue
        points.append({"params": point.point.params, "seed": point.point.config.seed,
                       "train_accuracy": json_number(point.train_accuracy), "test_accuracy": json_number(point.test_accuracy),
                       "final_cost": json_number(point.final_cost), "iterations_done": point.iterations_done,
                       "weight_norms": list(point.weight_norms), "dead_units": list(point.dead_units),
                       "stopped_at": point.stopped_at, "kept_from": point.kept_from,
                       "completed": point.completed, **({"error": point.error} if point.error else {})})
    out = {"points": points, "best": result.best(), "seconds": result.seconds, "data": data_name,
           "jobs": result.jobs, "chunk_sizes": list(result.chunk_sizes), "completed": result.completed}
    if settings is not None:
        out.update(settings=[s.to_dict() for s in settings], best_setting=best_setting(settings))
    return out


def print_table(result: SweepResult, keys: list[str], with_seed: bool, data_name: str) -> None:
    started = [p for p in result.points if p is not None]
    iterations = started[0].point.config.iterations if started else 0
    where = f"{result.jobs} processes" if result.jobs > 1 else "in one process"
    print(f"{len(started)} models x {iterations} iterations on {data_name}, {where}, {result.seconds:.1f} s")
    columns = keys + (["seed"] if with_seed else []) + ["train accuracy", "test accuracy", "final cost"]
    widths = [max(len(c), 10) for c in columns]
    print("  ".join(c.rjust(w) for c, w in zip(columns, widths)))
    best = set(result.best())
    for index, point in enumerate(result.points):
        if point is None:
            continue
        cells = [f"{point.point.params[k]:g}" for k in keys] + ([str(point.point.config.seed)] if with_seed else [])
        if point.error:
            cells += ["failed", "", ""]
        else:
            cells += [percent(point.train_accuracy), percent(point.test_accuracy), f"{point.final_cost:.6g}"]
        mark = f" {BEST_MARK}" if index in best else ""
        if not point.error and not point.completed:  # a model the sweep stopped: not a result
            mark += f" (stopped at iteration {point.iterations_done:,})"
        print("  ".join(c.rjust(w) for c, w in zip(cells, widths)) + mark)
    if best:
        print(f"{BEST_MARK} best test accuracy")
    if not result.completed:
        print("(cancelled: the models marked 'stopped at' had not finished; their numbers are where they stopped)")


def print_settings(settings: list[SettingSummary], keys: list[str]) -> None:
    """Each setting over its seeds: mean ± standard deviation of the accuracies and the final cost."""
    print()
    columns = keys + ["seeds", "train accuracy", "test accuracy", "final cost"]
    widths = [max(len(c), 10) for c in keys] + [5, 16, 16, 22]
    print("  ".join(c.rjust(w) for c, w in zip(columns, widths)))
    best = set(best_setting(settings))
    for index, setting in enumerate(settings):
        cells = [f"{setting.params[k]:g}" for k in keys] + [f"{setting.finished}/{len(setting.indices)}"]
        if setting.finished:
            cells += [f"{percent(setting.train_accuracy_mean)} ± {percent(setting.train_accuracy_std)}",
                      f"{percent(setting.test_accuracy_mean)} ± {percent(setting.test_accuracy_std)}",
                      f"{setting.final_cost_mean:.6g} ± {setting.final_cost_std:.2g}"]
        else:
            cells += ["failed", "", ""]
        mark = f" {BEST_MARK}" if index in best else ""
        print("  ".join(c.rjust(w) for c, w in zip(cells, widths)) + mark)
    if best:
        print(f"{BEST_MARK} best mean test accuracy over the seeds")


def check_writable(path: str) -> None:
    """Refuse, before any training, a CSV path that cannot be written (as every save would: a folder,
    a FIFO or device, a missing or read-only folder)."""
    if not path.strip():
        raise OutputError("--csv needs a file name")
    files.check_writable(path)


SETTING_COLUMNS = ("train_accuracy_mean", "train_accuracy_std", "test_accuracy_mean", "test_accuracy_std",
                   "final_cost_mean", "final_cost_std")


def write_csv(path: str, result: SweepResult, keys: list[str], settings: list[SettingSummary] | None = None) -> None:
    """One row per model; with ``settings`` (several seeds), each row also has its setting's aggregate."""
    of_point = {i: s for s in settings or () for i in s.indices}
    rows = []
    for index, point in enumerate(result.points):
        if point is None:
            continue
        row = [repr(point.point.params[k]) for k in keys] + [point.point.config.seed] + \
            [csv_number(v) for v in (point.train_accuracy, point.test_accuracy, point.final_cost)] + \
            [point.iterations_done, point.error or ""]
        if settings is not None:
            row += [csv_number(getattr(of_point[index], name)) for name in SETTING_COLUMNS]
        rows.append(row)
    header = keys + ["seed", "train_accuracy", "test_accuracy", "final_cost", "iterations_done", "error"]
    finished = sum(1 for p in result.points if p is not None and p.completed)
    write_rows(path, header + (list(SETTING_COLUMNS) if settings is not None else []), rows,
               None if result.completed else f"the sweep was stopped after {finished} of {len(result.points)} models")
