"""Weight initialisers: ``init(shape, fan_in, fan_out, rng, dtype) -> array``.

An initialiser is a scikit-learn style parameter object, so
``weight_init=VarianceScaling(scale=2.0, mode="fan_in")`` makes ``weight_init__scale``
a hyperparameter a search can tune.
"""

import numpy as np
from sklearn.base import BaseEstimator

from .._compat import CachedParamNames
from .._registry import Registry

__all__ = ["INITIALIZERS", "FixedScale", "Initializer", "VarianceScaling", "Zeros",
           "get_initializer"]


class Initializer(CachedParamNames, BaseEstimator):
    """Base class: ``init(shape, fan_in, fan_out, rng, dtype)`` returns new weights.

    Subclasses keep their settings as ``__init__`` arguments and are registered
    with one line, ``INITIALIZERS.register("name", Class)``.
    """

    def __call__(self, shape, fan_in, fan_out, rng, dtype=np.float64):
        raise NotImplementedError


class Zeros(Initializer):
    """All zeros (only sensible for linear models and biases)."""

    def __call__(self, shape, fan_in, fan_out, rng, dtype=np.float64):
        return np.zeros(shape, dtype=dtype)


def _draw(owner, std, limit, shape, rng, dtype):
    """Zero-mean normal weights of deviation ``std``, or uniform in ``[-limit, limit]``."""
    if owner.distribution == "uniform":
        return rng.uniform(-limit, limit, size=shape).astype(dtype)
    if owner.distribution == "normal":
        return (std * rng.standard_normal(shape)).astype(dtype)
    raise ValueError(
        f"{owner!r}: distribution must be 'uniform' or 'normal', got "
        f"{owner.distribution!r}."
    )


class FixedScale(Initializer):
    """Zero-mean weights of a fixed spread, whatever the layer's size.

    Parameters
    ----------
    scale : float, default=0.05
        Standard deviation of the normal, or half-width of the uniform.
    distribution : {"normal", "uniform"}, default="normal"
    """

    def __init__(self, scale=0.05, distribution="normal"):
        self.scale = scale
        self.distribution = distribution

    def __call__(self, shape, fan_in, fan_out, rng, dtype=np.float64):
        return _draw(self, self.scale, self.scale, shape, rng, dtype)


_FANS = {
    "fan_in": lambda fan_in, fan_out: fan_in,
    "fan_out": lambda fan_in, fan_out: fan_out,
    "fan_avg": lambda fan_in, fan_out: (fan_in + fan_out) / 2.0,
}


class VarianceScaling(Initializer):
    """Zero-mean weights of variance ``scale / fan``: Glorot, He and LeCun.

    Parameters
    ----------
    scale : float, default=1.0
        Variance times the fan (2 for He's ReLU networks, 1 for Glorot and LeCun).
    mode : {"fan_avg", "fan_in", "fan_out"}, default="fan_avg"
        The fan: the mean of inputs and outputs (Glorot), inputs (He, LeCun) or
        outputs.
    distribution : {"uniform", "normal"}, default="uniform"
        Uniform on ``[-sqrt(3 var), sqrt(3 var)]`` or normal.
    """

    def __init__(self, scale=1.0, mode="fan_avg", distribution="uniform"):
        self.scale = scale
        self.mode = mode
        self.distribution = distribution

    def __call__(self, shape, fan_in, fan_out, rng, dtype=np.float64):
        if self.mode not in _FANS:
            raise ValueError(
                f"{self!r}: mode must be one of {sorted(_FANS)}, got mode={self.mode!r}."
            )
        variance = self.scale / _FANS[self.mode](fan_in, fan_out)
        return _draw(self, np.sqrt(variance), np.sqrt(3.0 * variance), shape, rng, dtype)


INITIALIZERS = Registry("weight_init", Initializer, description="weight initialisers")
INITIALIZERS.register("zeros", Zeros)
INITIALIZERS.register("normal", FixedScale)
INITIALIZERS.register("uniform", FixedScale, distribution="uniform")
INITIALIZERS.register("glorot_uniform", VarianceScaling)
INITIALIZERS.register("glorot_normal", VarianceScaling, distribution="normal")
INITIALIZERS.register("he_uniform", VarianceScaling, scale=2.0, mode="fan_in")
INITIALIZERS.register("he_normal", VarianceScaling, scale=2.0, mode="fan_in",
                      distribution="normal")
INITIALIZERS.register("lecun_uniform", VarianceScaling, mode="fan_in")
INITIALIZERS.register("lecun_normal", VarianceScaling, mode="fan_in", distribution="normal")
INITIALIZERS.alias("xavier_uniform", "glorot_uniform")
INITIALIZERS.alias("xavier_normal", "glorot_normal")
INITIALIZERS.alias("glorot", "glorot_uniform")
INITIALIZERS.alias("xavier", "glorot_uniform")
INITIALIZERS.alias("he", "he_normal")
INITIALIZERS.alias("lecun", "lecun_normal")


def get_initializer(weight_init):
    """Return the initialiser for a name, an :class:`Initializer` or a plain function.

    A function with the signature ``init(shape, fan_in, fan_out, rng, dtype)`` is
    accepted as it is (it cannot be tuned or saved; an :class:`Initializer` can).
    """
    if callable(weight_init) and not isinstance(weight_init, (str, Initializer)):
        return weight_init
    return INITIALIZERS.resolve(weight_init)
