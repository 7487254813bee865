# The example package's L1 plugin exactly as it shipped before version 2 of the plugin contract
# (examples/regstudio-extra-regularizers/src/regstudio_extra/l1.py at commit f610be1, before L1 became
# a built-in): tests/test_version_one.py checks that it still loads, trains and passes the gradient check.
"""L1 regularization: cost + lambd/m·Σ|W|, gradient + lambd/m·sign(W).

Where L2 shrinks every weight in proportion to its size, L1 pulls each one towards zero by the same
amount, so weights that matter little end up near zero and the network becomes sparse.
"""

import numpy as np

from regcore import Param, Regularizer, hookimpl


class L1(Regularizer):
    name = "l1"
    label = "L1 (sparsity)"
    help = ("Adds lambd/m times the sum of the absolute weights to the cost, which pulls every weight "
            "towards zero by the same amount: unimportant weights end up near zero.")
    params = (Param("lambd", "float", 0.05, low=0.0, high=1e3, log=True, help="Strength of the penalty."),)

    def setup(self):
        # values["lambd"] is (K, 1, 1), one value per model of the run; weights.flat is (K, total).
        self._coefficient = self.values["lambd"].reshape(-1, 1) / self.context.examples  # (K, 1)
        self._step = None

    def penalty(self, weights):
        return self._coefficient[:, 0] * np.abs(weights.flat).sum(axis=1)  # (K,)

    def add_gradients(self, weights, grads):
        if self._step is None:  # one buffer for the whole run: no allocation per iteration
            self._step = np.empty(weights.flat.shape)
        np.sign(weights.flat, out=self._step)
        self._step *= self._coefficient
        grads.flat += self._step  # in place: grads.flat is a view of the gradient the core applies


@hookimpl
def register_regularizers(register):
    register(L1)
