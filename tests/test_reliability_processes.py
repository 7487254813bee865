"""Processes and plugins on the command line: Ctrl-C, SIGTERM, SIGHUP and SIGKILL, hung regularizers,
plugins that print or leave threads running, dead workers, an output that cannot be written.

Each test runs ``python -m regcore`` as a child it started, with a throwaway plugin installed the way
pip leaves one (a module and a ``.dist-info`` with ``entry_points.txt`` in a folder on PYTHONPATH,
which the sweep's worker processes inherit). Signals go only to that child, by its PID; its worker
processes are found in /proc (children of that PID) and checked, by PID, to be gone.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import ROOT
from regcore.cli import main
from regcore.plugins import ALLOW_ENV

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc, sends POSIX signals")

# A regularizer that hangs (never looking at any cancel flag) when its strength is above 1, after
# leaving a file named MARK.<pid> so the test knows the hang has begun; and that, like a careless
# plugin, prints on import and when it runs, and starts a thread that never ends.
STUCK = """
    import os, threading, time
    import numpy as np
    from regcore import Param, Regularizer, hookimpl

    print("stuck plugin: hello from import")
    threading.Thread(target=time.sleep, args=(3600,), name="plugin-forever").start()  # not a daemon

    class Stuck(Regularizer):
        name = "stuck"
        params = (Param("strength", "float", 0.0, low=0.0),)

        def setup(self):
            print("stuck plugin: setting up")

        def add_gradients(self, weights, grads):
            if np.any(self.values["strength"] > 1):
                open(os.environ["STUCK_MARK"] + f".{os.getpid()}", "w").close()
                while True:
                    time.sleep(0.05)

    @hookimpl
    def register_regularizers(register):
        register(Stuck)
"""

SWEEP = ["sweep", "--reg", "stuck", "--param", "strength=0:3:4", "--chunk", "1", "--iterations", "200",
         "--data", "moons:n=40"]


@pytest.fixture
def stuck_env(tmp_path):
    """The environment of a child that has the stuck plugin installed."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "regstudio_stuck.py").write_text(textwrap.dedent(STUCK))
    info = site / "regstudio_stuck-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: regstudio-stuck\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[regcore]\nstuck = regstudio_stuck\n")
    env = {k: v for k, v in os.environ.items() if k != ALLOW_ENV}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH", "")]))
    env["STUCK_MARK"] = str(tmp_path / "stuck")
    return env


@pytest.fixture
def start():
    """``start(args, env, cwd)``: a ``python -m regcore`` child; ``child.workers`` (PIDs) to record its
    worker processes. Whatever the test's outcome, the child and every recorded worker still running
    is killed at the end, by PID, so a failing test leaves no orphan behind."""
    started = []

    def run(args, env, cwd):
        child = subprocess.Popen([sys.executable, "-m", "regcore", *args], env=env, cwd=cwd, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        child.workers = set()
        started.append(child)
        return child

    yield run
    for child in started:
        if child.poll() is None:
            child.kill()
        child.communicate()
        for pid in child.workers:
            if alive(pid) and "multiprocessing" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                os.kill(pid, signal.SIGKILL)


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"waited {seconds} s for {what}")


def stuck_workers(tmp_path, count: int):
    """Wait until ``count`` processes have begun to hang; their PIDs."""
    return wait_for(lambda: len(list(tmp_path.glob("stuck.*"))) >= count and
                    {int(p.suffix[1:]) for p in tmp_path.glob("stuck.*")}, 60, f"{count} hung regularizer(s)")


def children(pid: int) -> set[int]:
    """Every live descendant of ``pid``, from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its parent's wait is missing


def assert_gone_soon(pids: set[int], seconds: float = 5.0):
    try:
        wait_for(lambda: not any(alive(p) for p in pids), seconds, "the sweep's workers to end")
    except AssertionError:
        left = [p for p in pids if alive(p)]
        raise AssertionError(f"worker processes {left} outlived their sweep by {seconds} s") from None


def communicate(child, seconds: float):
    try:
        return child.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"regcore did not end within {seconds} s") from None


# ---------------------------------------------------------------- Ctrl-C, SIGTERM, SIGHUP, SIGKILL


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_on_a_sweep_with_a_hung_regularizer_exits_promptly_keeping_the_finished_models(
        start, stuck_env, tmp_path, jobs):
    target = tmp_path / "sweep.csv"
    child = start([*SWEEP, "--jobs", jobs, "--csv", str(target)], stuck_env, tmp_path)
    stuck_workers(tmp_path, int(jobs))
    workers = child.workers = children(child.pid)
    os.kill(child.pid, signal.SIGINT)
    out, err = communicate(child, 10)
    assert child.returncode == 130, err
    assert "Traceback" not in err
    assert err.splitlines()[-1] == f"regcore: interrupted after 2 of 4 models; {target} holds them, marked incomplete"
    assert "(cancelled" in out  # the table of what finished still prints
    rows = list(csv.reader(target.read_text().splitlines()))
    assert rows[0][0] == "strength" and [r[0] for r in rows[1:3]] == ["0.0", "1.0"]
    assert all(r[5] == "200" and r[6] == "" for r in rows[1:3])  # both finished, every iteration done
    assert rows[-1] == ["# incomplete: the sweep was stopped after 2 of 4 models"]
    assert_gone_soon(workers)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=lambda s: s.name)
def test_a_killed_sweeps_workers_end_within_seconds(start, stuck_env, tmp_path, how):
    child = start([*SWEEP, "--jobs", "2", "--json"], stuck_env, tmp_path)
    hung = stuck_workers(tmp_path, 2)
    workers = child.workers = children(child.pid)
    assert hung <= workers
    os.kill(child.pid, how)
    if how == signal.SIGKILL:
        child.wait(timeout=5)
        assert_gone_soon(workers)
        return
    out, err = communicate(child, 10)  # the pipes close only once the workers, which hold them too, are gone
    assert_gone_soon(workers)
    # a clean end: one line, the shell's status, the finished models reported
    assert child.returncode == 128 + how, err
    # multiprocessing's resource tracker (a process of its own) may add its note on the pool's
    # semaphores after ours; it is Python's, not a traceback
    ours = [line for line in err.splitlines() if "resource_tracker" not in line and "warnings.warn(" not in line]
    assert ours[-1] == f"regcore: terminated by {how.name} after 2 of 4 models", err
    report = json.loads(out)  # the workers' plugin printed on import: not on our stdout
    assert report["completed"] is False and len(report["points"]) == 2


# ---------------------------------------------------------------- the first moments, plugins


SLOW_NUMPY = """
    import os, sys, time

    class SlowNumpy:  # makes `import numpy` take long, so Ctrl-C can arrive while it runs
        def find_spec(self, name, path=None, target=None):
            if name == "numpy":
                sys.meta_path.remove(self)
                open(os.environ["SLOW_MARK"], "w").close()
                time.sleep(30)
            return None

    sys.meta_path.insert(0, SlowNumpy())
"""


def test_ctrl_c_while_the_command_is_still_importing_is_one_line_and_status_130(start, tmp_path):
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(textwrap.dedent(SLOW_NUMPY))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(hooks), os.environ.get("PYTHONPATH")])),
           "SLOW_MARK": str(tmp_path / "importing")}
    child = start(["plugins", "--json"], env, tmp_path)
    wait_for((tmp_path / "importing").exists, 30, "the import of numpy")
    os.kill(child.pid, signal.SIGINT)
    out, err = communicate(child, 30)
    assert (child.returncode, out, err) == (130, "", "regcore: interrupted\n")


def test_a_plugin_that_prints_and_leaves_a_thread_neither_corrupts_json_nor_keeps_the_cli_alive(stuck_env, tmp_path):
    done = subprocess.run([sys.executable, "-m", "regcore", "train", "--reg", "stuck", "--iterations", "50",
                           "--data", "moons:n=40", "--json"], env=stuck_env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["config"]["regularizers"] == [{"name": "stuck", "params": {"strength": 0.0}}]
    assert "stuck plugin: hello from import" in done.stderr and "stuck plugin: setting up" in done.stderr


def test_a_multi_process_sweep_with_such_a_plugin_ends_and_prints_clean_json(start, stuck_env, tmp_path):
    child = start(["sweep", "--reg", "stuck", "--param", "strength=0:1:2", "--chunk", "1", "--jobs", "2",
                   "--iterations", "50", "--data", "moons:n=40", "--json"], stuck_env, tmp_path)
    out, err = communicate(child, 60)
    assert child.returncode == 0, err
    assert [p["iterations_done"] for p in json.loads(out)["points"]] == [50, 50]


# ---------------------------------------------------------------- an output that cannot be written


class FullDisk:
    """A stdout on a full disk."""

    def write(self, text):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self):
        pass


def test_stdout_on_a_full_disk_is_one_line_and_status_2(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdout", FullDisk())
    assert main(["train", "--iterations", "10", "--data", "moons:n=40", "--json"]) == 2
    assert capsys.readouterr().err == "regcore: error: cannot write the output: No space left on device\n"


def test_a_real_process_whose_stdout_cannot_be_written_says_so_in_one_line(tmp_path):
    readonly = tmp_path / "readonly"
    readonly.write_text("")
    with open(readonly, "rb") as stdout:  # a descriptor that refuses writes (EBADF)
        done = subprocess.run([sys.executable, "-m", "regcore", "train", "--iterations", "10", "--data", "moons:n=40",
                               "--json"], stdout=stdout, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2
    assert done.stderr == "regcore: error: cannot write the output: Bad file descriptor\n"
