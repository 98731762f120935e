"""Helpers shared by the searches built on scikit-learn's ``BaseSearchCV``."""

import warnings

import numpy as np
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv

from .._compat import all_fits_failed

__all__ = [
    "objective_key",
    "planned_n_splits",
    "BatchEvaluator",
    "begin_search_context",
    "end_search_context",
]


def planned_n_splits(search, X, y, params):
    """Number of CV splits ``search.fit(X, y, **params)`` will make.

    scikit-learn 1.9 sets ``n_splits_`` before calling ``_run_search``; 1.6 to 1.8
    only after the search, so the searches work it out up front, as ``fit`` does.
    """
    cv = check_cv(search.cv, y, classifier=is_classifier(search.estimator))
    return cv.get_n_splits(X, y, params.get("groups"))


def objective_key(search, results):
    """Name of the ``cv_results_`` column a search maximises.

    ``mean_test_score`` for a single metric; ``mean_test_<refit>`` for several
    metrics with ``refit="<name>"``; the first metric's column when ``refit`` is
    a callable or ``False`` with several metrics.

    Parameters
    ----------
    search : BaseSearchCV
    results : dict
        The cumulative results returned by ``evaluate_candidates``.

    Returns
    -------
    key : str
    """
    if "mean_test_score" in results:
        return "mean_test_score"
    if isinstance(search.refit, str) and f"mean_test_{search.refit}" in results:
        return f"mean_test_{search.refit}"
    keys = [k for k in results if k.startswith("mean_test_")]
    if not keys:
        raise ValueError(
            f"Found no mean_test_* column in the search results (columns: "
            f"{sorted(results)})."
        )
    return keys[0]


def begin_search_context(search, callback_ctx):
    """Open scikit-learn 1.9's callback sub-context for a sequential search.

    Returns ``None`` on older versions (``callback_ctx`` is then ``None``).
    """
    if callback_ctx is None:
        return None
    return callback_ctx.subcontext(
        task_name="search", max_subtasks=None, sequential_subtasks=True
    ).call_on_fit_task_begin(estimator=search)


def end_search_context(search, search_ctx):
    """Close what :func:`begin_search_context` opened."""
    if search_ctx is not None:
        search_ctx.call_on_fit_task_end(estimator=search)


class BatchEvaluator:
    """Evaluate batches of candidates through ``evaluate_candidates``.

    scikit-learn raises ``ValueError("All the N fits failed...")`` whenever every
    fit of one ``evaluate_candidates`` call fails, which with small batches would
    let a single diverging candidate end the whole search. Here such a batch is
    scored ``nan`` for the sampler and carried over: it is evaluated again
    together with the next batch, so it still appears in ``cv_results_`` with
    ``error_score``. Only if the very last batch fails entirely are its
    candidates left out of ``cv_results_`` (with a warning).

    Parameters
    ----------
    search : BaseSearchCV
    evaluate_candidates : callable
        The function ``BaseSearchCV.fit`` hands to ``_run_search``.
    search_ctx : CallbackContext or None
        From :func:`begin_search_context`; each batch gets its own sub-context,
        passed on only when scikit-learn supports callbacks.
    """

    def __init__(self, search, evaluate_candidates, search_ctx):
        self.search = search
        self.evaluate_candidates = evaluate_candidates
        self.search_ctx = search_ctx
        self._carried = []
        self._carried_more = None

    def __call__(self, candidates, more_results=None):
        """Evaluate ``candidates``; return their objective scores (``nan`` if failed).

        Parameters
        ----------
        candidates : list of dict
        more_results : dict of list or None
            Extra ``cv_results_`` columns for these candidates.

        Returns
        -------
        scores : ndarray of shape (len(candidates),)
        """
        batch = self._carried + list(candidates)
        more = None
        if more_results is not None:
            more = {k: list((self._carried_more or {}).get(k, [])) + list(v)
                    for k, v in more_results.items()}
        try:
            results = self._evaluate(batch, more)
        except ValueError as error:
            if self.search.error_score == "raise" or not all_fits_failed(error):
                raise
            self._carried, self._carried_more = batch, more
            return np.full(len(candidates), np.nan)
        self._carried, self._carried_more = [], None
        key = objective_key(self.search, results)
        return np.asarray(results[key], dtype=float)[-len(candidates):]

    def _evaluate(self, batch, more):
        kwargs = {}
        if more is not None:
            kwargs["more_results"] = more
        batch_ctx = None
        if self.search_ctx is not None:
            batch_ctx = self.search_ctx.subcontext(
                task_name="batch",
                max_subtasks=len(batch) * self.search.n_splits_,
                sequential_subtasks=False,
            ).call_on_fit_task_begin(estimator=self.search)
            kwargs["callback_ctx"] = batch_ctx
        results = self.evaluate_candidates(batch, **kwargs)
        if batch_ctx is not None:
            batch_ctx.call_on_fit_task_end(estimator=self.search)
        return results

    def finish(self, any_success):
        """Report candidates of a last, entirely failed batch.

        Raises the usual "all fits failed" error when nothing succeeded.
        """
        if not self._carried:
            return
        if not any_success:
            raise ValueError(
                f"All fits of all {len(self._carried)} evaluated candidates failed; "
                f"set error_score='raise' to see the errors."
            )
        warnings.warn(
            f"Every fit of the last {len(self._carried)} candidate(s) failed; they "
            f"are left out of cv_results_ (see trials_): {self._carried!r}",
            UserWarning,
        )
