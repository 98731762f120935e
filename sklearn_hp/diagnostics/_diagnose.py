"""``diagnose``: is a model over- or underfitting, and which knob to turn."""

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.model_selection import cross_validate

from .._compat import validate_estimator_settings
from ..exceptions import DivergenceError, DivergenceWarning
from ..inspection import final_estimator
from ._knobs import advice_for

__all__ = ["Diagnosis", "diagnose"]


@dataclass
class Diagnosis:
    """The result of :func:`diagnose`.

    Attributes
    ----------
    verdict : {"overfitting", "underfitting", "good fit", "diverged"}
    train_score, validation_score, baseline_score : float
        Mean cross-validated scores of the model on its training folds, on the held-out
        folds, and of a constant baseline (DummyClassifier / DummyRegressor).
    gap : float
        ``train_score - validation_score``.
    converged : bool or None
        Whether training stopped by itself before its epoch budget (None if unknown).
    advice : list of (str, str, str)
        ``(hyperparameter, action, reason)`` for the knobs this estimator has.
    reason : str
        Why training was judged diverged (empty otherwise).
    """

    verdict: str
    train_score: float
    validation_score: float
    baseline_score: float
    gap: float
    converged: object = None
    advice: list = field(default_factory=list)
    reason: str = ""

    def __str__(self):
        lines = [
            f"verdict: {self.verdict}",
            f"train score {self.train_score:.4f}, validation score {self.validation_score:.4f} "
            f"(gap {self.gap:+.4f}), constant baseline {self.baseline_score:.4f}",
        ]
        if self.reason:
            lines.append(self.reason)
        if self.converged is not None:
            lines.append("training converged" if self.converged else
                         "training stopped at its epoch budget, still improving")
        lines += [f"  {action} {name}: {why}" for name, action, why in self.advice]
        return "\n".join(lines)


def diagnose(estimator, X, y, *, cv=5, scoring=None, gap_tolerance=0.05,
             underfit_fraction=0.8, n_jobs=None):
    """Cross-validate ``estimator`` and say whether it over- or underfits.

    Diverged: a fit raised :class:`~sklearn_hp.exceptions.DivergenceError` or
    warned :class:`~sklearn_hp.exceptions.DivergenceWarning`, or the mean training
    score ends more than ``gap_tolerance`` below the constant baseline's; the
    advice is then to lower ``learning_rate``.
    Any other error of a fit is raised, rather than scored as NaN.
    Overfitting: the mean training score beats the validation score by more than
    ``gap_tolerance``. Underfitting: otherwise, if the training score closes less
    than ``underfit_fraction`` of the distance from the constant baseline to a
    perfect score of 1 (accuracy, R² and most scikit-learn scores top out at 1).
    Training cut off while still improving adds advice (more epochs) to any verdict
    but overfitting.

    Parameters
    ----------
    estimator : estimator object
    X, y : array-like
    cv : int or cross-validation generator, default=5
    scoring : str or callable, optional
        As in :func:`sklearn.model_selection.cross_validate`; the estimator's
        ``score`` by default.
    gap_tolerance : float, default=0.05
        Largest train–validation gap still called a good fit.
    underfit_fraction : float in (0, 1], default=0.8
        Share of the baseline-to-perfect distance the training score must close.
    n_jobs : int, optional
        Parallel folds.

    Returns
    -------
    Diagnosis
    """
    if not 0 < underfit_fraction <= 1:
        raise ValueError(f"underfit_fraction must be in (0, 1], got {underfit_fraction!r}.")
    if gap_tolerance < 0:
        raise ValueError(f"gap_tolerance must be >= 0, got {gap_tolerance!r}.")
    validate_estimator_settings(estimator)
    dummy = DummyClassifier() if is_classifier(estimator) else DummyRegressor()
    baseline = float(np.mean(cross_validate(dummy, X, y, cv=cv, scoring=scoring)["test_score"]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DivergenceWarning)
        try:
            result = cross_validate(estimator, X, y, cv=cv, scoring=scoring, n_jobs=n_jobs,
                                    return_train_score=True, return_estimator=True,
                                    error_score="raise")
        except DivergenceError as error:
            return Diagnosis("diverged", math.nan, math.nan, baseline, math.nan, None,
                             advice_for(clone(estimator), "diverged", None), str(error))
    for warning in caught:  # pass on the others
        if not issubclass(warning.category, DivergenceWarning):
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno)
    train, valid = float(np.mean(result["train_score"])), float(np.mean(result["test_score"]))
    converged = _converged(result["estimator"])
    gap = train - valid
    reason = next((str(w.message) for w in caught
                   if issubclass(w.category, DivergenceWarning)), "")
    if not reason and train < baseline - gap_tolerance:
        reason = (f"The training score {train:.4f} ended below the constant baseline's "
                  f"{baseline:.4f}: training made the model worse than a constant.")
    if reason:
        verdict = "diverged"
    elif gap > gap_tolerance:
        verdict = "overfitting"
    elif train < baseline + underfit_fraction * (1.0 - baseline):
        verdict = "underfitting"
    else:
        verdict = "good fit"
    return Diagnosis(verdict, train, valid, baseline, gap, converged,
                     advice_for(clone(estimator), verdict, converged), reason)


def _converged(fitted):
    """True/False if the fitted models report their epochs, else None."""
    final = [final_estimator(m) for m in fitted]
    if not all(hasattr(m, "n_iter_") and hasattr(m, "max_epochs") for m in final):
        return None
    return all(np.max(m.n_iter_) < m.max_epochs for m in final)
