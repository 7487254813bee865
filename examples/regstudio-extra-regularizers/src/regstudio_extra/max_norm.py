"""Max-norm: after every update, scale each unit's incoming weight vector back to length c at most.

A constraint rather than a penalty: it adds nothing to the cost or the gradient, it only projects
the weights back into a ball after each gradient-descent step (Srivastava et al., 2014, pair it with
dropout). It therefore uses the `after_update` hook, which the built-in regularizers do not need.
"""

import numpy as np

from regcore import Param, Regularizer, hookimpl


class MaxNorm(Regularizer):
    name = "max_norm"
    label = "Max-norm constraint"
    help = ("After every update, rescales each unit's incoming weights so their length is at most c. "
            "Smaller c constrains more; the cost is unchanged.")
    params = (Param("c", "float", 1.0, low=0.0, high=1e3, low_open=True, log=True,
                    help="Largest allowed length of a unit's incoming weight vector."),)

    def after_update(self, weights, biases):
        c = self.values["c"]  # (K, 1, 1): broadcasts against each layer's (K, n_out, 1) norms
        for W in weights:  # W is (K, n_out, n_in); row j holds unit j's incoming weights
            norms = np.sqrt(np.square(W).sum(axis=2, keepdims=True))
            W *= np.minimum(1.0, c / np.maximum(norms, 1e-12))  # in place: W is a view of the parameters


@hookimpl
def register_regularizers(register):
    register(MaxNorm)
