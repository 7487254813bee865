"""``python -m regcore``: the headless CLI."""

from .cli import console

console()
