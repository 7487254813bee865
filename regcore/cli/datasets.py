"""``regcore datasets``: the data-set generators, the file formats and the default data set."""

from __future__ import annotations

import json

from ..data import FILE_SUFFIXES
from ..datasets import DEFAULT_SOURCE
from .options import json_option


def register(commands) -> None:
    parser = commands.add_parser("datasets", help="list data-set generators and file formats")
    json_option(parser)
    parser.set_defaults(handler=run)


def run(args, registry) -> int:
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
