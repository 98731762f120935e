"""Losses on raw model outputs, each with its gradient beside its value.

Every loss works on a 2-D target ``Y`` and raw output ``raw`` of shape
``(n_samples, n_outputs)`` and returns the *weighted mean* over samples,
``sum_i w_i * l_i / n_samples``, with its gradient with respect to ``raw``.

A loss is a scikit-learn style parameter object: ``loss=Huber(delta=0.5)`` makes
``loss__delta`` a hyperparameter a search can tune.
"""

import numpy as np
from scipy.special import expit, softmax
from sklearn.base import BaseEstimator

from .._blas import row_sums
from .._compat import CachedParamNames
from .._registry import Registry

__all__ = ["AbsoluteError", "Hinge", "Huber", "LOSSES", "LogLoss", "Loss", "SquaredError",
           "SquaredHinge", "get_loss", "losses_for"]


class Loss(CachedParamNames, BaseEstimator):
    """Base class: ``value_and_gradient(Y, raw, sample_weight)``.

    Subclasses implement ``_pointwise`` and keep their settings as ``__init__``
    arguments; they are registered with one line, ``LOSSES.register("name", Class)``.
    """

    #: "regression" (real targets) or "classification" (encoded labels).
    task = "regression"
    #: Classification targets as -1/+1 (margin losses) rather than 0/1.
    signed_targets = False
    #: ``link`` maps raw outputs to class probabilities.
    predicts_proba = False

    def value_and_gradient(self, Y, raw, sample_weight=None):
        """Return the mean loss and its gradient with respect to ``raw``."""
        per_sample, grad = self._pointwise(Y, raw)
        n = raw.shape[0]
        if sample_weight is None:
            return per_sample.sum() / n, grad / n
        w = sample_weight.reshape(-1, 1)
        return per_sample @ sample_weight / n, grad * (w / n)

    def value(self, Y, raw, sample_weight=None):
        """Return the mean loss."""
        return self.value_and_gradient(Y, raw, sample_weight)[0]

    def link(self, raw):
        """Map raw outputs to predictions (probabilities for log-loss)."""
        return raw

    def _pointwise(self, Y, raw):
        """Return per-sample losses (summed over outputs) and the raw gradient."""
        raise NotImplementedError


class SquaredError(Loss):
    """Half the squared error, ``(raw - y)**2 / 2``."""


    def _pointwise(self, Y, raw):
        diff = raw - Y
        return 0.5 * np.einsum("ij,ij->i", diff, diff), diff


class AbsoluteError(Loss):
    """``|raw - y|``; its subgradient at 0 is 0."""


    def _pointwise(self, Y, raw):
        diff = raw - Y
        return np.abs(diff).sum(axis=1), np.sign(diff)


class Huber(Loss):
    """Squared near zero, linear beyond ``delta``.

    Parameters
    ----------
    delta : float, default=1.35
        Residual size where the loss turns from quadratic to linear.
    """


    def __init__(self, delta=1.35):
        self.delta = delta

    def _pointwise(self, Y, raw):
        diff = raw - Y
        abs_diff = np.abs(diff)
        delta = float(self.delta)  # a numpy scalar from a search would upcast float32
        small = abs_diff <= delta
        loss = np.where(small, 0.5 * diff * diff, delta * (abs_diff - 0.5 * delta))
        grad = np.where(small, diff, delta * np.sign(diff))
        return loss.sum(axis=1), grad


class LogLoss(Loss):
    """Cross-entropy on logits: sigmoid for one output column, softmax for several.

    ``Y`` holds 0/1 labels (one column) or one-hot rows (several columns).
    """

    task = "classification"
    predicts_proba = True


    def _pointwise(self, Y, raw):
        if raw.shape[1] == 1:
            # -(y log s(z) + (1 - y) log s(-z)) == log(1 + e^z) - y z
            loss = np.logaddexp(0.0, raw) - Y * raw
            return loss[:, 0], expit(raw) - Y
        # One exp shared by the loss and its gradient; plain numpy, because scipy's
        # logsumexp and softmax cost more than the arithmetic on mini-batches.
        top = _row_max(raw)
        exp = raw - top[:, None]
        np.exp(exp, out=exp)
        norm = row_sums(exp)
        loss = np.log(norm)
        loss += top
        loss -= np.einsum("ij,ij->i", Y, raw)
        exp /= norm[:, None]
        exp -= Y
        return loss, exp

    def link(self, raw):
        if raw.shape[1] == 1:
            return expit(raw)
        return softmax(raw, axis=1)


def _row_max(a):
    """``a.max(axis=1)``; column by column when there are few (numpy's row reduction
    over a short axis is several times slower)."""
    if a.shape[1] > 16:
        return a.max(axis=1)
    top = a[:, 0].copy()
    for j in range(1, a.shape[1]):
        np.maximum(top, a[:, j], out=top)
    return top


class Hinge(Loss):
    """One-vs-rest hinge ``max(0, 1 - y * raw)`` on targets in {-1, +1}."""

    task = "classification"
    signed_targets = True


    def _pointwise(self, Y, raw):
        margin = 1.0 - Y * raw
        active = margin > 0
        return np.where(active, margin, 0.0).sum(axis=1), np.where(active, -Y, 0.0)


class SquaredHinge(Loss):
    """One-vs-rest squared hinge ``max(0, 1 - y * raw)**2`` on targets in {-1, +1}."""

    task = "classification"
    signed_targets = True


    def _pointwise(self, Y, raw):
        margin = np.maximum(1.0 - Y * raw, 0.0)
        return (margin * margin).sum(axis=1), -2.0 * Y * margin


LOSSES = Registry("loss", Loss, description="losses")
LOSSES.register("squared_error", SquaredError)
LOSSES.register("absolute_error", AbsoluteError)
LOSSES.register("huber", Huber, settings=("delta",))
LOSSES.register("log_loss", LogLoss)
LOSSES.register("hinge", Hinge)
LOSSES.register("squared_hinge", SquaredHinge)

def losses_for(task, **flags):
    """A filter of loss classes: those for ``task`` whose class attributes match ``flags``.

    ``LOSSES.names(losses_for("classification", signed_targets=True))`` are the
    margin losses.
    """
    return lambda cls: cls.task == task and all(getattr(cls, k) == v for k, v in flags.items())


#: Return a :class:`Loss` for a name (built with the ``delta`` it reads) or a loss object.
get_loss = LOSSES.resolve
