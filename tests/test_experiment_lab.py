"""A bias–variance lab in an experiment file (format version 3): saved and reopened it gives the same
decomposition and the same models, bit for bit; a stopped lab keeps its finished values only; a
version-2 file (no lab) still opens; damaged lab entries are refused in one line."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from experiment_files import leave_out, rewrite
from regcore import experiment
from regcore.biasvar import BiasVarianceLab, SavedLab
from regcore.config import RunConfig
from regcore.experiment import Experiment, ExperimentError
from regcore.sweep import Axis


@pytest.fixture(scope="module")
def lab_run(registry):
    from regcore.datasets import resolve_data

    data = resolve_data("moons:n=60,noise=0.2,seed=4", registry)
    base = RunConfig(iterations=200, record_every=100, regularizers=(("l2", {"lambd": 0.0}),))
    lab = BiasVarianceLab(base, Axis("l2", "lambd", (0.0, 0.5, 2.0)), data, registry, bootstraps=4, seed=9, jobs=1)
    return lab, lab.run()


def saved_of(lab, result, keep=None) -> SavedLab:
    values = range(len(result.points)) if keep is None else keep
    return SavedLab(lab.design, {v: result.points[v].models for v in values}, result.seconds, keep is None)


def test_a_saved_lab_reopens_with_the_same_decomposition_and_models(lab_run, tmp_path, registry):
    lab, result = lab_run
    path = tmp_path / "lab.regx"
    experiment.save(Experiment(data=lab.data, lab=saved_of(lab, result)), path)
    reopened = experiment.load(path, registry).lab
    assert reopened.design.axis == lab.axis and reopened.design.bootstraps == 4 and reopened.design.seed == 9
    assert reopened.design.base == lab.design.base and reopened.completed
    for before, after in zip(result.points, reopened.points()):
        assert after.params == before.params
        for name in ("bias2", "variance", "error", "test_accuracy_mean", "test_accuracy_std", "train_accuracy_mean"):
            assert getattr(after.decomposition, name) == getattr(before.decomposition, name)
        assert after.decomposition.error == pytest.approx(after.decomposition.bias2 + after.decomposition.variance,
                                                          rel=1e-12)
        for m, n in zip(before.models, after.models):
            assert m.parameters.tobytes() == n.parameters.tobytes()
            assert (m.train_accuracy, m.test_accuracy, m.final_cost, m.iterations_done) == \
                (n.train_accuracy, n.test_accuracy, n.final_cost, n.iterations_done)
            assert n.point.config == m.point.config
    # what is kept is bounded: parameters and four numbers per model, not the cost curves
    with zipfile.ZipFile(path) as archive:
        lab_members = [i for i in archive.infolist() if i.filename.startswith("lab/")]
        assert sorted(i.filename for i in lab_members) == sorted(
            f"lab/{n}.npy" for n in ("parameters", "train_accuracy", "test_accuracy", "final_cost", "iterations_done"))
        P = lab.design.layout.size
        assert sum(i.file_size for i in lab_members) < 12 * 4 * (P + 4) * 8 + 5 * 200
        assert json.loads(archive.read("experiment.json"))["version"] == 3


def test_a_stopped_lab_keeps_its_finished_values_and_says_it_stopped(lab_run, tmp_path):
    lab, result = lab_run
    path = tmp_path / "stopped.regx"
    experiment.save(Experiment(data=lab.data, lab=saved_of(lab, result, keep=[2])), path)
    reopened = experiment.load(path).lab
    points = reopened.points()
    assert not reopened.completed and [p.decomposition is None for p in points] == [True, True, False]
    assert [p.error for p in points] == ["not finished", "not finished", None]
    assert points[2].decomposition.error == result.points[2].decomposition.error
    table = tmp_path / "stopped.csv"
    from regcore.biasvar import write_csv

    write_csv(table, points, "lambd", reopened.completed)
    lines = table.read_text().splitlines()
    assert lines[1] == "0.0,,,,,,,not finished" and lines[-1] == "# incomplete: the lab was stopped after 1 of 3 values"


def test_a_version_2_file_opens_without_a_lab(lab_run, tmp_path):
    lab, result = lab_run
    path = tmp_path / "new.regx"
    experiment.save(Experiment(data=lab.data, lab=saved_of(lab, result)), path)
    old = rewrite(path, tmp_path / "old.regx", lambda index: (index.update(version=2), index.pop("lab")),
                  leave_out(lambda name: name.startswith("lab/")))
    opened = experiment.load(old)
    assert opened.lab is None and opened.data.X_train.tobytes() == lab.data.X_train.tobytes()


def _rewritten(path, bad, change_index=None, change_member=None):
    """``path`` copied to ``bad`` with ``change_index`` applied to the lab's entry and the members named
    in ``change_member`` replaced by its bytes."""
    rewrite(path, bad, change_index and (lambda index: change_index(index["lab"])),
            change_member and (lambda name, content: change_member.get(name, content)))


def _npy(array) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


@pytest.mark.parametrize("change_index, change_member, message", [
    (lambda lab: lab.update(bootstraps=1), None, "bootstraps must be"),
    (lambda lab: lab.update(kept=[0, 0, 1]), None, "kept values are not distinct"),
    (lambda lab: lab.update(kept=[0, 1, 7]), None, "kept values are not distinct"),
    (lambda lab: lab["axis"].update(values=[]), None, "swept values are not"),
    (lambda lab: lab["axis"].update(regularizer="dropout"), None, "regularizer 'dropout' is not used"),
    (lambda lab: lab.update(layer_sizes=[2, 5, 1]), None, "do not match its data"),
    (None, {"lab/parameters.npy": _npy(np.zeros((3, 4, 7)))}, "arrays do not fit"),
    (None, {"lab/iterations_done.npy": _npy(np.full((3, 4), 10**6, dtype=np.int64))}, "outside 0 to 200"),
    (None, {"lab/test_accuracy.npy": _npy(np.zeros((3, 4), dtype=np.float32))}, "arrays do not fit"),
])
def test_a_damaged_lab_is_one_line(lab_run, tmp_path, change_index, change_member, message):
    lab, result = lab_run
    path, bad = tmp_path / "good.regx", tmp_path / "bad.regx"
    experiment.save(Experiment(data=lab.data, lab=saved_of(lab, result)), path)
    _rewritten(path, bad, change_index, change_member)
    with pytest.raises(ExperimentError) as caught:
        experiment.load(bad)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert str(caught.value).startswith(f"{bad}") or "bad.regx" in str(caught.value)


def test_a_lab_this_registry_cannot_rerun_opens_with_a_note(lab_run, tmp_path, registry):
    lab, result = lab_run
    path, bad = tmp_path / "good.regx", tmp_path / "refused.regx"
    experiment.save(Experiment(data=lab.data, lab=saved_of(lab, result)), path)
    _rewritten(path, bad, lambda entry: entry["config"]["regularizers"][0]["params"].update(lambd=-1.0))
    opened = experiment.load(bad, registry)
    assert opened.lab is not None and len(opened.lab.points()) == 3
    assert len(opened.notes) == 1 and opened.notes[0].startswith("the bias-variance lab is shown but cannot be rerun")
