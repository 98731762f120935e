"""Weight penalties added to the mean training loss.

With ``alpha`` the strength and ``l1_ratio`` the L1 share (elastic net), the penalty
of weights ``w`` is ``alpha * (l1_ratio * |w|_1 + (1 - l1_ratio) / 2 * |w|_2^2)``,
scikit-learn's ``SGDClassifier`` convention. Biases are never penalised.

A penalty is a scikit-learn style parameter object: ``penalty=ElasticNet(0.5)``
makes ``penalty__l1_ratio`` a hyperparameter a search can tune.
"""

import numpy as np
from sklearn.base import BaseEstimator

from .._blas import add_scaled
from .._compat import CachedParamNames
from .._registry import Registry

__all__ = ["ElasticNet", "L1", "L2", "PENALTIES", "Penalty", "add_penalty_gradient",
           "penalty_value_and_gradient", "resolve_penalty"]


class Penalty(CachedParamNames, BaseEstimator):
    """Base class: the penalty of the weights per unit of ``alpha``, and its gradient.

    Subclasses keep their settings as ``__init__`` arguments and are registered
    with one line, ``PENALTIES.register("name", Class)``.
    """

    def value(self, weights, alpha):
        """Return ``alpha`` times the penalty of ``weights`` (a list of arrays)."""
        raise NotImplementedError

    def add_gradient(self, weights, grads, alpha):
        """Add the (sub)gradient of :meth:`value` to ``grads``, in place."""
        raise NotImplementedError


class ElasticNet(Penalty):
    """``l1_ratio * |w|_1 + (1 - l1_ratio) / 2 * |w|_2^2``.

    Parameters
    ----------
    l1_ratio : float in [0, 1], default=0.15
        L1 share.
    """

    def __init__(self, l1_ratio=0.15):
        self.l1_ratio = l1_ratio

    def _l1_share(self):
        return float(self.l1_ratio)

    def value(self, weights, alpha):
        l1 = self._l1_share()
        value = 0.0
        for w in weights:
            if l1:
                value += alpha * l1 * np.abs(w).sum()
            if l1 < 1:
                value += 0.5 * alpha * (1.0 - l1) * np.vdot(w, w)
        return float(value)

    def add_gradient(self, weights, grads, alpha):
        l1 = self._l1_share()
        for w, g in zip(weights, grads):
            if l1:
                add_scaled(g, np.sign(w), float(alpha * l1))
            if l1 < 1:
                add_scaled(g, w, float(alpha * (1.0 - l1)))


class L1(ElasticNet):
    """The lasso penalty ``|w|_1``."""

    def __init__(self):
        pass

    def _l1_share(self):
        return 1.0


class L2(ElasticNet):
    """The ridge penalty ``|w|_2^2 / 2``."""

    def __init__(self):
        pass

    def _l1_share(self):
        return 0.0


PENALTIES = Registry("penalty", Penalty, description="weight penalties")
PENALTIES.register("l2", L2)
PENALTIES.register("l1", L1)
PENALTIES.register("elasticnet", ElasticNet, settings=("l1_ratio",))


def resolve_penalty(penalty, alpha, l1_ratio=0.15):
    """The :class:`Penalty` for a name (``"elasticnet"`` with ``l1_ratio``) or an
    object, or None when ``penalty`` is None or ``alpha`` is 0 (no penalty)."""
    if penalty is None or alpha == 0:
        return None
    return PENALTIES.resolve(penalty, l1_ratio=l1_ratio)


def penalty_value_and_gradient(weights, penalty, alpha, l1_ratio=0.15, grads=None):
    """Return the penalty of ``weights`` and add its (sub)gradient to ``grads``.

    Parameters
    ----------
    weights : list of ndarray
        The penalised arrays.
    penalty : str, Penalty or None
        A name in ``PENALTIES`` or a :class:`Penalty` object.
    alpha : float
        Strength.
    l1_ratio : float
        L1 share for ``"elasticnet"``.
    grads : list of ndarray, optional
        Gradients of ``weights``, updated in place.
    """
    penalty = resolve_penalty(penalty, alpha, l1_ratio)
    if penalty is None:
        return 0.0
    if grads is not None:
        penalty.add_gradient(weights, grads, alpha)
    return penalty.value(weights, alpha)


def add_penalty_gradient(weights, penalty, alpha, l1_ratio, grads):
    """Add the penalty's (sub)gradient of ``weights`` to ``grads``, in place."""
    penalty = resolve_penalty(penalty, alpha, l1_ratio)
    if penalty is not None:
        penalty.add_gradient(weights, grads, alpha)
