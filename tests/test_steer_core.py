"""Steering in the core, against plain NumPy: an optimizer's parameter changed mid-run (its state goes
on), and the data changed mid-run (the run goes on from its weights on the new points)."""

from __future__ import annotations

import numpy as np
import pytest

from regcore.config import RunConfig
from regcore.data import Dataset
from regcore.errors import ParamError
from regcore.schedule import Change, Schedule
from regcore.training import Training
from test_optimizers import HIDDEN, plain_cost_and_gradients, plain_parameters

ITERATIONS, AT = 240, 90


def plain_costs(datasets, update, iterations=ITERATIONS, seed=3, lambd=0.0):
    """Costs of a plain full-batch loop before each update, and after the last (as the core records
    the end); ``datasets(i)`` is the data of iteration i; L2 with ``lambd``."""
    first = datasets(0)
    params = plain_parameters((first.X_train.shape[0], *HIDDEN, 1), seed)
    costs = []
    for i in range(iterations + 1):
        data = datasets(min(i, iterations - 1))
        m = data.X_train.shape[1]
        cost, grads = plain_cost_and_gradients(params, data.X_train, data.Y_train)
        layers = len(params) // 2
        cost += lambd / (2 * m) * sum(np.sum(W * W) for W in params[:layers])
        grads = [g + lambd / m * p if k < layers else g for k, (p, g) in enumerate(zip(params, grads))]
        costs.append(cost)
        if i < iterations:
            update(params, grads, i)
    return np.array(costs)


def plain_adam_with_beta1(lr, before, after, at, beta2=0.999, eps=1e-8):
    """Adam whose beta1 becomes ``after`` from iteration ``at``: the moments go on, and the bias
    correction divides by 1 - (the product of the betas used so far)."""
    moments, power = {}, {"1": 1.0, "2": 1.0}

    def update(params, grads, i):
        beta1 = before if i < at else after
        power["1"] *= beta1
        power["2"] *= beta2
        for k, (p, g) in enumerate(zip(params, grads)):
            m, v = moments.get(k, (0.0, 0.0))
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g ** 2
            moments[k] = (m, v)
            p -= lr * (m / (1 - power["1"])) / (np.sqrt(v / (1 - power["2"])) + eps)
    return update


def plain_momentum(lr_before, lr_after, beta, at):
    velocities = {}

    def update(params, grads, i):
        lr = lr_before if i < at else lr_after
        for k, (p, g) in enumerate(zip(params, grads)):
            velocities[k] = v = beta * velocities.get(k, 0.0) + (1 - beta) * g
            p -= lr * v
    return update


def core(config, registry, data, **extra):
    return config.build(registry, data, **extra).run()


def test_adams_beta1_changed_mid_run_equals_the_plain_formula_with_its_moments_kept(registry, small_data):
    config = RunConfig(hidden=HIDDEN, iterations=ITERATIONS, record_every=1, learning_rate=0.01, optimizer="adam",
                       changes=Schedule.parse([f"{AT}:adam.beta1=0.5"], registry).changes)
    costs = core(config, registry, small_data).history["cost"][:, 0]
    plain = plain_costs(lambda i: small_data, plain_adam_with_beta1(0.01, 0.9, 0.5, AT))
    np.testing.assert_allclose(costs, plain, rtol=1e-12)
    unchanged = core(RunConfig(**{**config.__dict__, "changes": ()}), registry, small_data).history["cost"][:, 0]
    assert np.array_equal(costs[:AT], unchanged[:AT]) and not np.allclose(costs[AT + 5:], unchanged[AT + 5:])


def test_a_learning_rate_change_keeps_momentums_velocity(registry, small_data):
    """Re-planning the update for a change used to zero the velocity: the plain loop never does."""
    config = RunConfig(hidden=HIDDEN, iterations=ITERATIONS, record_every=1, optimizer="momentum",
                       changes=(Change(AT, "lr", value=0.1),))
    costs = core(config, registry, small_data).history["cost"][:, 0]
    np.testing.assert_allclose(costs, plain_costs(lambda i: small_data, plain_momentum(0.3, 0.1, 0.9, AT)),
                               rtol=1e-12)


def test_the_optimizer_change_by_hand_equals_the_schedule_to_the_last_digit(registry, small_data):
    config = RunConfig(hidden=HIDDEN, iterations=ITERATIONS, record_every=30, learning_rate=0.01, optimizer="adamw",
                       optimizer_values={"weight_decay": 0.05})
    scheduled = core(RunConfig(**{**config.__dict__, "changes": Schedule.parse(
        [f"{AT}:adamw.beta2=0.9", f"{AT}:adamw.weight_decay=0.2", f"{AT}:lr=0.02"], registry).changes}),
        registry, small_data)
    by_hand = config.build(registry, small_data)
    steps = by_hand.steps(report_every=AT)
    next(steps)
    values = registry.activate_optimizer("adamw", {"weight_decay": 0.2, "beta2": 0.9}).values
    by_hand.change(0.02, by_hand.active, what="adamw", optimizer_values=values)
    for _ in steps:
        pass
    assert by_hand.applied == [(AT, "adamw")]
    assert by_hand.result().parameters.tobytes() == scheduled.parameters.tobytes()


@pytest.mark.parametrize("texts, message", [
    (["10:adam.beta3=0.1"], "optimizer 'adam' has no parameter 'beta3'"),
    (["10:adam.beta1=1.5"], "beta1"),
])
def test_bad_optimizer_changes_are_one_line_errors(registry, texts, message):
    with pytest.raises(ParamError, match=message):
        Schedule.parse(texts, registry)


def test_an_optimizer_change_for_another_optimizer_is_refused_before_training(registry):
    with pytest.raises(ParamError, match="the run's optimizer is gd, not adam"):
        RunConfig(iterations=100, changes=Schedule.parse(["10:adam.beta1=0.8"], registry).changes)


def test_an_optimizer_change_describes_and_saves_itself(registry):
    change, = Schedule.parse(["10000:adam.beta1=0.8"], registry).changes
    assert change == Change(10000, "optimizer", param="beta1", value=0.8, optimizer="adam")
    assert change.describe() == "10000:adam.beta1=0.8"
    assert Change.from_dict(change.to_dict()) == change
    assert Change.from_dict({k: v for k, v in Change(5, "lr", value=0.1).to_dict().items() if k != "optimizer"}) \
        == Change(5, "lr", value=0.1)  # written before optimizer changes existed


def test_an_optimizer_without_values_changed_refuses_changes_of_its_parameters(registry, small_data):
    from regcore.optimizer import ActiveOptimizer, Optimizer
    from regcore.params import Param

    class Frozen(Optimizer):
        name, params = "frozen", (Param("beta", "float", 0.5, low=0.0, high=1.0),)

        def plan(self, parameters, gradients):
            return [lambda: None]

    training = Training(small_data, optimizer=ActiveOptimizer(Frozen, {"beta": 0.5}), iterations=10)
    with pytest.raises(ParamError, match="cannot change its parameters mid-run"):
        training.change(0.3, [], optimizer_values={"beta": 0.2})


def _moved(data: Dataset, name: str) -> Dataset:
    """``data`` with three more training points and its first one dropped: another set of another size."""
    X = np.concatenate([data.X_train[:, 1:], [[0.1, -0.3, 1.2], [0.9, 0.2, -0.4]]], axis=1)
    Y = np.concatenate([data.Y_train[:, 1:], [[1.0, 0.0, 1.0]]], axis=1)
    return Dataset.checked(name, X.T, Y[0], data.X_test.T, data.Y_test[0])


@pytest.mark.parametrize("optimizer", ["gd", "momentum"])
def test_new_data_mid_run_equals_training_on_by_hand_on_the_new_points(registry, small_data, optimizer):
    edited = _moved(small_data, "edited")
    config = RunConfig(hidden=HIDDEN, iterations=ITERATIONS, record_every=1, optimizer=optimizer,
                       regularizers=(("l2", {"lambd": 0.7}),))
    costs = core(config, registry, small_data, data_changes=[(AT, edited)]).history["cost"][:, 0]
    update = (plain_momentum(0.3, 0.3, 0.9, AT) if optimizer == "momentum"
              else lambda params, grads, i: [p.__isub__(0.3 * g) for p, g in zip(params, grads)])
    plain = plain_costs(lambda i: small_data if i < AT else edited, update, lambd=0.7)
    np.testing.assert_allclose(costs, plain, rtol=1e-12)


def test_new_data_asked_for_live_takes_effect_at_the_next_iteration(registry, small_data):
    edited = _moved(small_data, "edited")
    config = RunConfig(hidden=HIDDEN, iterations=ITERATIONS, record_every=30, batch_size=16)
    scheduled = core(config, registry, small_data, data_changes=[(AT, edited)])
    live = config.build(registry, small_data)
    steps = live.steps(report_every=AT)
    next(steps)
    live.change_data(edited, what="three points")
    for _ in steps:
        pass
    assert live.applied == [(AT, "three points")] and live.data is edited
    assert live.result().parameters.tobytes() == scheduled.parameters.tobytes()


def test_new_data_of_another_shape_is_refused(registry, small_data):
    training = RunConfig(iterations=10).build(registry, small_data)
    wide = Dataset("wide", np.zeros((3, 4)), np.array([[0.0, 1, 0, 1]]), np.zeros((3, 0)), np.zeros((1, 0)))
    with pytest.raises(ParamError, match="3 features; the network takes 2"):
        training.change_data(wide)


def test_the_cli_replays_an_optimizer_change(registry, small_data, tmp_path):
    import json

    from conftest import run_cli
    from regcore.data import save_csv

    save_csv(small_data, tmp_path / "d.csv")
    done = run_cli("train", "--data", str(tmp_path / "d.csv"), "--optimizer", "adam", "--lr", "0.01",
                   "--iterations", "300", "--change", "120:adam.beta1=0.5", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    config = RunConfig(iterations=300, learning_rate=0.01, optimizer="adam",
                       changes=Schedule.parse(["120:adam.beta1=0.5"], registry).changes)
    expected = config.build(registry, small_data).run()
    assert report["test_accuracy"] == float(expected.test_accuracy[0])
    assert report["final_cost"] == float(expected.final_cost[0])
    bad = run_cli("train", "--change", "10:adam.beta1=0.5", "--iterations", "100")
    assert bad.returncode == 2 and "the run's optimizer is gd, not adam" in bad.stderr
    assert "Traceback" not in bad.stderr
