"""Optimizers as composable gradient transforms, and learning-rate schedules.

An optimizer builds a chain of transforms giving descent directions; the training
loop ends it with :class:`ScaleByLearningRate` (the base rate and its schedule), so
the chain returns the steps themselves.
"""

from ._auto import AUTO_LEARNING_RATES, auto_learning_rate
from ._optimizers import (
    OPTIMIZERS,
    SGD,
    Adagrad,
    Adam,
    AdamW,
    Optimizer,
    RMSprop,
    resolve_optimizer,
)
from ._schedules import (
    SCHEDULES,
    Constant,
    CosineDecay,
    ExponentialDecay,
    InverseScaling,
    ReduceOnPlateau,
    Schedule,
    StepDecay,
    resolve_schedule,
)
from ._transforms import (
    AddDecayedWeights,
    Chain,
    GradientTransform,
    ScaleByAdagrad,
    ScaleByAdam,
    ScaleByLearningRate,
    ScaleByRMS,
    Trace,
)

__all__ = [
    "AUTO_LEARNING_RATES",
    "OPTIMIZERS",
    "SCHEDULES",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "AddDecayedWeights",
    "Chain",
    "Constant",
    "CosineDecay",
    "ExponentialDecay",
    "GradientTransform",
    "InverseScaling",
    "Optimizer",
    "RMSprop",
    "ReduceOnPlateau",
    "ScaleByAdagrad",
    "ScaleByAdam",
    "ScaleByLearningRate",
    "ScaleByRMS",
    "Schedule",
    "StepDecay",
    "Trace",
    "auto_learning_rate",
    "resolve_optimizer",
    "resolve_schedule",
]
