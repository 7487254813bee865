"""``regcore biasvar``: the bias–variance lab, the test error decomposed against a regularizer parameter.

    regcore biasvar --reg l2 --param lambd=0:3:8
    regcore biasvar --reg dropout:mask=fresh --param keep_prob=0.5:1:6 --bootstraps 40 --json
    regcore biasvar --reg l2 --param lambd=0.01:10:7:log --seed 3 --csv biasvar.csv

For each value, ``--bootstraps`` B models train on bootstrap resamples of the training set (drawn
from ``--seed``, which also seeds every model's initialisation) as one sweep; the table gives bias²,
variance and their sum, the error, with the mean test accuracy ± its spread, the lowest error marked.
Everything runs through `regcore.biasvar`; the sweep's plumbing (axis parsing, progress bar, Ctrl-C,
CSV) is `regcore.cli.sweep`'s. ``--json`` prints ``{"points": [{"params", "bias2", "variance",
"error", "test_accuracy_mean", "test_accuracy_std"}, ...], "bootstraps", "seconds", "best"}``
(``best``: the index of the lowest error).
"""

from __future__ import annotations

import json

from .. import biasvar
from ..biasvar import DEFAULT_BOOTSTRAPS, BiasVarianceLab, LabResult, check_bootstraps
from ..config import parse_regularizers
from ..datasets import resolve_data
from . import output
from .options import Once, percent, run_config, training_options
from .sweep import BEST_MARK, check_writable, parse_axis, report_failures, stopped, sweep_options, train


def register(commands) -> None:
    lab = commands.add_parser("biasvar", help="decompose the test error into bias² and variance against a "
                                              "regularizer parameter",
                              description="Train models on bootstrap resamples of the training set at each value "
                                          "of a regularizer parameter and decompose their test error into "
                                          "bias² and variance (error = bias² + variance).")
    training_options(lab)
    lab.add_argument("--reg", action=Once, required=True, metavar="NAME[:key=value,...]",
                     help="the regularizer whose parameter is swept, with fixed values for its others")
    lab.add_argument("--param", action=Once, required=True, metavar="KEY=START:STOP:COUNT[:log]",
                     help="the parameter and its range, e.g. lambd=0:3:8 or lambd=0.01:10:7:log "
                          "(NAME.KEY for one of an --also regularizer)")
    lab.add_argument("--bootstraps", type=int, default=DEFAULT_BOOTSTRAPS, metavar="B",
                     help=f"models per value, each on its own resample (default {DEFAULT_BOOTSTRAPS}); the "
                          f"resamples are drawn from --seed")
    sweep_options(lab, "lab", "one row per value")
    lab.set_defaults(handler=run)


def run(args, registry) -> int:
    regularizers = parse_regularizers([args.reg, *args.also], registry)
    base = run_config(args, regularizers, registry)
    axis = parse_axis(args.param, regularizers, registry, base.optimizer)
    bootstraps = check_bootstraps(args.bootstraps)
    if args.csv is not None:
        check_writable(args.csv)
    with output.to_stderr():  # plugin code (the data set's maker, the regularizers) may print
        data = resolve_data(args.data, registry)
        lab = BiasVarianceLab(base, axis, data, registry, bootstraps=bootstraps, seed=args.seed, jobs=args.jobs,
                              chunk=args.chunk)
        interruption = train(args, lab, f"bias-variance lab of {len(lab.points)} models")
    result = lab.result()
    try:
        if args.json:
            print(json.dumps(result.to_dict()))
        else:
            print_table(result, axis.label, data.name, base.iterations)
    finally:  # the file keeps the results even if stdout went away (``| head``)
        if args.csv is not None:
            write_csv(args.csv, result, axis.label)
    report_failures(result.sweep)
    if interruption is not None:
        finished = sum(1 for p in result.sweep.points if p is not None and p.completed)
        return stopped(interruption, finished, len(lab.points), args.csv)
    return 2 if result.errors else 0


def print_table(result: LabResult, key: str, data_name: str, iterations: int) -> None:
    where = f"{result.sweep.jobs} processes" if result.sweep.jobs > 1 else "in one process"
    print(f"{len(result.points)} values x {result.bootstraps} bootstraps x {iterations} iterations on {data_name}, "
          f"{where}, {result.seconds:.1f} s")
    columns = [key, "bias²", "variance", "error", "test accuracy"]
    widths = [max(len(key), 10), 10, 10, 10, 16]
    print("  ".join(c.rjust(w) for c, w in zip(columns, widths)))
    best = result.best()
    for index, point in enumerate(result.points):
        d = point.decomposition
        cells = [f"{point.params[key]:g}"]
        if d is None:
            cells += ["failed" if point.error != "not finished" else "unfinished", "", "", ""]
        else:
            cells += [f"{d.bias2:.5f}", f"{d.variance:.5f}", f"{d.error:.5f}",
                      f"{percent(d.test_accuracy_mean)} ± {percent(d.test_accuracy_std)}"]
        print("  ".join(c.rjust(w) for c, w in zip(cells, widths)) + (f" {BEST_MARK}" if index == best else ""))
    if best is not None:
        print(f"{BEST_MARK} lowest error (bias² + variance); error(x) = mean over the models of (p(x) - y)², "
              f"averaged over the test points")
    if not result.completed:
        print("(cancelled: values not finished are left out of the decomposition)")


def write_csv(path: str, result: LabResult, key: str) -> None:
    """One row per swept value (`regcore.biasvar.write_csv`: the window's CSV export writes the same)."""
    biasvar.write_csv(path, result.points, key, result.completed)

