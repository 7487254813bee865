"""``regcore train``: train one network and print its costs and accuracies (the notebook's lines, or JSON)."""

from __future__ import annotations

import json
from typing import Any

from ..config import parse_regularizers
from ..datasets import DEFAULT_SOURCE, resolve_data
from .options import json_number, json_option, run_config, text_number, training_options

PRINT_EVERY = 10000


def register(commands) -> None:
    parser = commands.add_parser("train", help="train one network and print its costs and accuracies")
    training_options(parser)
    json_option(parser)
    parser.add_argument("--reg", action="append", default=[], metavar="NAME[:key=value,...]",
                        help="a regularizer; repeat to combine (see `regcore plugins`)")
    parser.set_defaults(handler=run)


def run(args, registry) -> int:
    config = run_config(args, parse_regularizers(args.reg, registry), registry)
    data = resolve_data(args.data, registry)
    report = train_once(config, registry, data, echo=not args.json)
    if args.json:
        print(json.dumps(report))
    else:
        print_accuracies(report)
    return 0


def train_once(config, registry, data, *, echo: bool) -> dict[str, Any]:
    """Train with ``config``; print the notebook's cost lines if ``echo``; return the JSON-ready report."""
    training = config.build(registry, data)
    for progress in training.steps(report_every=PRINT_EVERY):
        for record in progress.new_records:
            if echo and record.iteration % PRINT_EVERY == 0:
                print("Cost after iteration {}: {}".format(record.iteration, record.cost[0]), flush=True)
    result = training.result()
    history = result.history
    return {
        "train_accuracy": json_number(result.train_accuracy[0]),
        "test_accuracy": json_number(result.test_accuracy[0]),
        "final_cost": json_number(result.final_cost[0]),
        "costs": [[int(i), json_number(c)] for i, c in zip(history["iterations"], history["cost"][:, 0])],
        "test_costs": [[int(i), json_number(c)] for i, c in zip(history["iterations"], history["test_cost"][:, 0])],
        "seconds": result.seconds,
        # the SOURCE, so the config can be fed back to --data; and the data set's full name
        "config": {**config.to_dict(), "data": config.data or DEFAULT_SOURCE, "data_name": data.name},
    }


def print_accuracies(report: dict) -> None:
    print("On the train set:")
    print("Accuracy: " + str(text_number(report["train_accuracy"])))
    print("On the test set:")
    print("Accuracy: " + str(text_number(report["test_accuracy"])))
