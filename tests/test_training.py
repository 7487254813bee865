"""The training loop: determinism, recording, stepping, cancelling, divergence, batches."""

import threading

import numpy as np
import pytest

import plain_network
from regcore import TrainingError
from regcore.training import Training


def test_same_configuration_and_seed_give_identical_results(registry, small_data):
    def run():
        regs = [registry.activate("dropout", {"keep_prob": 0.8}), registry.activate("l2", {"lambd": 0.3})]
        return Training(small_data, iterations=500, record_every=50, regularizers=regs).run()

    first, second = run(), run()
    np.testing.assert_array_equal(first.parameters, second.parameters)
    np.testing.assert_array_equal(first.history["cost"], second.history["cost"])


def test_different_seeds_give_different_networks(small_data):
    a = Training(small_data, iterations=10, seeds=(1,)).run()
    b = Training(small_data, iterations=10, seeds=(2,)).run()
    assert not np.array_equal(a.parameters, b.parameters)


def test_global_numpy_rng_is_untouched(registry, small_data):
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    Training(small_data, iterations=20, regularizers=[registry.activate("dropout", {"mask": "course"})]).run()
    Training(small_data, iterations=20, regularizers=[registry.activate("dropout", {"mask": "fresh"})]).run()
    assert np.random.rand() == expected


@pytest.mark.parametrize("every, expected", [(1, list(range(8))), (3, [0, 3, 6, 7]), (7, [0, 7]), (1000, [0, 7])])
def test_cost_is_recorded_every_n_iterations_from_zero_and_at_the_end(small_data, every, expected):
    result = Training(small_data, iterations=7, record_every=every).run()
    assert result.history["iterations"].tolist() == expected
    assert result.history["cost"].shape == (len(expected), 1)
    assert np.all(np.isfinite(result.history["test_cost"]))


def _plain_loss(parameters, sizes, X, Y):
    """Cross-entropy by the independent transcription in `plain_network`."""
    return plain_network.loss(parameters, sizes, X, Y)


@pytest.mark.parametrize("iterations, every", [(100, 10), (100, 100), (100, 30), (1, 100), (37, 5)])
def test_the_last_record_is_the_parameters_the_run_ends_with(small_data, iterations, every):
    result = Training(small_data, iterations=iterations, record_every=every).run()
    assert result.history["iterations"].tolist() == [*range(0, iterations, every), iterations]
    sizes = result.layout.sizes
    assert result.history["train_loss"][-1, 0] == pytest.approx(
        _plain_loss(result.parameters[0], sizes, small_data.X_train, small_data.Y_train), rel=1e-9)
    assert result.history["test_cost"][-1, 0] == pytest.approx(
        _plain_loss(result.parameters[0], sizes, small_data.X_test, small_data.Y_test), rel=1e-9)


def test_steps_report_at_the_chosen_interval_and_can_resume(small_data):
    training = Training(small_data, iterations=100, record_every=10)
    steps = training.steps(report_every=25)
    first = next(steps)
    assert (first.iteration, first.iterations) == (25, 100)
    assert [r[0] for r in first.new_records] == [0, 10, 20]
    rest = list(steps)
    assert [p.iteration for p in rest] == [50, 75, 100]
    assert training.completed
    straight = Training(small_data, iterations=100, record_every=10).run()
    np.testing.assert_array_equal(training.result().parameters, straight.parameters)


def test_cancel_stops_between_iterations(small_data):
    cancel = threading.Event()
    training = Training(small_data, iterations=10_000)
    for progress in training.steps(report_every=10, cancel=cancel):
        if progress.iteration == 30:
            cancel.set()
    result = training.result()
    assert result.iterations_done == 30
    assert not result.completed


def test_divergence_names_the_iteration_and_suggests_a_smaller_learning_rate(small_data):
    with pytest.raises(TrainingError) as caught:
        Training(small_data, learning_rate=1e6, iterations=1000).run()
    message = str(caught.value)
    assert f"iteration {caught.value.iteration}" in message
    assert "smaller learning rate" in message
    assert caught.value.iteration < 1000
    assert "\n" not in message


def test_a_batch_of_models_equals_the_single_runs(registry, small_data):
    lambdas, seeds = [0.0, 0.5, 2.0], [3, 4, 5]
    batch = Training(small_data, iterations=300, record_every=50, seeds=seeds,
                     regularizers=[registry.activate("l2", {"lambd": lambdas})]).run()
    for k, (lambd, seed) in enumerate(zip(lambdas, seeds)):
        single = Training(small_data, iterations=300, record_every=50, seeds=(seed,),
                          regularizers=[registry.activate("l2", {"lambd": lambd})]).run()
        np.testing.assert_allclose(batch.history["cost"][:, k], single.history["cost"][:, 0], rtol=1e-10)
        np.testing.assert_allclose(batch.parameters[k], single.parameters[0], rtol=1e-10, atol=1e-14)
        assert batch.test_accuracy[k] == single.test_accuracy[0]


def test_empty_test_set_gives_nan_test_figures_not_warnings(registry):
    from regcore import Dataset

    data = Dataset.checked("train only", [[0, 0], [1, 1], [0, 1], [1, 0]], [0, 0, 1, 1], np.zeros((0, 2)), [])
    with np.errstate(all="raise"):
        result = Training(data, iterations=5).run()
    assert np.isnan(result.test_accuracy[0]) and np.isnan(result.history["test_cost"][0, 0])


def test_a_run_cancelled_before_its_first_iteration_still_has_a_result(small_data):
    cancel = threading.Event()
    cancel.set()
    result = Training(small_data, iterations=100, seeds=(1, 2)).run(cancel=cancel)
    assert result.iterations_done == 0 and not result.completed
    assert result.history["cost"].shape == (0, 2)
