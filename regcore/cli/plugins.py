"""``regcore plugins``: every regularizer and data set the plugins provide, and what became of each plugin."""

from __future__ import annotations

import json

from .options import json_option


def register(commands) -> None:
    parser = commands.add_parser("plugins", help="list regularizers, optimizers, data sets and plugins")
    json_option(parser)
    parser.set_defaults(handler=run)


def run(args, registry) -> int:
    described = registry.describe()
    if args.json:
        print(json.dumps(described))
        return 0
    for kind in ("regularizers", "optimizers", "datasets"):
        print(f"{kind.capitalize()}:")
        for item in described[kind]:
            print(f"  {item['name']:<12} {item['label']}  [{item['origin']}]")
            for p in item["params"]:
                print(f"      {p['name']}={p['default']}  ({p['allowed']}) {p['help']}")
        if kind == "optimizers":
            print("  (every optimizer also takes lr, the learning rate: --optimizer NAME:lr=X is --lr X)")
    print("Plugins:")
    for p in described["plugins"]:
        where = "built-in" if p["builtin"] else f"{p['package']} {p['version']}"
        reason = f": {p['reason']}" if p["reason"] else ""
        print(f"  {p['name']:<12} {p['status']:<9} {where}{reason}")
    return 0
