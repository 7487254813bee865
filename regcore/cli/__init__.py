"""The headless command line: ``regcore train | compare | sweep | plugins | datasets | gradcheck``.

Each command is one module of this package with a ``register(commands)`` function that adds its
sub-parser and sets ``handler`` (called as ``handler(args, registry)``, returning the exit status).
Adding a command is one new module plus one entry in `COMMANDS`. Shared options live in
`regcore.cli.options`.

Every failure a user can cause ends with one line on stderr (``regcore: error: ...``) and exit
status 2; no traceback. Text output follows the notebook's wording so runs can be compared by eye.
"""

from __future__ import annotations

import importlib.metadata
import sys
from typing import Sequence

from ..errors import RegcoreError
from ..plugins import load_registry
from . import compare, datasets, gradcheck, plugins, sweep, train
from .options import Parser

COMMANDS = (train, compare, sweep, plugins, datasets, gradcheck)


def build_parser() -> Parser:
    parser = Parser(prog="regcore", description="Train small networks with and without regularization.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS:
        command.register(commands)
    return parser


def version() -> str:
    """The installed package's version (``unknown`` when run from a source tree that is not installed)."""
    try:
        return importlib.metadata.version("regstudio")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        registry = load_registry()
        return args.handler(args, registry)
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
