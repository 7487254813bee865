"""What the CLI's commands share: the argument parser class, the training options, building a `RunConfig`.

Defaults come from `regcore.defaults`, so ``regcore train``, ``compare`` and ``sweep`` offer the same
settings as the window. A usage mistake is a `UsageError`: one line and exit status 2, like every
other error the CLI reports.
"""

from __future__ import annotations

import argparse
import math

from .. import defaults
from ..config import RunConfig, parse_hidden, parse_optimizer
from ..datasets import DEFAULT_SOURCE
from ..errors import ParamError, RegcoreError
from .progress import quiet_option


class UsageError(RegcoreError):
    """The command line itself is malformed (an unknown option, a missing value)."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit status 2, like every other error."""

    def error(self, message):
        raise UsageError(f"{message} (see {self.prog} --help)")


class Once(argparse.Action):
    """An option that may be given once: a second one is a usage error, not silently the one kept."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, self.dest, None) is not None:
            parser.error(f"{option_string} is given twice ({getattr(namespace, self.dest)!r} and {values!r}): "
                         f"give it once")
        setattr(namespace, self.dest, values)


def data_option(parser) -> None:
    parser.add_argument("--data", metavar="SOURCE",
                        help=f"a .mat/.npz/.csv file or a generator like moons:noise=0.3,n=400 "
                             f"(default: {DEFAULT_SOURCE})")


def json_option(parser, what: str = "one JSON object instead of text") -> None:
    parser.add_argument("--json", action="store_true", help=f"print {what} (default: text)")


def training_options(parser) -> None:
    """The options every training command shares (``train``, ``compare``, ``sweep``)."""
    data_option(parser)
    parser.add_argument("--lr", type=float, default=None,
                        help=f"learning rate of the optimizer (default {defaults.LEARNING_RATE:g}); "
                             f"--optimizer NAME:lr=X says the same")
    parser.add_argument("--optimizer", default=defaults.OPTIMIZER, metavar="NAME[:key=value,...]",
                        help=f"the optimizer, e.g. adam:lr=0.01 or momentum:beta=0.8 (default {defaults.OPTIMIZER}, "
                             f"the notebook's gradient descent; see `regcore plugins`)")
    parser.add_argument("--batch-size", type=int, default=None, metavar="N",
                        help="training points per iteration, reshuffled every epoch (default: the whole "
                             "training set); an epoch drops the points left over by its last full batch")
    parser.add_argument("--iterations", type=int, default=defaults.ITERATIONS,
                        help=f"iterations, one update each (default {defaults.ITERATIONS})")
    parser.add_argument("--hidden", default=",".join(map(str, defaults.HIDDEN)),
                        help=f"hidden layer sizes (default {','.join(map(str, defaults.HIDDEN))})")
    parser.add_argument("--seed", type=int, default=defaults.SEED,
                        help=f"initialisation seed (default {defaults.SEED}, the notebook's)")
    parser.add_argument("--record-every", type=int, default=defaults.RECORD_EVERY,
                        help=f"record the cost every N iterations (default {defaults.RECORD_EVERY})")
    quiet_option(parser)


def run_config(args, regularizers, registry) -> RunConfig:
    """The one place a command line becomes a `RunConfig` (``regularizers``: parsed (name, values) pairs)."""
    optimizer, values, optimizer_lr = parse_optimizer(args.optimizer, registry)
    if args.lr is not None and optimizer_lr is not None and args.lr != optimizer_lr:
        raise ParamError(f"two learning rates: --lr {args.lr:g} and --optimizer {optimizer}:lr={optimizer_lr:g}; "
                         f"give it once")
    learning_rate = next((lr for lr in (args.lr, optimizer_lr) if lr is not None), defaults.LEARNING_RATE)
    return RunConfig(hidden=parse_hidden(args.hidden), learning_rate=learning_rate, iterations=args.iterations,
                     seed=args.seed, record_every=args.record_every, regularizers=tuple(regularizers),
                     data=args.data, optimizer=optimizer, optimizer_values=values, batch_size=args.batch_size)


def json_number(value) -> float | None:
    """A float for JSON; None (null) for NaN, e.g. the test accuracy of a data set without test points."""
    value = float(value)
    return value if math.isfinite(value) else None


def text_number(value: float | None) -> float:
    """The inverse of `json_number`, for text output (which prints nan)."""
    return math.nan if value is None else value


def percent(accuracy: float | None) -> str:
    """An accuracy for a table: ``94.8%`` (a tenth of a percent tells test sets of up to 1,000 points
    apart); ``n/a`` without a value (no test points)."""
    value = text_number(accuracy)
    return "n/a" if math.isnan(value) else f"{value:.1%}"
