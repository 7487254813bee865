"""Version-1 plugins keep working: the example package's L1 as it shipped before version 2 of the contract
(`version_one_l1`, kept verbatim), whose ``penalty(weights)`` and ``add_gradients(weights, grads)`` know
nothing of biases. (The package's other two plugins, max-norm and the checkerboard, are unchanged since
then and tested by its own tests, run by test_plugin_install.py; `hook_plugins.VersionOne` is a second
version-1 plugin.)"""

import numpy as np

import version_one_l1
from regcore.plugins import ALLOW_ENV, load_registry
from regcore.regularizer import ActiveRegularizer
from regcore.testing import check_gradients
from regcore.training import Training

OLD_L1 = version_one_l1.L1


def old_l1(lambd):
    return ActiveRegularizer(OLD_L1, {"lambd": lambd}, "the example package before version 2")


def test_it_is_written_to_version_1():
    assert not {"biases", "bias_grads"} & set(OLD_L1.penalty.__code__.co_varnames + OLD_L1.add_gradients.__code__.co_varnames)
    assert not any(OLD_L1.overrides(m) for m in ("hidden_penalty", "hidden_gradient", "after_record", "transform_inputs"))


def test_it_trains_exactly_like_the_built_in_l1_it_became(registry, small_data):
    settings = dict(iterations=600, record_every=50, seeds=(3, 7))
    old = Training(small_data, regularizers=[old_l1([0.3, 1.5])], **settings).run()
    new = Training(small_data, regularizers=[registry.activate("l1", {"lambd": [0.3, 1.5]})], **settings).run()
    np.testing.assert_allclose(old.history["cost"], new.history["cost"], rtol=1e-12)
    np.testing.assert_allclose(old.parameters, new.parameters, rtol=1e-12, atol=1e-15)
    assert old.history["penalty"][-1].min() > 0


def test_it_passes_the_gradient_check_alone_and_beside_version_2_built_ins(registry, small_data):
    for regularizers in ([old_l1(0.8)], [old_l1(0.5), registry.activate("l2", {"lambd": 0.4}),
                                         registry.activate("dropout", {"keep_prob": 0.8})]):
        check = check_gradients(small_data, regularizers)
        assert check.passed, check.summary()
        assert check.largest < 1e-6


def test_under_its_own_name_it_yields_to_the_built_in_and_says_so(small_data):
    """Its entry point was called l1, which is now a built-in's name: the built-in keeps it (the first to
    register a name does), the old plugin is listed as skipped with that reason, and ``--reg l1`` —
    what its users typed — trains with the built-in, the same formula (above)."""
    registry = load_registry(extra=[("l1", version_one_l1)], environ={ALLOW_ENV: "l1"})
    old = next(p for p in registry.plugins if p.package == "code")
    assert (old.status, old.reason) == ("skipped", "its name is already used by built-in plugin 'l1'")
    assert registry.regularizer("l1").plugin.builtin
