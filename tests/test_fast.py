"""The compiled path (`regcore.fast`) runs the same planned iteration as the NumPy path: every built-in
configuration gives the NumPy path's costs and accuracies, a third-party Python hook falls back, and
changes, early stopping, divergence and the gradient check behave the same. The NumPy path itself is
held to the notebook by test_seed_reproduction and to finite differences by test_gradients."""

from __future__ import annotations

import numpy as np
import pytest

from regcore import Regularizer, TrainingError, fast
from regcore.datasets import resolve_data
from regcore.regularizer import ActiveRegularizer
from regcore.testing import check_gradients
from regcore.training import Training

pytest.importorskip("numba")

BUILT_INS = {
    "none": [],
    "l2": [("l2", {"lambd": 0.7})],
    "l1": [("l1", {"lambd": 0.05})],
    "dropout fresh": [("dropout", {"keep_prob": 0.86, "mask": "fresh"})],
    "dropout course": [("dropout", {"keep_prob": 0.86, "mask": "course"})],
    "l2+dropout": [("l2", {"lambd": 0.7}), ("dropout", {"keep_prob": 0.86, "mask": "course"})],
    "l2 first layer+fresh+early stopping": [("l2", {"lambd": 1.5, "layers": "1"}),
                                            ("dropout", {"keep_prob": 0.8, "mask": "fresh"}), ("early_stopping", {})],
}


@pytest.fixture(autouse=True, scope="module")
def kernel_loaded():
    """The kernel loaded before these tests: a background load still under way (a window's `warm_up` in
    an earlier test) would have their runs train the first chunks on NumPy, mixing the two paths."""
    assert fast.wait_for_kernel() is not None, fast.status()


def train(monkeypatch, flag, data, regs, registry=None, *, compiled=None, **settings):
    monkeypatch.setenv(fast.ENV, flag)
    regularizers = [registry.activate(n, v) for n, v in regs] if registry else regs
    training = Training(data, regularizers=regularizers, **settings)
    if compiled is not None:
        assert (training._compiled is not None) == compiled
    return training, training.run()


def assert_same(a, b):
    for name in ("cost", "penalty", "test_cost", "train_loss"):
        np.testing.assert_allclose(b.history[name], a.history[name], rtol=1e-12, atol=0, err_msg=name)
    assert np.array_equal(a.train_accuracy, b.train_accuracy)
    assert np.array_equal(a.test_accuracy, b.test_accuracy)
    np.testing.assert_allclose(b.parameters, a.parameters, rtol=1e-12, atol=1e-300)
    assert np.array_equal(a.stopped_at, b.stopped_at) and a.iterations_done == b.iterations_done


@pytest.fixture(scope="module")
def default_data(registry):
    return resolve_data(None, registry)


@pytest.mark.parametrize("name", list(BUILT_INS))
def test_each_built_in_gives_the_numpy_paths_numbers_on_the_course_data(name, monkeypatch, registry, football):
    _, numpy_run = train(monkeypatch, "0", football, BUILT_INS[name], registry, compiled=False, iterations=6000)
    _, fast_run = train(monkeypatch, "1", football, BUILT_INS[name], registry, compiled=True, iterations=6000)
    assert_same(numpy_run, fast_run)


@pytest.mark.parametrize("name", ["none", "l2", "dropout fresh", "l2+dropout"])
def test_each_built_in_gives_the_numpy_paths_numbers_on_the_default_data(name, monkeypatch, registry, default_data):
    _, numpy_run = train(monkeypatch, "0", default_data, BUILT_INS[name], registry, iterations=3000, record_every=70)
    _, fast_run = train(monkeypatch, "1", default_data, BUILT_INS[name], registry, compiled=True, iterations=3000,
                        record_every=70)
    assert_same(numpy_run, fast_run)


def test_a_batch_on_the_fast_path_gives_each_models_single_run(monkeypatch, registry, small_data):
    lambdas, keeps = [0.0, 0.5, 2.0], [0.9, 0.7, 0.8]
    regs = [("l2", {"lambd": lambdas}), ("dropout", {"keep_prob": keeps, "mask": "fresh"})]
    _, batch = train(monkeypatch, "1", small_data, regs, registry, compiled=True, iterations=800, seeds=(3, 4, 5),
                     learning_rate=[0.3, 0.2, 0.1])
    for k, (seed, lambd, keep, rate) in enumerate(zip((3, 4, 5), lambdas, keeps, (0.3, 0.2, 0.1))):
        single = [("l2", {"lambd": lambd}), ("dropout", {"keep_prob": keep, "mask": "fresh"})]
        _, alone = train(monkeypatch, "0", small_data, single, registry, iterations=800, seeds=(seed,),
                         learning_rate=rate)
        np.testing.assert_allclose(batch.history["cost"][:, k], alone.history["cost"][:, 0], rtol=1e-10)
        assert batch.test_accuracy[k] == alone.test_accuracy[0]


NOTEBOOK_SETTINGS = {"none": [], "l2": [("l2", {"lambd": 0.7})],
                     "dropout": [("dropout", {"keep_prob": 0.86, "mask": "course"})]}


@pytest.mark.parametrize("name", list(NOTEBOOK_SETTINGS))
def test_the_loop_kernel_keeps_the_notebooks_settings_within_1e_12_and_their_accuracies(
        name, monkeypatch, registry, football):
    """Batches run the loop kernel (not NumPy's digits), except for unregularized models (chaotic: they run
    exact): on the notebook's three settings, over its 30,000 iterations, every recorded cost within 1e-12
    relative of the NumPy path and every accuracy the same."""
    settings = dict(iterations=30000, seeds=(3, 3), record_every=1000)
    _, numpy_run = train(monkeypatch, "0", football, NOTEBOOK_SETTINGS[name], registry, **settings)
    training, loop_run = train(monkeypatch, "1", football, NOTEBOOK_SETTINGS[name], registry, compiled=True,
                               **settings)
    assert list(training._compiled.exact) == [name == "none"] * 2
    np.testing.assert_allclose(loop_run.history["cost"], numpy_run.history["cost"], rtol=1e-12, atol=0)
    assert np.array_equal(loop_run.train_accuracy, numpy_run.train_accuracy)
    assert np.array_equal(loop_run.test_accuracy, numpy_run.test_accuracy)


@pytest.mark.parametrize("name", ["l2", "l1", "l2+dropout", "l2 first layer+fresh+early stopping"])
def test_a_loop_kernel_batch_stays_close_to_the_numpy_path_on_other_settings(name, monkeypatch, registry, default_data):
    settings = dict(iterations=3000, seeds=(3, 4), record_every=100)
    _, numpy_run = train(monkeypatch, "0", default_data, BUILT_INS[name], registry, **settings)
    _, loop_run = train(monkeypatch, "1", default_data, BUILT_INS[name], registry, compiled=True, **settings)
    # fresh masks: a flipped mask grows; the rest: rounding, whose growth depends on the processor's vector
    # width (the loop kernel sums in its SIMD lanes): L2 + dropout stayed within 1e-9 where this was written, 1.7e-9 on
    # an AMD EPYC
    tolerance = 1e-3 if "fresh" in name else 1e-8
    np.testing.assert_allclose(loop_run.history["cost"], numpy_run.history["cost"], rtol=tolerance)
    if "fresh" not in name:
        assert np.array_equal(loop_run.test_accuracy, numpy_run.test_accuracy)


def test_a_models_numbers_do_not_depend_on_its_batch(monkeypatch, registry, small_data):
    """The loop kernel's arithmetic is per model: the same model in another batch, in another place, is the same
    to the last bit (so a sweep's grouping, and the threads, change nothing)."""
    regs = [("l2", {"lambd": [0.0, 0.5, 2.0]}), ("dropout", {"keep_prob": [0.9, 0.7, 0.8], "mask": "fresh"})]
    _, three = train(monkeypatch, "1", small_data, regs, registry, compiled=True, iterations=1500, seeds=(3, 4, 5))
    regs = [("l2", {"lambd": [2.0, 0.0]}), ("dropout", {"keep_prob": [0.8, 0.9], "mask": "fresh"})]
    _, two = train(monkeypatch, "1", small_data, regs, registry, compiled=True, iterations=1500, seeds=(5, 3))
    assert np.array_equal(three.parameters[[2, 0]], two.parameters)
    assert np.array_equal(three.history["cost"][:, [2, 0]], two.history["cost"])


def test_a_diverging_batch_stops_at_the_same_iteration_with_the_same_message(monkeypatch, small_data):
    messages = []
    for flag in "01":
        monkeypatch.setenv(fast.ENV, flag)
        training = Training(small_data, iterations=500, learning_rate=[1e4, 1e4], seeds=(3, 4), record_every=100)
        with pytest.raises(TrainingError) as caught:
            training.run()
        messages.append((str(caught.value), training.iteration))
    assert messages[0] == messages[1]


def test_fresh_masks_take_the_same_draws_so_the_generators_end_in_the_same_state(monkeypatch, registry, small_data):
    regs = BUILT_INS["dropout fresh"]
    a, _ = train(monkeypatch, "0", small_data, regs, registry, iterations=1234, record_every=100)
    b, _ = train(monkeypatch, "1", small_data, regs, registry, compiled=True, iterations=1234, record_every=100)
    assert a.context.random.state() == b.context.random.state()


class PythonL2(Regularizer):
    """A third-party regularizer: L2 written as a plugin author would, with no compiled terms."""

    name = "python_l2"

    def penalty(self, weights):
        return sum(np.sum(W * W, axis=(1, 2)) for W in weights) * self.values["lambd"][:, 0, 0] / (2 * self.context.examples)

    def add_gradients(self, weights, grads):
        for W, dW in zip(weights, grads):
            dW += self.values["lambd"] / self.context.examples * W


def test_a_third_party_python_regularizer_falls_back_and_trains_as_l2(monkeypatch, registry, small_data):
    ours = [ActiveRegularizer(PythonL2, {"lambd": 0.7}, origin="a test")]
    _, python_run = train(monkeypatch, "1", small_data, ours, compiled=False, iterations=2000)
    _, built_in = train(monkeypatch, "1", small_data, BUILT_INS["l2"], registry, compiled=True, iterations=2000)
    np.testing.assert_allclose(python_run.history["cost"], built_in.history["cost"], rtol=1e-10)
    assert np.array_equal(python_run.test_accuracy, built_in.test_accuracy)


def test_a_subclass_that_changes_a_hook_of_a_built_in_falls_back(monkeypatch, registry, small_data):
    class HalfL2(registry.activate("l2", {"lambd": 1.0}).cls):
        def add_gradients(self, weights, grads):  # its own gradient: the parent's kernel terms no longer say it
            grads.flat[...] += 0.5 * self._grad_coefficient * weights.flat

    monkeypatch.setenv(fast.ENV, "1")
    training = Training(small_data, iterations=10, regularizers=[ActiveRegularizer(HalfL2, {"lambd": 1.0})])
    assert training._compiled is None


def test_a_kernel_terms_that_raises_ends_the_run_naming_its_plugin(monkeypatch, registry, small_data):
    class Broken(registry.activate("l2", {"lambd": 1.0}).cls):
        def add_gradients(self, weights, grads):  # its own hooks, so its own kernel_terms is asked
            super().add_gradients(weights, grads)

        def kernel_terms(self):
            raise ZeroDivisionError("bad luck")

    monkeypatch.setenv(fast.ENV, "1")
    with pytest.raises(TrainingError, match="failed in kernel_terms at iteration 0: ZeroDivisionError: bad luck"):
        Training(small_data, iterations=10, regularizers=[ActiveRegularizer(Broken, {"lambd": 1.0})]).run()


def test_scheduled_and_live_changes_happen_at_the_same_iterations_on_both_paths(monkeypatch, registry, small_data):
    l2 = [registry.activate("l2", {"lambd": 2.0})]
    dropout = [registry.activate("dropout", {"keep_prob": 0.7, "mask": "fresh"})]
    runs = []
    for flag in "01":
        monkeypatch.setenv(fast.ENV, flag)
        training = Training(small_data, iterations=3000, record_every=100, changes=[(1234, 0.1, l2)],
                            regularizers=[registry.activate("none", {})])
        for progress in training.steps(report_every=500):
            if progress.iteration == 2000:
                training.change(0.2, dropout, what="dropout")
        runs.append((training.applied, training.result()))
        assert training._compiled is not None if flag == "1" else training._compiled is None
    (applied_a, a), (applied_b, b) = runs
    assert applied_a == applied_b == [(2000, "dropout")]
    assert_same(a, b)


def test_early_stopping_stops_the_same_models_at_the_same_records(monkeypatch, registry, small_data):
    regs = [("early_stopping", {"patience": 3}), ("l2", {"lambd": [0.0, 0.2, 3.0]})]
    # a batch with early stopping runs exact: the loop kernel's last bits could flip a tie on the plateau
    _, a = train(monkeypatch, "0", small_data, regs, registry, iterations=20000, record_every=50, seeds=(3, 4, 5))
    training, b = train(monkeypatch, "1", small_data, regs, registry, compiled=True, iterations=20000,
                        record_every=50, seeds=(3, 4, 5))
    assert training._compiled.exact.all()
    assert (a.stopped_at >= 0).any()  # the test means something: some model did stop
    assert_same(a, b)
    assert np.array_equal(a.kept_from, b.kept_from)


def test_divergence_is_reported_at_the_same_iteration_with_the_same_message(monkeypatch, small_data):
    messages = []
    for flag in "01":
        monkeypatch.setenv(fast.ENV, flag)
        training = Training(small_data, iterations=500, learning_rate=1e4, record_every=100)
        with pytest.raises(TrainingError) as caught:
            training.run()
        messages.append((str(caught.value), training.iteration))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("regs", [BUILT_INS["l2"], BUILT_INS["dropout fresh"], BUILT_INS["l2+dropout"],
                                  [("l1", {"lambd": 0.4}), ("l2", {"lambd": 0.3})]])
def test_the_kernels_gradient_passes_the_gradient_check(regs, monkeypatch, registry, small_data):
    monkeypatch.setenv(fast.ENV, "1")
    used = []
    original = fast.CompiledIteration.gradient
    monkeypatch.setattr(fast.CompiledIteration, "gradient", lambda self: (used.append(1), original(self))[1])
    check = check_gradients(small_data, [registry.activate(n, v) for n, v in regs])
    assert used and check.passed, check.summary()
    assert check.largest < 1e-6


def test_without_the_kernel_the_numpy_path_runs(monkeypatch, registry, small_data):
    _, expected = train(monkeypatch, "0", small_data, BUILT_INS["l2"], registry, iterations=600)
    monkeypatch.setattr(fast, "kernel", lambda wait=True: None)  # numba missing, or still compiling
    _, got = train(monkeypatch, "1", small_data, BUILT_INS["l2"], registry, iterations=600)
    assert_same(expected, got)


def test_regcore_fast_0_keeps_the_numpy_path_and_says_so(monkeypatch, registry, small_data):
    monkeypatch.setenv(fast.ENV, "0")
    assert Training(small_data, iterations=100000)._compiled is None
    assert "REGCORE_FAST=0" in fast.status()
    monkeypatch.delenv(fast.ENV)
    assert Training(small_data, iterations=100)._compiled is None  # too short to gain
    assert Training(small_data, iterations=30000)._compiled is not None
    batch = Training(small_data, iterations=30000, seeds=(3, 4), regularizers=[registry.activate("l2", {"lambd": 1.0})])._compiled
    assert batch is not None and not batch.exact.any() and batch.parallel  # batches: the loop kernel, over the cores


def test_warm_up_returns_at_once_and_repeated_calls_are_harmless():
    fast.warm_up()
    fast.warm_up()
    assert fast.kernel() is not None
    assert fast.status().startswith("the compiled kernel")


def test_mini_batches_keep_the_numpy_path(monkeypatch, small_data):
    monkeypatch.setenv(fast.ENV, "1")
    assert Training(small_data, iterations=100, batch_size=16)._compiled is None


@pytest.mark.parametrize("n_out, n_in, transposed", [(20, 2, False), (3, 20, False), (1, 3, False), (20, 3, True),
                                                     (3, 1, True), (7, 4, False), (5, 9, True)])
def test_a_product_runs_as_a_loop_only_where_it_gives_blas_digits(n_out, n_in, transposed):
    from regcore import kernel

    mode = fast.product_mode(n_out, n_in, 211, transposed)
    assert mode == kernel.BLAS or n_in <= fast.LOOP_TERMS
    rng = np.random.default_rng(99)
    for _ in range(5):
        W = rng.normal(size=(n_in, n_out)).T if transposed else rng.normal(size=(n_out, n_in))
        A = rng.exponential(size=(n_in, 211)) - 0.5
        out = np.empty((n_out, 211))
        kernel._product(W, A, mode, out)
        assert np.array_equal(out, np.dot(W, A))


def test_a_sweep_the_kernel_serves_trains_in_this_process_and_equals_single_runs(monkeypatch, registry, small_data):
    from regcore.config import RunConfig
    from regcore.sweep import Axis, Sweep, plan

    monkeypatch.setenv(fast.ENV, "1")
    base = RunConfig(iterations=1500, record_every=100, regularizers=(("l2", {"lambd": 0.0}),))
    points = plan(base, [Axis("l2", "lambd", (0.0, 0.4, 1.5, 3.0))])
    sweep = Sweep(points, small_data, registry)
    result = sweep.run()
    assert sweep.jobs == 1 and result.jobs == 1  # the kernel's threads, not worker processes
    for point in result.points:
        lambd = point.point.config.regularizers[0][1]["lambd"]
        _, alone = train(monkeypatch, "0", small_data, [("l2", {"lambd": lambd})], registry, iterations=1500,
                         record_every=100)
        np.testing.assert_allclose(point.cost, alone.history["cost"][:, 0], rtol=1e-10)
        assert point.test_accuracy == alone.test_accuracy[0] and point.train_accuracy == alone.train_accuracy[0]
