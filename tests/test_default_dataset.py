"""The default data set teaches the notebook's lesson: the plain network overfits, L2 and dropout help."""

import pytest

from regcore.config import RunConfig
from regcore.datasets import DEFAULT_SOURCE, resolve_data

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gaps(registry):
    data = resolve_data(None, registry)
    out = {}
    for name, regs in (("none", ()), ("l2", (("l2", {}),)), ("dropout", (("dropout", {}),))):
        result = RunConfig(regularizers=regs).build(registry, data).run()
        out[name] = (float(result.train_accuracy[0]), float(result.test_accuracy[0]))
    return out


def test_default_source_is_a_built_in_generator(registry):
    data = resolve_data(None, registry)
    assert data.X_train.shape == (2, 80) and data.X_test.shape == (2, 80)
    assert DEFAULT_SOURCE.startswith("moons:")


def test_the_unregularized_network_overfits_by_at_least_two_points(gaps):
    train, test = gaps["none"]
    assert train - test >= 0.02


@pytest.mark.parametrize("regularizer", ["l2", "dropout"])
def test_each_default_regularizer_narrows_the_gap_and_helps_the_test_set(gaps, regularizer):
    train, test = gaps[regularizer]
    plain_train, plain_test = gaps["none"]
    assert train - test < plain_train - plain_test
    assert test > plain_test
