"""The headless command line: ``regcore train | compare | plugins | datasets``.

Every failure a user can cause ends with one line on stderr (``regcore: error: ...``) and exit
status 2; no traceback. Text output follows the notebook's wording so runs can be compared by eye.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any, Sequence

from .config import NOTEBOOK_RUNS, RunConfig, parse_hidden, parse_regularizers
from .datasets import DEFAULT_SOURCE, resolve_data
from .errors import RegcoreError
from .plugins import load_registry

PRINT_EVERY = 10000


class UsageError(RegcoreError):
    pass


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit status 2, like every other error."""

    def error(self, message):
        raise UsageError(f"{message} (see {self.prog} --help)")


def _data_option(parser):
    parser.add_argument("--data", metavar="SOURCE",
                        help=f"a .mat/.npz/.csv file or a generator like moons:noise=0.3,n=400 "
                             f"(default: {DEFAULT_SOURCE})")


def training_options(parser):
    """The options every training command shares (``train``, ``compare``, ``sweep``)."""
    _data_option(parser)
    parser.add_argument("--lr", type=float, default=0.3, help="learning rate (default 0.3)")
    parser.add_argument("--iterations", type=int, default=30000, help="gradient-descent iterations (default 30000)")
    parser.add_argument("--hidden", default="20,3", help="hidden layer sizes (default 20,3)")
    parser.add_argument("--seed", type=int, default=3, help="initialisation seed (default 3, the notebook's)")
    parser.add_argument("--record-every", type=int, default=1000, help="record the cost every N iterations")


def _json_option(parser):
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def build_parser() -> Parser:
    parser = Parser(prog="regcore", description="Train small networks with and without regularization.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    train = commands.add_parser("train", help="train one network and print its costs and accuracies")
    training_options(train)
    _json_option(train)
    train.add_argument("--reg", action="append", default=[], metavar="NAME[:key=value,...]",
                       help="a regularizer; repeat to combine (see `regcore plugins`)")
    compare = commands.add_parser("compare", help="the notebook's comparison: none, L2, dropout")
    training_options(compare)
    _json_option(compare)
    for name, helptext in (("plugins", "list regularizers, data sets and plugins"),
                           ("datasets", "list data-set generators and file formats")):
        sub = commands.add_parser(name, help=helptext)
        sub.add_argument("--json", action="store_true")
    from .sweep_cli import add_sweep_command  # the sweep command lives with the sweep code

    add_sweep_command(commands)
    return parser


def run_config(args, regularizers) -> RunConfig:
    return RunConfig(hidden=parse_hidden(args.hidden), learning_rate=args.lr, iterations=args.iterations,
                     seed=args.seed, record_every=args.record_every, regularizers=tuple(regularizers),
                     data=args.data)


def train_once(config: RunConfig, registry, data, *, echo: bool) -> dict[str, Any]:
    """Train with ``config``; print the notebook's cost lines if ``echo``; return the JSON-ready report."""
    training = config.build(registry, data)
    for progress in training.steps(report_every=PRINT_EVERY):
        for i, cost, _, _ in progress.new_records:
            if echo and i % PRINT_EVERY == 0:
                print("Cost after iteration {}: {}".format(i, cost[0]), flush=True)
    result = training.result()
    history = result.history
    return {
        "train_accuracy": _number(result.train_accuracy[0]),
        "test_accuracy": _number(result.test_accuracy[0]),
        "final_cost": _number(result.final_cost[0]),
        "costs": [[int(i), _number(c)] for i, c in zip(history["iterations"], history["cost"][:, 0])],
        "test_costs": [[int(i), _number(c)] for i, c in zip(history["iterations"], history["test_cost"][:, 0])],
        "seconds": result.seconds,
        # the SOURCE, so the config can be fed back to --data; and the data set's full name
        "config": {**config.to_dict(), "data": config.data or DEFAULT_SOURCE, "data_name": data.name},
    }


def _number(value) -> float | None:
    """A float for JSON; None (null) for NaN, e.g. the test accuracy of a data set without test points."""
    value = float(value)
    return value if math.isfinite(value) else None


def _float(value: float | None) -> float:
    """The inverse of `_number`, for text output (which prints nan)."""
    return math.nan if value is None else value


def print_accuracies(report: dict) -> None:
    print("On the train set:")
    print("Accuracy: " + str(_float(report["train_accuracy"])))
    print("On the test set:")
    print("Accuracy: " + str(_float(report["test_accuracy"])))


def cmd_train(args, registry) -> int:
    config = run_config(args, parse_regularizers(args.reg, registry))
    data = resolve_data(args.data, registry)
    report = train_once(config, registry, data, echo=not args.json)
    if args.json:
        print(json.dumps(report))
    else:
        print_accuracies(report)
    return 0


def cmd_compare(args, registry) -> int:
    data = resolve_data(args.data, registry)
    runs, labels = [], []
    for name, regularizers in NOTEBOOK_RUNS:
        config = run_config(args, regularizers)
        labels.append(config.describe_regularizers())
        if not args.json:
            print(f"== {labels[-1]}")
        report = train_once(config, registry, data, echo=not args.json)
        if not args.json:
            print_accuracies(report)
            print()
        runs.append({"name": name, **report})
    if args.json:
        print(json.dumps({"runs": runs}))
        return 0
    print(f"{'model':<40} {'train accuracy':>20} {'test accuracy':>20}")
    for label, run in zip(labels, runs):
        print(f"{label:<40} {_float(run['train_accuracy']):>20.16g} {_float(run['test_accuracy']):>20.16g}")
    return 0


def cmd_plugins(args, registry) -> int:
    described = registry.describe()
    if args.json:
        print(json.dumps(described))
        return 0
    for kind in ("regularizers", "datasets"):
        print(f"{kind.capitalize()}:")
        for item in described[kind]:
            print(f"  {item['name']:<12} {item['label']}  [{item['origin']}]")
            for p in item["params"]:
                allowed = p.get("allowed") or ("one of " + ", ".join(p["choices"]) if "choices" in p else p["kind"])
                print(f"      {p['name']}={p['default']}  ({allowed}) {p['help']}")
    print("Plugins:")
    for p in described["plugins"]:
        where = "built-in" if p["builtin"] else f"{p['package']} {p['version']}"
        reason = f": {p['reason']}" if p["reason"] else ""
        print(f"  {p['name']:<12} {p['status']:<9} {where}{reason}")
    return 0


def cmd_datasets(args, registry) -> int:
    from .data import FILE_SUFFIXES

    described = registry.describe()["datasets"]
    if args.json:
        print(json.dumps({"generators": described, "file_types": list(FILE_SUFFIXES), "default": DEFAULT_SOURCE}))
        return 0
    print(f"Default: {DEFAULT_SOURCE}")
    print("Generators (use as --data NAME:key=value,...):")
    for item in described:
        params = ", ".join(f"{p['name']}={p['default']}" for p in item["params"])
        print(f"  {item['name']:<8} {item['help']}  [{params}]")
    print("Files: .mat and .npz with keys X, y, Xval, yval; .csv with columns x1,x2,label,split")
    return 0


COMMANDS = {"train": cmd_train, "compare": cmd_compare, "plugins": cmd_plugins, "datasets": cmd_datasets}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        registry = load_registry()
        handler = COMMANDS.get(args.command) or args.handler
        return handler(args, registry)
    except RegcoreError as error:
        print(f"regcore: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("regcore: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
