"""Per-layer penalties: a ``"layers"`` Param (``l2:lambd=0.7,layers=1+2``) parsed, validated and
described once in `regcore.params`, applied by the built-in L2 and L1 to the chosen layers only."""

import json

import numpy as np
import pytest

from conftest import run_cli
from regcore.errors import ParamError
from regcore.params import LAYERS, Param, parse_assignments, selected_layers
from regcore.testing import TOLERANCE, check_gradients
from regcore.training import Training


@pytest.mark.parametrize("text, value", [("all", "all"), ("ALL", "all"), ("2", "2"), ("2+1", "1+2"), (" 3 + 1 ", "1+3")])
def test_a_layer_selection_is_parsed_to_one_spelling(text, value):
    assert LAYERS.parse(text) == value
    assert LAYERS.validate([2, 1]) == "1+2"  # as a JSON file may hold it


@pytest.mark.parametrize("text", ["", "0", "1+1", "1,2", "x", "1+", "-1", "1.5"])
def test_a_bad_layer_selection_says_what_is_allowed_in_one_line(text):
    with pytest.raises(ParamError) as raised:
        LAYERS.parse(text)
    assert "\n" not in str(raised.value) and "all or weight-layer numbers joined by +" in str(raised.value)


def test_selected_layers_are_zero_based_and_bounded_by_the_network():
    assert selected_layers("all", 3) == (0, 1, 2) and selected_layers("1+3", 3) == (0, 2)
    with pytest.raises(ParamError, match="the network has 3 weight layers"):
        selected_layers("4", 3)


def test_the_declaration_is_described_and_not_swept(registry):
    l2 = registry.regularizer("l2").obj
    assert parse_assignments("lambd=0.5,layers=2+1", l2.params, "l2") == {"lambd": 0.5, "layers": "1+2"}
    assert parse_assignments("", l2.params, "l2")["layers"] == "all"
    described = Param("layers", "layers", "1").describe()
    assert described["kind"] == "layers" and described["default"] == "1" and "joined by +" in described["allowed"]
    from regcore.sweep import value_range
    with pytest.raises(ParamError, match="only numeric parameters can be swept"):
        value_range(LAYERS, 1, 2, 2)


def _final_weights(registry, data, regularizers, iterations=300):
    run = Training(data, regularizers=[registry.activate(n, v) for n, v in regularizers], seeds=[3], iterations=iterations,
                   hidden=(6, 4), learning_rate=0.3)
    run.run()
    return [np.array(W) for W in run.weights]


@pytest.mark.parametrize("name, lambd", [("l2", 0.7), ("l1", 0.9)])
def test_all_layers_is_the_default_and_gives_the_same_digits(name, lambd, registry, small_data):
    default = _final_weights(registry, small_data, [(name, {"lambd": lambd})])
    every = _final_weights(registry, small_data, [(name, {"lambd": lambd, "layers": "1+2+3"})])
    for a, b in zip(default, every):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name, lambd", [("l2", 5.0), ("l1", 5.0)])
def test_a_penalty_on_one_layer_leaves_the_others_as_without_it(name, lambd, registry, small_data):
    plain = _final_weights(registry, small_data, [("none", {})], iterations=1)
    first = _final_weights(registry, small_data, [(name, {"lambd": lambd, "layers": "1"})], iterations=1)
    every = _final_weights(registry, small_data, [(name, {"lambd": lambd})], iterations=1)
    # one update: the layers left alone moved exactly as without the penalty, layer 1 moved as with it
    np.testing.assert_array_equal(first[1], plain[1])
    np.testing.assert_array_equal(first[2], plain[2])
    np.testing.assert_allclose(first[0], every[0], rtol=1e-12)
    assert not np.allclose(first[0], plain[0])


@pytest.mark.parametrize("regularizers", [
    [("l2", {"lambd": 1.1, "layers": "2"})],
    [("l1", {"lambd": 0.9, "layers": "1+3"})],
    [("l2", {"lambd": 0.6, "layers": "1"}), ("l1", {"lambd": 0.4, "layers": "2+3"})],
])
def test_per_layer_penalties_pass_the_gradient_check(regularizers, registry, small_data):
    check = check_gradients(small_data, [registry.activate(n, v) for n, v in regularizers])
    assert check.passed, check.summary()
    assert check.largest < TOLERANCE / 10


def test_the_cli_takes_layers_and_refuses_a_layer_the_network_lacks_in_one_line(tmp_path):
    done = run_cli("train", "--reg", "l2:lambd=0.7,layers=1+2", "--iterations", "200", "--json", "--quiet")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["config"]["regularizers"] == [{"name": "l2", "params": {"lambd": 0.7, "layers": "1+2"}}]
    for reg, message in [("l2:layers=4", "the network has 3 weight layers"),
                         ("l1:layers=0", "expected all or weight-layer numbers joined by +")]:
        done = run_cli("train", "--reg", reg, "--iterations", "20", "--quiet")
        assert done.returncode == 2 and message in done.stdout + done.stderr
        assert len((done.stdout + done.stderr).strip().splitlines()) == 1
    done = run_cli("gradcheck", "--reg", "l2:lambd=0.9,layers=2", "--reg", "l1:lambd=0.5,layers=1+3")
    assert done.returncode == 0, done.stdout
