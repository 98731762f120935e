"""Activation functions, each with its backward pass right beside its forward.

An activation is a scikit-learn style parameter object: ``activation=LeakyReLU(0.2)``
makes ``activation__negative_slope`` a hyperparameter a search can tune.
"""

import math

import numpy as np
from scipy.special import erf, expit
from sklearn.base import BaseEstimator

from .._compat import CachedParamNames
from .._registry import Registry

__all__ = ["Activation", "ACTIVATIONS", "ELU", "GELU", "Identity", "LeakyReLU", "Logistic",
           "ReLU", "Softplus", "Tanh", "get_activation"]

_SQRT_2 = math.sqrt(2.0)  # Python floats: numpy scalars would upcast float32
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
#: Read-only zero rows by (width, dtype), see :func:`_zero`.
_ZERO_ROWS = {}


def _zero(x):
    """A zero to compare ``x`` with: a zero row as wide as ``x`` or, for narrow rows, 0.

    numpy's ``maximum`` of an array and a scalar runs element by element, against an
    array in SIMD: for rows of 32 values or more a broadcast zero row is 3 to 5 times
    faster (and gives the same values).
    """
    width = x.shape[-1] if x.ndim else 0
    if width < 32:
        return 0
    key = (width, x.dtype.char)
    row = _ZERO_ROWS.get(key)
    if row is None:
        row = _ZERO_ROWS[key] = np.zeros(width, dtype=x.dtype)
        row.setflags(write=False)
    return row


class Activation(CachedParamNames, BaseEstimator):
    """An element-wise function ``y = f(x)`` and its vector-Jacobian product.

    Subclasses keep their settings as ``__init__`` arguments (``get_params``,
    ``set_params``, ``clone`` and the repr come from scikit-learn's ``BaseEstimator``)
    and are registered with one line, ``@ACTIVATIONS.register("name")`` above the
    class (or ``ACTIVATIONS.register("name", Class)`` elsewhere).
    """

    #: ``forward``/``backward`` accept ``out=`` and ``backward`` reads only ``y``,
    #: so a layer may overwrite its input with the output (saves memory and time).
    inplace = False

    def forward(self, x):
        """Return ``f(x)``."""
        raise NotImplementedError

    def backward(self, grad, x, y):
        """Return ``grad * f'(x)``, given the input ``x`` and output ``y``."""
        raise NotImplementedError

    @property
    def name(self):
        """The registered name of this activation, or its repr if no name builds it."""
        return ACTIVATIONS.name_of(self) or repr(self)


ACTIVATIONS = Registry("activation", Activation, description="activations")


@ACTIVATIONS.register("identity")
class Identity(Activation):
    """``f(x) = x``."""

    inplace = True

    def forward(self, x, out=None):
        if out is not None and out is not x:
            out[...] = x
            return out
        return x

    def backward(self, grad, x, y, out=None):
        return self.forward(grad, out=out)


@ACTIVATIONS.register("logistic")
class Logistic(Activation):
    """The logistic sigmoid ``1 / (1 + exp(-x))``."""

    inplace = True

    def forward(self, x, out=None):
        return expit(x, out=out)

    def backward(self, grad, x, y, out=None):
        slope = 1.0 - y
        slope *= y
        return np.multiply(grad, slope, out=out)


@ACTIVATIONS.register("tanh")
class Tanh(Activation):
    """The hyperbolic tangent."""

    inplace = True

    def forward(self, x, out=None):
        return np.tanh(x, out=out)

    def backward(self, grad, x, y, out=None):
        slope = np.multiply(y, y)
        np.subtract(1.0, slope, out=slope)
        return np.multiply(grad, slope, out=out)


@ACTIVATIONS.register("relu")
class ReLU(Activation):
    """``max(x, 0)``."""

    inplace = True

    def forward(self, x, out=None):
        return np.maximum(x, _zero(x), out=out)

    def backward(self, grad, x, y, out=None):
        return np.multiply(grad, y > 0, out=out)


@ACTIVATIONS.register("leaky_relu")
class LeakyReLU(Activation):
    """``x`` for positive inputs, ``negative_slope * x`` otherwise.

    Parameters
    ----------
    negative_slope : float, default=0.01
        Slope for negative inputs.
    """

    def __init__(self, negative_slope=0.01):
        self.negative_slope = negative_slope

    def forward(self, x):
        return np.where(x > 0, x, float(self.negative_slope) * x)

    def backward(self, grad, x, y):
        return grad * np.where(x > 0, 1.0, float(self.negative_slope)).astype(grad.dtype)


@ACTIVATIONS.register("elu")
class ELU(Activation):
    """``x`` for positive inputs, ``alpha * (exp(x) - 1)`` otherwise.

    Parameters
    ----------
    alpha : float, default=1.0
        Value approached for large negative inputs is ``-alpha``.
    """

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def forward(self, x):
        return np.where(x > 0, x, float(self.alpha) * np.expm1(np.minimum(x, 0)))

    def backward(self, grad, x, y):
        return grad * np.where(x > 0, 1.0, y + float(self.alpha)).astype(grad.dtype)


@ACTIVATIONS.register("gelu")
class GELU(Activation):
    """Exact Gaussian error linear unit, ``x * Phi(x)``."""


    def forward(self, x):
        return x * (0.5 * (1.0 + erf(x / _SQRT_2)))

    def backward(self, grad, x, y):
        cdf = 0.5 * (1.0 + erf(x / _SQRT_2))
        pdf = _INV_SQRT_2PI * np.exp(-0.5 * x * x)
        return grad * (cdf + x * pdf)


@ACTIVATIONS.register("softplus")
class Softplus(Activation):
    """``log(1 + exp(x))``, computed without overflow."""


    def forward(self, x):
        return np.logaddexp(0, x)

    def backward(self, grad, x, y):
        return grad * expit(x)


#: Return the :class:`Activation` for a name or an activation object.
get_activation = ACTIVATIONS.resolve
