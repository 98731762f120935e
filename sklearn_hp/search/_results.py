"""``cv_results_`` and the best candidate, laid out as scikit-learn's searches do.

The searches build their results from their trial records; the columns, their
order and types, the ranks, the checks of ``refit`` and the messages are those
of ``GridSearchCV`` (scikit-learn 1.6 to 1.9), so that code reading a
scikit-learn search reads ours.
"""

import collections
import numbers
import warnings

import numpy as np
from numpy.ma import MaskedArray
from scipy.stats import rankdata
from sklearn.exceptions import FitFailedWarning

from .._stacklevel import user_stacklevel

__all__ = ["check_refit_for_multimetric", "format_results", "insert_error_scores",
           "report_fit_failures", "select_best_index"]


def _param_columns(candidate_params):
    """``param_<name>`` masked arrays, masked where a candidate lacks the parameter."""
    values = collections.defaultdict(dict)
    for i, params in enumerate(candidate_params):
        for name, value in params.items():
            values[f"param_{name}"][i] = value
    for key, column in values.items():
        try:
            array = np.array(list(column.values()))
        except ValueError:  # sequences of different lengths
            dtype = np.dtype(object)
        else:  # strings and same-length sequences are kept as objects
            dtype = array.dtype if array.dtype.kind != "U" and array.ndim == 1 else object
        masked = MaskedArray(np.empty(len(candidate_params), dtype=dtype), mask=True)
        for i, value in column.items():
            masked[i] = value
        yield key, masked


def _by_metric(scores):
    """``{metric: values}`` of per-split scores (numbers, or dicts of them)."""
    if not isinstance(scores[0], dict):
        return {"score": scores}
    return {key: (np.asarray([s[key] for s in scores])
                  if isinstance(scores[0][key], numbers.Number) else [s[key] for s in scores])
            for key in scores[0]}


def _ranks(means):
    """Rank 1 for the best mean; NaN means tie with the worst."""
    if np.isnan(means).all():
        return np.ones_like(means, dtype=np.int32)
    filled = np.nan_to_num(means, nan=np.nanmin(means) - 1)
    return rankdata(-filled, method="min").astype(np.int32, copy=False)


def _store(results, name, values, shape, splits=False, rank=False, warn=True):
    """Add ``mean_``/``std_`` (and ``split<i>_``, ``rank_``) columns of ``name``."""
    array = np.array(values, dtype=np.float64).reshape(shape)
    if splits:
        for i in range(shape[1]):
            results[f"split{i}_{name}"] = array[:, i]
    means = np.average(array, axis=1)
    results[f"mean_{name}"] = means
    if warn and name.startswith(("train_", "test_")) and np.any(~np.isfinite(means)):
        warnings.warn(f"One or more of the {name.split('_')[0]} scores are non-finite: "
                      f"{means}", category=UserWarning)
    results[f"std_{name}"] = np.sqrt(np.average((array - means[:, np.newaxis]) ** 2, axis=1))
    if rank:
        results[f"rank_{name}"] = _ranks(means)


def format_results(candidate_params, n_splits, outs, more_results=None,
                   return_train_score=False, warn_non_finite=True):
    """The ``cv_results_`` dict of candidates evaluated on ``n_splits`` splits each.

    Parameters
    ----------
    candidate_params : list of dict
    n_splits : int
    outs : list of dict
        One result per (candidate, split), candidate-major (see
        :func:`~sklearn_hp.search._unit.fit_and_score`).
    more_results : dict of list or None
        Extra columns, first in the results.
    return_train_score : bool
    warn_non_finite : bool, default=True
        Whether a non-finite mean score gives a ``UserWarning``.
    """
    shape = (len(candidate_params), n_splits)
    results = {key: np.asarray(value) for key, value in (more_results or {}).items()}
    for name in ("fit_time", "score_time"):
        _store(results, name, [o[name] for o in outs], shape)
    results.update(_param_columns(candidate_params))
    results["params"] = candidate_params
    test = _by_metric([o["test_scores"] for o in outs])
    train = _by_metric([o["train_scores"] for o in outs]) if return_train_score else {}
    for metric, scores in test.items():
        _store(results, f"test_{metric}", scores, shape, splits=True, rank=True,
               warn=warn_non_finite)
        if return_train_score:
            _store(results, f"train_{metric}", train[metric], shape, splits=True,
                   warn=warn_non_finite)
    return results


def insert_error_scores(outs, error_score):
    """Give failed fits a dict of ``error_score`` when the scorer returned dicts.

    A callable ``scoring`` may return a dict of metrics, known only once a fit
    succeeded; the failed fits' single ``error_score`` becomes a dict then.
    """
    scores = next((o["test_scores"] for o in outs if o["fit_error"] is None), None)
    if not isinstance(scores, dict):
        return
    for out in outs:
        if out["fit_error"] is not None and not isinstance(out["test_scores"], dict):
            out["test_scores"] = {name: error_score for name in scores}
            if "train_scores" in out:
                out["train_scores"] = {name: error_score for name in scores}


def report_fit_failures(outs, error_score):
    """Warn one ``FitFailedWarning`` about the failed fits among ``outs``.

    The message is scikit-learn's: the failed fits counted out of all of
    ``outs``, then each distinct error once, with its count. Nothing is warned
    when no fit failed; each fit keeps its own ``fit_error``. The warning names
    the user's line that called ``fit``.
    """
    errors = [o["fit_error"] for o in outs if o["fit_error"] is not None]
    if not errors:
        return
    line = "-" * 80 + "\n"
    summary = "\n".join(f"{line}{n} fits failed with the following error:\n{error}"
                        for error, n in collections.Counter(errors).items())
    warnings.warn(f"\n{len(errors)} fits failed out of a total of {len(outs)}.\n"
                  "The score on these train-test partitions for these parameters"
                  f" will be set to {error_score}.\n"
                  "If these failures are not expected, you can try to debug them "
                  "by setting error_score='raise'.\n\n"
                  f"Below are more details about the failures:\n{summary}", FitFailedWarning,
                  stacklevel=user_stacklevel())


def check_refit_for_multimetric(refit, metrics):
    """Raise scikit-learn's error for a ``refit`` that names none of ``metrics``."""
    if refit is not False and not callable(refit) and not (
            isinstance(refit, str) and refit in metrics):
        raise ValueError(
            "For multi-metric scoring, the parameter refit must be set to a scorer key or "
            "a callable to refit an estimator with the best parameter setting on the whole "
            "data and make the best_* attributes available for that metric. If this is not "
            f"needed, refit should be set to False explicitly. {refit!r} was passed.")


def select_best_index(refit, refit_metric, results):
    """Row of the best candidate: ``refit(results)`` for a callable, else the first
    row ranked 1 on ``refit_metric``."""
    if not callable(refit):
        return results[f"rank_test_{refit_metric}"].argmin()
    best = refit(results)
    if not isinstance(best, numbers.Integral):
        raise TypeError("best_index_ returned is not an integer")
    if best < 0 or best >= len(results["params"]):
        raise IndexError("best_index_ index out of range")
    return best
