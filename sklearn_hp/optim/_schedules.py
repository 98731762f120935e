"""Learning-rate schedules, evaluated once per epoch.

A schedule is a hyperparameter object: ``schedule(epoch, base_lr=..., max_epochs=...,
losses=...)`` returns the learning rate for ``epoch`` (0-based). Schedules hold no
training state; :class:`ReduceOnPlateau` reads the epoch losses it is given, so the
same object can be cloned, searched and reused across fits.
"""

import math

from sklearn.base import BaseEstimator

from .._compat import CachedParamNames
from .._registry import Registry

__all__ = [
    "Schedule",
    "Constant",
    "StepDecay",
    "ExponentialDecay",
    "CosineDecay",
    "InverseScaling",
    "ReduceOnPlateau",
    "SCHEDULES",
    "resolve_schedule",
]


class Schedule(CachedParamNames, BaseEstimator):
    """Base class of learning-rate schedules."""

    def __call__(self, epoch, *, base_lr, max_epochs=None, losses=()):
        return base_lr * self.factor(epoch, max_epochs=max_epochs, losses=losses)

    def factor(self, epoch, *, max_epochs=None, losses=()):
        """Return the multiplier of the base learning rate at ``epoch``."""
        raise NotImplementedError


class Constant(Schedule):
    """The base learning rate at every epoch."""

    def factor(self, epoch, *, max_epochs=None, losses=()):
        return 1.0


class StepDecay(Schedule):
    """Multiply by ``gamma`` every ``step_size`` epochs."""

    def __init__(self, step_size=10, gamma=0.5):
        self.step_size = step_size
        self.gamma = gamma

    def factor(self, epoch, *, max_epochs=None, losses=()):
        return self.gamma ** (epoch // self.step_size)


class ExponentialDecay(Schedule):
    """Multiply by ``gamma`` every epoch."""

    def __init__(self, gamma=0.95):
        self.gamma = gamma

    def factor(self, epoch, *, max_epochs=None, losses=()):
        return self.gamma**epoch


class CosineDecay(Schedule):
    """Linear warm-up, then half a cosine from 1 down to ``min_factor``.

    Parameters
    ----------
    warmup_epochs : int, default=0
        Epochs over which the rate grows linearly to the base rate.
    period : int or None, default=None
        Epochs of the cosine part; ``None`` uses the rest of ``max_epochs``.
    min_factor : float, default=0.0
        Final multiplier of the base rate.
    """

    def __init__(self, warmup_epochs=0, period=None, min_factor=0.0):
        self.warmup_epochs = warmup_epochs
        self.period = period
        self.min_factor = min_factor

    def factor(self, epoch, *, max_epochs=None, losses=()):
        if epoch < self.warmup_epochs:
            return (epoch + 1) / (self.warmup_epochs + 1)
        period = self.period
        if period is None:
            period = max((max_epochs or 100) - self.warmup_epochs, 1)
        progress = min((epoch - self.warmup_epochs) / period, 1.0)
        cosine = 0.5 * (1.0 + math.cos(math.pi * progress))
        return self.min_factor + (1.0 - self.min_factor) * cosine


class InverseScaling(Schedule):
    """``1 / (epoch + 1) ** power_t``, as scikit-learn's ``invscaling``."""

    def __init__(self, power_t=0.5):
        self.power_t = power_t

    def factor(self, epoch, *, max_epochs=None, losses=()):
        return 1.0 / (epoch + 1) ** self.power_t


class ReduceOnPlateau(Schedule):
    """Multiply by ``factor`` whenever the training loss stalls for ``patience`` epochs.

    Parameters
    ----------
    reduce_factor : float, default=0.5
        Multiplier applied at each plateau.
    patience : int, default=5
        Epochs without an improvement larger than ``threshold`` that make a plateau.
    threshold : float, default=1e-4
        Minimum decrease of the loss that counts as an improvement.
    min_factor : float, default=1e-3
        Lower bound of the multiplier.
    """

    def __init__(self, reduce_factor=0.5, patience=5, threshold=1e-4, min_factor=1e-3):
        self.reduce_factor = reduce_factor
        self.patience = patience
        self.threshold = threshold
        self.min_factor = min_factor

    def factor(self, epoch, *, max_epochs=None, losses=()):
        multiplier, best, waited = 1.0, math.inf, 0
        for loss in losses:
            if loss < best - self.threshold:
                best, waited = loss, 0
                continue
            waited += 1
            if waited > self.patience:
                multiplier = max(multiplier * self.reduce_factor, self.min_factor)
                waited = 0
        return multiplier


SCHEDULES = Registry("lr_schedule", Schedule, description="learning-rate schedules")
SCHEDULES.register("constant", Constant)
SCHEDULES.register("step", StepDecay)
SCHEDULES.register("exponential", ExponentialDecay)
SCHEDULES.register("cosine", CosineDecay)
SCHEDULES.register("invscaling", InverseScaling)
SCHEDULES.register("plateau", ReduceOnPlateau)

#: Return a :class:`Schedule` for a name or a schedule object.
resolve_schedule = SCHEDULES.resolve
