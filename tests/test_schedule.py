"""Scheduled changes: parsing ``--change``, playing a schedule through a run's settings, refusals."""

import numpy as np
import pytest

from regcore.errors import ParamError, PluginError
from regcore.schedule import Change, Schedule, parse_change


@pytest.mark.parametrize("text, expected", [
    ("10000:lr=0.1", Change(10000, "lr", value=0.1)),
    ("10000:l2.lambd=0.1", Change(10000, "param", "l2", "lambd", 0.1)),
    ("5000:+dropout", Change(5000, "on", "dropout", values=(("keep_prob", 0.86), ("mask", "fresh")))),
    ("5000:+dropout:keep_prob=0.8", Change(5000, "on", "dropout", values=(("keep_prob", 0.8), ("mask", "fresh")))),
    ("20000:-l2", Change(20000, "off", "l2")),
])
def test_each_form_parses_and_describes_itself_back(registry, text, expected):
    change = parse_change(text, registry)
    assert change == expected
    assert parse_change(change.describe(), registry) == change
    assert Change.from_dict(change.to_dict()) == change


@pytest.mark.parametrize("text, message", [
    ("l2.lambd=0.1", "write ITER:lr=VALUE"),
    ("x:lr=0.1", "ITER must be a whole number"),
    ("-5:lr=0.1", "ITER must be >= 0"),
    ("100:", "write ITER:lr=VALUE"),
    ("100:lr=0", "learning rate must be a finite number > 0"),
    ("100:lr=nan", "learning rate must be a finite number > 0"),
    ("100:lambd=0.1", "KEY is lr or NAME.PARAM"),
    ("100:l2.strength=1", "has no parameter 'strength'"),
    ("100:l2.lambd=-1", "lambd=-1.0 is not valid"),
    ("100:dropout.keep_prob=1.5", "keep_prob=1.5 is not valid"),
    ("100:-l2:lambd=1", "takes no values"),
])
def test_bad_changes_are_one_line_errors(registry, text, message):
    with pytest.raises(ParamError) as caught:
        parse_change(text, registry)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_an_unknown_regularizer_is_named(registry):
    with pytest.raises(PluginError, match="unknown regularizer 'l7'"):
        parse_change("100:+l7", registry)


def test_a_schedule_plays_through_in_iteration_order(registry):
    schedule = Schedule.parse(["20000:lr=0.1", "10000:l2.lambd=0.1", "15000:+dropout:keep_prob=0.9", "25000:-l2"],
                              registry)
    assert [c.iteration for c in schedule.changes] == [10000, 15000, 20000, 25000]
    start = (("l2", {"lambd": 0.7}),)
    assert schedule.settings_at(9999, 0.3, start) == (0.3, start)
    assert schedule.settings_at(10000, 0.3, start) == (0.3, (("l2", {"lambd": 0.1}),))
    assert schedule.settings_at(30000, 0.3, start) == (0.1, (("dropout", {"keep_prob": 0.9, "mask": "fresh"}),))
    schedule.check(0.3, start, 30000)


@pytest.mark.parametrize("texts, message", [
    (["100:l2.lambd=0.1"], "l2 is not in use then"),
    (["100:-dropout"], "dropout is not in use then"),
    (["100:-l2", "200:l2.lambd=1"], "l2 is not in use then"),
    (["100:+l2:lambd=1", "200:+l2"], "already on"),
    (["500:lr=0.1"], "at or after the run's last iteration"),
])
def test_a_schedule_that_does_not_fit_the_run_is_refused_before_training(registry, texts, message):
    with pytest.raises(ParamError, match=message):
        Schedule.parse(texts, registry).check(0.3, (), 500)


def _run_with(config, registry, data):
    training = config.build(registry, data)
    return training.run()


def test_a_scheduled_change_equals_changing_by_hand_mid_run_to_the_last_digit(registry, small_data):
    from dataclasses import replace

    from regcore.config import RunConfig

    base = RunConfig(iterations=400, record_every=50, regularizers=(("l2", {"lambd": 0.7}),))
    texts = ["150:l2.lambd=0.05", "150:+dropout:keep_prob=0.8", "300:lr=0.1"]
    scheduled = _run_with(replace(base, changes=Schedule.parse(texts, registry).changes), registry, small_data)

    by_hand = base.build(registry, small_data)
    steps = by_hand.steps(report_every=150)
    assert next(steps).iteration == 150
    by_hand.change(0.3, [registry.activate("l2", {"lambd": 0.05}), registry.activate("dropout", {"keep_prob": 0.8})],
                   what="lambd and dropout")
    assert next(steps).iteration == 300
    by_hand.change(0.1, by_hand.active, what="lr")
    for _ in steps:
        pass
    assert by_hand.applied == [(150, "lambd and dropout"), (300, "lr")]
    manual = by_hand.result()
    np.testing.assert_array_equal(scheduled.history["cost"], manual.history["cost"])
    np.testing.assert_array_equal(scheduled.parameters, manual.parameters)

    unchanged = _run_with(base, registry, small_data)
    before = scheduled.history["iterations"] < 150
    np.testing.assert_array_equal(scheduled.history["cost"][before], unchanged.history["cost"][before])
    assert not np.array_equal(scheduled.history["cost"], unchanged.history["cost"])


def test_a_live_change_takes_effect_at_the_next_iteration_even_between_reports(registry, small_data):
    from regcore.config import RunConfig

    training = RunConfig(iterations=300, record_every=100).build(registry, small_data)
    steps = training.steps(report_every=100)
    next(steps)                                    # at iteration 100
    training.change(0.05, [], what="slower")
    next(steps)
    assert training.applied == [(100, "slower")] and training.learning_rate == 0.05


def test_a_run_with_changes_saves_and_reopens_with_them(registry, small_data, tmp_path):
    from dataclasses import replace

    from regcore import experiment
    from regcore.config import RunConfig
    from regcore.experiment import Experiment, RunRecord

    config = replace(RunConfig(iterations=200, record_every=50, regularizers=(("l2", {"lambd": 0.7}),)),
                     changes=Schedule.parse(["100:-l2", "120:+l2:lambd=2"], registry).changes)
    assert RunConfig.from_dict(config.to_dict()) == config
    result = config.build(registry, small_data).run()
    experiment.save(Experiment(config, small_data, [RunRecord(config, small_data, result)]), tmp_path / "c.regx")
    reopened = experiment.load(tmp_path / "c.regx")
    assert reopened.runs[0].config.changes == config.changes
    assert _run_with(reopened.runs[0].config, registry, small_data).parameters.tobytes() == result.parameters.tobytes()


@pytest.mark.parametrize("texts, says", [
    (["1000:optimizer.beta1=0.5"], "name the run's optimizer, e.g. 1000:adam.beta1=0.5"),
    (["1000:l2.lambd=-1"], "--change '1000:l2.lambd=-1': lambd=-1.0 is not valid"),
    (["1000:-none"], "'none' is the absence of regularizers"),
    (["1000:+none"], "'none' is the absence of regularizers"),
])
def test_a_change_that_cannot_be_made_says_which_and_why(registry, texts, says):
    """From a fresh user's review: these said 'unknown regularizer', named no change, or contradicted themselves."""
    with pytest.raises(ParamError) as caught:
        Schedule.parse(texts, registry)
    assert says in str(caught.value)
