"""Edited data and replay snapshots in the core: the edits against plain arithmetic, round trips through
CSV and experiment files, thinning that stays bounded, and a run replayed with its data edits."""

from __future__ import annotations

import numpy as np
import pytest

from regcore import edits, experiment
from regcore.config import RunConfig
from regcore.data import Dataset, load_file, save_csv
from regcore.errors import DataError
from regcore.experiment import Experiment, RunRecord
from regcore.snapshots import MAX_SNAPSHOTS, Snapshots, limit_for


def test_adding_and_removing_points_leave_every_other_point_as_it_was(small_data):
    added = edits.add_points(small_data, [(0.25, -0.5)], 1)
    assert added.name == small_data.name + " (edited)"
    assert np.array_equal(added.X_train[:, :-1], small_data.X_train) and list(added.X_train[:, -1]) == [0.25, -0.5]
    assert added.Y_train[0, -1] == 1.0 and np.array_equal(added.X_test, small_data.X_test)
    test = edits.add_points(added, [(1.0, 1.0)], 0, "test")
    assert test.X_test.shape[1] == small_data.X_test.shape[1] + 1 and test.Y_test[0, -1] == 0.0
    assert edits.edited_name(test.name) == test.name           # "(edited)" once, however often
    back = edits.remove_nearest(test, 0.26, -0.49)             # nearest: the point just added
    back = edits.remove_nearest(back, 0.99, 1.01)
    for part in ("X_train", "Y_train", "X_test", "Y_test"):
        assert np.array_equal(getattr(back, part), getattr(small_data, part))
    assert edits.remove_nearest(small_data, 100.0, 100.0, within=1.0) is None


def test_removing_the_last_point_of_a_class_is_refused_in_one_line():
    data = Dataset.checked("two", [[0, 0], [1, 1], [2, 2]], [0, 1, 1], np.zeros((0, 2)), [])
    with pytest.raises(DataError, match="only one class"):
        edits.remove_nearest(data, 0.0, 0.0)


def test_noise_points_are_placed_among_the_points_with_the_other_class_of_their_neighbour(small_data):
    noisy = edits.noise_points(small_data, 7, np.random.default_rng(1))
    m = small_data.X_train.shape[1]
    new, labels = noisy.X_train[:, m:], noisy.Y_train[0, m:]
    assert new.shape == (2, 7)
    low, high = small_data.X_train.min(axis=1), small_data.X_train.max(axis=1)
    assert np.all(new >= low[:, None]) and np.all(new <= high[:, None])
    for point, label in zip(new.T, labels):  # nearest neighbour by a plain loop
        distances = [np.hypot(*(point - other)) for other in small_data.X_train.T]
        assert label == 1.0 - small_data.Y_train[0, int(np.argmin(distances))]


def test_edited_data_round_trip_through_csv_to_the_last_digit(small_data, tmp_path):
    edited = edits.noise_points(edits.add_points(small_data, [(0.1 / 3, 2.0 / 7)], 0, "test"), 3,
                                np.random.default_rng(4))
    path = tmp_path / "edited.csv"
    path.write_text("x1,x2,label,split\n9,9,1,train\n")       # saving over an existing file replaces it
    save_csv(edited, path)
    again = load_file(path)
    for part in ("X_train", "Y_train", "X_test", "Y_test"):
        assert getattr(again, part).tobytes() == getattr(edited, part).tobytes()


def test_snapshots_thin_evenly_and_stay_within_their_limit():
    snapshots = Snapshots(record_every=10, size=3, limit=8)
    for iteration in range(0, 1001, 10):
        snapshots.offer(iteration, np.full(3, float(iteration)))
    kept = snapshots.iterations
    assert 4 <= len(kept) <= 8 and kept[0] == 0
    assert len(set(np.diff(kept))) == 1                         # evenly spaced
    assert np.array_equal(snapshots.parameters[:, 0], kept.astype(float))
    snapshots.finish(1003, np.zeros(3))
    assert snapshots.iterations[-1] == 1003
    assert limit_for(127) == MAX_SNAPSHOTS and limit_for(10_000_000) == 2


def _record(registry, data, edited, tmp_path):
    config = RunConfig(hidden=(5, 3), iterations=300, record_every=20)
    training = config.build(registry, data, data_changes=[(140, edited)])
    snapshots = Snapshots(config.record_every, training.flat[0].size)
    for _ in training.steps(report_every=config.record_every):
        snapshots.offer(training.iteration, training.flat[0])
    return RunRecord(config, data, training.result(), data_changes=((140, edited),), snapshots=snapshots)


def test_a_run_with_data_edits_and_snapshots_saves_and_reopens_and_replays(registry, small_data, tmp_path):
    edited = edits.add_points(small_data, [(0.0, 0.5), (0.5, 0.0)], 1)
    run = _record(registry, small_data, edited, tmp_path)
    experiment.save(Experiment(run.config, edited, [run]), tmp_path / "e.regx")
    opened = experiment.load(tmp_path / "e.regx", registry)
    again = opened.runs[0]
    assert opened.data.X_train.tobytes() == edited.X_train.tobytes() and opened.data.name == edited.name
    (at, data), = again.data_changes
    assert at == 140 and data.X_train.tobytes() == edited.X_train.tobytes()
    assert again.data_at(100) is again.data and again.data_at(140) is data
    assert np.array_equal(again.snapshots.iterations, run.snapshots.iterations)
    assert again.snapshots.parameters.tobytes() == run.snapshots.parameters.tobytes()
    assert again.rebuild(registry).run().parameters.tobytes() == run.result.parameters.tobytes()
    # a snapshot is the run as it was then: the same settings trained that far from scratch
    index = 5
    iteration = int(again.snapshots.iterations[index])
    short = RunConfig(hidden=(5, 3), iterations=iteration, record_every=20).build(registry, small_data).run()
    assert short.parameters[0].tobytes() == again.snapshots.parameters[index].tobytes()


def test_a_version_2_file_opens_without_edits_or_snapshots(registry, small_data, tmp_path, monkeypatch):
    run = RunRecord(RunConfig(iterations=50), small_data, RunConfig(iterations=50).build(registry, small_data).run())
    monkeypatch.setattr(experiment, "VERSION", 2)
    experiment.save(Experiment(None, small_data, [run]), tmp_path / "v2.regx")
    monkeypatch.undo()
    opened = experiment.load(tmp_path / "v2.regx").runs[0]
    assert opened.data_changes == () and opened.snapshots is None
