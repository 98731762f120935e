"""``learning_rate="auto"``: a base learning rate suited to the optimizer and the model.

Adaptive optimizers (Adagrad, RMSprop, Adam, AdamW) move each weight by about the
learning rate per step whatever the gradient's size, so on linear models their
rate is a share of the distance the weights have to travel: the targets' standard
deviation for regressors, 10 for classifiers (the logits of a confident linear
classifier reach about 10), divided by the features' root mean square (1 once
standardized). Networks take fixed, customary rates. Plain and
momentum SGD take steps proportional to the gradient, so on linear models their
rate comes from the data: the inverse of the curvature bound ``c * (mean squared
row norm + 1)`` (``c`` is the loss's largest second derivative in the raw output:
1 for squared error, 1/4 for the binary and 1/2 for the multinomial logistic
loss), the step size of scikit-learn's SAG solver, times ``1 - momentum`` for
momentum, whose steps add up to ``1 / (1 - momentum)`` times a plain one.
"""

import math

import numpy as np

from ._optimizers import SGD, Adagrad, Adam, AdamW, RMSprop

__all__ = ["AUTO_LEARNING_RATES", "auto_learning_rate"]

#: ``optimizer -> (linear models, networks)`` rates used by ``learning_rate="auto"``.
#: Linear-model rates are multiplied by the target scale; ``None`` marks the
#: data-scaled SGD rate of linear models (see the module docstring).
AUTO_LEARNING_RATES = {
    "sgd": (None, 0.05),
    "momentum": (None, 0.005),
    "nesterov": (None, 0.005),
    "adagrad": (0.1, 0.01),
    "rmsprop": (0.002, 0.001),
    "adam": (0.01, 0.001),
    "adamw": (0.01, 0.001),
}

#: Rates for an optimizer object of a class not in the table (Adam's).
_FALLBACK = AUTO_LEARNING_RATES["adam"]


def _table_key(optimizer):
    """The row of :data:`AUTO_LEARNING_RATES` an optimizer object belongs to."""
    if isinstance(optimizer, SGD):
        if not optimizer.momentum:
            return "sgd"
        return "nesterov" if optimizer.nesterov else "momentum"
    for cls, key in ((AdamW, "adamw"), (Adam, "adam"), (RMSprop, "rmsprop"),
                     (Adagrad, "adagrad")):
        if isinstance(optimizer, cls):
            return key
    return None


def auto_learning_rate(optimizer, *, network, X=None, curvature=1.0, target_scale=1.0):
    """Return the base learning rate ``learning_rate="auto"`` stands for.

    Parameters
    ----------
    optimizer : Optimizer
        The resolved optimizer object.
    network : bool
        Whether the model is a neural network (else a linear model).
    X : ndarray, optional
        Training data; scales plain and momentum SGD on linear models.
    curvature : float, default=1.0
        Largest second derivative of the loss in the raw output.
    target_scale : float, default=1.0
        Distance the linear weights travel: the targets' standard deviation for
        regressors, 10 for classifiers.

    Returns
    -------
    float
    """
    key = _table_key(optimizer)
    linear_rate, network_rate = AUTO_LEARNING_RATES.get(key, _FALLBACK)
    if network:
        return float(network_rate)
    mean_sq_norm = float(np.mean(np.einsum("ij,ij->i", X, X))) if X is not None else None
    if linear_rate is not None:
        # A step of the rate in every weight moves the output by about the rate times
        # the features' size: per unit of feature scale (1 once standardized).
        rms = math.sqrt(mean_sq_norm / X.shape[1]) if mean_sq_norm else 1.0
        return float(linear_rate * target_scale / rms)
    mean_sq_norm = 1.0 if mean_sq_norm is None else mean_sq_norm
    rate = 1.0 / (curvature * (mean_sq_norm + 1.0))
    if key != "sgd":
        rate *= 1.0 - optimizer.momentum
    return float(rate)
