"""Experiment files: exact round trip, atomic saves, and one-line errors for anything unreadable."""

from __future__ import annotations

import io
import json
import os
import zipfile

import numpy as np
import pytest

from experiment_files import leave_out, rewrite
from regcore import experiment, network
from regcore.config import RunConfig
from regcore.experiment import Experiment, ExperimentError, RunRecord
from regcore.files import FileError
from regcore.errors import RegcoreError


@pytest.fixture(scope="module")
def saved_experiment(tmp_path_factory):
    from regcore.datasets import resolve_data
    from regcore.plugins import load_registry

    registry = load_registry()
    data = resolve_data("moons:n=60,noise=0.2,seed=4", registry)
    runs = []
    for regs in ((), (("l2", {"lambd": 0.5}),), (("dropout", {"keep_prob": 0.8, "mask": "fresh"}),)):
        config = RunConfig(iterations=300, record_every=50, regularizers=regs, data="moons:n=60,noise=0.2,seed=4")
        runs.append(RunRecord(config, data, config.build(registry, data).run()))
    runs[2].error = "stopped for the test"
    original = Experiment(settings=runs[1].config, data=data, runs=runs)
    path = tmp_path_factory.mktemp("exp") / "study.regx"
    experiment.save(original, path)
    return original, path


def test_round_trip_is_exact(saved_experiment):
    original, path = saved_experiment
    reopened = experiment.load(path)
    assert reopened.settings == original.settings
    assert len(reopened.runs) == 3
    for before, after in zip(original.runs, reopened.runs):
        assert after.config == before.config
        assert after.error == before.error
        assert after.result.layout == before.result.layout
        assert after.result.parameters.tobytes() == before.result.parameters.tobytes()
        for name in ("iterations", "cost", "penalty", "test_cost", "train_loss"):
            assert np.array_equal(after.result.history[name], before.result.history[name])
            assert after.result.history[name].dtype == before.result.history[name].dtype
        assert after.result.test_accuracy[0] == before.result.test_accuracy[0]
        assert after.result.final_cost.tobytes() == before.result.final_cost.tobytes()
        for name in ("X_train", "Y_train", "X_test", "Y_test"):
            assert getattr(after.data, name).tobytes() == getattr(before.data, name).tobytes()
    # the decision boundary of a reopened run is identical, point for point
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 30), np.linspace(-1, 1, 30))).reshape(2, -1)
    before, after = original.runs[1].result, reopened.runs[1].result
    assert np.array_equal(network.probabilities(before.parameters, before.layout, grid),
                          network.probabilities(after.parameters, after.layout, grid))
    assert reopened.runs[2].status == "failed" and reopened.runs[0].status == "finished"


def test_data_shared_by_runs_is_stored_once(saved_experiment):
    _, path = saved_experiment
    with zipfile.ZipFile(path) as archive:
        index = json.loads(archive.read("experiment.json"))
    assert index["format"] == "regstudio-experiment" and index["version"] == experiment.VERSION == 3
    assert len(index["datasets"]) == 1


def test_interrupted_save_keeps_the_previous_file(saved_experiment, tmp_path, monkeypatch):
    original, path = saved_experiment
    target = tmp_path / "keep.regx"
    target.write_bytes(path.read_bytes())
    before = target.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # as if the program were killed half-way through the write

    monkeypatch.setattr(np, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        experiment.save(original, target)
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["keep.regx"]  # no temporary file left behind


@pytest.mark.parametrize("damage, message", [
    ("truncate", "not a zip archive, or truncated"),
    ("foreign", "no experiment.json inside"),
    ("newer", "newer RegStudio"),
    ("format", "format is not"),
    ("missing_array", "damaged experiment"),
    ("text", "not a zip archive"),
])
def test_unreadable_files_raise_one_line(saved_experiment, tmp_path, damage, message):
    _, path = saved_experiment
    bad = tmp_path / "bad.regx"
    if damage == "truncate":
        bad.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "text":
        bad.write_text("hello")
    elif damage == "foreign":
        with zipfile.ZipFile(bad, "w") as archive:
            archive.writestr("readme.txt", "another program's zip")
    elif damage == "newer":
        rewrite(path, bad, lambda index: index.update(version=experiment.VERSION + 1))
    elif damage == "format":
        rewrite(path, bad, lambda index: index.update(format="something-else"))
    elif damage == "missing_array":
        rewrite(path, bad, member=leave_out(lambda name: name.endswith("parameters.npy")))
    with pytest.raises(ExperimentError) as caught:
        experiment.load(bad)
    assert isinstance(caught.value, RegcoreError)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_save_into_missing_folder_is_a_file_error(saved_experiment, tmp_path):
    original, _ = saved_experiment
    with pytest.raises(FileError, match=r"folder\.regx: the folder .*no/such does not exist$"):
        experiment.save(original, tmp_path / "no" / "such" / "folder.regx")


def test_a_version_1_file_opens_with_the_training_loss_as_nan(saved_experiment, tmp_path):
    _, path = saved_experiment
    old = rewrite(path, tmp_path / "old.regx", lambda index: index.update(version=1),
                  leave_out(lambda name: name.endswith("/train_loss.npy")))  # version 1 did not record it
    reopened = experiment.load(old)
    for run in reopened.runs:
        assert np.isnan(run.result.history["train_loss"]).all()
        assert run.result.history["train_loss"].shape == run.result.history["cost"].shape
    assert np.isfinite(reopened.runs[0].result.history["cost"]).all()


def _with_insides(tmp_path):
    """A saved experiment of one run with its insides (norms, dead units, accuracies) at three iterations."""
    from regcore.datasets import resolve_data
    from regcore.inspect import InsideHistory
    from regcore.plugins import load_registry

    registry = load_registry()
    data = resolve_data("moons:n=60,noise=0.2,seed=4", registry)
    config = RunConfig(iterations=200, record_every=100)
    training = config.build(registry, data)
    insides = InsideHistory.empty()
    for _ in training.steps(report_every=100):
        insides.add(training.iteration, training.flat, training.layout, data)
    run = RunRecord(config, data, training.result(), insides=insides)
    path = tmp_path / "insides.regx"
    experiment.save(Experiment(runs=[run]), path)
    return run, path


def test_a_runs_insides_come_back_exactly_and_a_version_2_file_opens_without_them(tmp_path):
    run, path = _with_insides(tmp_path)
    back = experiment.load(path).runs[0].insides
    assert back.iterations == [100, 200]
    W = [run.result.parameters[0][s].copy() for s in run.result.layout.weight_slices]
    assert back.weight_norms[-1].tolist() == [float(np.sqrt(np.dot(w, w))) for w in W]
    assert back.train_accuracy == run.insides.train_accuracy and back.dead_units[-1].dtype == np.int64
    def as_version_2(index):
        index["version"] = 2
        for entry in index["runs"]:
            entry.pop("insides", None)

    old = rewrite(path, tmp_path / "v2.regx", as_version_2, leave_out(lambda name: "/insides/" in name))  # kept none
    assert experiment.load(old).runs[0].insides is None


def test_insides_of_the_wrong_shape_are_refused_with_a_reason(tmp_path):
    _, path = _with_insides(tmp_path)
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((2, 2)))
    bad = rewrite(path, tmp_path / "bad.regx", member=lambda name, content: buffer.getvalue()
                  if name.endswith("/insides/weight_norms.npy") else content)
    with pytest.raises(ExperimentError, match="its insides are not arrays of one length and of its layers"):
        experiment.load(bad)
