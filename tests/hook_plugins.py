"""Test plugins for the version-2 hooks: noise on hidden units and on the inputs, bias and activation penalties, a wrong
gradient, and a plugin written to the version-1 interface. `registry()` loads them next to the built-ins."""

from __future__ import annotations

import numpy as np

from regcore import Param, Regularizer, hookimpl
from regcore.plugins import ALLOW_ENV, load_registry


class GaussianNoise(Regularizer):
    """Adds sigma * N(0, 1) to every hidden activation (after the ReLU): a transform that changes signs."""

    name = "gaussian_noise"
    params = (Param("sigma", "float", 0.5, low=0.0),)

    def setup(self):
        ctx = self.context  # buffers shaped by the training pass's points: b, which mini-batches make < m
        self._noise = {layer: np.empty((ctx.models, ctx.layer_sizes[layer], ctx.batch_size))
                       for layer in ctx.hidden_layers}

    def transform_hidden(self, layer, activations):
        noise = self.context.random.draw_into("standard_normal", self._noise[layer])
        noise *= self.values["sigma"]
        activations += noise  # d(A + noise)/dA = 1: no backward_hidden needed


class InputNoise(Regularizer):
    """Adds sigma * N(0, 1) to the training pass's inputs, sigma per model (``transform_inputs``)."""

    name = "input_noise"
    params = (Param("sigma", "float", 0.3, low=0.0),)

    def transform_inputs(self, inputs):
        for generator, sigma, model_inputs in zip(self.context.random.generators, self.values["sigma"], inputs):
            model_inputs += sigma * generator.standard_normal(model_inputs.shape)


class BiasDecay(Regularizer):
    """Version 2: L2 on the weights and the biases, cost + lambd/(2m) (ΣW² + Σb²)."""

    name = "bias_decay"
    params = (Param("lambd", "float", 0.5, low=0.0),)

    def setup(self):
        self._c = self.values["lambd"][:, :, 0] / self.context.examples  # (K, 1)

    def penalty(self, weights, biases):
        return self._c[:, 0] / 2 * ((weights.flat ** 2).sum(axis=1) + (biases.flat ** 2).sum(axis=1))

    def add_gradients(self, weights, grads, biases, bias_grads):
        grads.flat += self._c * weights.flat
        bias_grads.flat += self._c * biases.flat


class ActivationSparsity(Regularizer):
    """Data-aware: cost + beta/m · Σ A² over the training pass's hidden activations, on points of class 1 only."""

    name = "activation_sparsity"
    params = (Param("beta", "float", 0.3, low=0.0),)

    def hidden_penalty(self, layer, activations, labels):
        weighted = activations ** 2 * labels  # labels (1, m) broadcast over (K, n, m)
        return self.values["beta"][:, 0, 0] / self.context.examples * weighted.sum(axis=(1, 2))

    def hidden_gradient(self, layer, activations, labels, gradients):
        gradients += self.values["beta"] / self.context.examples * 2 * activations * labels


class HalfGradient(Regularizer):
    """Deliberately wrong: penalises lambd/(2m)·ΣW² but adds only half of its derivative."""

    name = "half_gradient"
    params = (Param("lambd", "float", 1.0, low=0.0),)

    def penalty(self, weights):
        return self.values["lambd"][:, 0, 0] / (2 * self.context.examples) * (weights.flat ** 2).sum(axis=1)

    def add_gradients(self, weights, grads):
        grads.flat += 0.5 * self.values["lambd"][:, :, 0] / self.context.examples * weights.flat


class VersionOne(Regularizer):
    """Written to the version-1 interface: penalty(weights) and add_gradients(weights, grads) only."""

    name = "version_one"
    params = (Param("lambd", "float", 0.4, low=0.0),)

    def penalty(self, weights):
        return self.values["lambd"][:, 0, 0] / (2 * self.context.examples) * (weights.flat ** 2).sum(axis=1)

    def add_gradients(self, weights, grads):
        grads.flat += self.values["lambd"][:, :, 0] / self.context.examples * weights.flat


class StopAt(Regularizer):
    """Run control: stops each model at the first record at or after its iteration ``at``, keeping what it has."""

    name = "stop_at"
    params = (Param("at", "int", 100, low=0),)

    def after_record(self, record, control):
        control.stop(record.iteration >= self.values["at"].reshape(-1))


PLUGINS = (GaussianNoise, InputNoise, BiasDecay, ActivationSparsity, HalfGradient, VersionOne, StopAt)


class Plugin:
    @hookimpl
    def register_regularizers(self, register):
        for cls in PLUGINS:
            register(cls)


def registry():
    """The built-ins and these plugins only: not whatever else is installed (which might take their names)."""
    return load_registry(extra=[("hook_plugins", Plugin())], environ={ALLOW_ENV: "hook_plugins"})
