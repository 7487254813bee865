"""Experiment files under faults: a save interrupted at any point leaves the previous file intact;
a truncated or damaged file gives one clear line naming it (or, where the damage missed the
contents, the identical experiment); every version that is not this one is refused with a reason;
and save -> open -> save gives back the same bytes for every member, for generated experiments."""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regcore import experiment, network
from regcore.config import RunConfig
from regcore.datasets import resolve_data
from regcore.experiment import Experiment, ExperimentError, RunRecord
from regcore.files import FileError

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def make_experiment(registry, configs, source="moons:n=40,noise=0.2,seed=5"):
    data = resolve_data(source, registry)
    runs = [RunRecord(config, data, config.build(registry, data).run()) for config in configs]
    return Experiment(settings=configs[-1], data=data, runs=runs)


@pytest.fixture(scope="module")
def saved(registry, tmp_path_factory):
    configs = [RunConfig(iterations=60, record_every=20, regularizers=regs)
               for regs in ((), (("l2", {"lambd": 0.3}),), (("dropout", {"keep_prob": 0.7, "mask": "fresh"}),))]
    original = make_experiment(registry, configs)
    path = tmp_path_factory.mktemp("saved") / "study.regx"
    experiment.save(original, path)
    return original, path


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def assert_clear(error: ExperimentError, path):
    message = str(error)
    assert message.startswith(f"{path}: ") and "\n" not in message, message


# ---------------------------------------------------------------- interrupted saves


@pytest.mark.parametrize("failing_write", [0, 1, 5, -1])
@pytest.mark.parametrize("fault", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_save_interrupted_at_any_write_keeps_the_previous_file(saved, tmp_path, monkeypatch, failing_write, fault):
    original, source = saved
    path = tmp_path / "study.regx"
    path.write_bytes(source.read_bytes())
    before = path.read_bytes()
    writes = len(members(source))
    real_writestr, calls = zipfile.ZipFile.writestr, []

    def writestr(self, *args, **kwargs):
        calls.append(args[0])
        if len(calls) - 1 == failing_write % writes:
            raise fault
        return real_writestr(self, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", writestr)
    with pytest.raises(FileError if isinstance(fault, OSError) else KeyboardInterrupt):
        experiment.save(original, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["study.regx"]


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_a_failing_fsync_or_rename_keeps_the_previous_file(saved, tmp_path, monkeypatch, step):
    original, source = saved
    path = tmp_path / "study.regx"
    path.write_bytes(b"the previous file")

    def fail(*args):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, step, fail)
    with pytest.raises(FileError) as caught:
        experiment.save(original, path)
    assert str(caught.value) == f"{path}: could not save (Input/output error)"
    assert path.read_bytes() == b"the previous file" and os.listdir(tmp_path) == ["study.regx"]


# ---------------------------------------------------------------- damaged files


@FAST
@given(keep=st.floats(0, 1, exclude_max=True))
def test_a_truncated_file_is_refused_in_one_line(saved, tmp_path, keep):
    _, source = saved
    path = tmp_path / "cut.regx"
    content = source.read_bytes()
    path.write_bytes(content[: int(len(content) * keep)])
    with pytest.raises(ExperimentError) as caught:
        experiment.load(path)
    assert_clear(caught.value, path)


@FAST
@given(damage=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=3))
def test_a_damaged_file_is_refused_in_one_line_or_opens_unchanged(saved, tmp_path, damage):
    original, source = saved
    path = tmp_path / "damaged.regx"
    content = bytearray(source.read_bytes())
    for where, byte in damage:
        content[int(where * len(content))] = byte
    path.write_bytes(bytes(content))
    try:
        reopened = experiment.load(path)
    except ExperimentError as error:
        assert_clear(error, path)
        return
    assert_same(reopened, original)  # zip checksums guard the contents: what opens is what was saved


@pytest.mark.parametrize("version, reason", [
    (0, "version 0 is not a positive whole number"),
    (-1, "version -1 is not a positive whole number"),
    ("1", "version '1' is not a positive whole number"),
    (1.0, "version 1.0 is not a positive whole number"),
    (True, "version True is not a positive whole number"),
    (None, "version None is not a positive whole number"),
    (experiment.VERSION + 1, f"format version {experiment.VERSION + 1}; this one reads up to {experiment.VERSION}"),
])
def test_every_other_version_is_refused_with_the_reason(saved, tmp_path, version, reason):
    _, source = saved
    path = tmp_path / "other.regx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members(source).items():
            if name == experiment.INDEX:
                data = json.dumps({**json.loads(data), "version": version})
            archive.writestr(name, data)
    with pytest.raises(ExperimentError) as caught:
        experiment.load(path)
    assert_clear(caught.value, path)
    assert reason in str(caught.value)


@pytest.mark.parametrize("change", [
    pytest.param(lambda index: index["runs"][0].update(layer_sizes=[2, 5, 1]), id="layers"),
    pytest.param(lambda index: index["runs"][0]["config"].update(learning_rate=-1), id="settings"),
    pytest.param(lambda index: index["runs"][0].pop("seconds"), id="missing field"),
    pytest.param(lambda index: index.update(current_data="nowhere"), id="dangling reference"),
    pytest.param(lambda index: index["runs"][0].update(test_accuracy=7.5), id="accuracy of 750%"),
    pytest.param(lambda index: index["runs"][0].update(train_accuracy=-0.1), id="negative accuracy"),
    pytest.param(lambda index: index["runs"][0].update(seconds=-3.0), id="negative time"),
])
def test_inconsistent_contents_are_refused_naming_the_file(saved, tmp_path, change):
    _, source = saved
    path = tmp_path / "inconsistent.regx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members(source).items():
            if name == experiment.INDEX:
                index = json.loads(data)
                change(index)
                data = json.dumps(index)
            archive.writestr(name, data)
    with pytest.raises(ExperimentError) as caught:
        experiment.load(path)
    assert_clear(caught.value, path)


# ---------------------------------------------------------------- exact round trips


def assert_same(reopened: Experiment, original: Experiment):
    assert reopened.settings == original.settings and len(reopened.runs) == len(original.runs)
    for name in ("X_train", "Y_train", "X_test", "Y_test"):
        assert getattr(reopened.data, name).tobytes() == getattr(original.data, name).tobytes()
    for again, run in zip(reopened.runs, original.runs):
        assert again.config == run.config and again.error == run.error
        assert again.result.parameters.tobytes() == run.result.parameters.tobytes()
        for name, curve in run.result.history.items():
            assert again.result.history[name].reshape(-1).tobytes() == curve.reshape(-1).tobytes()
        assert again.result.completed == run.result.completed
        assert again.result.iterations_done == run.result.iterations_done


CONFIGS = st.builds(
    lambda hidden, lr, iterations, every, seed, regs: RunConfig(hidden=hidden, learning_rate=lr, iterations=iterations,
                                                                record_every=every, seed=seed, regularizers=regs),
    st.lists(st.integers(1, 6), min_size=1, max_size=3).map(tuple), st.floats(1e-3, 2.0), st.integers(1, 40),
    st.integers(1, 15), st.integers(0, 2**32 - 1),
    st.lists(st.one_of(st.builds(lambda v: ("l2", {"lambd": v}), st.floats(0, 5)),
                       st.builds(lambda v, m: ("dropout", {"keep_prob": v, "mask": m}),
                                 st.floats(0.05, 1.0), st.sampled_from(["fresh", "course"]))),
             max_size=2).map(tuple))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(configs=st.lists(CONFIGS, min_size=1, max_size=3), test_ratio=st.sampled_from(["0.5", "0.01"]))
def test_save_open_save_is_bit_for_bit_and_boundaries_are_identical(registry, tmp_path, configs, test_ratio):
    original = make_experiment(registry, configs, f"xor:n=30,test_ratio={test_ratio},seed=2")
    first, second = tmp_path / "first.regx", tmp_path / "second.regx"
    experiment.save(original, first)
    reopened = experiment.load(first)
    assert_same(reopened, original)
    experiment.save(reopened, second)
    assert members(second) == members(first)
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 25), np.linspace(-1, 1, 25))).reshape(2, -1)
    for again, run in zip(reopened.runs, original.runs):
        assert again.result.layout == run.result.layout
        before = network.probabilities(run.result.parameters, run.result.layout, grid)
        after = network.probabilities(again.result.parameters, again.result.layout, grid)
        assert after.tobytes() == before.tobytes()
