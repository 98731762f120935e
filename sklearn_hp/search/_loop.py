"""The trial loop every search runs: evaluate candidates, record, resume, stop.

:class:`TrialLoop` is what a search's ``_search(loop)`` talks to: it hands each
(candidate, split) unit of a batch to the :class:`~sklearn_hp.search._runner.UnitRunner`,
which returns each unit's result as it comes back, and records every finished
trial at once in the storage and in ``loop.records``; stored trials of an
earlier run are replayed instead of run again.
"""

import contextlib
import math
import time

import numpy as np
from joblib import effective_n_jobs

from ._racing import FoldRace, complete_fold_scores, race_metric
from ._runner import BatchCancelled, UnitRunner
from ._storage import StorageError, TrialRecord

__all__ = ["BATCH_SECONDS", "SearchStopped", "TrialLoop", "batch_limit", "callback_subcontext"]


class SearchStopped(Exception):
    """Raised inside the loop when no further trial may start."""


@contextlib.contextmanager
def callback_subcontext(parent, search, **kwargs):
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
    """Whether ``error``, one fit's traceback, is a divergence."""
    return "DivergenceError" in error


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


class SlowestFit:
    """The slowest mean fit time among the scored trials at the largest budget
    reached, kept up to date by reading only the records added since the last
    :meth:`read` (records are only ever appended while trials run)."""

    def __init__(self):
        self._read, self._budget, self._slowest = 0, None, {}

    def read(self, records):
        """``(largest budget scored, its slowest mean fit time or None)``."""
        for record in records[self._read:]:
            if not math.isfinite(record.score):
                continue
            budget = record.budget or 0
            self._budget = max(budget, self._budget or 0)
            seconds = float(np.mean([s["fit_time"] for s in record.splits]))
            if math.isfinite(seconds):
                self._slowest[budget] = max(seconds, self._slowest.get(budget, 0.0))
        self._read = len(records)
        return self._budget, self._slowest.get(self._budget)


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
    plan : UnitPlan
        Makes the units of a batch (:class:`~sklearn_hp.search._fit.UnitPlan`).
    stored : list of TrialRecord
        Trials found in the storage.
    search_ctx : CallbackContext or None
        scikit-learn's callback context of the search (>= 1.9).
    """

    def __init__(self, search, plan, stored, search_ctx=None):
        self.search = search
        self.storage = search._storage
        self.codec = search._codec
        self.plan = plan
        rerun = _reruns(stored, getattr(search, "retry_failed", False))
        self._stored = {r.number: r for r in stored if r.number not in rerun}
        self._rerun = {r.number: r for r in stored if r.number in rerun}
        self.search_ctx = search_ctx
        self.records = []
        self.cancelled = []
        self.fit_outs = []  # this run's fits, for the one failure warning at its end
        self.stop_reason = None
        self._slowest_fit = SlowestFit()  # refit_estimate's running state
        self._start = getattr(search, "_fit_started", None) or time.monotonic()
        self._n_jobs = effective_n_jobs(search.n_jobs)
        self._pace = {}  # wall seconds per candidate of the last batch, per kind of call
        self._racing = getattr(search, "racing", False)
        self._race_rule = (1, None)  # rank of the bar, level per look
        self.runner = UnitRunner(
            search.n_jobs, search.pre_dispatch, search._n_splits, search.error_score,
            lambda m: self._failed_outs(1, m)[0],
            skipped_out=(lambda: self._failed_outs(1, None)[0]) if self._racing else None,
            streaming=search._runs_asynchronously())

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
        reached (:class:`SlowestFit`), times :meth:`_refit_scale`; ``0`` without
        refit or finished trials.
        """
        if not self.search.refit:
            return 0.0
        budget, seconds = self._slowest_fit.read(self.records)
        return 0.0 if seconds is None else seconds * self._refit_scale(budget)

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
            raise SearchStopped(self.stop_reason)

    # ----------------------------------------------------------- evaluating
    def adopt_stored(self):
        """Take every stored trial not replayed yet; return the ones to run again.

        An asynchronous run stores trials in the order they finish, so a crash
        can leave gaps in the numbers: the finished trials after a gap are taken
        as they are, in number order. Returns ``(number, params)`` of the stored
        trials to run again (cancelled, or failed with ``retry_failed``).
        """
        first = len(self.records)
        self.records.extend(self._stored[k] for k in sorted(self._stored) if k >= first)
        return [(k, self._rerun[k].params) for k in sorted(self._rerun) if k >= first]

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
        self._race_rule = self.search._racing_rule(n, extra)
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
                raise SearchStopped(self.stop_reason)
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
        """Run the units of ``candidates``; return their records (some ``cancelled``)."""
        n_splits = self.search._n_splits
        outs = self._run_units(candidates, extra)
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
                record.score, record.status = self.runner.race.estimate(k), "pruned"
            records.append(record)
        self.runner.race = None
        return records

    def _run_units(self, candidates, extra):
        """Results of every (candidate, split) unit, candidate-major (None: cancelled).

        Each failed fit keeps its own ``fit_error``; the outs of the fits that
        ran (not those a race skipped) join :attr:`fit_outs`, of which the
        search warns once, at its end.
        """
        search, n_units = self.search, len(candidates) * self.search._n_splits
        # until a trial has finished, the running ones may use the whole budget
        # (there is nothing to refit yet); then the refit's time is kept free
        finished = any(math.isfinite(r.score) for r in self.records)
        rounds = math.ceil(n_units / self._n_jobs)
        self.runner.deadline = (self.deadline(time.monotonic(), rounds, extra.get("n_resources"))
                                if finished else self.deadline(whole=True))
        self.runner.race = self._make_race(extra) if self._racing else None
        if search.verbose > 0:
            print(f"Fitting {search._n_splits} folds for each of {len(candidates)} "
                  f"candidates, totalling {n_units} fits")
        with callback_subcontext(self.search_ctx, search, task_name="batch",
                                 max_subtasks=n_units, sequential_subtasks=False) as ctx:
            try:
                outs = self.runner(self.plan.units(candidates, ctx))
            except BatchCancelled as cancel:
                return [cancel.outs.get(u) for u in range(n_units)]
        self.fit_outs.extend(o for u, o in enumerate(outs) if u not in self.runner.skipped)
        return outs

    def race_metric(self):
        """The scorer raced on: the refit metric of a multimetric search."""
        return race_metric(self.search)

    def _make_race(self, extra):
        """A :class:`FoldRace` against the finished trials like these (same rung)."""
        metric = self.race_metric()
        complete = [complete_fold_scores(r, metric) for r in self.records if r.extra == extra]
        rank, alpha = self._race_rule
        return FoldRace(self.search._n_splits, [c for c in complete if c is not None],
                        rank, metric, alpha)

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
    def outcome(self):
        """``(candidate_params, outs, more_results)`` of every recorded trial.

        ``outs`` holds one result per (trial, split), trial-major, and
        ``more_results`` the trials' extra columns. Raises when no trial
        finished, or when none has a finite score.
        """
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
        outs = [{k: v for k, v in s.items() if k != "skipped"} for r in records
                for s in r.splits]
        keys = list(dict.fromkeys(k for r in records for k in r.extra))
        more = {k: [r.extra.get(k) for r in records] for k in keys}
        return [r.params for r in records], outs, more
