"""The gradient check (`regcore.testing.check_gradients`, ``regcore gradcheck``): every built-in alone and
combined, test plugins for each version-2 hook, and a deliberately wrong gradient that it must catch."""

import json
from functools import partial

import numpy as np
import pytest

import hook_plugins
import regcore.testing
from conftest import run_cli
from regcore.testing import TOLERANCE, check_gradients
from regcore.training import Training

COMBINATIONS = {
    "none": [("none", {})],
    "l2": [("l2", {"lambd": 0.7})],
    "l1": [("l1", {"lambd": 0.9})],
    "l1+l2+dropout": [("l1", {"lambd": 0.4}), ("l2", {"lambd": 0.3}), ("dropout", {"keep_prob": 0.8, "mask": "fresh"})],
    "dropout-course": [("dropout", {"keep_prob": 0.8, "mask": "course"})],
    "dropout-fresh": [("dropout", {"keep_prob": 0.7, "mask": "fresh"})],
    "l2+dropout": [("l2", {"lambd": 1.3}), ("dropout", {"keep_prob": 0.75, "mask": "course"})],
    "dropout+l2+none": [("dropout", {"keep_prob": 0.9, "mask": "fresh"}), ("l2", {"lambd": 0.2}), ("none", {})],
    "early_stopping": [("early_stopping", {"patience": 2})],
    "early_stopping+l2": [("early_stopping", {}), ("l2", {"lambd": 0.7})],
    "l1+l2": [("l1", {"lambd": 0.6}), ("l2", {"lambd": 0.9})],
    "l2 layers=1+2 + l1 layers=3": [("l2", {"lambd": 1.1, "layers": "1+2"}), ("l1", {"lambd": 0.8, "layers": "3"})],
    "every built-in": [("none", {}), ("l2", {"lambd": 0.5}), ("l1", {"lambd": 0.3}),
                       ("dropout", {"keep_prob": 0.8, "mask": "fresh"}), ("early_stopping", {})],
    # the test plugins of the version-2 hooks
    "gaussian_noise": [("gaussian_noise", {"sigma": 0.5})],
    "input_noise": [("input_noise", {"sigma": 0.4})],
    "input_noise+l2+dropout": [("input_noise", {"sigma": 0.2}), ("l2", {"lambd": 0.4}),
                               ("dropout", {"keep_prob": 0.8, "mask": "fresh"})],
    "gaussian_noise+dropout": [("dropout", {"keep_prob": 0.8, "mask": "fresh"}), ("gaussian_noise", {"sigma": 0.3})],
    "bias_decay": [("bias_decay", {"lambd": 2.0})],
    "activation_sparsity": [("activation_sparsity", {"beta": 0.5})],
    "activation_sparsity+noise+dropout": [("gaussian_noise", {"sigma": 0.2}), ("activation_sparsity", {"beta": 0.5}),
                                          ("dropout", {"keep_prob": 0.7, "mask": "fresh"})],
    "version_one+l2": [("version_one", {"lambd": 0.4}), ("l2", {"lambd": 0.3})],
}


@pytest.fixture(scope="module")
def registry():
    return hook_plugins.registry()


@pytest.mark.parametrize("name", list(COMBINATIONS))
def test_backprop_matches_finite_differences(name, registry, small_data):
    check = check_gradients(small_data, [registry.activate(n, v) for n, v in COMBINATIONS[name]])
    assert check.passed, check.summary()
    assert check.largest < TOLERANCE / 10  # with a margin: the check is not on the edge
    assert np.linalg.norm(check.analytic) > 1e-3  # and not vacuous
    assert [e.layer for e in check.layers] == [1, 2, 3]


def test_a_wrong_gradient_fails_with_a_report_naming_the_layer(registry, small_data):
    check = check_gradients(small_data, [registry.activate("half_gradient", {"lambd": 2.0})])
    assert not check.passed
    assert check.largest > 1e-3
    assert check.summary().startswith("gradient check failed: the largest relative error is ")
    assert "(tolerance 1e-05)" in check.summary()
    assert all(e.biases < TOLERANCE for e in check.layers)  # it only gets the weights wrong


class DerivativeAfterTransforms(Training):
    """The core before version 2: relu'(Z) read from the hidden activations *after* every ``transform_hidden``
    (the masks are taken again at the end of the forward pass, once the transforms have run)."""

    def _iteration_ops(self, check):
        forward, backward = super()._iteration_ops(check)
        two_d = (lambda a: a[0]) if self.models == 1 else (lambda a: a)
        forward += [partial(np.greater, two_d(A), 0, two_d(mask)) for A, mask in zip(self.activations, self.masks)]
        return forward, backward


def test_the_relu_derivative_from_before_the_transforms_is_what_makes_noise_on_hidden_units_right(
        registry, small_data, monkeypatch):
    noise = [registry.activate("gaussian_noise", {"sigma": 0.5})]
    dropout = [registry.activate("dropout", {"keep_prob": 0.7, "mask": "fresh"})]
    right, right_dropout = check_gradients(small_data, noise), check_gradients(small_data, dropout)
    monkeypatch.setattr(regcore.testing, "Training", DerivativeAfterTransforms)
    old, old_dropout = check_gradients(small_data, noise), check_gradients(small_data, dropout)
    assert right.passed and not old.passed and old.largest > 1e-2  # noise flips signs: the old way was wrong
    # dropout only zeroes units, so both conventions give the same gradient, digit for digit
    assert right_dropout.passed
    np.testing.assert_array_equal(old_dropout.analytic, right_dropout.analytic)


def test_noise_on_hidden_units_trains_and_each_model_of_a_batch_gets_its_single_runs_numbers(registry, small_data):
    noise = [registry.activate("gaussian_noise", {"sigma": 0.4})]
    batch = Training(small_data, iterations=200, seeds=(3, 8), regularizers=noise).run()
    single = Training(small_data, iterations=200, seeds=(8,), regularizers=noise).run()
    np.testing.assert_allclose(batch.parameters[1], single.parameters[0], rtol=1e-10, atol=1e-12)
    assert not np.allclose(batch.parameters[0], batch.parameters[1])


def test_l2_gradient_differs_from_plain_by_lambda_over_m_times_w(registry, small_data):
    plain = check_gradients(small_data, [])
    l2 = check_gradients(small_data, [registry.activate("l2", {"lambd": 0.5})])
    training = Training(small_data, hidden=(6, 4), seeds=(5,))
    weights = training.layout.weight_count
    m = small_data.X_train.shape[1]
    np.testing.assert_allclose(l2.analytic[:weights] - plain.analytic[:weights], 0.5 / m * training.flat[0, :weights],
                               rtol=1e-9, atol=1e-15)
    np.testing.assert_array_equal(l2.analytic[weights:], plain.analytic[weights:])


def test_regcore_gradcheck_prints_each_layer_and_exits_0_when_right():
    done = run_cli("gradcheck", "--reg", "l2:lambd=0.7", "--reg", "dropout:keep_prob=0.8,mask=fresh",
                   "--data", "moons:n=60,seed=3", "--hidden", "5,3")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Gradient check of l2 + dropout on moons (n=60, seed=3), hidden 5,3:"
    assert [line.split()[:2] for line in lines[1:4]] == [["layer", "1"], ["layer", "2"], ["layer", "3"]]
    assert lines[4].startswith("gradient check passed: ")
    report = json.loads(run_cli("gradcheck", "--json", "--data", "moons:n=60,seed=3").stdout)
    assert report["passed"] and report["tolerance"] == TOLERANCE and len(report["layers"]) == 3


def test_regcore_gradcheck_exits_2_with_one_line_for_a_wrong_gradient(registry, capsys, monkeypatch):
    from regcore.cli import main

    monkeypatch.setattr("regcore.cli.load_registry", lambda: registry)
    assert main(["gradcheck", "--reg", "half_gradient", "--data", "moons:n=60,seed=3"]) == 2
    out, err = capsys.readouterr()
    assert "layer 1  weights " in out
    assert err.count("\n") == 1
    assert err.startswith("regcore: error: gradient check failed: the largest relative error is ")
