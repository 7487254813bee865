"""Gradient descent with momentum, as the course writes it: v <- beta v + (1 - beta) dW, W <- W - lr v.

The velocity v starts at zero, so the first steps are short (no bias correction, as in the course).
"""

from functools import partial

import numpy as np

from regcore import Optimizer, Param, hookimpl


class Momentum(Optimizer):
    name = "momentum"
    label = "Momentum"
    help = ("Moves along an exponentially weighted average of past gradients, which damps oscillation "
            "across a valley and speeds travel along it. Larger beta averages over more iterations.")
    params = (Param("beta", "float", 0.9, low=0.0, high=1.0, high_open=True,
                    help="Weight of the past velocity (0 is plain gradient descent)."),)

    def setup(self):
        self._beta = self.values["beta"]
        self._one_minus_beta = 1.0 - self._beta

    def values_changed(self):
        np.subtract(1.0, self._beta, self._one_minus_beta)

    def plan(self, parameters, gradients):
        velocity = np.zeros_like(parameters)
        return [partial(np.multiply, velocity, self._beta, velocity),
                partial(np.multiply, gradients, self._one_minus_beta, gradients),
                partial(np.add, velocity, gradients, velocity),
                partial(np.multiply, velocity, self.learning_rate, gradients),
                partial(np.subtract, parameters, gradients, parameters)]


@hookimpl
def register_optimizers(register):
    register(Momentum)
