"""``regcore compare``: the notebook's comparison (none, L2, dropout) and its table.

On the course's own data it is exactly the notebook's (dropout with the course's fixed masks); on
other data dropout draws fresh masks (see `regcore.config.notebook_runs`), and the output says so.
"""

from __future__ import annotations

import json

from ..config import is_course_data, notebook_runs
from ..datasets import resolve_data
from . import output
from .options import json_option, percent, run_config, training_options
from .train import print_accuracies, train_once


def register(commands) -> None:
    parser = commands.add_parser("compare", help="the notebook's comparison: none, L2, dropout")
    training_options(parser)
    json_option(parser, 'one JSON object, {"runs": [...]}, instead of text')
    parser.set_defaults(handler=run)


def run(args, registry) -> int:
    runs, labels = [], []
    with output.to_stderr() as stdout:  # plugin code (the data set's maker, the regularizers) may print
        data = resolve_data(args.data, registry)
        planned = [(name, run_config(args, regularizers, registry)) for name, regularizers in notebook_runs(data)]
        for _, config in planned:  # every run's settings checked (plugins' refusals too) before anything prints
            config.build(registry, data)
        if not args.json and not is_course_data(data):
            print("(not the course's data: dropout draws fresh masks; the course's fixed masks only fit its own data)",
                  file=stdout)
        for name, config in planned:
            labels.append(config.describe_regularizers())
            if not args.json:
                print(f"== {labels[-1]}", file=stdout)
            report = train_once(config, registry, data, echo=None if args.json else stdout, args=args,
                                label=labels[-1])
            if not args.json:
                print_accuracies(report, stdout)
                print(file=stdout)
            runs.append({"name": name, **report})
    if args.json:
        print(json.dumps({"runs": runs}))
        return 0
    print(f"{'model':<40} {'train accuracy':>20} {'test accuracy':>20}")
    for label, run_report in zip(labels, runs):
        print(f"{label:<40} {percent(run_report['train_accuracy']):>20} {percent(run_report['test_accuracy']):>20}")
    return 0
