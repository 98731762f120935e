"""Activation functions, each with its backward pass right beside its forward."""

import math

import numpy as np
from scipy.special import erf, expit

from ._registry import resolve

__all__ = ["Activation", "ACTIVATIONS", "get_activation"]

_SQRT_2 = math.sqrt(2.0)  # Python floats: numpy scalars would upcast float32
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class Activation:
    """An element-wise function ``y = f(x)`` and its vector-Jacobian product."""

    name = None
    #: ``forward``/``backward`` accept ``out=`` and ``backward`` reads only ``y``,
    #: so a layer may overwrite its input with the output (saves memory and time).
    inplace = False

    def forward(self, x):
        """Return ``f(x)``."""
        raise NotImplementedError

    def backward(self, grad, x, y):
        """Return ``grad * f'(x)``, given the input ``x`` and output ``y``."""
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}()"


class Identity(Activation):
    name = "identity"
    inplace = True

    def forward(self, x, out=None):
        if out is not None and out is not x:
            out[...] = x
            return out
        return x

    def backward(self, grad, x, y, out=None):
        return self.forward(grad, out=out)


class Logistic(Activation):
    name = "logistic"
    inplace = True

    def forward(self, x, out=None):
        return expit(x, out=out)

    def backward(self, grad, x, y, out=None):
        slope = 1.0 - y
        slope *= y
        return np.multiply(grad, slope, out=out)


class Tanh(Activation):
    name = "tanh"
    inplace = True

    def forward(self, x, out=None):
        return np.tanh(x, out=out)

    def backward(self, grad, x, y, out=None):
        slope = np.multiply(y, y)
        np.subtract(1.0, slope, out=slope)
        return np.multiply(grad, slope, out=out)


class ReLU(Activation):
    name = "relu"
    inplace = True

    def forward(self, x, out=None):
        return np.maximum(x, 0, out=out)

    def backward(self, grad, x, y, out=None):
        return np.multiply(grad, y > 0, out=out)


class LeakyReLU(Activation):
    """``x`` for positive inputs, ``negative_slope * x`` otherwise."""

    name = "leaky_relu"

    def __init__(self, negative_slope=0.01):
        self.negative_slope = negative_slope

    def forward(self, x):
        return np.where(x > 0, x, float(self.negative_slope) * x)

    def backward(self, grad, x, y):
        return grad * np.where(x > 0, 1.0, float(self.negative_slope)).astype(grad.dtype)


class ELU(Activation):
    """``x`` for positive inputs, ``alpha * (exp(x) - 1)`` otherwise."""

    name = "elu"

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def forward(self, x):
        return np.where(x > 0, x, float(self.alpha) * np.expm1(np.minimum(x, 0)))

    def backward(self, grad, x, y):
        return grad * np.where(x > 0, 1.0, y + float(self.alpha)).astype(grad.dtype)


class GELU(Activation):
    """Exact Gaussian error linear unit, ``x * Phi(x)``."""

    name = "gelu"

    def forward(self, x):
        return x * (0.5 * (1.0 + erf(x / _SQRT_2)))

    def backward(self, grad, x, y):
        cdf = 0.5 * (1.0 + erf(x / _SQRT_2))
        pdf = _INV_SQRT_2PI * np.exp(-0.5 * x * x)
        return grad * (cdf + x * pdf)


class Softplus(Activation):
    """``log(1 + exp(x))``, computed without overflow."""

    name = "softplus"

    def forward(self, x):
        return np.logaddexp(0, x)

    def backward(self, grad, x, y):
        return grad * expit(x)


ACTIVATIONS = {
    cls.name: cls()
    for cls in (Identity, Logistic, Tanh, ReLU, LeakyReLU, ELU, GELU, Softplus)
}


def get_activation(activation):
    """Return the :class:`Activation` for a name or an activation object."""
    return resolve(ACTIVATIONS, activation, "activation", base=Activation)
