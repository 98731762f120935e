"""The steps of a search's ``fit`` around its trial loop, as scikit-learn takes them.

Before the loop, :func:`prepare_fit` checks the scorers, routes the fit
parameters and makes the splits once (:class:`FitData`); :class:`UnitPlan`
turns a batch of candidates into its (candidate, split) units for the
:class:`~sklearn_hp.search._runner.UnitRunner`. After the loop,
:func:`search_results` lays out ``cv_results_``, :func:`set_best` picks the best
candidate and :func:`refit_best` refits it. Each step behaves as in
scikit-learn's ``BaseSearchCV.fit`` (same attributes, same messages), through
public scikit-learn API.
"""

import contextlib
import dataclasses
import math
import numbers
import time

from sklearn import get_config
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import check_cv
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.validation import indexable

from .._compat import HasMethods, StrOptions
from ._racing import finish_raced_results
from ._results import (
    check_refit_for_multimetric,
    format_results,
    insert_error_scores,
    select_best_index,
)
from ._unit import UnitSetup, fit_and_score, is_per_sample, n_rows
from ._warnings import recording_warnings

__all__ = ["SEARCH_CONSTRAINTS", "FitData", "UnitPlan", "metadata_router", "prepare_fit",
           "refit_best", "search_results", "set_best"]

#: The parameters every search shares with scikit-learn's, checked as it checks them.
SEARCH_CONSTRAINTS = {
    "estimator": [HasMethods(["fit"])],
    "scoring": [StrOptions(set(get_scorer_names())), callable, list, tuple, dict, None],
    "n_jobs": [numbers.Integral, None],
    "refit": ["boolean", str, callable],
    "cv": ["cv_object"],
    "verbose": ["verbose"],
    "pre_dispatch": [numbers.Integral, str],
    "error_score": [StrOptions({"raise"}), numbers.Real],
    "return_train_score": ["boolean"],
}


@dataclasses.dataclass
class FitData:
    """What one ``fit`` works on: the data, the routed parameters, splits and scorers.

    Attributes
    ----------
    X, y : indexable
    fit_params, score_params : dict
        For the estimator's ``fit`` and the scorer, all rows.
    splits : list of (ndarray, ndarray)
        The ``(train, test)`` rows of each split, made once for every trial.
    scorer : callable
        What the units score with (:func:`scorers`).
    metrics : tuple of str or None
        Metric names with several metrics.
    scorer_attribute : callable or dict
        The search's ``scorer_``.
    refit_metric : str or callable
    metadata : dict or None
        ``sample_weight`` for scikit-learn's callbacks.
    """

    X: object
    y: object
    fit_params: dict
    score_params: dict
    splits: list
    scorer: object
    metrics: tuple | None
    scorer_attribute: object
    refit_metric: object
    metadata: dict | None = None

    @property
    def n_splits(self):
        return len(self.splits)


def scorers(search):
    """``(scorer, metrics, scorer_, refit_metric)`` of ``search.scoring``.

    One metric: ``check_scoring``'s scorer, no names, refit on ``"score"``.
    Several (a list or dict): a multimetric scorer returning a failed metric's
    traceback instead of raising (unless ``error_score="raise"``), their names,
    the dict of single scorers, refit on ``search.refit`` (checked).
    """
    scoring = search.scoring
    if callable(scoring) or scoring is None or isinstance(scoring, str):
        scorer = check_scoring(search.estimator, scoring)
        return scorer, None, scorer, "score"
    scorer = check_scoring(search.estimator, scoring,
                           raise_exc=search.error_score == "raise")
    named = scoring.items() if isinstance(scoring, dict) else ((s, s) for s in scoring)
    single = {name: check_scoring(search.estimator, s) for name, s in named}
    check_refit_for_multimetric(search.refit, single)
    return scorer, tuple(single), single, search.refit


def metadata_router(search):
    """The search's metadata routing: to the estimator's ``fit``, the scorer, the splitter."""
    return (MetadataRouter(owner=type(search).__name__)
            .add(estimator=search.estimator,
                 method_mapping=MethodMapping().add(caller="fit", callee="fit"))
            .add(scorer=scorers(search)[0],
                 method_mapping=MethodMapping().add(caller="score", callee="score")
                 .add(caller="fit", callee="score"))
            .add(splitter=search.cv,
                 method_mapping=MethodMapping().add(caller="fit", callee="split")))


def _routed(search, params):
    """``(fit, score, split)`` parameters: routed when metadata routing is on; else
    ``groups`` goes to the splitter and everything else to the estimator's ``fit``."""
    if get_config().get("enable_metadata_routing", False):
        routed = process_routing(search, "fit", **params)
        return routed.estimator.fit, routed.scorer.score, routed.splitter.split
    params = dict(params)
    groups = params.pop("groups", None)
    return params, {}, {"groups": groups}


def _splits(search, X, y, split_params):
    cv = check_cv(search.cv, y, classifier=is_classifier(search.estimator))
    n_splits = cv.get_n_splits(X, y, **split_params)
    splits = list(cv.split(X, y, **split_params))
    if len(splits) != n_splits:
        raise ValueError(f"cv.split and cv.get_n_splits return inconsistent results. "
                         f"Expected {n_splits} splits, got {len(splits)}")
    if not splits:
        raise ValueError("No fits were performed. Was the CV iterator empty? Were there "
                         "no candidates?")
    return splits


def prepare_fit(search, X, y, params):
    """The :class:`FitData` of ``search.fit(X, y, **params)``."""
    scorer, metrics, scorer_attribute, refit_metric = scorers(search)
    X, y = indexable(X, y)
    n = n_rows(X)
    params = {k: indexable(v)[0] if is_per_sample(v, n) else v for k, v in params.items()}
    fit_params, score_params, split_params = _routed(search, params)
    weight = params.get("sample_weight")
    return FitData(X, y, fit_params, score_params, _splits(search, X, y, split_params),
                   scorer, metrics, scorer_attribute, refit_metric,
                   None if weight is None else {"sample_weight": weight})


class UnitPlan:
    """Makes the units of a batch: every (candidate, split), candidate-major.

    Parameters
    ----------
    search : TrialSearchCV
        Its ``estimator`` now (wrapped for the fit, if the search wraps it).
    data : FitData
    log_dir : str or None
        Where the fits record their warnings.
    """

    def __init__(self, search, data, log_dir=None):
        self.search = search
        self.data = data
        self.setup = UnitSetup(clone(search.estimator), data.scorer, data.metrics,
                               search.error_score, search.return_train_score, log_dir,
                               search.verbose)

    def units(self, candidates, ctx=None):
        """``(function, args, kwargs)`` of each unit of ``candidates``.

        ``ctx`` is the batch's callback context (scikit-learn >= 1.9): each unit
        gets a sub-context of its own, made here, before the units travel.
        """
        n_splits = self.data.n_splits
        return [self.unit(params, split, ctx, task_id=k * n_splits + split)
                for k, params in enumerate(candidates) for split in range(n_splits)]

    def unit(self, params, split, ctx=None, task_id=0):
        """``(function, args, kwargs)`` of one unit: ``params`` on split ``split``.

        ``ctx`` is the callback context of the call the unit belongs to, and
        ``task_id`` the unit's number within it.
        """
        data, n_splits = self.data, self.data.n_splits
        extra = {"split_progress": (split, n_splits)} if self.search.verbose > 2 else {}
        if ctx is not None:
            extra.update(callback_ctx=ctx.subcontext(
                task_name="candidate-split-evaluation", task_id=task_id), caller=self.search)
        return (fit_and_score, (self.setup, data.X, data.y, data.fit_params, data.score_params,
                                *data.splits[split], params), extra)


def search_results(search, candidate_params, outs, more_results, records):
    """``cv_results_`` of the recorded trials, ranked as ``search`` ranks them."""
    insert_error_scores(outs, search.error_score)
    # the NaN folds a race skipped are no error: their means are set below
    warn = not all(math.isfinite(r.score) for r in records if r.status != "pruned")
    results = format_results(candidate_params, search._n_splits, outs, more_results,
                             search.return_train_score, warn_non_finite=warn)
    search._rank_results(results)
    if getattr(search, "racing", False):
        finish_raced_results(results, records, search._n_splits)
    return results


def set_best(search, results, data, first_scores):
    """Set ``multimetric_`` and, as the settings ask, ``best_index_``,
    ``best_score_`` and ``best_params_``; ``first_scores`` are the first fit's."""
    search.multimetric_ = isinstance(first_scores, dict)
    refit_metric = data.refit_metric
    if callable(search.scoring) and search.multimetric_:
        check_refit_for_multimetric(search.refit, first_scores)
        refit_metric = search.refit
    if search.refit or not search.multimetric_:
        search.best_index_ = select_best_index(search.refit, refit_metric, results)
        if not callable(search.refit):
            search.best_score_ = results[f"mean_test_{refit_metric}"][search.best_index_]
        search.best_params_ = results["params"][search.best_index_]


def refit_best(search, data, root_ctx=None, log_dir=None):
    """Fit the best candidate on all the data: ``best_estimator_``, ``refit_time_``."""
    best = clone(search.estimator).set_params(**clone(search.best_params_, safe=False))
    search.best_estimator_ = best
    ctx = None if root_ctx is None else root_ctx.subcontext(task_name="refit-with-best-params")
    task = dict(estimator=search, X=data.X, y=data.y, metadata=data.metadata)
    with (contextlib.nullcontext() if ctx is None else ctx.propagate_callback_context(best)):
        if ctx is not None:
            ctx.call_on_fit_task_begin(**task)
        start = time.time()
        with recording_warnings(log_dir):
            best.fit(data.X, *(() if data.y is None else (data.y,)), **data.fit_params)
        search.refit_time_ = time.time() - start
    if hasattr(best, "feature_names_in_"):
        search.feature_names_in_ = best.feature_names_in_
    if ctx is not None:
        ctx.call_on_fit_task_end(**task)
