"""``regcore gradcheck``: check that regularizers' gradients are the derivatives of what they add to the cost.

Runs `regcore.testing.check_gradients` (back-propagation against central finite differences, every
random draw frozen) and prints the largest relative error of each layer's weights and biases. Exit
status 0 when every error is below the tolerance (`regcore.testing.TOLERANCE`), otherwise one line
on stderr and status 2, like every other error.
"""

from __future__ import annotations

import json

from .. import testing
from ..config import parse_hidden, parse_regularizers
from ..datasets import resolve_data
from ..errors import RegcoreError
from .options import data_option, json_option


class GradientCheckFailed(RegcoreError):
    """A regularizer's gradient is not the derivative of the objective (the one line names the layer)."""


def register(commands) -> None:
    parser = commands.add_parser("gradcheck", help="check regularizers' gradients against finite differences")
    parser.add_argument("--reg", action="append", default=[], metavar="NAME[:key=value,...]",
                        help="a regularizer; repeat to combine (default: none)")
    data_option(parser)
    parser.add_argument("--hidden", default=",".join(map(str, testing.HIDDEN)),
                        help=f"hidden layer sizes; small is quick (default {','.join(map(str, testing.HIDDEN))})")
    parser.add_argument("--seed", type=int, default=testing.SEED, help=f"seed of the check's run (default {testing.SEED})")
    json_option(parser)
    parser.set_defaults(handler=run)


def run(args, registry) -> int:
    regularizers = [registry.activate(name, values) for name, values in parse_regularizers(args.reg, registry)]
    data = resolve_data(args.data, registry)
    check = testing.check_gradients(data, regularizers, hidden=parse_hidden(args.hidden), seed=args.seed)
    if args.json:
        print(json.dumps({"passed": check.passed, "tolerance": check.tolerance, "largest": check.largest,
                          "layers": [{"layer": e.layer, "weights": e.weights, "biases": e.biases} for e in check.layers]}))
    else:
        names = " + ".join(r.cls.name for r in regularizers) or "none"
        print(f"Gradient check of {names} on {data.name}, hidden {args.hidden}:")
        for line in check.lines():
            print("  " + line)
        if check.passed:
            print(check.summary())
    if not check.passed:
        raise GradientCheckFailed(check.summary())
    return 0
