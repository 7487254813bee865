"""Reading what people point RegStudio at: a FIFO, a device, a symlink loop, a zip or .mat bomb, a data
set over the documented 1,000,000 points, a network too big for memory, an experiment whose runs do
not add up. Each is refused at once with one line, without blocking and without inflating anything:
the bombs are small files built here that declare huge sizes, and tracemalloc bounds what a refusal
allocates.
"""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import threading
import time
import tracemalloc
import zipfile
from dataclasses import replace

import numpy as np
import pytest
import scipy.io
import scipy.sparse

from conftest import ROOT
from desktop_fixtures import *  # noqa: F401,F403
from experiment_files import rewrite
from regcore import data as data_module
from regcore import experiment, limits
from regcore.config import RunConfig
from regcore.data import MAX_POINTS, Dataset, load_file
from regcore.datasets import resolve_data
from regcore.errors import DataError, ParamError
from regcore.experiment import Experiment, ExperimentError, RunRecord
from regcore.training import Training

GOOD = {"X": np.array([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5], [0.1, 0.2]]),
        "y": np.array([[0.0], [1.0], [1.0], [0.0]]),
        "Xval": np.array([[1.0, 1.0], [-1.0, -1.0]]), "yval": np.array([[1.0], [0.0]])}


def refusal(call, seconds=10) -> str:
    """The one-line message ``call`` refuses with, failing if it blocks or allocates over 8 MB."""
    outcome = {}

    def target():
        tracemalloc.start()
        try:
            call()
        except (DataError, ExperimentError, ParamError) as error:
            outcome["message"] = str(error)
        except BaseException as error:  # noqa: BLE001 - reported below
            outcome["other"] = error
        finally:
            outcome["peak"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()

    thread = threading.Thread(target=target, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the read blocked"
    assert "other" not in outcome, f"raised {outcome.get('other')!r}"
    assert "message" in outcome, "it was not refused"
    assert "\n" not in outcome["message"]
    assert outcome["peak"] < 8 * 2**20, f"the refusal allocated {outcome['peak']:,} bytes"
    assert time.monotonic() - started < seconds
    return outcome["message"]


# ---------------------------------------------------------------- special files


def test_a_fifo_given_as_data_is_refused_unopened(tmp_path):
    fifo = tmp_path / "points.csv"
    os.mkfifo(fifo)
    assert refusal(lambda: load_file(fifo)) == f"{fifo}: is a FIFO (named pipe), not a data file"
    (tmp_path / "link.npz").symlink_to(fifo)
    assert "is a FIFO" in refusal(lambda: load_file(tmp_path / "link.npz"))
    assert "is a FIFO" in refusal(lambda: experiment.load(fifo.rename(tmp_path / "study.regx")))
    assert stat.S_ISFIFO(os.stat(tmp_path / "study.regx").st_mode)


def test_the_cli_refuses_a_fifo_at_once(tmp_path):
    fifo = tmp_path / "points.csv"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "regcore", "train", "--data", str(fifo), "--iterations", "10"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2 and done.stderr.strip().endswith("is a FIFO (named pipe), not a data file")
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_device_given_as_data_is_refused_unread(tmp_path):
    (tmp_path / "null.csv").symlink_to(os.devnull)
    assert refusal(lambda: load_file(tmp_path / "null.csv")).endswith("null.csv: is a device, not a data file")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_symlink_loop_says_it_cannot_be_read(tmp_path):
    for name in ("a.csv", "a.regx"):
        (tmp_path / name).symlink_to(tmp_path / f"b{name[1:]}")
        (tmp_path / f"b{name[1:]}").symlink_to(tmp_path / name)
    assert refusal(lambda: load_file(tmp_path / "a.csv")).endswith("cannot be read (a symlink loop: too many "
                                                                    "levels of symbolic links)")
    assert "a symlink loop" in refusal(lambda: experiment.load(tmp_path / "a.regx"))
    assert "no such file" not in refusal(lambda: resolve_data(str(tmp_path / "a.csv"), None))


def test_an_experiment_whose_settings_name_a_fifo_opens_and_the_fifo_is_never_read(
        registry, make_window, settings_store, tmp_path):
    fifo = tmp_path / "points.csv"
    os.mkfifo(fifo)
    path = tmp_path / "study.regx"
    experiment.save(Experiment(settings=RunConfig(data=str(fifo))), path)
    opened = experiment.load(path, registry)
    assert opened.settings.data == str(fifo)
    assert "is a FIFO" in refusal(lambda: resolve_data(opened.settings.data, registry))
    # the window remembers those settings; its next start must not block on the FIFO
    settings_store.setValue("run/config", json.dumps(opened.settings.to_dict()))
    window = make_window(store=settings_store)
    assert window.data is not None and window.data.name.startswith("moons")
    assert window.open_experiment(str(path))
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


# ---------------------------------------------------------------- bombs


def zip_with(path, members: dict[str, bytes | tuple[bytes, int]]):
    """A zip whose members hold bytes, or (header, n) for a header followed by n zero bytes streamed in."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            head, zeros = content
            with archive.open(name, "w", force_zip64=True) as member:
                member.write(head)
                block = bytes(1 << 20)
                for start in range(0, zeros, len(block)):
                    member.write(block[: min(len(block), zeros - start)])
    return path


def npy_header(shape, dtype="<f8") -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buffer.getvalue()  # the magic string, then the header


def npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_an_npz_bomb_is_refused_before_it_inflates(tmp_path):
    rows, head = 3_000_000, npy_header((3_000_000, 2))  # 48 MB of zeros: more than 1,000,000 points can need
    path = zip_with(tmp_path / "bomb.npz", {"X.npy": (head, rows * 16), "y.npy": npy(GOOD["y"]),
                                            "Xval.npy": npy(GOOD["Xval"]), "yval.npy": npy(GOOD["yval"])})
    assert path.stat().st_size < 200_000
    message = refusal(lambda: load_file(path))
    assert message.startswith(f"{path}: key X declares {len(head) + rows * 16:,} bytes uncompressed, more than the ")


def test_an_npy_header_declaring_a_huge_array_is_refused_unallocated(tmp_path):
    path = zip_with(tmp_path / "liar.npz", {"X.npy": npy_header((2**40, 2)) + bytes(64), "y.npy": npy(GOOD["y"]),
                                            "Xval.npy": npy(GOOD["Xval"]), "yval.npy": npy(GOOD["yval"])})
    message = refusal(lambda: load_file(path))
    assert "key X declares an array of shape (1099511627776, 2)" in message and "refusing to read it" in message
    path = zip_with(tmp_path / "short.npz", {"X.npy": npy_header((1000, 2)) + bytes(64), "y.npy": npy(GOOD["y"]),
                                             "Xval.npy": npy(GOOD["Xval"]), "yval.npy": npy(GOOD["yval"])})
    assert "truncated or damaged" in refusal(lambda: load_file(path))


def test_contents_declaring_more_than_deflate_can_make_from_the_file_are_refused(tmp_path):
    """What overlapping entries (the Fifield zip bomb) do: declare more in total than the file could hold
    at deflate's best ratio. Reading with the budget of a file this size shows the refusal."""
    from regcore.archives import INFLATION_LIMIT, ArchiveError, BoundedArchive

    path = zip_with(tmp_path / "two.npz", {"a.npy": npy(np.zeros(600)), "b.npy": npy(np.zeros(600))})
    with path.open("rb") as handle, BoundedArchive(handle, file_size=5) as archive:
        archive.array("a.npy", 10**6)  # 4.9 KB declared: within 1100 x 5 bytes
        with pytest.raises(ArchiveError, match=rf"more than {INFLATION_LIMIT} times the file's size; refusing"):
            archive.array("b.npy", 10**6)


def test_a_mat_declaring_a_huge_sparse_matrix_is_one_line(tmp_path):
    path = tmp_path / "bomb.mat"
    scipy.io.savemat(path, {"X": scipy.sparse.csc_matrix((2**31 - 1, 1000)), "y": GOOD["y"], "Xval": GOOD["Xval"],
                            "yval": GOOD["yval"]}, do_compression=True)
    assert path.stat().st_size < 20_000
    assert refusal(lambda: load_file(path)) == (f"{path}: X is declared as 2,147,483,647 x 1,000 values, more than "
                                                f"1,000,000 points can fill; refusing to read it")


def test_a_mat_with_a_huge_compressed_variable_it_does_not_need_loads_without_inflating_it(tmp_path):
    path = tmp_path / "zeros.mat"
    scipy.io.savemat(path, {**GOOD, "junk": np.zeros((5_000_000, 1))}, do_compression=True)  # 40 MB of zeros
    assert path.stat().st_size < 200_000
    tracemalloc.start()
    try:
        data = load_file(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert data.X_train.shape[1] == len(GOOD["y"]) and peak < 8 * 2**20, peak


def test_a_mat_whose_wanted_variable_declares_too_much_is_refused_before_inflating(tmp_path):
    path = tmp_path / "big.mat"
    scipy.io.savemat(path, {**GOOD, "X": np.zeros((3_000_000, 2))}, do_compression=True)  # 48 MB of zeros
    assert path.stat().st_size < 200_000
    assert refusal(lambda: load_file(path)) == (f"{path}: X is declared as 3,000,000 x 2 values, more than "
                                                f"1,000,000 points can fill; refusing to read it")


def test_damaged_mat_files_are_refused_in_one_line_never_crash_the_process(tmp_path):
    # scipy's loadmat died with a segmentation fault or a bus error on some of these; in a child process,
    # so a crash fails this test instead of ending the test run
    script = tmp_path / "fuzz.py"
    script.write_text(f"""
import io, random, numpy as np, scipy.io
from regcore.data import load_file
from regcore.errors import DataError
for seed in range(8):
    rng = random.Random(seed)
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {{"X": np.random.rand(20, 2), "y": (np.arange(20) % 2)[:, None],
                               "Xval": np.random.rand(5, 2), "yval": (np.arange(5) % 2)[:, None]}},
                     do_compression=seed % 2 == 0)
    good = buffer.getvalue()
    for _ in range(150):
        damaged = bytearray(good)
        for _ in range(rng.randint(1, 6)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        if rng.random() < 0.3:
            damaged = damaged[:rng.randrange(len(damaged))]
        path = {str(tmp_path / "d.mat")!r}
        open(path, "wb").write(damaged)
        try:
            load_file(path)
        except DataError as error:
            assert "\\n" not in str(error)
print("survived")
""")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "survived" in done.stdout, (done.returncode, done.stderr[-2000:])


def test_an_experiment_bomb_is_refused_before_it_inflates(tmp_path, registry):
    data = resolve_data("moons:n=40,noise=0.2,seed=5", registry)
    path = tmp_path / "study.regx"
    experiment.save(Experiment(data=data), path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    big = next(name for name in members if name.endswith("X_train.npy"))
    head = npy_header((2, 2_000_000))
    members[big] = (head, 2 * 2_000_000 * 8)
    zip_with(path, members)
    assert f"declares {len(head) + 32_000_000:,} bytes uncompressed" in refusal(lambda: experiment.load(path))


# ---------------------------------------------------------------- sizes


def points(m: int, offset: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    X = np.zeros((m, 2))
    X[:, 0] = offset
    y = np.zeros(m)
    y[::2] = 1
    return X, y


def test_the_million_points_limit_is_on_training_and_test_together():
    X, y = points(600_000)
    Xt, yt = points(400_001)
    with pytest.raises(DataError, match=r"^big: 600,000 training \+ 400,001 test points is 1,000,001 points, "
                                        r"more than the 1,000,000 supported$"):
        Dataset.checked("big", X, y, Xt, yt)
    assert Dataset.checked("fits", X, y, Xt[:400_000], yt[:400_000]).X_test.shape == (2, 400_000)


def test_a_file_over_the_limit_in_total_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(data_module, "MAX_POINTS", 5)
    np.savez(tmp_path / "set.npz", **GOOD)  # 4 training + 2 test points
    assert "4 training + 2 test points is 6 points, more than the 5 supported" in refusal(
        lambda: load_file(tmp_path / "set.npz"))
    (tmp_path / "set.csv").write_text("x1,x2,label,split\n" + "0,0,0,train\n1,1,1,test\n" * 3)
    assert refusal(lambda: load_file(tmp_path / "set.csv")).endswith(
        "more than the 5 supported points (training and test together)")
    assert MAX_POINTS == 1_000_000


def test_the_memory_estimate_refuses_1024_1024_on_a_million_points(monkeypatch):
    need = limits.training_bytes((2, 1024, 1024, 1), 1_000_000)
    assert 34e9 < need < 60e9  # activations, their gradients and masks alone are ~34.8 GB
    monkeypatch.setattr(limits, "available_memory", lambda: 16 * 10**9)
    message = refusal(lambda: limits.check_training_memory((2, 1024, 1024, 1), 1_000_000))
    assert message.startswith("hidden layers [1024, 1024] on 1,000,000 training points would need about ")
    assert "GB of memory, more than 50% of this computer's 16.0 GB; use fewer or smaller hidden layers" in message
    limits.check_training_memory((2, 20, 3, 1), 1_000_000)  # the default network fits
    assert limits.training_bytes((2, 20, 3, 1), 1_000_000, models=2) > limits.training_bytes((2, 20, 3, 1), 1_000_000)


def test_training_refuses_a_network_too_big_for_memory_without_allocating(registry):
    X, y = points(500_000)
    X[::2, 0] = 1.0
    data = Dataset.checked("half a million", X, y, *points(500_000, 0.5))
    message = refusal(lambda: Training(data, hidden=(1024, 1024), seeds=tuple(range(8))))  # any machine: ~400 GB
    assert "for 8 models at once" in message and "fewer models" in message
    dropout = [registry.activate("dropout", {"keep_prob": 0.5})]
    assert limits.training_bytes((2, 64, 1), 1000, transforms=1) > limits.training_bytes((2, 64, 1), 1000)
    small = Dataset.checked("small", X[:100], y[:100], X[:0], y[:0])
    Training(small, hidden=(8,), iterations=2, regularizers=dropout).run()


# ---------------------------------------------------------------- experiments whose runs do not add up


@pytest.fixture(scope="module")
def saved(registry, tmp_path_factory):
    data = resolve_data("moons:n=40,noise=0.2,seed=5", registry)
    configs = [RunConfig(iterations=20, record_every=10), RunConfig(iterations=20, record_every=10,
                                                                    regularizers=(("l2", {"lambd": 0.5}),))]
    runs = [RunRecord(config, data, config.build(registry, data).run()) for config in configs]
    path = tmp_path_factory.mktemp("saved") / "study.regx"
    experiment.save(Experiment(settings=configs[1], data=data, runs=runs), path)
    return path


@pytest.mark.parametrize("change, reason", [
    (lambda ix: ix["runs"][0].update(layer_sizes=[3, 20, 3, 1]), "run r0: its layers [3, 20, 3, 1] do not match"),
    (lambda ix: ix["runs"][1]["config"].update(hidden=[5]), "run r1: its layers [2, 20, 3, 1] do not match its "
                                                          "data (2 features) and settings (hidden [5])"),
    (lambda ix: ix["runs"][0].update(layer_sizes=[2, "20", 3, 1]), "are not a list of whole numbers"),
    (lambda ix: ix["runs"][0].update(iterations_done=10**9), "iterations done of the 20 it was set to"),
    (lambda ix: ix["runs"][0].update(iterations_done=-1), "-1 iterations done"),
])
def test_runs_that_do_not_fit_their_data_or_settings_are_refused_when_opened(saved, tmp_path, change, reason):
    bad = rewrite(saved, tmp_path / "bad.regx", change)
    message = refusal(lambda: experiment.load(bad))
    assert message.startswith(f"{bad}: damaged experiment: ") and reason in message, message


@pytest.mark.parametrize("change, reason", [
    (lambda ix: ix["runs"][1]["config"]["regularizers"][0]["params"].update(lambd=-1.0), "lambd=-1.0 is not valid"),
    (lambda ix: ix["runs"][1]["config"]["regularizers"][0].update(name="nosuch"), "unknown regularizer 'nosuch'"),
])
def test_runs_whose_regularizers_are_refused_here_open_marked_unusable(saved, tmp_path, registry, change, reason):
    def both(index):
        change(index)
        index["settings"]["regularizers"] = index["runs"][1]["config"]["regularizers"]

    bad = rewrite(saved, tmp_path / "bad.regx", both)
    opened = experiment.load(bad, registry)
    usable, unusable = opened.runs
    assert usable.status == "finished" and unusable.status == "unusable"
    assert unusable.unusable.startswith("cannot be rerun here: ") and reason in unusable.unusable
    assert opened.settings.regularizers == () and len(opened.notes) == 1 and reason in opened.notes[0]
    assert experiment.load(bad).runs[1].status == "finished"  # without a registry nothing is judged
    from regcore import network
    for run in opened.runs:  # and every run still draws
        assert network.probabilities(run.result.parameters, run.result.layout, run.data.X_test).shape[0] == 1


def test_the_train_loss_curve_is_kept(saved, tmp_path):
    # (version 1 files, without it, open with NaNs: tests/test_experiment.py)
    run = experiment.load(saved).runs[0]
    curve = np.linspace(0.7, 0.1, len(run.result.history["iterations"])).reshape(-1, 1)
    with_loss = replace(run, result=replace(run.result, history={**run.result.history, "train_loss": curve}))
    experiment.save(Experiment(runs=[with_loss]), tmp_path / "new.regx")
    reopened = experiment.load(tmp_path / "new.regx").runs[0].result.history["train_loss"]
    assert np.array_equal(reopened, curve)


def test_the_window_opens_an_experiment_with_an_unknown_regularizer_marking_the_run_and_saying_so(qtbot, make_window,
                                                                                                  tmp_path, registry):
    from regcore import Param, Regularizer, hookimpl
    from regcore.config import RunConfig
    from regcore.experiment import RunRecord
    from regcore.plugins import ALLOW_ENV, load_registry

    class Gone(Regularizer):
        name, label, help = "gone", "Gone", "A regularizer that is not installed where the file is opened."
        params = (Param("k", "float", 1.0),)

    class Plugin:
        @staticmethod
        @hookimpl
        def register_regularizers(register):
            register(Gone)

    with_gone = load_registry(extra=[("gone", Plugin)], environ={ALLOW_ENV: "gone"})
    data = resolve_data("moons:n=40,noise=0.2,seed=5", with_gone)
    config = RunConfig(iterations=20, record_every=10, regularizers=(("gone", {"k": 1.0}),))
    run = RunRecord(config, data, config.build(with_gone, data).run())
    path = tmp_path / "gone.regx"
    experiment.save(Experiment(settings=config, data=data, runs=[run]), path)

    window = make_window()  # without the plugin
    assert window.open_experiment(str(path))
    row = window.comparison.model.runs[0]
    assert row.status == "unusable" and "gone" in row.unusable
    box = window.message_box
    assert box.isVisible() and "marked unusable" in box.informativeText() and "'gone'" in box.informativeText()
    assert window.config().regularizers == ()  # left out of the restored settings
