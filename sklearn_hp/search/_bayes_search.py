"""BayesSearchCV: sequential model-based search."""

import math
from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from sklearn.utils import check_random_state

from .._compat import Interval
from ._async import AsyncTrials, propose_one
from ._samplers import SAMPLER_NAMES, make_sampler
from ._search_base import TrialSearchCV

__all__ = ["BayesSearchCV"]


class BayesSearchCV(TrialSearchCV):
    """Bayesian optimisation of hyperparameters with cross-validation.

    A drop-in replacement for :class:`~sklearn.model_selection.RandomizedSearchCV`:
    it takes the same search-space dict (lists, tuples, ``scipy.stats``
    distributions) plus :class:`Real`, :class:`Integer` and :class:`Categorical`,
    and produces ``cv_results_``, ``best_params_``, ``best_estimator_`` etc. with
    exactly the same layout: cross-validation, scoring, refit, error handling and
    metadata routing behave as in scikit-learn's ``GridSearchCV`` (the same
    candidates give the same results), and the fits run on joblib's workers.
    Only the choice of candidates differs: a sampler
    (Gaussian process by default, after its own quasi-random warm-up) reads the
    finished trials and proposes the next candidate.

    The trials run asynchronously: a worker that frees up gets the next fit at
    once, a new candidate being proposed then, conditioned on the finished
    trials and on the ones still running (pending), so no worker waits for a
    batch to end.

    A long search can be stored, resumed, bounded in time and watched: see
    ``storage``, ``time_budget`` and ``callbacks``.

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
        deep-copied, and the copy is kept in ``sampler_``. Model-based samplers
        start with their own quasi-random design (``GPSampler(n_initial_points=10)``
        sets its size).
    batch_size : int or None, default=None
        ``None``: asynchronous, no batches (see above). An int: the synchronous
        variant, in rounds of ``batch_size`` candidates proposed together and
        evaluated in parallel, the next round starting when the slowest fit of
        the round returned.
    proposal_lag : int or None, default=None
        ``None``: each proposal sees every trial finished by then (fastest; with
        ``n_jobs > 1`` the candidates depend on the order fits finish in). An
        int ``k``: reproducible mode, proposal ``i`` sees exactly the trials
        numbered below ``i - k`` as finished (waiting for them if needed) and
        trials ``i - k`` to ``i - 1`` as pending, so with ``random_state`` fixed
        the candidates are the same whatever ``n_jobs`` and the finishing order.
        Up to ``k + 1`` trials run at once: ``k >= n_jobs / n_splits`` keeps the
        workers busy. Needs ``racing=False`` and ``batch_size=None``.
    random_state : int, RandomState instance or None, default=None
        Seeds the candidate sequence; the same seed gives the same candidates
        (with ``n_jobs > 1``, only with ``proposal_lag`` or ``batch_size`` set).
    warm_start : bool, default=False
        When ``True`` and the search was fitted before, ``fit`` continues that
        search: finished trials are kept in ``cv_results_`` and in the sampler's
        memory, and only ``n_iter - n_finished`` new candidates are evaluated.
        Raise ``n_iter`` (``search.set_params(n_iter=100)``) and call ``fit``
        again with the same data to extend a search. (``storage=`` does the same
        across processes.)
    storage : None, str, path-like or storage object, default=None
        Where finished trials are kept. ``None``: in memory. A path: an SQLite
        file (:class:`SQLiteStorage`), each trial committed the moment it
        finishes (with ``batch_size``, when its round returns);
        calling ``fit`` again with the same file (in this or another process,
        after a crash) resumes: stored trials are not run again, the sampler
        continues from them and ``cv_results_`` covers them all. A file written
        by a different search (estimator, space, cv, scoring or data) is refused
        with an error naming the difference.
    time_budget : float or None, default=None
        Seconds that ``fit`` may take, refit included: trials stop early
        enough to leave the refit its expected time (estimated from the
        finished trials' fit times); trials still running then are cancelled
        (status ``"cancelled"`` in the storage, not in ``cv_results_``; a
        resumed search runs them again). ``stop_reason_`` is then
        ``"time_budget"``.
    retry_failed : bool, default=False
        Whether a search resumed from ``storage`` runs its ``failed`` trials
        (a fit raised, or killed its worker process) again; by default they
        stay as stored. Cancelled trials are always run again.
    racing : bool, default=False
        Fold racing: run each candidate's folds in turn and stop it as soon as
        its folds so far show, by a paired bound against the same folds of the
        best complete trial, that its mean would not beat it (one-sided level
        5 % per look; see :mod:`sklearn_hp.search._racing`). Any estimator
        works, no ``partial_fit`` needed. A stopped candidate is a trial with
        status ``"pruned"`` and a score estimated from its folds; its
        ``cv_results_`` row holds the mean over the folds it ran, the column
        ``n_splits_run`` counts them, and it ranks after every complete
        candidate (``best_*`` always come from complete ones). Folds of
        different candidates interleave on the workers. Races on the ``refit``
        metric (the first metric when ``refit`` is a callable).
    callbacks : list or None, default=None
        Search callbacks (:class:`NoImprovementStopper`, :class:`DeadlineStopper`,
        :class:`SearchProgress`, or objects with ``on_trial_end(search, trial)``,
        which stops the search by returning ``True``). Given as
        ``(name, callback)`` pairs, their parameters are tunable as
        ``callbacks__<name>__<param>``. ``verbose >= 1`` adds a
        :class:`SearchProgress` printing one line per trial.
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
    trials_ : list of TrialRecord
        Every finished trial in order (params, score, status, per-split results).
    n_trials_ : int
        ``len(trials_)``, the rows of ``cv_results_``.
    stop_reason_ : str or None
        Why the search stopped early: ``"time_budget"``, ``"KeyboardInterrupt"``,
        ``"callback <name>"``; ``None`` when it ran to ``n_iter``.
    n_cancelled_ : int
        Trials cancelled at the time budget (stored, not in ``cv_results_``).
    sampler_ : sampler object
        The sampler used (with its state, e.g. kernel hyperparameters).
    fit_warnings_ : list of WarningSummary
        The warnings raised in this ``fit``'s fits (refit included, worker
        processes too), one per category with the number of fits that raised
        it and the most frequent message; each was emitted once, as a warning
        of its category, when ``fit`` ended, instead of once per fit.

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
        **TrialSearchCV._parameter_constraints,
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "sampler": SAMPLER_NAMES.constraint(),
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "proposal_lag": [Interval(Integral, 0, None, closed="left"), None],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        estimator,
        search_spaces,
        *,
        n_iter=50,
        sampler="gp",
        batch_size=None,
        proposal_lag=None,
        random_state=None,
        warm_start=False,
        storage=None,
        time_budget=None,
        callbacks=None,
        retry_failed=False,
        racing=False,
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
        self.batch_size = batch_size
        self.proposal_lag = proposal_lag
        self.random_state = random_state
        self.warm_start = warm_start
        self.storage = storage
        self.time_budget = time_budget
        self.callbacks = callbacks
        self.retry_failed = retry_failed
        self.racing = racing
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

    # ----------------------------------------------------------------- search
    def _memory_storage(self):
        # warm_start continues from the trials of the previous fit
        previous = getattr(self, "_memory", None)
        if not (self.warm_start and previous is not None):
            previous = super()._memory_storage()
        self._memory = previous
        return previous

    def _planned_n_trials(self):
        return max(self.n_iter, len(self._stored))

    def _runs_asynchronously(self):
        return self.batch_size is None

    def _default_batch_size(self):
        if self.batch_size is not None:
            return self.batch_size
        if self.racing:  # a worker freed by a stopped candidate takes another's fold
            return effective_n_jobs(self.n_jobs)
        return max(1, math.ceil(effective_n_jobs(self.n_jobs) / self._n_splits))

    def _search(self, loop):
        """Propose candidates in batches until ``n_iter`` trials are finished."""
        continuing = self.warm_start and loop.n_stored_ahead and hasattr(self, "sampler_")
        if continuing and self.storage is None:
            sampler, rng = self.sampler_, self._rng
        else:
            sampler = make_sampler(self.sampler)
            rng = check_random_state(self.random_state)
            if isinstance(self.random_state, np.random.RandomState):
                rng = np.random.RandomState()
                rng.set_state(self.random_state.get_state())
            if loop.n_stored_ahead:
                # resumed from storage: a stream of its own, so proposals do not
                # repeat those of the first run
                rng = np.random.RandomState([rng.randint(2**31 - 1), loop.n_stored_ahead])
        self.sampler_, self._rng = sampler, rng
        loop.evaluate(loop.replay(loop.n_stored_ahead))
        if continuing and self.storage is None and len(loop.records) >= self.n_iter:
            raise ValueError(
                f"warm_start=True: the search already evaluated {len(loop.records)} "
                f"candidates and n_iter={self.n_iter}; set n_iter above "
                f"{len(loop.records)} to continue it."
            )
        if self._runs_asynchronously():
            AsyncTrials(loop, self._asker(sampler, rng), self.n_iter,
                        lag=self.proposal_lag).run()
            return
        batch_size = self._default_batch_size()
        while len(loop.records) < self.n_iter:
            n = min(batch_size, self.n_iter - len(loop.records))
            candidates = sampler.propose(self._space, loop.records, n, rng)
            if not candidates:  # a finite space ran out of new candidates
                break
            loop.evaluate(candidates)

    def _asker(self, sampler, rng):
        """``ask(trials, pending, pending_extra)``: the sampler's next candidate, or
        ``None``."""
        return lambda trials, pending, pending_extra: propose_one(
            sampler, self._space, trials, pending, rng)

    def _check_settings(self):
        if self.proposal_lag is not None and (self.racing or self.batch_size is not None):
            raise ValueError(
                f"proposal_lag={self.proposal_lag} makes the candidates reproducible "
                f"whatever n_jobs; it needs batch_size=None and racing=False (got "
                f"batch_size={self.batch_size}, racing={self.racing}): a race's stops "
                f"depend on which trials finished first."
            )
