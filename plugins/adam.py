"""Adam (Kingma & Ba 2015), with bias correction.

    m <- beta1 m + (1 - beta1) g            v <- beta2 v + (1 - beta2) g**2
    m_hat = m / (1 - beta1**t)              v_hat = v / (1 - beta2**t)
    W <- W - lr * m_hat / (sqrt(v_hat) + eps)

t counts updates from 1. Written as in-place calls on preallocated arrays; the bias corrections are
(K, 1) numbers updated once per iteration, so each model of a sweep may have its own betas.
"""

from functools import partial

import numpy as np

from regcore import Optimizer, Param, hookimpl


class Adam(Optimizer):
    name = "adam"
    label = "Adam"
    help = ("Scales each parameter's step by a running estimate of its gradient's size, with momentum: "
            "steps of about lr whatever the gradient's scale. With Adam, L2 is not weight decay "
            "(compare adamw).")
    params = (
        Param("beta1", "float", 0.9, low=0.0, high=1.0, high_open=True,
              help="Decay of the first-moment (mean) estimate."),
        Param("beta2", "float", 0.999, low=0.0, high=1.0, high_open=True,
              help="Decay of the second-moment (uncentred variance) estimate."),
        Param("eps", "float", 1e-8, low=0.0, low_open=True, log=True,
              help="Added to sqrt(v_hat) so the step stays finite."),
    )

    def setup(self):
        v = self.values
        self._beta1, self._beta2, self._eps = v["beta1"], v["beta2"], v["eps"]
        self._one_minus_beta1, self._one_minus_beta2 = 1.0 - self._beta1, 1.0 - self._beta2
        shape = self._beta1.shape  # (K, 1)
        self._power1, self._power2 = np.ones(shape), np.ones(shape)   # beta**t
        self._step, self._correction2 = np.empty(shape), np.empty(shape)

    def values_changed(self):
        # beta**t goes on from the powers reached: the bias corrections fade as they would have
        np.subtract(1.0, self._beta1, self._one_minus_beta1)
        np.subtract(1.0, self._beta2, self._one_minus_beta2)

    def plan(self, parameters, gradients):
        m, v, scratch = np.zeros_like(parameters), np.zeros_like(parameters), np.empty_like(parameters)
        step, correction2 = self._step, self._correction2
        return [
            # the moments: m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g*g (g overwritten)
            partial(np.multiply, m, self._beta1, m),
            partial(np.multiply, gradients, self._one_minus_beta1, scratch),
            partial(np.add, m, scratch, m),
            partial(np.multiply, gradients, gradients, gradients),
            partial(np.multiply, v, self._beta2, v),
            partial(np.multiply, gradients, self._one_minus_beta2, gradients),
            partial(np.add, v, gradients, v),
            # bias corrections: step = lr / (1 - beta1**t), correction2 = 1 - beta2**t
            partial(np.multiply, self._power1, self._beta1, self._power1),
            partial(np.multiply, self._power2, self._beta2, self._power2),
            partial(np.subtract, 1.0, self._power1, step),
            partial(np.divide, self.learning_rate, step, step),
            partial(np.subtract, 1.0, self._power2, correction2),
            # W -= step * m / (sqrt(v / correction2) + eps)
            partial(np.divide, v, correction2, gradients),
            partial(np.sqrt, gradients, gradients),
            partial(np.add, gradients, self._eps, gradients),
            partial(np.divide, m, gradients, gradients),
            partial(np.multiply, gradients, step, gradients),
            partial(np.subtract, parameters, gradients, parameters),
        ]


@hookimpl
def register_optimizers(register):
    register(Adam)
