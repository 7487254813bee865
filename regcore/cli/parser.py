"""The command line's parser: one sub-parser per command module, each added by its ``register(commands)``.

Adding a command is one new module plus one entry in `COMMANDS`. Importing this module imports
every command, and so NumPy and the core: `regcore.cli.main` does it only once its Ctrl-C handling
is in place.
"""

from __future__ import annotations

import importlib.metadata

from . import biasvar, compare, datasets, gradcheck, plugins, replay, sweep, train
from .options import Parser

COMMANDS = (train, compare, sweep, biasvar, plugins, datasets, gradcheck, replay)


def build_parser() -> Parser:
    parser = Parser(prog="regcore", description="Train small networks with and without regularization.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}",
                        help="print the installed version and exit")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser, metavar="COMMAND")
    for command in COMMANDS:
        command.register(commands)
    return parser


def version() -> str:
    """The installed package's version (``unknown`` when run from a source tree that is not installed)."""
    try:
        return importlib.metadata.version("regstudio")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
