"""Per-model training sets (``Training(samples=...)``): each model of a batch equals its single run on
a data set built from its own resample — full batch and mini-batches, with L2 and with dropout's fresh
masks — its reported training figures are its sample's, and bad samples are one-line errors."""

from __future__ import annotations

import numpy as np
import pytest

from regcore.data import Dataset
from regcore.errors import ParamError
from regcore.training import Training

SEEDS = (3, 4, 5)


def _resamples(data, models=len(SEEDS), seed=11):
    return np.random.default_rng(seed).integers(0, data.X_train.shape[1], size=(models, data.X_train.shape[1]))


def _resample(data, sample):
    return Dataset("resample", data.X_train[:, sample], data.Y_train[:, sample], data.X_test, data.Y_test)


def _regularizers(registry, case, per_model):
    if case == "l2":
        return [registry.activate("l2", {"lambd": per_model((0.0, 0.5, 2.0))})]
    return [registry.activate("dropout", {"keep_prob": per_model((0.9, 0.8, 0.7)), "mask": "fresh"})]


@pytest.mark.parametrize("batch_size", [None, 32])
@pytest.mark.parametrize("case", ["l2", "dropout"])
def test_each_model_equals_its_single_run_on_its_resample(registry, small_data, case, batch_size):
    samples = _resamples(small_data)
    batch = Training(small_data, iterations=300, record_every=50, seeds=SEEDS, batch_size=batch_size,
                     regularizers=_regularizers(registry, case, lambda values: values), samples=samples).run()
    for k, seed in enumerate(SEEDS):
        single = Training(_resample(small_data, samples[k]), iterations=300, record_every=50, seeds=(seed,),
                          batch_size=batch_size,
                          regularizers=_regularizers(registry, case, lambda values: values[k])).run()
        np.testing.assert_allclose(batch.parameters[k], single.parameters[0], rtol=1e-10, atol=1e-13)
        for curve in ("cost", "train_loss", "test_cost"):
            np.testing.assert_allclose(batch.history[curve][:, k], single.history[curve][:, 0], rtol=1e-10)
        assert batch.train_accuracy[k] == single.train_accuracy[0]
        assert batch.test_accuracy[k] == single.test_accuracy[0]
        assert batch.final_cost[k] == pytest.approx(single.final_cost[0], rel=1e-10)


def test_the_models_differ_when_their_resamples_do_and_not_otherwise(registry, small_data):
    samples = _resamples(small_data)
    same = np.tile(samples[:1], (3, 1))
    runs = [Training(small_data, iterations=200, seeds=(1, 1, 1), samples=s).run() for s in (samples, same)]
    assert not np.allclose(runs[0].parameters[0], runs[0].parameters[1])
    assert np.array_equal(runs[1].parameters[0], runs[1].parameters[2])


def test_the_whole_training_set_as_every_sample_equals_the_shared_fast_path(registry, small_data):
    m = small_data.X_train.shape[1]
    everything = np.tile(np.arange(m), (2, 1))
    shared, own = (Training(small_data, iterations=200, seeds=(1, 2), samples=s).run() for s in (None, everything))
    np.testing.assert_allclose(own.parameters, shared.parameters, rtol=1e-10, atol=1e-13)
    assert np.array_equal(own.train_accuracy, shared.train_accuracy)


def test_early_stopping_watches_each_models_own_sample(registry, small_data):
    samples = _resamples(small_data)
    stop = lambda: [registry.activate("early_stopping", {"watch": "train_loss", "patience": 2})]  # noqa: E731
    batch = Training(small_data, iterations=3000, record_every=100, seeds=SEEDS, learning_rate=1.5,
                     regularizers=stop(), samples=samples).run()
    assert (batch.stopped_at >= 0).sum() >= 2  # the test means something only if models do stop
    for k, seed in enumerate(SEEDS):
        single = Training(_resample(small_data, samples[k]), iterations=3000, record_every=100, seeds=(seed,),
                          learning_rate=1.5, regularizers=stop()).run()
        assert batch.stopped_at[k] == single.stopped_at[0] and batch.kept_from[k] == single.kept_from[0]


@pytest.mark.parametrize("samples, message", [
    (np.zeros((2, 5), dtype=int), "samples must be a (3, m) integer array"),
    (np.zeros((3, 5)), "samples must be a (3, m) integer array"),
    (np.full((3, 5), 10_000), "samples must index the"),
    (np.full((3, 5), -1), "samples must index the"),
])
def test_bad_samples_are_one_line_errors(small_data, samples, message):
    with pytest.raises(ParamError) as caught:
        Training(small_data, iterations=5, seeds=SEEDS, samples=samples)
    assert message in str(caught.value) and "\n" not in str(caught.value)
