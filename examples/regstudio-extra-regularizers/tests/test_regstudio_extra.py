"""Tests of the example plugins. Run them after installing the package: ``pip install . && pytest``.

They go through RegStudio's real plugin loading (the entry points in pyproject.toml), so they also
check that the package is installed and declared correctly. The plugins are written to version 1 of
the Regularizer interface (penalty(weights), add_gradients(weights, grads)), which keeps working.
"""

import json
import subprocess
import sys

import numpy as np
import pytest

from regcore.datasets import resolve_data
from regcore.plugins import load_registry
from regcore.testing import check_gradients
from regcore.training import Training

PACKAGE = "regstudio-extra-regularizers"


@pytest.fixture(scope="module")
def registry():
    return load_registry(environ={})  # ignore REGCORE_LOAD_PLUGINS: these tests need the plugins


@pytest.fixture(scope="module")
def data(registry):
    return resolve_data("moons:n=80,noise=0.2,seed=2", registry)


def test_the_entry_points_load_and_provide_what_they_declare(registry):
    plugins = {p.name: p for p in registry.plugins if p.package == PACKAGE}
    assert {name: (p.status, p.reason, p.provides) for name, p in plugins.items()} == {
        "max_norm": ("loaded", "", ["max_norm"]), "checkerboard": ("loaded", "", ["checkerboard"])}


@pytest.mark.parametrize("regularizers", [
    [("max_norm", {"c": 2.0})],
    [("l1", {"lambd": 0.3}), ("max_norm", {"c": 1.5}), ("dropout", {"keep_prob": 0.8, "mask": "fresh"})],
], ids=["max_norm", "built-in l1+max_norm+dropout"])
def test_the_gradients_pass_regcores_gradient_check(registry, data, regularizers):
    check = check_gradients(data, [registry.activate(name, values) for name, values in regularizers])
    assert check.passed, check.summary()


def test_regcore_gradcheck_passes_on_the_checkerboard():
    done = subprocess.run([sys.executable, "-m", "regcore", "gradcheck", "--reg", "l1:lambd=0.5",
                           "--data", "checkerboard:n=120,cells=2"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "gradient check passed" in done.stdout


def test_max_norm_keeps_every_unit_within_c(registry, data):
    def longest_row(c=None):
        regs = [registry.activate("max_norm", {"c": c})] if c else []
        training = Training(data, iterations=1500, regularizers=regs)
        training.run()
        return max(np.sqrt(np.square(W[0]).sum(axis=1)).max() for W in training.weights)

    assert longest_row() > 1.0  # unconstrained, some unit's weights grow beyond the bound used below
    assert longest_row(c=0.8) <= 0.8 + 1e-12


def test_max_norm_values_may_differ_per_model(registry, data):
    training = Training(data, iterations=300, seeds=(3, 3),
                        regularizers=[registry.activate("max_norm", {"c": [0.5, 2.0]})])
    training.run()
    longest = [max(np.sqrt(np.square(W[k]).sum(axis=1)).max() for W in training.weights) for k in (0, 1)]
    assert longest[0] <= 0.5 + 1e-12 < longest[1]


def test_checkerboard_is_reproducible_and_balanced(registry):
    a = resolve_data("checkerboard:n=400,cells=2,noise=0,seed=5", registry)
    b = resolve_data("checkerboard:n=400,cells=2,noise=0,seed=5", registry)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert a.X_train.shape == (2, 200) and a.X_test.shape == (2, 200)
    # without noise, a 2x2 board puts class 1 exactly in the quadrants where x and y differ in sign
    X = np.concatenate([a.X_train, a.X_test], axis=1)
    Y = np.concatenate([a.Y_train, a.Y_test], axis=1)[0]
    np.testing.assert_array_equal(Y, (X[0] * X[1] < 0).astype(float))


def test_the_command_line_trains_with_them_beside_a_built_in():
    command = ["train", "--reg", "l1:lambd=0.1", "--reg", "max_norm:c=2", "--data", "checkerboard:cells=2",
               "--iterations", "300", "--record-every", "100", "--json"]
    done = subprocess.run([sys.executable, "-m", "regcore", *command], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [r["name"] for r in report["config"]["regularizers"]] == ["l1", "max_norm"]  # l1 is RegStudio's
    assert report["costs"][-1][1] < report["costs"][0][1]
