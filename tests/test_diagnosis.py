"""regcore.diagnosis on real runs of the default data set: too high or too low a learning rate is
named; runs that learn, with or without a regularizer, are not."""

from __future__ import annotations

import numpy as np
import pytest

from regcore.config import RunConfig
from regcore.datasets import DEFAULT_SOURCE, resolve_data
from regcore.diagnosis import training_loss, trouble


@pytest.fixture(scope="module")
def data(registry):
    return resolve_data(DEFAULT_SOURCE, registry)


def history(registry, data, learning_rate, regularizers=(), iterations=3000):
    return RunConfig(learning_rate=learning_rate, iterations=iterations, regularizers=regularizers).build(
        registry, data).run().history


def test_learning_rate_50_oscillates(registry, data):
    found = trouble(history(registry, data, 50.0))
    assert found is not None and found.kind == "oscillates"
    assert "smaller" in found.message and "oscillated" in found.message


def test_a_tiny_learning_rate_hardly_falls(registry, data):
    found = trouble(history(registry, data, 1e-4))
    assert found is not None and found.kind == "stalled"
    assert "0.834 → 0.797" in found.message


@pytest.mark.parametrize("regularizers", [(), (("l2", {"lambd": 0.7}),),
                                          (("dropout", {"keep_prob": 0.86, "mask": "fresh"}),)])
def test_runs_that_learn_are_not_flagged(registry, data, regularizers):
    assert trouble(history(registry, data, 0.3, regularizers)) is None


def test_dropout_is_judged_on_its_clean_loss_not_its_noisy_objective(registry, data):
    noisy = history(registry, data, 0.3, (("dropout", {"keep_prob": 0.5, "mask": "fresh"}),))
    assert np.array_equal(training_loss(noisy), noisy["train_loss"][:, 0])
    assert trouble(noisy) is None


def test_too_few_records_say_nothing_and_old_files_fall_back_to_the_objective():
    short = {"cost": np.array([[1.0], [5.0]]), "train_loss": np.array([[1.0], [5.0]])}
    assert trouble(short) is None
    rising = np.linspace(0.7, 3.0, 10)[:, None] * np.array([[1.0]])
    rising[::2] *= 0.5
    old = {"cost": rising, "train_loss": np.full_like(rising, np.nan)}  # version-1 experiment file
    assert np.array_equal(training_loss(old), rising[:, 0])
    assert trouble(old).kind == "oscillates"


def test_the_default_runs_that_learn_with_bumps_on_the_way_are_not_flagged(registry):
    from regcore.config import RunConfig
    from regcore.datasets import resolve_data

    data = resolve_data(None, registry)
    for regs in ((), (("dropout", {"keep_prob": 0.86}),), (("l2", {"lambd": 0.7}),)):
        history = RunConfig(regularizers=regs).build(registry, data).run().history
        assert trouble(history) is None, (regs, trouble(history))


def test_a_run_is_judged_up_to_its_first_change_not_on_what_the_change_did(registry, data):
    """Turning lambd up mid-run makes the training loss rise: that is the change, not a learning rate."""
    from regcore.schedule import Schedule

    config = RunConfig(iterations=3000, regularizers=(("l2", {"lambd": 0.05}),),
                       changes=Schedule.parse(["600:l2.lambd=40"], registry).changes)
    steered = config.build(registry, data).run().history
    loss = training_loss(steered)
    assert loss[-1] > 2 * loss[steered["iterations"] == 600][0]  # it did rise, after the change
    assert trouble(steered) is not None                          # judged whole, it looks like no learning
    assert trouble(steered, until=600) is None                   # judged up to the change, it learnt
