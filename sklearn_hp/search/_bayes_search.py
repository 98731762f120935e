"""BayesSearchCV: sequential model-based search on top of ``BaseSearchCV``."""

import math
from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from sklearn.utils import check_random_state

from .._compat import BaseSearchCV, HasMethods, Interval, StrOptions
from ._samplers import (
    SAMPLER_NAMES,
    QuasiRandomSampler,
    RandomSampler,
    Trial,
    make_sampler,
)
from ._search_base import (
    BatchEvaluator,
    begin_search_context,
    end_search_context,
    planned_n_splits,
)
from ._space import SearchSpace

__all__ = ["BayesSearchCV"]


class BayesSearchCV(BaseSearchCV):
    """Bayesian optimisation of hyperparameters with cross-validation.

    A drop-in replacement for :class:`~sklearn.model_selection.RandomizedSearchCV`:
    it takes the same search-space dict (lists, tuples, ``scipy.stats``
    distributions) plus :class:`Real`, :class:`Integer` and :class:`Categorical`,
    and produces ``cv_results_``, ``best_params_``, ``best_estimator_`` etc. with
    exactly the same layout, because cross-validation, scoring, refit, error
    handling, metadata routing and parallelism are all scikit-learn's
    ``BaseSearchCV``. Only the choice of candidates differs: after
    ``n_initial_points`` quasi-random points, a sampler (Gaussian process by
    default) reads the finished trials and proposes the next batch.

    Parameters
    ----------
    estimator : estimator object
        The estimator to tune (a Pipeline works; name its parameters
        ``step__param``).
    search_spaces : dict or list of dict
        Parameter names mapped to :class:`Real`, :class:`Integer`,
        :class:`Categorical`, lists/tuples of choices, or distributions with
        ``rvs``; a list of dicts is a conditional space.
    n_iter : int, default=50
        Total number of candidates evaluated (including those of earlier fits
        when ``warm_start=True``).
    sampler : {"gp", "tpe", "random", "sobol"} or sampler object, default="gp"
        How candidates are proposed. An object needs a
        ``propose(space, trials, n_candidates, random_state)`` method; it is
        deep-copied, and the copy is kept in ``sampler_``.
    n_initial_points : int or None, default=None
        Quasi-random (Sobol) candidates evaluated before the sampler's model is
        used; ``None`` means ``max(5, n_dims + 1)``. Ignored by the random and
        Sobol samplers.
    batch_size : int or None, default=None
        Candidates proposed per round and evaluated in parallel. ``None`` gives
        enough candidates to keep ``n_jobs`` workers busy
        (``ceil(n_jobs / n_splits)``, at least 1).
    random_state : int, RandomState instance or None, default=None
        Seeds the candidate sequence; the same seed gives the same candidates.
    warm_start : bool, default=False
        When ``True`` and the search was fitted before, ``fit`` continues that
        search: finished trials are kept in ``cv_results_`` and in the sampler's
        memory, and only ``n_iter - n_finished`` new candidates are evaluated.
        Raise ``n_iter`` (``search.set_params(n_iter=100)``) and call ``fit``
        again with the same data to extend a search.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in :class:`~sklearn.model_selection.RandomizedSearchCV`. With several
        metrics, the metric named by ``refit`` is optimised (the first metric if
        ``refit`` is a callable or ``False``). Failed fits get ``error_score``
        and are treated as the worst trials by the sampler.

    Attributes
    ----------
    cv_results_, best_estimator_, best_score_, best_params_, best_index_,
    scorer_, n_splits_, refit_time_, multimetric_
        As in ``RandomizedSearchCV``.
    trials_ : list of Trial
        ``(params, score)`` of every evaluated candidate, in order.
    sampler_ : sampler object
        The sampler used (with its state, e.g. kernel hyperparameters).

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_hp.search import BayesSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(SVC(), {"C": loguniform(1e-2, 1e2)}, n_iter=8,
    ...                        random_state=0).fit(X, y)
    >>> len(search.cv_results_["params"])
    8
    """

    _parameter_constraints = {
        **BaseSearchCV._parameter_constraints,
        "search_spaces": [dict, list],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "sampler": [StrOptions(set(SAMPLER_NAMES)), HasMethods(["propose"])],
        "n_initial_points": [Interval(Integral, 0, None, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        estimator,
        search_spaces,
        *,
        n_iter=50,
        sampler="gp",
        n_initial_points=None,
        batch_size=None,
        random_state=None,
        warm_start=False,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        error_score=np.nan,
        return_train_score=False,
    ):
        self.search_spaces = search_spaces
        self.n_iter = n_iter
        self.sampler = sampler
        self.n_initial_points = n_initial_points
        self.batch_size = batch_size
        self.random_state = random_state
        self.warm_start = warm_start
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )

    # ----------------------------------------------------------- resumability
    def fit(self, X, y=None, **params):
        """Run the search (or continue it when ``warm_start=True``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or None
        **params : dict
            Passed to the estimator's ``fit``, the scorer and the splitter, as in
            ``RandomizedSearchCV.fit``.

        Returns
        -------
        self
        """
        self._n_splits = planned_n_splits(self, X, y, params)
        resuming = self.warm_start and hasattr(self, "_evaluated")
        self._previous = self._evaluated if resuming else None
        try:
            return super().fit(X, y, **params)
        finally:
            self._previous = None

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        # BaseSearchCV calls this after every batch with everything evaluated in
        # the current ``fit``; trials of an earlier fit are prepended when resuming.
        candidate_params, out = list(candidate_params), list(out)
        if self._previous is not None:
            candidate_params = self._previous["params"] + candidate_params
            out = self._previous["out"] + out
        self._evaluated = {"params": candidate_params, "out": out, "n_splits": n_splits}
        return super()._format_results(candidate_params, n_splits, out, more_results)

    # ----------------------------------------------------------------- search
    def _default_batch_size(self):
        if self.batch_size is not None:
            return self.batch_size
        return max(1, math.ceil(effective_n_jobs(self.n_jobs) / self._n_splits))

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        """Propose candidates in batches until ``n_iter`` are evaluated."""
        space = SearchSpace(self.search_spaces)
        if self._previous is not None:
            if self._previous["n_splits"] != self._n_splits:
                raise ValueError(
                    f"warm_start=True continues a search with "
                    f"{self._previous['n_splits']} CV splits, but cv now gives "
                    f"{self._n_splits}. Use the same cv, or warm_start=False."
                )
            trials, sampler, rng = list(self.trials_), self.sampler_, self._rng
            initial_sampler = self._initial_sampler
        else:
            trials, sampler = [], make_sampler(self.sampler)
            rng = check_random_state(self.random_state)
            if isinstance(self.random_state, np.random.RandomState):
                rng = np.random.RandomState()
                rng.set_state(self.random_state.get_state())
            initial_sampler = QuasiRandomSampler()
        if self._previous is not None and len(trials) >= self.n_iter:
            raise ValueError(
                f"warm_start=True: the search already evaluated {len(trials)} "
                f"candidates and n_iter={self.n_iter}; set n_iter above "
                f"{len(trials)} to continue it."
            )
        self.sampler_, self._rng, self._initial_sampler = sampler, rng, initial_sampler
        self.trials_ = trials

        model_free = isinstance(sampler, (RandomSampler, QuasiRandomSampler))
        n_dims = max(sub.n_dims for sub in space.subspaces)
        n_initial = 0 if model_free else (
            self.n_initial_points if self.n_initial_points is not None
            else max(5, n_dims + 1)
        )
        batch_size = self._default_batch_size()

        search_ctx = begin_search_context(self, callback_ctx)
        evaluate = BatchEvaluator(self, evaluate_candidates, search_ctx)
        while len(trials) < self.n_iter:
            n = min(batch_size, self.n_iter - len(trials))
            if len(trials) < n_initial:
                n = min(n, n_initial - len(trials))
                candidates = initial_sampler.propose(space, trials, n, rng)
            else:
                candidates = sampler.propose(space, trials, n, rng)
            if not candidates:  # a finite space ran out of new candidates
                break
            scores = evaluate(candidates)
            trials.extend(Trial(p, float(s)) for p, s in zip(candidates, scores))
        evaluate.finish(any(np.isfinite(t.score) for t in trials))
        end_search_context(self, search_ctx)
