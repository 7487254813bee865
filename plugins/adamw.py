"""AdamW (Loshchilov & Hutter 2019): Adam with weight decay decoupled from the gradient.

    W <- W - lr * (m_hat / (sqrt(v_hat) + eps) + weight_decay * W)

applied to the weights (not the biases, which L2 leaves alone too), with the decay scaled by the
learning rate as PyTorch's AdamW does. L2 adds lambd/m W to the gradient, which Adam then rescales
per parameter; weight decay here shrinks every weight by the same factor, whatever its gradient.
"""

from functools import partial

import numpy as np

from regcore import Param, hookimpl
from regstudio_plugins.adam import Adam


class AdamW(Adam):
    name = "adamw"
    label = "AdamW (decoupled weight decay)"
    help = ("Adam plus weight decay applied to the weights directly, not through the gradient: every "
            "weight shrinks by lr * weight_decay of itself each step. Larger weight_decay regularizes more.")
    params = Adam.params + (
        Param("weight_decay", "float", 0.01, low=0.0, help="Fraction of each weight removed per unit of lr."),
    )

    def setup(self):
        super().setup()
        self._keep = 1.0 - self.learning_rate * self.values["weight_decay"]  # (K, 1)

    def values_changed(self):
        super().values_changed()
        np.subtract(1.0, self.learning_rate * self.values["weight_decay"], self._keep)

    def plan(self, parameters, gradients):
        weights = parameters[:, self.weight_columns()]
        # decaying first uses the weights before the step, as the formula does (the Adam step does not read W)
        return [partial(np.multiply, weights, self._keep, weights)] + super().plan(parameters, gradients)


@hookimpl
def register_optimizers(register):
    register(AdamW)
