"""``regcore train``: train one network and print its costs and accuracies (the notebook's lines, or JSON)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from .. import defaults
from .. import inspect as inspection
from ..config import parse_regularizers
from ..schedule import Schedule
from ..datasets import DEFAULT_SOURCE, resolve_data
from . import output, progress
from .options import UsageError, json_number, json_option, run_config, text_number, training_options

PROGRESS_EVERY = 500   # iterations between progress-bar updates
PROGRESS_DELAY = 2.0   # seconds: a shorter run shows no bar at all


def register(commands) -> None:
    parser = commands.add_parser("train", help="train one network and print its costs and accuracies")
    training_options(parser)
    json_option(parser)
    parser.add_argument("--reg", action="append", default=[], metavar="NAME[:key=value,...]",
                        help="a regularizer; repeat to combine (see `regcore plugins`; default: none)")
    parser.add_argument("--change", action="append", default=[], metavar="ITER:KEY=VALUE",
                        help="change a setting from iteration ITER on (repeatable): ITER:lr=VALUE, "
                             "ITER:NAME.PARAM=VALUE (e.g. 10000:l2.lambd=0.1, or the optimizer's: 10000:adam.beta1=0.8), "
                             "ITER:+NAME[:k=v,...] or ITER:-NAME to switch a regularizer on or off (default: none)")
    parser.add_argument("--inspect", action="store_true",
                        help="with --json: add, for every recorded iteration, the weight norms, dead units, "
                             "weight histograms and weights near zero of each layer (\"inspect\": [...]; "
                             "default: off)")
    parser.set_defaults(handler=run)


def run(args, registry) -> int:
    if args.inspect and not args.json:
        raise UsageError("--inspect adds the network's insides to the JSON report: use it with --json")
    config = replace(run_config(args, parse_regularizers(args.reg, registry), registry),
                     changes=Schedule.parse(args.change, registry).changes)
    with output.to_stderr() as stdout:  # plugin code (the data set's maker, the regularizers) may print
        data = resolve_data(args.data, registry)
        report = train_once(config, registry, data, echo=None if args.json else stdout, args=args,
                            inspect=args.inspect)
    if args.json:
        print(json.dumps(report))
    else:
        print_accuracies(report)
    return 0


def train_once(config, registry, data, *, echo, args, label: str = "train", inspect: bool = False) -> dict[str, Any]:
    """Train with ``config``; print the notebook's cost lines to ``echo`` (a stream, or None for
    none); return the JSON-ready report.

    A progress bar shows on stderr once the run has taken `PROGRESS_DELAY` seconds (see `progress`).
    With ``inspect`` the report gets ``"inspect"``: the network's insides at every recorded iteration,
    with the parameters of that iteration before its update (like the recorded cost). The loop stops
    at every recording for it: at that point the parameters are the next record's.
    """
    training = config.build(registry, data)
    inspections = []

    def look() -> None:
        if inspect and (training.iteration % training.record_every == 0 or training.iteration == training.iterations):
            inspections.append(inspection.inspect(training.flat, training.layout, data.X_train,
                                                  training.iteration).to_dict())

    look()
    with progress.bar(args, config.iterations, label, delay=PROGRESS_DELAY) as bar:
        for step in training.steps(report_every=config.record_every if inspect else PROGRESS_EVERY):
            bar.update(step.iteration - bar.n)
            for record in step.new_records:
                printed = record.iteration % defaults.PRINT_EVERY == 0 and record.iteration < config.iterations
                if echo is not None and printed:
                    progress.echo(bar, "Cost after iteration {}: {}".format(record.iteration, record.cost[0]), echo)
            look()
    result = training.result()
    history = result.history
    return {
        "train_accuracy": json_number(result.train_accuracy[0]),
        "test_accuracy": json_number(result.test_accuracy[0]),
        "final_cost": json_number(result.final_cost[0]),
        "costs": [[int(i), json_number(c)] for i, c in zip(history["iterations"], history["cost"][:, 0])],
        "test_costs": [[int(i), json_number(c)] for i, c in zip(history["iterations"], history["test_cost"][:, 0])],
        # early stopping: where it stopped and the record it kept (the accuracies and final_cost are its); -1: none
        "stopped_at": int(result.stopped_at[0]), "kept_from": int(result.kept_from[0]),
        "seconds": result.seconds,
        # the SOURCE, so the config can be fed back to --data; and the data set's full name
        "config": {**config.to_dict(), "data": config.data or DEFAULT_SOURCE, "data_name": data.name},
        **({"inspect": inspections} if inspect else {}),
    }


def print_accuracies(report: dict, stdout=None) -> None:
    for line in ("On the train set:", "Accuracy: " + str(text_number(report["train_accuracy"])),
                 "On the test set:", "Accuracy: " + str(text_number(report["test_accuracy"]))):
        print(line, file=stdout)
