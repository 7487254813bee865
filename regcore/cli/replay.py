"""``regcore replay FILE.regx``: train an experiment's runs again, headless, and say whether each gives
back its saved parameters to the last digit.

A run is replayed from what the file keeps of it: its settings, the changes made during it
(``config.changes``), its data and the data it was switched to mid-run (``data_changes``, from
edits on the window's plot), trained as far as it went (a stopped run to where it stopped). Exit
status 0 when every replayed run is identical, 1 when one is not; runs this installation cannot
rerun (an unknown regularizer) are listed and skipped.
"""

from __future__ import annotations

import json
import numpy as np

from .. import experiment
from .options import UsageError, json_option
from .progress import quiet_option


def register(commands) -> None:
    parser = commands.add_parser("replay", help="train an experiment's runs again and check they give back "
                                                "their saved parameters")
    parser.add_argument("file", metavar="FILE.regx", help="an experiment saved by the window")
    parser.add_argument("--run", type=int, action="append", default=[], metavar="N",
                        help="replay run N only (1-based, as the runs table numbers them; repeatable; default: all)")
    json_option(parser)
    quiet_option(parser)  # accepted like every training command's; replaying shows no bar
    parser.set_defaults(handler=run)


def run(args, registry) -> int:
    opened = experiment.load(args.file, registry)
    numbers = args.run or list(range(1, len(opened.runs) + 1))
    bad = [n for n in numbers if not 1 <= n <= len(opened.runs)]
    if bad:
        raise UsageError(f"--run {bad[0]}: the experiment has runs 1 to {len(opened.runs)}")
    reports = [replayed(number, opened.runs[number - 1], registry) for number in numbers]
    if args.json:
        print(json.dumps(reports))
    else:
        for report in reports:
            print(f"run {report['run']}: {report['what']}: {report['outcome']}")
    return 1 if any(report["outcome"] == "differs" for report in reports) else 0


def replayed(number: int, record: experiment.RunRecord, registry) -> dict:
    """One run trained again as far as it went: {"run", "what", "outcome"} (identical, differs or skipped: why)."""
    what = f"{record.data.name}, {record.config.describe_regularizers()}"
    if record.data_changes:
        what += f", data edited at {', '.join(f'{at:,}' for at, _ in record.data_changes)}"
    if record.unusable:
        return {"run": number, "what": what, "outcome": f"skipped ({record.unusable})"}
    training = record.rebuild(registry)
    if not record.result.completed:  # stopped by hand: as far as it went (0 iterations, even), changes after unmet
        training.iterations = record.result.iterations_done
    result = training.run()
    same = result.parameters.tobytes() == record.result.parameters.tobytes() and np.array_equal(
        result.history["cost"], record.result.history["cost"], equal_nan=True)
    return {"run": number, "what": what, "outcome": "identical" if same else "differs"}
