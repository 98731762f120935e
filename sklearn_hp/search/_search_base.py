"""The base of every search: storage, resume, budgets, callbacks, and its own ``fit``.

:class:`TrialSearchCV` is a scikit-learn ``BaseSearchCV`` (the same parameters,
``cv_results_``, ``best_*``, refit, prediction methods) that runs its search
itself: :mod:`._fit` prepares the scorers, the routed parameters and the splits
and, after the trials, lays out ``cv_results_`` and refits, as ``GridSearchCV``
does; :class:`~sklearn_hp.search._loop.TrialLoop` evaluates the trials, unit by
unit (:mod:`._unit`, :mod:`._runner`). It adds what a search of hours needs,
written once for :class:`BayesSearchCV`, :class:`SuccessiveHalvingSearchCV` and
:class:`HyperbandSearchCV`:

* trial storage and resume (``storage=``), with the search's fingerprint;
* no lost trial: a batch whose fits all fail is recorded with ``error_score``
  and never evaluated again; ``KeyboardInterrupt`` keeps the trials of every
  finished batch (batches are short: :func:`batch_limit`);
* a fit that kills its worker process costs its own trial (``failed``), not
  the batch (:class:`~sklearn_hp.search._runner.UnitRunner`); a resume runs
  failed trials again only with ``retry_failed=True``;
* ``time_budget``, which bounds ``fit`` including the refit: running trials are
  cancelled at the budget (``cancelled``; a resume runs them again), and the
  refit's expected time is kept free;
* search-level ``callbacks`` that may stop the search.

A subclass writes only ``_search(loop)``: it proposes candidates and hands them
to :meth:`TrialLoop.evaluate`, which returns their records.
"""

import contextlib
import os
import sys
import time
import warnings
from numbers import Real

from scipy import stats

from .._compat import (
    BaseSearchCV,
    HasMethods,
    Interval,
    open_callback_context,
    validate_parameter_constraints,
    with_fit_callbacks,
)
from .._stacklevel import user_stacklevel
from ..callbacks._named import NamedCallbacksMixin, callback_objects
from ._callbacks import ProgressSnapshot, SearchProgress, as_search_callback, best_score
from ._fingerprint import ParamCodec, search_fingerprint
from ._fit import (
    SEARCH_CONSTRAINTS,
    UnitPlan,
    metadata_router,
    prepare_fit,
    refit_best,
    search_results,
    set_best,
)
from ._loop import BATCH_SECONDS, SearchStopped, TrialLoop, batch_limit, callback_subcontext
from ._results import report_fit_failures
from ._space import SearchSpace
from ._storage import make_storage
from ._warnings import collect_fit_warnings

__all__ = ["BATCH_SECONDS", "TrialSearchCV", "TrialLoop", "batch_limit", "check_search_spaces",
           "objective_key"]


def objective_key(search, results):
    """Name of the ``cv_results_`` column a search maximises.

    ``mean_test_score`` for a single metric; ``mean_test_<refit>`` for several
    metrics with ``refit="<name>"``; the first metric's column when ``refit`` is
    a callable or ``False`` with several metrics.
    """
    if "mean_test_score" in results:
        return "mean_test_score"
    if isinstance(search.refit, str) and f"mean_test_{search.refit}" in results:
        return f"mean_test_{search.refit}"
    keys = [k for k in results if k.startswith("mean_test_")]
    if not keys:
        raise ValueError(
            f"Found no mean_test_* column in the search results (columns: {sorted(results)})."
        )
    return keys[0]


def check_search_spaces(search_spaces, reserved=(), owner="the search"):
    """Validate a search-space spec and return its :class:`SearchSpace`.

    Unfrozen ``scipy.stats`` distributions and parameters the search sets itself
    (``reserved``, e.g. the resource of a budget search) are refused by name.
    """
    for sub in search_spaces if isinstance(search_spaces, (list, tuple)) else [search_spaces]:
        for name, value in (sub.items() if isinstance(sub, dict) else ()):
            if isinstance(value, (stats.rv_continuous, stats.rv_discrete)):
                raise ValueError(
                    f"Parameter {name!r}: {getattr(value, 'name', value)!r} is an unfrozen "
                    f"scipy.stats distribution. Freeze it with its parameters, e.g. "
                    f"scipy.stats.loguniform(1e-4, 1e-1), or use Real/Integer/Categorical."
                )
            if name in reserved:
                raise ValueError(
                    f"Parameter {name!r} is in search_spaces, but {owner} sets it itself "
                    f"(it is the resource, given by the budget schedule). Remove it from "
                    f"search_spaces, or pass another resource=."
                )
    return SearchSpace(search_spaces)


def _die_with_parent():
    """Loky worker initializer: be killed when the process that started us dies.

    A search killed with SIGKILL cannot shut its workers down; on Linux the
    kernel does it (``PR_SET_PDEATHSIG``), so no orphaned worker keeps memory.
    """
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):  # not Linux: workers end at their idle timeout
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


@contextlib.contextmanager
def _workers_die_with_search():
    """Run joblib's default (loky) workers with :func:`_die_with_parent`.

    Only the default backend is touched: a backend chosen by the user (dask,
    threading, a loky backend configured with its own initializer) is left as is.
    """
    try:  # joblib >= 1.3
        from joblib import parallel_config
        from joblib.parallel import LokyBackend, get_active_backend
    except ImportError:  # pragma: no cover
        yield
        return
    backend, _ = get_active_backend()
    if (not sys.platform.startswith("linux") or type(backend) is not LokyBackend
            or getattr(backend, "backend_kwargs", {}).get("initializer") is not None):
        yield
        return
    kwargs = {**getattr(backend, "backend_kwargs", {}), "initializer": _die_with_parent}
    with parallel_config(backend=LokyBackend(**kwargs)):
        yield


@contextlib.contextmanager
def _callbacks_running(search, callbacks):
    """Call each callback's ``on_search_begin``, then, whatever happens, the
    ``on_search_end`` of every callback whose ``on_search_begin`` ran."""
    begun = []
    try:
        for callback in callbacks:
            callback.on_search_begin(search)
            begun.append(callback)
        yield
    finally:
        for callback in begun:
            callback.on_search_end(search)


class TrialSearchCV(NamedCallbacksMixin, BaseSearchCV):
    """Base of the searches: storage, resume, budgets and callbacks.

    Subclasses define ``__init__`` (with ``storage``, ``time_budget`` and
    ``callbacks`` among their keyword arguments) and ``_search(loop)``.
    Callbacks given as ``(name, callback)`` pairs are tunable as
    ``callbacks__<name>__<param>``.
    """

    _parameter_constraints = {
        **SEARCH_CONSTRAINTS,
        "search_spaces": [dict, list],
        "random_state": ["random_state"],
        "storage": [None, str, os.PathLike,
                    HasMethods(["open", "add", "set_status", "get_meta", "set_meta", "close"])],
        "time_budget": [Interval(Real, 0, None, closed="neither"), None],
        "callbacks": [list, tuple, None],
        "retry_failed": ["boolean"],
        "racing": ["boolean"],
    }

    # ------------------------------------------------------------- hooks
    def _reserved_parameters(self):
        """Parameter names the search sets itself (refused in the space)."""
        return ()

    def _fingerprint_settings(self):
        """Settings that shape the candidate sequence (part of the fingerprint)."""
        return {}

    def _memory_storage(self):
        """The storage used with ``storage=None``."""
        return make_storage(None)

    def _fit_wrapper(self, X, y, params):
        """Context around the trials and the refit (budget searches wrap the estimator)."""
        return contextlib.nullcontext()

    def _planned_n_trials(self):
        """Trials the search will have when it ends normally (``None`` if unknown)."""
        return None

    def _planned_budget(self):
        """Sum of the planned trials' budgets (``None`` for a search without budgets)."""
        return None

    @property
    def progress_(self):
        """A read-only :class:`~sklearn_hp.search.ProgressSnapshot` of the running
        search, for its callbacks (only while ``fit`` runs)."""
        loop = self.__dict__.get("_loop")
        if loop is None:
            raise AttributeError(f"{type(self).__name__}.progress_ exists only while fit "
                                 "runs (its callbacks read it).")
        planned_budget = self._planned_budget()
        done = (None if planned_budget is None else
                float(sum(r.budget for r in loop.records if r.budget is not None)))
        return ProgressSnapshot(n_trials=len(loop.records), n_planned=self._planned_n_trials(),
                                n_resumed=len(self._resumed_numbers),
                                best_score=best_score(loop.records),
                                time_left=loop.time_left(), planned_budget=planned_budget,
                                budget_done=done, resumed_numbers=self._resumed_numbers)

    def _search(self, loop):
        raise NotImplementedError

    def _check_settings(self):
        """Raise on settings that are valid one by one but not together."""

    def _runs_asynchronously(self):
        """Whether ``_search`` runs its trials with :class:`AsyncTrials` (streamed
        units, no batches)."""
        return False

    def _after_batch(self):
        """Called after each evaluated batch, once its trials are stored."""

    def _after_search(self, loop):
        """Called once the loop ended, before results are installed."""

    def _rank_results(self, results):
        """Change the formatted results' ``rank_test_*`` columns in place, if needed."""

    def _racing_rule(self, n_candidates, extra):
        """``(rank, alpha)`` of the races of a call evaluating ``n_candidates``.

        ``rank``: among finished trials like ``extra``, that of the trial a
        raced candidate must beat (1: the best); ``alpha``: the level per look
        (None: :data:`~sklearn_hp.search._racing.ALPHA`).
        """
        return 1, None

    #: Attributes that live only while ``fit`` runs (a storage connection, the
    #: loop and its runner): never pickled, so the search stays cheap to send to
    #: the workers that scikit-learn's (>= 1.9) callbacks hand it to.
    _RUNTIME_STATE = ("_storage", "_stored", "_loop", "_callbacks", "_fit_started")

    def __getstate__(self):
        state = dict(super().__getstate__())  # object.__getstate__ is __dict__ itself
        running = state.get("_loop") is not None
        for key in self._RUNTIME_STATE + (("trials_", "_memory") if running else ()):
            state.pop(key, None)
        return state

    def get_metadata_routing(self):
        """Routing of ``fit``'s parameters: to the estimator's ``fit``, the scorer
        (``score``) and the splitter (``split``), as in scikit-learn's searches.

        Returns
        -------
        MetadataRouter
        """
        return metadata_router(self)

    # --------------------------------------------------------------- fit
    @with_fit_callbacks
    def fit(self, X, y=None, **params):
        """Run the search, resuming the trials already in ``storage``.

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
        self._fit_started = time.monotonic()  # time_budget counts from here
        validate_parameter_constraints(self._parameter_constraints, self.get_params(deep=False),
                                       caller_name=type(self).__name__)
        self._check_settings()
        self._space = check_search_spaces(self.search_spaces, self._reserved_parameters(),
                                          type(self).__name__)
        data = prepare_fit(self, X, y, params)
        self._n_splits = self.n_splits_ = data.n_splits
        self._codec = ParamCodec(self._space)  # the space parsed once
        storage = self._memory_storage() if self.storage is None else make_storage(self.storage)
        fingerprint = search_fingerprint(self, X, y, self._fingerprint_settings())
        self._stored = storage.open(fingerprint, self._codec)
        self._storage = storage
        try:
            # the warnings of every fit are recorded and emitted once per kind at the end
            with collect_fit_warnings(self) as log_dir, self._fit_wrapper(X, y, params), \
                    _workers_die_with_search():
                self._fit_trials(data, log_dir)
        finally:
            storage.close()
            for key in self._RUNTIME_STATE:
                self.__dict__.pop(key, None)
        return self

    def _fit_trials(self, data, log_dir):
        """Run the trials, then set ``cv_results_``, the best candidate and its refit."""
        root = open_callback_context(self, 1 + (self.refit is not False))
        task = dict(estimator=self, X=data.X, y=data.y, metadata=data.metadata)
        if root is not None:
            root.call_on_fit_task_begin(**task)
        loop = self._run_trials(UnitPlan(self, data, log_dir), root)
        params, outs, more = loop.outcome()
        results = search_results(self, params, outs, more, loop.records)
        set_best(self, results, data, outs[0]["test_scores"])
        if self.refit:
            refit_best(self, data, root, log_dir)
        self.scorer_ = data.scorer_attribute
        self.cv_results_ = results
        if root is not None:
            root.call_on_fit_task_end(**task)

    def _run_trials(self, plan, root=None):
        """Run ``_search`` in a :class:`TrialLoop` with the search callbacks; return it."""
        callbacks = callback_objects(self.callbacks)
        if self.verbose > 0 and not any(isinstance(c, SearchProgress) for c in callbacks):
            callbacks.append(SearchProgress(bar=False))
        self._callbacks = [(type(c).__name__, as_search_callback(c)) for c in callbacks]
        with callback_subcontext(root, self, task_name="search", max_subtasks=None,
                                 sequential_subtasks=True) as search_ctx:
            loop = TrialLoop(self, plan, self._stored, search_ctx)
            self._loop, self.trials_, self.stop_reason_ = loop, loop.records, None
            self._resumed_numbers = tuple(sorted(r.number for r in self._stored))
            with _callbacks_running(self, [c for _, c in self._callbacks]):
                self._run_loop(loop)
        # one FitFailedWarning for the whole search, not one per batch
        report_fit_failures(loop.fit_outs, self.error_score)
        self.stop_reason_ = loop.stop_reason
        self.n_trials_ = len(loop.records)
        self.n_cancelled_ = len(loop.cancelled)
        if self.stop_reason_ == "time_budget" and self.verbose > 0:
            print(f"[{type(self).__name__}] time_budget={self.time_budget}s reached after "
                  f"{self.n_trials_} trials; {self.n_cancelled_} running trials were "
                  f"cancelled (a resume runs them again).")
        self._after_search(loop)
        return loop

    def _run_loop(self, loop):
        """Run ``_search``; a stop or an interruption after a finished trial ends it quietly."""
        try:
            with loop.runner:
                self._search(loop)
        except SearchStopped:
            pass
        except KeyboardInterrupt:
            if not loop.records:
                raise
            loop.stop("KeyboardInterrupt")
            warnings.warn(
                f"{type(self).__name__} interrupted: the {len(loop.records)} finished "
                f"trials are kept (cv_results_, best_params_, storage).", UserWarning,
                stacklevel=user_stacklevel())
