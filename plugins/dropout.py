"""Inverted dropout on every hidden layer: keep each unit with probability keep_prob, scale by 1/keep_prob.

``mask=fresh`` draws new masks every iteration from the run's generator; ``mask=course`` follows the
notebook: the legacy RNG re-seeded with 1 at every forward pass, so every iteration uses the same
masks (hidden layer 1's drawn first), which is what reproduces the notebook's numbers. Those masks
are one per training point of the whole set, so ``mask=course`` refuses mini-batches.
"""

import numpy as np

from regcore import Param, ParamError, Regularizer, hookimpl
from regcore.fast import HiddenDropout


class Dropout(Regularizer):
    name = "dropout"
    label = "Dropout"
    help = ("During training, switches off each hidden unit with probability 1 - keep_prob and scales "
            "the survivors by 1/keep_prob, so no unit can rely on any other. Smaller keep_prob "
            "regularizes more.")
    params = (
        Param("keep_prob", "float", 0.86, low=0.0, high=1.0, low_open=True,
              help="Probability of keeping a hidden unit."),
        Param("mask", "choice", "fresh", choices=("fresh", "course"),
              help="fresh: new masks every iteration; course: the notebook's fixed masks (seed 1)."),
    )

    def setup(self):
        ctx = self.context
        self._keep = self.values["keep_prob"]
        self._fresh = self.values["mask"] == "fresh"
        if not self._fresh and ctx.batch_size != ctx.examples:
            raise ParamError("dropout's mask=course fixes one mask per point of the whole training set; "
                             "with mini-batches use mask=fresh")
        shapes = {layer: (ctx.models, ctx.layer_sizes[layer], ctx.batch_size) for layer in ctx.hidden_layers}
        if self._fresh:  # drawn anew every iteration into these buffers
            self._masks = {layer: np.empty(shape, dtype=bool) for layer, shape in shapes.items()}
            self._uniform = {layer: np.empty(shape) for layer, shape in shapes.items()}
        else:  # fixed masks: store them as 0.0/1.0, which multiplies faster than bool and gives the same values
            state = np.random.RandomState(1)
            self._masks = {layer: (state.rand(n, m) < self._keep).astype(float) for layer, (_, n, m) in shapes.items()}

    def transform_hidden(self, layer, activations):
        mask = self._masks[layer]
        if self._fresh:
            uniform = self.context.random.random_into(self._uniform[layer])
            np.less(uniform, self._keep, out=mask)
        np.multiply(activations, mask, out=activations)
        np.divide(activations, self._keep, out=activations)

    def backward_hidden(self, layer, gradients):
        np.multiply(gradients, self._masks[layer], out=gradients)
        np.divide(gradients, self._keep, out=gradients)

    def kernel_terms(self):
        masks = None if self._fresh else tuple(self._masks[layer] for layer in self.context.hidden_layers)
        return (HiddenDropout(self._keep, masks),)


@hookimpl
def register_regularizers(register):
    register(Dropout)
