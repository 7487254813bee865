"""The ``transform_inputs`` hook: it sees each iteration's per-model training inputs, never the clean passes."""

import numpy as np

from regcore import Regularizer, hookimpl
from regcore.plugins import ALLOW_ENV, load_registry
from regcore.training import Training

SEEN = []


class InputNoise(Regularizer):
    """Gaussian input noise from the run's generators (a test plugin, like a third party would write it)."""

    name = "input_noise"

    def transform_inputs(self, inputs):
        SEEN.append(inputs.shape)
        for generator, model_inputs in zip(self.context.random.generators, inputs):
            model_inputs += generator.normal(0.0, 0.3, model_inputs.shape)


class Identity(Regularizer):
    name = "identity_inputs"

    def transform_inputs(self, inputs):
        return inputs.copy()  # a returned array is copied in, like transform_hidden's


class Plugin:
    @hookimpl
    def register_regularizers(self, register):
        register(InputNoise)
        register(Identity)


def registry():
    return load_registry(extra=[("inputs", Plugin())], environ={ALLOW_ENV: "inputs"})  # not other installed ones


def test_the_hook_sees_per_model_inputs_of_the_iterations_batch(small_data):
    SEEN.clear()
    Training(small_data, iterations=3, seeds=(1, 2), batch_size=8,
             regularizers=[registry().activate("input_noise")]).run()
    assert SEEN == [(2, 2, 8)] * 4  # three iterations, and the training pass of the record at the end
    SEEN.clear()
    Training(small_data, iterations=2, regularizers=[registry().activate("input_noise")]).run()
    assert SEEN == [(1, 2, small_data.X_train.shape[1])] * 3


def test_an_identity_transform_trains_like_no_transform(small_data):
    plain = Training(small_data, iterations=300, seeds=(1, 2)).run()
    same = Training(small_data, iterations=300, seeds=(1, 2), regularizers=[registry().activate("identity_inputs")]).run()
    np.testing.assert_allclose(same.history["cost"], plain.history["cost"], rtol=1e-10)
    np.testing.assert_allclose(same.parameters, plain.parameters, rtol=1e-10, atol=1e-13)


def test_the_test_pass_and_the_recorded_clean_loss_stay_clean(small_data):
    plain = Training(small_data, iterations=1, record_every=1)
    noisy = Training(small_data, iterations=1, record_every=1, regularizers=[registry().activate("input_noise")])
    plain.run(), noisy.run()
    clean, transformed = plain.history.records[0], noisy.history.records[0]
    assert transformed.test_cost == clean.test_cost and transformed.train_loss == clean.train_loss
    assert transformed.cost != clean.cost  # the training pass did see the noise
    # and the inputs the core keeps are the data's, untouched
    np.testing.assert_array_equal(noisy.X, small_data.X_train)


def test_noisy_inputs_are_reproducible_from_the_seed_and_differ_between_seeds(small_data):
    def run(seed):
        return Training(small_data, iterations=50, seeds=(seed,), regularizers=[registry().activate("input_noise")]).run()

    np.testing.assert_array_equal(run(3).parameters, run(3).parameters)
    assert not np.array_equal(run(3).parameters, run(4).parameters)
