"""The notebook's comparison uses the course's fixed dropout masks on the course's data only."""

from regcore.config import NOTEBOOK_RUNS, is_course_data, notebook_runs
from regcore.datasets import resolve_data


def test_the_course_data_is_recognised_and_keeps_the_notebook_runs(football):
    assert is_course_data(football)
    assert notebook_runs(football) == NOTEBOOK_RUNS
    assert dict(notebook_runs(football)[2][1])["dropout"]["mask"] == "course"


def test_other_data_gets_fresh_dropout_masks_and_the_same_values(registry):
    data = resolve_data(None, registry)
    assert not is_course_data(data)
    runs = notebook_runs(data)
    assert [name for name, _ in runs] == ["none", "l2", "dropout"]
    assert runs[1] == NOTEBOOK_RUNS[1]
    assert dict(runs[2][1])["dropout"] == {"keep_prob": 0.86, "mask": "fresh"}


def test_a_slightly_changed_course_set_is_not_the_course_data(football):
    from dataclasses import replace

    moved = football.X_train.copy()
    moved[0, 0] += 1e-12
    assert not is_course_data(replace(football, X_train=moved))
