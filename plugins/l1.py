"""L1 regularization: cost + lambd/m * sum|W|, gradient + lambd/m * sign(W).

It pulls every weight towards zero by the same amount whatever its size, so small weights reach
zero and stay there (sign(0) = 0): a sparse network. ``layers`` chooses the weight layers it
applies to (all by default).
"""

import numpy as np

from regcore import Param, Regularizer, hookimpl
from regcore.fast import WeightTerm
from regcore.params import ALL_LAYERS, LAYERS


class L1(Regularizer):
    name = "l1"
    label = "L1 (sparsity)"
    help = ("Adds lambd/m times the sum of the absolute weights to the cost: every weight is pulled "
            "towards zero by the same amount, so many end at exactly zero. Larger lambd gives a "
            "sparser network.")
    params = (Param("lambd", "float", 0.01, low=0.0, high=1e6, help="Strength of the penalty (lambda)."), LAYERS)

    def setup(self):
        self._coefficient = self.values["lambd"].reshape(-1, 1) / self.context.examples  # (K, 1)
        mask = self.context.weight_mask(self.values.get("layers", ALL_LAYERS))
        if mask is not None:
            self._coefficient = self._coefficient * mask  # (K, total): 0 on the layers left alone
        self._scratch = None

    def penalty(self, weights):
        if self._coefficient.shape[1] == 1:
            return self._coefficient[:, 0] * np.add.reduce(np.abs(weights.flat), axis=1)
        return np.add.reduce(self._coefficient * np.abs(weights.flat), axis=1)

    def add_gradients(self, weights, grads):
        if self._scratch is None:
            self._scratch = np.empty(weights.flat.shape)
        np.sign(weights.flat, out=self._scratch)
        np.multiply(self._scratch, self._coefficient, out=self._scratch)
        np.add(grads.flat, self._scratch, out=grads.flat)

    def kernel_terms(self):
        return (WeightTerm("l1", self._coefficient),)


@hookimpl
def register_regularizers(register):
    register(L1)
