"""Weight penalties added to the mean training loss.

With ``alpha`` the strength and ``l1_ratio`` the L1 share (elastic net), the penalty
of weights ``w`` is ``alpha * (l1_ratio * |w|_1 + (1 - l1_ratio) / 2 * |w|_2^2)``,
scikit-learn's ``SGDClassifier`` convention. Biases are never penalised.
"""

import numpy as np

from .._blas import add_scaled

__all__ = ["PENALTIES", "add_penalty_gradient", "check_penalty", "penalty_value_and_gradient"]

PENALTIES = ("l1", "l2", "elasticnet", None)


def check_penalty(penalty):
    """Raise a clear error if ``penalty`` is not an accepted name."""
    if penalty not in PENALTIES:
        raise ValueError(f"Unknown penalty {penalty!r}; accepted values are {list(PENALTIES)}.")


def _l1_share(penalty, l1_ratio):
    return {"l1": 1.0, "l2": 0.0, "elasticnet": l1_ratio}[penalty]


def penalty_value_and_gradient(weights, penalty, alpha, l1_ratio=0.15, grads=None):
    """Return the penalty of ``weights`` and add its (sub)gradient to ``grads``.

    Parameters
    ----------
    weights : list of ndarray
        The penalised arrays.
    penalty : {"l1", "l2", "elasticnet"} or None
    alpha : float
        Strength.
    l1_ratio : float
        L1 share for ``"elasticnet"``.
    grads : list of ndarray, optional
        Gradients of ``weights``, updated in place.
    """
    if penalty is None or alpha == 0:
        return 0.0
    l1 = _l1_share(penalty, l1_ratio)
    value = 0.0
    for w in weights:
        if l1:
            value += alpha * l1 * np.abs(w).sum()
        if l1 < 1:
            value += 0.5 * alpha * (1.0 - l1) * np.vdot(w, w)
    if grads is not None:
        add_penalty_gradient(weights, penalty, alpha, l1_ratio, grads)
    return float(value)


def add_penalty_gradient(weights, penalty, alpha, l1_ratio, grads):
    """Add the penalty's (sub)gradient of ``weights`` to ``grads``, in place."""
    if penalty is None or alpha == 0:
        return
    l1 = _l1_share(penalty, l1_ratio)
    for w, g in zip(weights, grads):
        if l1:
            add_scaled(g, np.sign(w), float(alpha * l1))
        if l1 < 1:
            add_scaled(g, w, float(alpha * (1.0 - l1)))
