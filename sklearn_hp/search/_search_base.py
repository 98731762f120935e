"""Helpers shared by the searches built on scikit-learn's ``BaseSearchCV``."""

import numpy as np

__all__ = ["objective_key", "evaluate_batch", "begin_search_context", "end_search_context"]


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


def evaluate_batch(search, evaluate_candidates, candidates, search_ctx, more_results=None):
    """Evaluate one batch and return the scores of its candidates.

    Parameters
    ----------
    search : BaseSearchCV
    evaluate_candidates : callable
        The function ``BaseSearchCV.fit`` hands to ``_run_search``.
    candidates : list of dict
    search_ctx : CallbackContext or None
        From :func:`begin_search_context`; each batch gets its own sub-context,
        passed on only when scikit-learn supports callbacks.
    more_results : dict of list or None
        Extra ``cv_results_`` columns for these candidates.

    Returns
    -------
    scores : ndarray of shape (len(candidates),)
        Mean test score of the objective metric; ``nan`` for failed fits.
    results : dict
        The cumulative results.
    """
    kwargs = {}
    if more_results is not None:
        kwargs["more_results"] = more_results
    batch_ctx = None
    if search_ctx is not None:
        batch_ctx = search_ctx.subcontext(
            task_name="batch",
            max_subtasks=len(candidates) * search.n_splits_,
            sequential_subtasks=False,
        ).call_on_fit_task_begin(estimator=search)
        kwargs["callback_ctx"] = batch_ctx
    results = evaluate_candidates(candidates, **kwargs)
    if batch_ctx is not None:
        batch_ctx.call_on_fit_task_end(estimator=search)
    key = objective_key(search, results)
    scores = np.asarray(results[key], dtype=float)[-len(candidates):]
    return scores, results
