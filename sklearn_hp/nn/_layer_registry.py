"""The registry of network layers (the estimators assemble them; no hyperparameter names one)."""

from .._registry import Registry
from ._layers import (
    ActivationLayer,
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Layer,
    Pool2D,
    Reshape,
)

__all__ = ["LAYERS"]

LAYERS = Registry("layer", Layer, description="network layers", hyperparameter=False)
LAYERS.register("dense", Dense)
LAYERS.register("activation", ActivationLayer)
LAYERS.register("dropout", Dropout)
LAYERS.register("batch_norm", BatchNorm)
LAYERS.register("conv2d", Conv2D)
LAYERS.register("pool2d", Pool2D)
LAYERS.register("reshape", Reshape)
LAYERS.register("flatten", Flatten)
