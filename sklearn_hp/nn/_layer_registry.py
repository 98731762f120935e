"""The registry of network layers (the estimators assemble them; no hyperparameter names one)."""

from .._registry import Registry
from . import _layers

__all__ = ["LAYERS"]

LAYERS = Registry("layer", _layers.Layer, description="network layers", hyperparameter=False)
for _name, _cls in [("dense", _layers.Dense), ("activation", _layers.ActivationLayer),
                    ("dropout", _layers.Dropout), ("batch_norm", _layers.BatchNorm),
                    ("conv2d", _layers.Conv2D), ("pool2d", _layers.Pool2D),
                    ("reshape", _layers.Reshape), ("flatten", _layers.Flatten)]:
    LAYERS.register(_name, _cls)
