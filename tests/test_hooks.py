"""The version-2 hooks at work: the run's generators' draws (more to come: biases, data-aware penalties, run control)."""

import numpy as np
import pytest

from regcore import ModelRandom


# ------------------------------------------------------------------ the run's random generators


def test_any_generator_method_draws_per_model_and_a_model_of_a_sweep_gets_its_single_runs_numbers():
    batch, single = ModelRandom([4, 9, 2]), ModelRandom([9])
    for method, arguments in (("normal", {"loc": 1.0, "scale": 2.0}), ("binomial", {"n": 1, "p": 0.3}),
                              ("standard_normal", {}), ("random", {})):
        drawn = batch.draw(method, (3, 5), **arguments)
        assert drawn.shape == (3, 3, 5)
        np.testing.assert_array_equal(drawn[1], single.draw(method, (3, 5), **arguments)[0])
    expected = np.random.default_rng(9)
    np.testing.assert_array_equal(ModelRandom([9]).draw("normal", (2,), scale=3.0)[0], expected.normal(scale=3.0, size=2))


def test_draw_into_fills_in_place_and_restore_repeats_the_draws():
    random = ModelRandom([1, 2])
    state = random.state()
    out = np.empty((2, 4, 3))
    assert random.draw_into("standard_normal", out) is out
    first = out.copy()
    assert random.draw_into("gamma", np.empty((2, 4, 3)), shape=2.0).shape == (2, 4, 3)  # not in place: copied in
    random.restore(state)
    np.testing.assert_array_equal(random.draw_into("standard_normal", out), first)
    np.testing.assert_array_equal(first, ModelRandom([1, 2]).draw("standard_normal", (4, 3)))


def test_an_unknown_generator_method_is_one_line():
    with pytest.raises(ValueError, match=r"^numpy.random.Generator has no method 'gaussian'$"):
        ModelRandom([1]).draw("gaussian", (2,))
