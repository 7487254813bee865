"""The command line's conventions: a progress bar on a terminal's stderr (and nowhere else), help for
every option with its default, data-set names that tell sets apart, accuracies as percentages."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from regcore.cli import main
from regcore.cli.parser import build_parser
from regcore.datasets import DEFAULT_SOURCE, resolve_data

SWEEP = ["sweep", "--reg", "l2", "--param", "lambd=0:1:4", "--jobs", "1", "--data", "moons:n=40", "--json"]


def run_with_terminal_stderr(*args: str):
    """``python -m regcore ARGS`` with stderr on a pseudo-terminal: (status, stdout, what the terminal got)."""
    import fcntl, pty, struct, termios  # POSIX only

    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))  # a terminal's usual size
    try:
        child = subprocess.Popen([sys.executable, "-m", "regcore", *args], stdout=subprocess.PIPE,
                                 stderr=terminal, cwd=ROOT, text=True)
        os.close(terminal)
        shown = bytearray()
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the child closed the terminal's last descriptor
                break
            if not chunk:
                break
            shown += chunk
        out = child.stdout.read()
        child.wait(timeout=120)
    finally:
        os.close(controller)
    return child.returncode, out, shown.decode(errors="replace")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs a pseudo-terminal")
def test_a_sweep_shows_a_progress_bar_with_rate_and_time_left_on_a_terminal_only():
    status, out, shown = run_with_terminal_stderr(*SWEEP, "--iterations", "12000")
    assert status == 0
    assert len(json.loads(out)["points"]) == 4  # stdout is untouched by the bar
    assert "sweep of 4 models" in shown
    assert re.search(r"\d\d:\d\d<\d\d:\d\d, *[\d.]+[kM]?it/s", shown), shown  # elapsed<left, and the rate
    status, out, shown = run_with_terminal_stderr(*SWEEP, "--iterations", "300", "--quiet")
    assert (status, shown) == (0, "")


def test_no_progress_bar_when_stderr_is_not_a_terminal(capsys):
    assert main(SWEEP[:-1] + ["--iterations", "300"]) == 0  # text output, stderr a capture
    assert capsys.readouterr().err == ""


def test_a_long_train_shows_its_bar_and_keeps_the_notebooks_lines_whole(monkeypatch):
    terminal = io.StringIO()  # stdout and stderr on one terminal, as in a shell
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr("regcore.cli.progress._is_terminal", lambda stream: True)
    monkeypatch.setattr("regcore.cli.train.PROGRESS_DELAY", 0.0)
    assert main(["train", "--iterations", "10001", "--data", "moons:n=40"]) == 0
    shown = terminal.getvalue()
    assert "train:" in shown and "it/s" in shown
    # the bar is cleared before each of the notebook's lines: each starts a line of its own
    assert shown.count("Cost after iteration") == 2
    starts = [shown.find("Cost after iteration 0"), shown.find("Cost after iteration 10000")]
    assert all(i == 0 or shown[i - 1] in "\r\n" for i in starts)
    assert "\nAccuracy: " in shown


def option_actions():
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    yield "regcore", parser
    yield from commands.choices.items()


@pytest.mark.parametrize("name, parser", list(option_actions()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_option_has_help_that_shows_its_default(name, parser):
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        flag = action.option_strings[0] if action.option_strings else action.dest
        assert action.help and action.help != argparse.SUPPRESS, f"{name} {flag} has no help"
        if action.option_strings and action.nargs != 0 and action.default not in (None, argparse.SUPPRESS):
            assert "default" in action.help, f"{name} {flag}: the help does not say the default"
    assert "--quiet" in parser.format_help() or name in ("regcore", "plugins", "datasets", "gradcheck")  # quick: no progress bar


def test_generated_data_sets_are_named_by_every_option_that_is_not_the_default(registry):
    default = resolve_data(None, registry)
    assert DEFAULT_SOURCE == "moons:n=160,noise=0.3,test_ratio=0.5,seed=7"
    assert default.name == "moons (n=160, noise=0.3, seed=7)"  # test_ratio=0.5 is moons' own default
    assert resolve_data("moons", registry).name == "moons"
    assert resolve_data("moons:seed=2", registry).name == "moons (seed=2)"
    assert resolve_data("moons:seed=2,n=80", registry).name == "moons (n=80, seed=2)"  # declared order
    assert resolve_data("gauss:noise=0.25", registry).name == "gauss (noise=0.25)"


def test_compare_prints_percentages_and_json_keeps_full_precision(capsys):
    args = ["compare", "--iterations", "200", "--data", "moons:n=40"]
    assert main(args) == 0
    table = capsys.readouterr().out.splitlines()[-3:]
    assert all(line.split()[-1].endswith("%") and line.split()[-2].endswith("%") for line in table)
    assert main(args + ["--json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    shown = [line.split()[-1] for line in table]
    assert shown == [f"{run['test_accuracy']:.1%}" for run in runs]
    assert all(isinstance(run["test_accuracy"], float) for run in runs)


@pytest.mark.parametrize("argv, says", [
    (["sweep", "--reg", "l2", "--reg", "l1", "--param", "lambd=0:1:2"], "--reg is given twice ('l2' and 'l1')"),
    (["sweep", "--reg", "l2", "--param", "lambd=0:1:2", "--param", "lambd=5:6:2"], "a parameter is given twice"),
    (["biasvar", "--reg", "l2", "--reg", "l1", "--param", "lambd=0:1:2"], "--reg is given twice"),
    (["biasvar", "--reg", "l2", "--param", "lambd=0:1:2", "--param", "lambd=5:6:2"], "--param is given twice"),
])
def test_an_option_that_sweeps_one_thing_given_twice_is_refused_not_silently_the_last(capsys, argv, says):
    """A repeated --reg used to sweep only the last regularizer, the output never saying which."""
    assert main([*argv, "--iterations", "10", "--data", "moons:n=40"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and says in err and err.count("\n") == 1, err
