"""The unit of a search's work: one candidate fitted and scored on one split.

:func:`fit_and_score` is what the workers run, once per (candidate, split). It
uses public scikit-learn API only: the rows of a split are taken here
(:func:`take_rows`), the scorers are those of ``sklearn.metrics.check_scoring``
(a multimetric scorer built with ``raise_exc=False`` returns a failed metric's
traceback as its value), and scikit-learn's (>= 1.9) callbacks get the unit's
task from the :class:`~sklearn.callback.CallbackContext` the search made for it.
Results, error texts and warnings are those of scikit-learn's own searches.
"""

import contextlib
import dataclasses
import numbers
import time
import traceback
import warnings

import numpy as np
from joblib.logger import short_format_time
from sklearn.base import clone
from sklearn.utils import get_tags

from ._warnings import recording_warnings

__all__ = ["UnitSetup", "fit_and_score", "is_per_sample", "n_rows", "per_sample_params",
           "take_rows"]


@dataclasses.dataclass(frozen=True)
class UnitSetup:
    """What every unit of one ``fit`` shares, besides the data.

    Attributes
    ----------
    estimator : estimator
        The unfitted estimator; each unit fits a clone with its candidate set.
    scorer : callable
        ``check_scoring``'s scorer (for several metrics, a multimetric scorer made
        with ``raise_exc=False`` unless ``error_score="raise"``).
    metrics : tuple of str or None
        The metric names with several metrics; ``None`` with one.
    error_score : "raise" or float
    return_train_score : bool
    log_dir : str or None
        Where the fits' warnings are recorded (see ``_warnings``).
    verbose : int
        Above 1, each fit prints scikit-learn's line (with its scores above 2).
    """

    estimator: object
    scorer: object
    metrics: tuple | None
    error_score: object
    return_train_score: bool
    log_dir: str | None = None
    verbose: int = 0


# ------------------------------------------------------------------- the rows
def n_rows(data):
    """Number of samples (rows) of ``data``."""
    shape = getattr(data, "shape", None)
    if shape is not None and len(shape):
        return shape[0]
    return len(data)


def take_rows(data, indices):
    """The rows ``indices`` of an array, sparse matrix, data frame, series or list."""
    if data is None:
        return None
    if hasattr(data, "iloc"):
        return data.iloc[indices]
    if hasattr(data, "shape"):
        return data[indices]
    return [data[i] for i in indices]


def _take_columns(data, indices):
    return data.iloc[:, indices] if hasattr(data, "iloc") else data[:, indices]


def is_per_sample(value, n_samples):
    """Whether ``value`` holds one entry per sample (and is cut with the data)."""
    if value is None or isinstance(value, (str, bytes, dict)) or np.isscalar(value):
        return False
    if not any(hasattr(value, a) for a in ("__len__", "shape", "__array__")):
        return False
    try:
        return n_rows(value) == n_samples
    except TypeError:  # a 0-d array
        return False


def per_sample_params(params, n_samples, indices):
    """``params`` with every per-sample value cut to the rows ``indices``."""
    return {key: take_rows(value, indices) if is_per_sample(value, n_samples) else value
            for key, value in params.items()}


def split_data(estimator, X, y, indices, train=None):
    """``(X, y)`` of the rows ``indices``; a precomputed kernel (a pairwise
    estimator) keeps the columns of the training rows ``train`` (its own rows
    when ``train`` is None)."""
    if get_tags(estimator).input_tags.pairwise:
        if not hasattr(X, "shape"):
            raise ValueError("Precomputed kernels or affinity matrices have to be passed "
                             "as arrays or sparse matrices.")
        if X.shape[0] != X.shape[1]:
            raise ValueError("X should be a square kernel matrix")
        X_part = _take_columns(take_rows(X, indices), indices if train is None else train)
    else:
        X_part = take_rows(X, indices)
    return X_part, take_rows(y, indices)


# ------------------------------------------------------------------ the scores
def _scoring_failed(error_score, details):
    return ("Scoring failed. The score on this train-test partition for these parameters "
            f"will be set to {error_score}. Details: \n{details}")


def _number(score, scorer):
    """``score`` as a Python number, or the error scikit-learn raises for a non-number."""
    if hasattr(score, "item"):
        with contextlib.suppress(ValueError):  # e.g. a memory-mapped scalar
            score = score.item()
    if not isinstance(score, numbers.Number):
        raise ValueError(f"scoring must return a number, got {score} ({type(score)}) "
                         f"instead. (scorer={scorer})")
    return score


def score(setup, estimator, X, y, params):
    """The fitted ``estimator``'s score on ``(X, y)``: a number, or a dict of them.

    A scorer that raises gives ``error_score`` and a ``UserWarning`` (unless
    ``error_score="raise"``), as in scikit-learn's searches.
    """
    args = (X,) if y is None else (X, y)
    try:
        scores = setup.scorer(estimator, *args, **params)
    except Exception:
        if setup.error_score == "raise" or setup.metrics is not None:
            raise  # a multimetric scorer raises only with error_score="raise"
        warnings.warn(_scoring_failed(setup.error_score, traceback.format_exc()), UserWarning)
        scores = setup.error_score
    if not isinstance(scores, dict):
        return _number(scores, setup.scorer)
    out = {}
    for name, value in scores.items():
        if isinstance(value, str):  # the traceback of a metric that failed
            warnings.warn(_scoring_failed(setup.error_score, value), UserWarning)
            value = setup.error_score
        out[name] = _number(value, name)
    return out


# --------------------------------------------------------------------- the unit
def _scores_text(out, with_train):
    test = out["test_scores"]
    if isinstance(test, dict):
        return "".join(f" {name}: (" + (f"train={out['train_scores'][name]:.3f}, " if with_train
                                        else "") + f"test={test[name]:.3f})"
                       for name in sorted(test))
    if with_train:
        return f", score=(train={out['train_scores']:.3f}, test={test:.3f})"
    return f", score={test:.3f}"


def _print_fit(setup, parameters, out, split_progress):
    """scikit-learn's line for a finished fit (``verbose > 1``; scores above 2)."""
    where = (f" {split_progress[0] + 1}/{split_progress[1]}"
             if setup.verbose > 2 and split_progress else "")
    text = ", ".join(f"{k}={parameters[k]}" for k in sorted(parameters))
    text += ";" if text else ""
    if setup.verbose > 2:
        text += _scores_text(out, setup.return_train_score)
    text += f" total time={short_format_time(out['fit_time'] + out['score_time'])}"
    head = f"[CV{where}] END "
    print(head + "." * (80 - len(head) - len(text)) + text)


@contextlib.contextmanager
def _task(ctx, caller, X, y, fit_params):
    """The unit's task for scikit-learn's callbacks: begun, then ended whatever happens."""
    if ctx is None:
        yield
        return
    weight = fit_params.get("sample_weight")
    task = dict(estimator=caller, X=X, y=y,
                metadata=None if weight is None else {"sample_weight": weight})
    ctx.call_on_fit_task_begin(**task)
    try:
        yield
    finally:
        ctx.call_on_fit_task_end(**task)


def _propagated(ctx, estimator):
    """Context in which ``estimator`` fits as a sub-task of ``ctx`` (if any)."""
    return contextlib.nullcontext() if ctx is None else ctx.propagate_callback_context(estimator)


def _failed(setup, fit_time):
    error = setup.error_score
    scores = {name: error for name in setup.metrics} if setup.metrics else error
    out = {"fit_error": traceback.format_exc(), "test_scores": scores,
           "fit_time": fit_time, "score_time": 0.0}
    if setup.return_train_score:
        out["train_scores"] = dict(scores) if setup.metrics else scores
    return out


def fit_and_score(setup, X, y, fit_params, score_params, train, test, parameters,
                  callback_ctx=None, caller=None, split_progress=None):
    """Fit a clone of ``setup.estimator`` with ``parameters`` on ``train``; score it.

    Parameters
    ----------
    setup : UnitSetup
    X, y : indexable
        All the data (``y`` may be None).
    fit_params, score_params : dict
        Keyword arguments of the estimator's ``fit`` and of the scorer, for all
        rows (per-sample values are cut to the split here).
    train, test : ndarray of int
        The split's rows.
    parameters : dict
        The candidate.
    callback_ctx : CallbackContext or None
        This unit's task in scikit-learn's (>= 1.9) callback tree.
    caller : estimator or None
        The search, named to the callbacks as the estimator of the task.
    split_progress : (int, int) or None
        The split's number and the number of splits, for ``verbose > 2``.

    Returns
    -------
    dict
        ``fit_error`` (the traceback, or None), ``test_scores`` (and
        ``train_scores``), ``n_test_samples``, ``fit_time``, ``score_time``.
        A fit that raises gets ``error_score``; with ``error_score="raise"`` its
        error is raised.
    """
    n = n_rows(X)
    fit_params = per_sample_params(fit_params, n, train)
    estimator = clone(setup.estimator).set_params(**clone(parameters, safe=False))
    start = time.time()
    X_train, y_train = split_data(estimator, X, y, train)
    X_test, y_test = split_data(estimator, X, y, test, train)
    with _task(callback_ctx, caller, X_train, y_train, fit_params):
        try:
            with _propagated(callback_ctx, estimator), recording_warnings(setup.log_dir):
                estimator.fit(X_train, *(() if y_train is None else (y_train,)), **fit_params)
        except Exception:
            if setup.error_score == "raise":
                raise
            out = _failed(setup, time.time() - start)
        else:
            fit_time = time.time() - start
            out = {"fit_error": None, "test_scores": score(
                setup, estimator, X_test, y_test, per_sample_params(score_params, n, test))}
            out.update(fit_time=fit_time, score_time=time.time() - start - fit_time)
            if setup.return_train_score:
                out["train_scores"] = score(setup, estimator, X_train, y_train,
                                            per_sample_params(score_params, n, train))
    out["n_test_samples"] = n_rows(X_test)
    if setup.verbose > 1:
        _print_fit(setup, parameters, out, split_progress)
    return out
