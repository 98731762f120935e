"""The search loop shared by every search: propose, evaluate, record, resume.

:class:`TrialSearchCV` sits on scikit-learn's ``BaseSearchCV`` (which keeps
cross-validation, scoring, refit, metadata routing and joblib), and adds what a
search of hours needs, written once for :class:`BayesSearchCV`,
:class:`SuccessiveHalvingSearchCV` and :class:`HyperbandSearchCV`:

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
import math
import os
import sys
import time
import warnings
from numbers import Real

import numpy as np
from joblib import effective_n_jobs
from scipy import stats
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv

from .._compat import (
    BaseSearchCV,
    HasMethods,
    Interval,
    all_fits_failed,
    route_search_fits,
    set_search_results,
)
from .._stacklevel import user_stacklevel
from ..callbacks._named import NamedCallbacksMixin, callback_objects
from ._callbacks import ProgressSnapshot, SearchProgress, as_search_callback, best_score
from ._fingerprint import ParamCodec, search_fingerprint
from ._racing import FoldRace, complete_fold_scores, finish_raced_results
from ._runner import BatchCancelled, UnitRunner
from ._space import SearchSpace
from ._storage import StorageError, TrialRecord, make_storage
from ._warnings import collect_fit_warnings

__all__ = ["TrialSearchCV", "TrialLoop", "objective_key", "planned_n_splits",
           "check_search_spaces"]


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


class _SearchStopped(Exception):
    """Raised inside the loop when no further trial may start."""


@contextlib.contextmanager
def _callback_subcontext(parent, search, **kwargs):
    """scikit-learn (>= 1.9) callback sub-context, closed whatever happens."""
    if parent is None:
        yield None
        return
    ctx = parent.subcontext(**kwargs).call_on_fit_task_begin(estimator=search)
    try:
        yield ctx
    finally:
        ctx.call_on_fit_task_end(estimator=search)


def _plain(value):
    """A JSON-able copy of one of scikit-learn's per-split values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    return float(value)


#: Seconds of work a batch may hold beyond one round of the workers: what a kill
#: can lose, traded against the workers' idle time at the end of every batch.
BATCH_SECONDS = 5.0


def batch_limit(n_jobs, n_splits, budgeted=False, seconds_per_candidate=None):
    """Most candidates handed to the workers at once.

    A batch's trials are committed when it returns, so a batch is kept short:
    one round of the workers (the fewest candidates whose fits fill every
    worker equally, ``n_jobs / gcd(n_jobs, n_splits)``), or as many whole
    rounds as take about ``BATCH_SECONDS`` at the pace of the previous batch
    of the same kind (the same rung of a Hyperband search).
    Under a time budget a batch holds about ``n_jobs`` fits, so none runs far
    past the budget.

    Parameters
    ----------
    n_jobs, n_splits : int
        Workers and cross-validation splits.
    budgeted : bool, default=False
        Whether the search has a time budget.
    seconds_per_candidate : float or None, default=None
        Wall time per candidate of the previous batch (``None``: none yet).

    Returns
    -------
    int
    """
    if budgeted:
        return max(1, math.ceil(n_jobs / n_splits))
    one_round = max(1, n_jobs // math.gcd(n_jobs, n_splits))
    if not seconds_per_candidate:
        return one_round
    rounds = int(BATCH_SECONDS / (seconds_per_candidate * one_round))
    return one_round * max(1, rounds)


def _is_divergence(error):
    """Whether every error in ``error`` is a divergence.

    ``error`` is one fit's traceback, or scikit-learn's summary of a batch
    whose fits all failed, which lists each distinct error once; a batch of
    several candidates then cannot say whose error is whose, so its trials
    count as diverged only if every error listed is a divergence.
    """
    blocks = error.split("failed with the following error:")[1:] or [error]
    return all("DivergenceError" in block for block in blocks)


def _reruns(stored, retry_failed):
    """Numbers of the stored trials a resumed search runs again.

    ``cancelled`` trials always (they never finished); ``failed`` ones with
    ``retry_failed``, except in a budget search's rung whose bracket already
    has a later rung stored: the promotions made from that rung stand.
    """
    last_rung = {}
    for r in stored:
        if r.rung is not None:
            last_rung[r.bracket] = max(last_rung.get(r.bracket, r.rung), r.rung)
    return {r.number for r in stored
            if r.status == "cancelled"
            or (retry_failed and r.status == "failed"
                and (r.rung is None or r.rung >= last_rung[r.bracket]))}


class TrialLoop:
    """Evaluates candidates for a search and records every finished trial.

    Trials are numbered in the order candidates are given to :meth:`evaluate`.
    A trial already in the storage under its number is taken from there, not
    run again (the candidate must be the same), unless it was cancelled, or
    failed and the search has ``retry_failed=True`` (:func:`_reruns`); new
    candidates run in short batches (:func:`batch_limit`), and every new trial
    is committed to the storage, then shown to the callbacks, as soon as its
    batch returns. Under a time budget, the trials still running at the
    deadline are stored as ``cancelled`` and the loop ends.

    Parameters
    ----------
    search : TrialSearchCV
    evaluate_candidates : callable
        What ``BaseSearchCV.fit`` hands to ``_run_search``.
    stored : list of TrialRecord
        Trials found in the storage.
    search_ctx : CallbackContext or None
        scikit-learn's callback context of the search (>= 1.9).
    """

    def __init__(self, search, evaluate_candidates, stored, search_ctx=None):
        self.search = search
        self.storage = search._storage
        self.codec = search._codec
        self._evaluate_candidates = evaluate_candidates
        rerun = _reruns(stored, getattr(search, "retry_failed", False))
        self._stored = {r.number: r for r in stored if r.number not in rerun}
        self._rerun = {r.number: r for r in stored if r.number in rerun}
        self.search_ctx = search_ctx
        self.records = []
        self.cancelled = []
        self.stop_reason = None
        self._start = getattr(search, "_fit_started", None) or time.monotonic()
        self._n_jobs = effective_n_jobs(search.n_jobs)
        self._pace = {}  # wall seconds per candidate of the last batch, per kind of call
        self._racing = getattr(search, "racing", False)
        self._race_rank = 1
        self.runner = UnitRunner(
            search.n_jobs, search.pre_dispatch, search._n_splits, search.error_score,
            lambda m: self._failed_outs(1, m)[0],
            skipped_out=(lambda: self._failed_outs(1, None)[0]) if self._racing else None)
        route_search_fits(evaluate_candidates, self.runner)

    # -------------------------------------------------------------- queries
    @property
    def n_stored_ahead(self):
        """Stored trials not replayed yet (including those to run again)."""
        first = len(self.records)
        return sum(1 for k in (*self._stored, *self._rerun) if k >= first)

    def _stored_trial(self, number):
        return self._stored.get(number) or self._rerun.get(number)

    def replay(self, n):
        """Parameters of up to ``n`` stored trials next in line (resuming)."""
        first = len(self.records)
        out = []
        while len(out) < n and self._stored_trial(first + len(out)) is not None:
            out.append(self._stored_trial(first + len(out)).params)
        return out

    def _refit_scale(self, budget=None):
        """Refit time over one split's fit time, for a trial at ``budget``.

        The refit trains on all the data (``n_splits / (n_splits - 1)`` times a
        training split) and, in a budget search, with the full budget.
        """
        n_splits = self.search._n_splits
        scale = n_splits / (n_splits - 1) if n_splits > 1 else 1.0
        full = getattr(self.search, "max_resource_", None)
        if budget and full and budget < full:
            scale *= full / budget
        return scale

    def refit_estimate(self):
        """Seconds the refit is expected to take, from the finished trials' fits.

        The slowest mean fit time among the trials at the largest budget
        reached, times :meth:`_refit_scale`; ``0`` without refit or finished
        trials.
        """
        done = [r for r in self.records if math.isfinite(r.score)]
        if not self.search.refit or not done:
            return 0.0
        top = max((r.budget or 0) for r in done)
        times = [np.mean([s["fit_time"] for s in r.splits]) for r in done
                 if (r.budget or 0) == top]
        if not np.isfinite(times).any():
            return 0.0
        return float(np.nanmax(times)) * self._refit_scale(top)

    def deadline(self, batch_start=None, rounds=1, budget=None, whole=False):
        """``time.monotonic()`` at which trials stop (``None`` without a budget).

        ``time_budget`` counts from the start of ``fit``; the refit's expected
        time (:meth:`refit_estimate`) and a small margin for cancelling the
        running fits (5 % of the budget, at most 2 s) are kept free at its end.
        For a batch started at ``batch_start``, whose fits take ``rounds``
        turns of the workers (and ``budget`` units of the resource), the
        deadline also comes as soon as the time its fits have run would leave
        no room for refitting one of them, should it be the best. With
        ``whole``, only the margin is kept (no trial has finished yet).
        """
        if self.search.time_budget is None:
            return None
        end = self._start + self.search.time_budget - min(0.05 * self.search.time_budget, 2.0)
        if whole:
            return end
        deadline = end - self.refit_estimate()
        if batch_start is not None and self.search.refit:
            # a fit that has run for e seconds takes at least e / rounds
            scale = self._refit_scale(budget) / rounds
            deadline = min(deadline, (end + scale * batch_start) / (1 + scale))
        return deadline

    def time_left(self):
        """Seconds left for trials under ``time_budget`` (``None`` without one)."""
        deadline = self.deadline()
        return None if deadline is None else deadline - time.monotonic()

    def stop(self, reason):
        """Let no further trial start; ``reason`` goes to ``stop_reason_``."""
        if self.stop_reason is None:
            self.stop_reason = reason

    def _check_running(self):
        left = self.time_left()
        if left is not None and left <= 0:
            self.stop("time_budget")
        if self.stop_reason is not None:
            raise _SearchStopped(self.stop_reason)

    # ----------------------------------------------------------- evaluating
    def evaluate(self, candidates, extra=None):
        """Evaluate candidates (or take them from storage); return their records.

        Parameters
        ----------
        candidates : list of dict
        extra : dict or None
            Extra ``cv_results_`` columns shared by these candidates.

        Returns
        -------
        list of TrialRecord, in the order of ``candidates``
        """
        candidates, extra = list(candidates), dict(extra or {})
        first, n = len(self.records), len(candidates)
        # calls with other extra columns (a Hyperband rung with a larger budget)
        # may cost more per candidate: their pace is measured on their first batch
        kind = repr(sorted(extra.items()))
        self._race_rank = self.search._racing_rank(n, extra)
        out, i = [], 0
        while i < n:
            stored = self._stored.get(first + i)
            if stored is not None:
                self._check_same(stored, candidates[i], extra)
                self.records.append(stored)
                out.append(stored)
                i += 1
                continue
            limit = batch_limit(self._n_jobs, self.search._n_splits,
                                self.search.time_budget is not None, self._pace.get(kind))
            if self._racing:  # later candidates race against the earlier ones
                limit = min(limit, self._n_jobs)
            j = i + 1
            while j < n and first + j not in self._stored and j - i < limit:
                j += 1
            for k in range(i, j):
                if first + k in self._rerun:
                    self._check_same(self._rerun[first + k], candidates[k], extra)
            self._check_running()
            started = time.monotonic()
            records = self._run(candidates[i:j], first + i, extra)
            self._pace[kind] = (time.monotonic() - started) / (j - i)
            for record in records:
                if record.status == "cancelled":
                    self.storage.add(record)
                    self.cancelled.append(record)
                else:
                    self._finish(record)
                    out.append(record)
            self.search._after_batch()
            if self.cancelled:  # the deadline came: no trial after these
                self.stop("time_budget")
                raise _SearchStopped(self.stop_reason)
            i = j
        return out

    def _check_same(self, stored, params, extra):
        if self.codec.encode(stored.params) != self.codec.encode(params) or (
                stored.extra != extra):
            raise StorageError(
                f"Trial {stored.number} in the storage is {stored.params} {stored.extra}, "
                f"but the resumed search proposes {params} {extra} at that position; the "
                f"storage was written by a search with other settings. Use a new storage."
            )

    def _run(self, candidates, first, extra):
        search = self.search
        n_splits = search._n_splits
        # until a trial has finished, the running ones may use the whole budget
        # (there is nothing to refit yet); then the refit's time is kept free
        finished = any(math.isfinite(r.score) for r in self.records)
        rounds = math.ceil(len(candidates) * n_splits / self._n_jobs)
        self.runner.deadline = (self.deadline(time.monotonic(), rounds, extra.get("n_resources"))
                                if finished else self.deadline(whole=True))
        race = self.runner.race = self._make_race(extra) if self._racing else None
        with _callback_subcontext(self.search_ctx, search, task_name="batch",
                                  max_subtasks=len(candidates) * n_splits,
                                  sequential_subtasks=False) as ctx:
            kwargs = {} if ctx is None else {"callback_ctx": ctx}
            search._batch_out = None
            try:
                self._evaluate_candidates(candidates, **kwargs)
                outs = search._batch_out[-len(candidates) * n_splits:]
            except BatchCancelled as cancel:
                outs = [cancel.outs.get(u) for u in range(len(candidates) * n_splits)]
            except ValueError as error:
                # scikit-learn raises when every fit of a call fails
                if search.error_score == "raise" or not all_fits_failed(error):
                    raise
                outs = self._failed_outs(len(candidates) * n_splits, str(error))
        finished = time.time()
        records = []
        for k, params in enumerate(candidates):
            mine = outs[k * n_splits:(k + 1) * n_splits]
            if any(o is None for o in mine):  # a fit still ran at the deadline
                records.append(TrialRecord(number=first + k, params=dict(params),
                                           score=math.nan, status="cancelled", splits=[],
                                           extra=dict(extra), finished_at=finished))
                continue
            record = self._make_record(first + k, params, mine, extra, finished)
            skipped = [f for f in range(n_splits) if k * n_splits + f in self.runner.skipped]
            if skipped:  # stopped by the race: its estimated full mean, status pruned
                for f in skipped:
                    record.splits[f]["skipped"] = True
                record.score, record.status = race.estimate(k), "pruned"
            records.append(record)
        self.runner.race = None
        return records

    def _race_metric(self):
        """The scorer raced on: the refit metric of a multimetric search."""
        refit = self.search.refit
        return refit if isinstance(refit, str) else None

    def _make_race(self, extra):
        """A :class:`FoldRace` against the finished trials like these (same rung)."""
        metric = self._race_metric()
        complete = [complete_fold_scores(r, metric) for r in self.records if r.extra == extra]
        return FoldRace(self.search._n_splits, [c for c in complete if c is not None],
                        self._race_rank, metric)

    def _score_template(self):
        for record in self.records:
            return record.splits[0]["test_scores"]
        scoring = self.search.scoring
        if isinstance(scoring, (list, tuple, set, dict)):
            return {name: None for name in scoring}
        return None

    def _failed_outs(self, n, message):
        """Results of ``n`` fits that did not return (skipped by a race: ``message=None``)."""
        template = self._score_template()
        error = float(self.search.error_score) if message is not None else math.nan
        score = ({k: error for k in template} if isinstance(template, dict) else error)
        out = {"test_scores": score, "n_test_samples": 0, "fit_time": math.nan,
               "score_time": math.nan, "fit_error": message}
        if self.search.return_train_score:
            out["train_scores"] = score
        return [dict(out) for _ in range(n)]

    def _make_record(self, number, params, outs, extra, finished):
        splits = [{k: _plain(v) for k, v in o.items() if k not in ("estimator", "parameters")}
                  for o in outs]
        scores = [s["test_scores"] for s in splits]
        if isinstance(scores[0], dict):
            refit = self.search.refit
            name = refit if isinstance(refit, str) and refit in scores[0] else next(iter(scores[0]))
            scores = [s[name] for s in scores]
        score = float(np.mean(scores))
        errors = [s["fit_error"] for s in splits if s.get("fit_error")]
        if errors:
            status = "diverged" if all(_is_divergence(e) for e in errors) else "failed"
        else:
            status = "complete" if math.isfinite(score) else "diverged"
        return TrialRecord(number=number, params=dict(params), score=score, status=status,
                           splits=splits, extra=dict(extra), finished_at=finished)

    def _finish(self, record):
        self.records.append(record)
        self.storage.add(record)
        for name, callback in self.search._callbacks:
            if callback.on_trial_end(self.search, record):
                self.stop(f"callback {name}")

    def mark(self, records, status):
        """Set the status of finished trials (e.g. ``"pruned"``), in storage too."""
        records = [r for r in records if r.status == "complete"]
        if records:
            self.storage.set_status([r.number for r in records], status)
            for r in records:
                r.status = status

    # -------------------------------------------------------------- results
    def install_results(self, evaluate_candidates):
        """Make ``BaseSearchCV.fit`` finish with every recorded trial."""
        records = self.records
        if not records:
            raise ValueError(
                f"The search stopped ({self.stop_reason}) before any trial finished"
                + (f" ({len(self.cancelled)} cancelled: one trial takes longer than the "
                   f"budget)" if self.cancelled else "")
                + f"; give it more time (time_budget={self.search.time_budget})."
            )
        if not any(math.isfinite(r.score) for r in records):
            error = next((r.fit_error for r in records if r.fit_error), None)
            if error is None:  # every fit ran, the scorer gave NaN or inf
                raise ValueError(
                    f"Every score of all {len(records)} evaluated candidates was NaN or "
                    "infinite, though no fit raised an error: the models' predictions "
                    "(NaN or inf) or the scorer (undefined on these folds) gave no number."
                )
            raise ValueError(
                f"All fits of all {len(records)} evaluated candidates failed; set "
                f"error_score='raise' to see the errors. First error: {error}"
            )
        params = [r.params for r in records]
        outs = [{k: v for k, v in s.items() if k != "skipped"} for r in records
                for s in r.splits]
        keys = list(dict.fromkeys(k for r in records for k in r.extra))
        more = {k: [r.extra.get(k) for r in records] for k in keys}
        with warnings.catch_warnings():
            if all(math.isfinite(r.score) for r in records if r.status != "pruned"):
                # the NaN folds a race skipped are no error: their means come below
                warnings.filterwarnings("ignore", "One or more of the (test|train) scores",
                                        UserWarning)
            results = BaseSearchCV._format_results(
                self.search, params, self.search._n_splits, outs, more)
        self.search._rank_results(results)
        if self._racing:
            finish_raced_results(results, records, self.search._n_splits)
        set_search_results(evaluate_candidates, params, outs, more, results)


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
        **BaseSearchCV._parameter_constraints,
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
        """Context around ``BaseSearchCV.fit`` (budget searches wrap the estimator)."""
        return contextlib.nullcontext()

    def _planned_n_trials(self):
        """Trials the search will have when it ends normally (``None`` if unknown)."""
        return None

    @property
    def progress_(self):
        """A read-only :class:`~sklearn_hp.search.ProgressSnapshot` of the running
        search, for its callbacks (only while ``fit`` runs)."""
        loop = self.__dict__.get("_loop")
        if loop is None:
            raise AttributeError(f"{type(self).__name__}.progress_ exists only while fit "
                                 "runs (its callbacks read it).")
        return ProgressSnapshot(n_trials=len(loop.records), n_planned=self._planned_n_trials(),
                                n_resumed=self._n_resumed, best_score=best_score(loop.records),
                                time_left=loop.time_left())

    def _search(self, loop):
        raise NotImplementedError

    def _after_batch(self):
        """Called after each evaluated batch, once its trials are stored."""

    def _after_search(self, loop):
        """Called once the loop ended, before results are installed."""

    def _rank_results(self, results):
        """Change the formatted results' ``rank_test_*`` columns in place, if needed."""

    def _racing_rank(self, n_candidates, extra):
        """Rank, among finished trials like ``extra``, of the trial a raced candidate
        must beat (1: the best), for a call evaluating ``n_candidates``."""
        return 1

    #: Attributes that live only while ``fit`` runs (a storage connection, the
    #: loop and its closure over joblib): never pickled, so the search stays
    #: cheap to send to the workers that scikit-learn >= 1.9 hands it to.
    _RUNTIME_STATE = ("_storage", "_stored", "_loop", "_callbacks", "_batch_out",
                      "_fit_started")

    def __getstate__(self):
        state = dict(super().__getstate__())  # object.__getstate__ is __dict__ itself
        running = state.get("_loop") is not None
        for key in self._RUNTIME_STATE + (("trials_", "_memory") if running else ()):
            state.pop(key, None)
        return state

    # --------------------------------------------------------------- fit
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
        self._validate_params()
        self._space = check_search_spaces(self.search_spaces, self._reserved_parameters(),
                                          type(self).__name__)
        self._n_splits = planned_n_splits(self, X, y, params)
        self._codec = ParamCodec(self._space)  # the space parsed once
        storage = self._memory_storage() if self.storage is None else make_storage(self.storage)
        fingerprint = search_fingerprint(self, X, y, self._fingerprint_settings())
        self._stored = storage.open(fingerprint, self._codec)
        self._storage = storage
        try:
            # the warnings of every fit are recorded and emitted once per kind at the end
            with collect_fit_warnings(self) as fit_warnings, self._fit_wrapper(X, y, params), \
                    _workers_die_with_search(), fit_warnings.recording():
                super().fit(X, y, **params)
        finally:
            storage.close()
            for key in self._RUNTIME_STATE:
                self.__dict__.pop(key, None)
        return self

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        # While the loop runs, scikit-learn's per-batch formatting is skipped: the
        # loop keeps the raw results and formats every trial once at the end.
        self._batch_out = out
        return {}

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        """Run ``_search`` in a :class:`TrialLoop`; install every finished trial."""
        callbacks = callback_objects(self.callbacks)
        if self.verbose > 0 and not any(isinstance(c, SearchProgress) for c in callbacks):
            callbacks.append(SearchProgress(bar=False))
        self._callbacks = [(type(c).__name__, as_search_callback(c)) for c in callbacks]
        with _callback_subcontext(callback_ctx, self, task_name="search", max_subtasks=None,
                                  sequential_subtasks=True) as search_ctx:
            loop = TrialLoop(self, evaluate_candidates, self._stored, search_ctx)
            self._loop, self.trials_, self.stop_reason_ = loop, loop.records, None
            self._n_resumed = len(self._stored)
            with _callbacks_running(self, [c for _, c in self._callbacks]):
                self._run_loop(loop)
        self.stop_reason_ = loop.stop_reason
        self.n_trials_ = len(loop.records)
        self.n_cancelled_ = len(loop.cancelled)
        if self.stop_reason_ == "time_budget" and self.verbose > 0:
            print(f"[{type(self).__name__}] time_budget={self.time_budget}s reached after "
                  f"{self.n_trials_} trials; {self.n_cancelled_} running trials were "
                  f"cancelled (a resume runs them again).")
        self._after_search(loop)
        loop.install_results(evaluate_candidates)

    def _run_loop(self, loop):
        """Run ``_search``; a stop or an interruption after a finished trial ends it quietly."""
        try:
            with loop.runner:
                self._search(loop)
        except _SearchStopped:
            pass
        except KeyboardInterrupt:
            if not loop.records:
                raise
            loop.stop("KeyboardInterrupt")
            warnings.warn(
                f"{type(self).__name__} interrupted: the {len(loop.records)} finished "
                f"trials are kept (cv_results_, best_params_, storage).", UserWarning,
                stacklevel=user_stacklevel())
