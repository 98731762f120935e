"""Show an estimator's hyperparameters (set before fit) apart from its parameters (learned)."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["hyperparameters", "learned_parameters", "count_parameters"]

#: Learned attributes that describe the fit rather than hold model numbers.
_BOOKKEEPING = {
    "n_features_in_", "feature_names_in_", "n_iter_", "loss_curve_", "validation_scores_",
    "best_epoch_", "callbacks_", "classes_", "support_", "learning_rate_",
}


def hyperparameters(estimator, deep=False):
    """Return the hyperparameters: what ``__init__`` took, as ``get_params`` gives them.

    Parameters
    ----------
    estimator : estimator object
    deep : bool, default=False
        Include nested settings such as ``optimizer__beta_1``.
    """
    return estimator.get_params(deep=deep)


def learned_parameters(estimator, include_bookkeeping=False):
    """Return the learned parameters: public attributes ending in ``_`` set by ``fit``.

    Parameters
    ----------
    estimator : fitted estimator
    include_bookkeeping : bool, default=False
        Also return fit records (``n_iter_``, ``loss_curve_``, ``classes_`` ...).

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the estimator has not been fitted.
    """
    check_is_fitted(estimator)
    learned = {
        name: value
        for name, value in vars(estimator).items()
        if name.endswith("_") and not name.startswith("_") and not name.endswith("__")
    }
    if not include_bookkeeping:
        learned = {k: v for k, v in learned.items() if k not in _BOOKKEEPING}
    return learned


def count_parameters(estimator):
    """Return how many learned numbers the fitted estimator holds."""
    total = 0
    for value in learned_parameters(estimator).values():
        arrays = value if isinstance(value, (list, tuple)) else [value]
        total += sum(np.size(a) for a in arrays if isinstance(a, (np.ndarray, float, int)))
    return int(total)
