"""The registry of network layers (the estimators assemble them; no hyperparameter names one).

Layers are built around learned arrays, so each is registered with an ``example``:
``example(rng)`` returns a small layer and an input for the contract battery.
"""

import numpy as np

from .._registry import Registry
from . import _layers

__all__ = ["LAYERS"]

LAYERS = Registry("layer", _layers.Layer, description="network layers", hyperparameter=False)


def _images(rng):
    return rng.randn(2, 4, 4, 1)


LAYERS.register("dense", _layers.Dense, example=lambda rng: (
    _layers.Dense(rng.randn(3, 2), rng.randn(2)), rng.randn(4, 3)))
LAYERS.register("activation", _layers.ActivationLayer, example=lambda rng: (
    _layers.ActivationLayer("tanh", inplace=True), rng.randn(4, 3)))
LAYERS.register("dropout", _layers.Dropout, example=lambda rng: (
    _layers.Dropout(0.5, mask=(rng.rand(4, 3) > 0.5) / 0.5), rng.randn(4, 3)))
LAYERS.register("batch_norm", _layers.BatchNorm, example=lambda rng: (
    _layers.BatchNorm(rng.rand(3) + 0.5, rng.randn(3), np.zeros(3), np.ones(3)),
    rng.randn(6, 3)))
LAYERS.register("conv2d", _layers.Conv2D, example=lambda rng: (
    _layers.Conv2D(rng.randn(2, 2, 1, 2), rng.randn(2), padding="same"), _images(rng)))
LAYERS.register("pool2d", _layers.Pool2D, example=lambda rng: (
    _layers.Pool2D(2, mode="max"), _images(rng)))
LAYERS.register("reshape", _layers.Reshape, example=lambda rng: (
    _layers.Reshape((2, 3)), rng.randn(4, 6)))
LAYERS.register("flatten", _layers.Flatten, example=lambda rng: (
    _layers.Flatten(), _images(rng)))
