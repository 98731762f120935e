"""Building blocks of networks: activations, losses, initialisers, penalties and layers.

``sklearn_hp.nn`` holds the blocks (as ``torch.nn`` does); ``sklearn_hp.neural_network``
holds the estimators built from them (as ``sklearn.neural_network`` does).
"""

from ._activations import (
    ACTIVATIONS,
    ELU,
    GELU,
    Activation,
    Identity,
    LeakyReLU,
    Logistic,
    ReLU,
    Softplus,
    Tanh,
    get_activation,
)
from ._flat import FlatParameters
from ._initializers import (
    INITIALIZERS,
    FixedScale,
    Initializer,
    VarianceScaling,
    Zeros,
    get_initializer,
)
from ._layer_registry import LAYERS
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
from ._losses import (
    LOSSES,
    AbsoluteError,
    Hinge,
    Huber,
    LogLoss,
    Loss,
    SquaredError,
    SquaredHinge,
    get_loss,
)
from ._penalties import (
    L1,
    L2,
    PENALTIES,
    ElasticNet,
    Penalty,
    add_penalty_gradient,
    penalty_value_and_gradient,
)

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "GELU",
    "INITIALIZERS",
    "L1",
    "L2",
    "LAYERS",
    "LOSSES",
    "PENALTIES",
    "AbsoluteError",
    "Activation",
    "ActivationLayer",
    "BatchNorm",
    "Conv2D",
    "Dense",
    "Dropout",
    "ElasticNet",
    "FlatParameters",
    "FixedScale",
    "Flatten",
    "Hinge",
    "Huber",
    "Identity",
    "Initializer",
    "Layer",
    "LeakyReLU",
    "LogLoss",
    "Logistic",
    "Loss",
    "Penalty",
    "Pool2D",
    "ReLU",
    "Reshape",
    "Sequential",
    "Softplus",
    "SquaredError",
    "SquaredHinge",
    "Tanh",
    "VarianceScaling",
    "Zeros",
    "add_penalty_gradient",
    "get_activation",
    "get_initializer",
    "get_loss",
    "penalty_value_and_gradient",
]
