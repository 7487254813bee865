"""L2 regularization (weight decay): cost + lambd/(2m)·ΣW², gradient + lambd/m·W, as in the notebook.

``layers`` chooses the weight layers it applies to (all by default, the notebook's penalty).
"""

import numpy as np

from regcore import Param, Regularizer, hookimpl
from regcore.fast import WeightTerm
from regcore.params import ALL_LAYERS, LAYERS, selected_layers


class L2(Regularizer):
    name = "l2"
    label = "L2 (weight decay)"
    help = ("Adds lambd/(2m) times the sum of the squared weights to the cost, which pulls every weight "
            "towards zero in proportion to its size. Larger lambd gives a smoother decision boundary: "
            "less variance, more bias.")
    params = (Param("lambd", "float", 0.7, low=0.0, high=1e6, help="Strength of the penalty (lambda)."), LAYERS)

    def setup(self):
        m = self.context.examples
        lambd = self.values["lambd"].reshape(-1, 1)
        mask = self.context.weight_mask(self.values.get("layers", ALL_LAYERS))
        self._layers = selected_layers(self.values.get("layers", ALL_LAYERS), len(self.context.layer_sizes) - 1)
        self._grad_coefficient = lambd / m          # the notebook's lambd/m
        if mask is not None:
            self._grad_coefficient = self._grad_coefficient * mask  # 0 on the layers left alone
        self._cost_coefficient = 1.0 / m * lambd / 2  # the notebook's (1./m*lambd/2)
        self._scratch = None

    def penalty(self, weights):
        squares = sum(np.add.reduce(np.square(weights[l]).reshape(len(weights[l]), -1), axis=1) for l in self._layers)
        return self._cost_coefficient[:, 0] * squares

    def add_gradients(self, weights, grads):
        if self._scratch is None:
            self._scratch = np.empty(weights.flat.shape)
        np.multiply(self._grad_coefficient, weights.flat, out=self._scratch)
        np.add(grads.flat, self._scratch, out=grads.flat)

    def kernel_terms(self):
        return (WeightTerm("l2", self._grad_coefficient),)


@hookimpl
def register_regularizers(register):
    register(L2)
