"""Building blocks of networks: activations, losses, initialisers, penalties and layers."""

from ._activations import ACTIVATIONS, Activation, get_activation
from ._flat import FlatParameters
from ._initializers import INITIALIZERS, get_initializer
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
    Sequential,
)
from ._losses import LOSSES, Loss, get_loss
from ._penalties import (
    PENALTIES,
    add_penalty_gradient,
    check_penalty,
    penalty_value_and_gradient,
)

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "LOSSES",
    "PENALTIES",
    "Activation",
    "ActivationLayer",
    "BatchNorm",
    "Conv2D",
    "Dense",
    "Dropout",
    "FlatParameters",
    "Flatten",
    "Layer",
    "Loss",
    "Pool2D",
    "Reshape",
    "Sequential",
    "add_penalty_gradient",
    "check_penalty",
    "get_activation",
    "get_initializer",
    "get_loss",
    "penalty_value_and_gradient",
]
