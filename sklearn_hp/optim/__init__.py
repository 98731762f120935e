"""Optimizers as composable gradient transforms, and learning-rate schedules."""

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
    ScaleByRMS,
    Trace,
)

__all__ = [
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
    "ScaleByRMS",
    "Schedule",
    "StepDecay",
    "Trace",
    "resolve_optimizer",
    "resolve_schedule",
]
