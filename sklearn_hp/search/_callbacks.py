"""Search-level callbacks: hooks called as trials finish, which may stop a search.

A search callback subclasses :class:`SearchCallback` and overrides some of
``on_search_begin(search)``, ``on_trial_end(search, trial)`` and
``on_search_end(search)``; ``on_trial_end`` returning ``True`` stops the search
after the running batch (``search.stop_reason_`` then names the callback).
``trial`` is a :class:`~sklearn_hp.search.TrialRecord`. Hooks read the search
through public attributes only: ``search.trials_`` holds every trial finished so
far, including those resumed from storage (they join it as the search replays
them, before the first new trial ends, so ``on_search_begin`` sees it empty;
``search.progress_.n_resumed`` counts them from the start), and
``search.progress_`` is a read-only :class:`ProgressSnapshot` (trials planned and
resumed, best score, time left).

Like the training callbacks, search callbacks are scikit-learn estimators: their
``__init__`` stores its arguments as they are (``get_params``, ``set_params``
and ``repr`` come from ``BaseEstimator``), and ``on_search_begin`` checks them
against ``_parameter_constraints``, so a bad value fails ``fit`` with an error
naming it. Given as ``(name, callback)`` pairs, their parameters are the
search's own (``callbacks__<name>__<param>``). Any other object with some of
the three hooks is still accepted: the search calls the hooks it has.
"""

import dataclasses
import datetime
import math
import sys
import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator

from .._compat import (
    CachedParamNames,
    HasMethods,
    Interval,
    StrOptions,
    validate_parameter_constraints,
)

__all__ = ["SearchCallback", "NoImprovementStopper", "DeadlineStopper", "SearchProgress",
           "ProgressSnapshot", "as_search_callback", "best_score"]


@dataclasses.dataclass(frozen=True)
class ProgressSnapshot:
    """Where a running search stands, as its callbacks see it (read-only).

    ``search.progress_`` builds one each time it is read, while ``fit`` runs.

    Attributes
    ----------
    n_trials : int
        Trials finished so far, resumed ones included (``len(search.trials_)``).
    n_planned : int or None
        Trials the search will have when it ends normally; ``None`` when unknown.
    n_resumed : int
        Trials taken from the storage when this ``fit`` began (not run again).
    best_score : float
        Best finite score so far, at any budget (NaN when there is none).
    time_left : float or None
        Seconds left for trials under ``time_budget``; ``None`` without one.
    planned_budget : float or None
        Budget searches: the sum of the budgets of the planned trials (a
        candidate counts once per rung it reaches); ``None`` for other searches.
    budget_done : float or None
        Budget searches: the sum of the budgets of the finished trials,
        resumed ones included; ``None`` for other searches.
    resumed_numbers : tuple of int
        Numbers of the trials taken from the storage, ascending. A raced or
        parallel search stores trials as they finish, so they may have gaps.
    """

    n_trials: int
    n_planned: int | None
    n_resumed: int
    best_score: float
    time_left: float | None
    planned_budget: float | None = None
    budget_done: float | None = None
    resumed_numbers: tuple = ()


#: Most trials the pace of a budget search is fitted to (evenly spread, the latest kept).
_PACE_TRIALS = 500


def best_score(trials):
    """Best finite score of ``trials`` (NaN when there is none)."""
    finite = [t.score for t in trials if math.isfinite(t.score)]
    return max(finite) if finite else math.nan


class SearchCallback(CachedParamNames, BaseEstimator):
    """Base class of search callbacks: every hook does nothing.

    Subclasses declare their parameters' ``_parameter_constraints`` and call
    :meth:`_check_params` at the start of ``on_search_begin``.
    """

    _parameter_constraints: dict = {}

    def on_search_begin(self, search):
        """Called once before the first candidate is proposed."""

    def on_trial_end(self, search, trial):
        """Called after each finished trial; return ``True`` to stop the search."""

    def on_search_end(self, search):
        """Called once when the search stops, whatever the reason."""

    def _check_params(self):
        """Raise ``ValueError`` naming a parameter that breaks ``_parameter_constraints``."""
        validate_parameter_constraints(self._parameter_constraints, self.get_params(deep=False),
                                       caller_name=type(self).__name__)


class _HookObject(SearchCallback):
    """An object that is no :class:`SearchCallback`, called through the hooks it has."""

    def __init__(self, callback):
        self.callback = callback

    def _call(self, hook, *args):
        method = getattr(self.callback, hook, None)
        return None if method is None else method(*args)

    def on_search_begin(self, search):
        self._call("on_search_begin", search)

    def on_trial_end(self, search, trial):
        return self._call("on_trial_end", search, trial)

    def on_search_end(self, search):
        self._call("on_search_end", search)


def as_search_callback(callback):
    """``callback`` itself, or any other object with some of the hooks behind a
    :class:`SearchCallback` that calls them."""
    return callback if isinstance(callback, SearchCallback) else _HookObject(callback)


class NoImprovementStopper(SearchCallback):
    """Stop after ``patience`` finished trials without improving the best score.

    Parameters
    ----------
    patience : int, default=20
        Trials in a row that did not beat the best score by more than
        ``min_delta``.
    min_delta : float, default=0.0
        Smallest gain that counts as an improvement.
    """

    _parameter_constraints = {
        "patience": [Interval(Integral, 1, None, closed="left")],
        "min_delta": [Real],
    }

    def __init__(self, patience=20, min_delta=0.0):
        self.patience = patience
        self.min_delta = min_delta

    def on_search_begin(self, search):
        self._check_params()
        self._best = best_score(search.trials_)
        self._since = 0

    def on_trial_end(self, search, trial):
        if math.isfinite(trial.score) and not (trial.score <= self._best + self.min_delta):
            self._best, self._since = trial.score, 0
        else:
            self._since += 1
        return self._since >= self.patience


class DeadlineStopper(SearchCallback):
    """Stop once a wall-clock deadline has passed.

    Unlike ``time_budget`` (seconds from the start of ``fit``, checked before a
    trial starts), the deadline is a point in time, checked as trials finish.

    Parameters
    ----------
    deadline : datetime.datetime or float
        A datetime (naive means local time) or a POSIX timestamp.
    """

    _parameter_constraints = {"deadline": [datetime.datetime, Real]}

    def __init__(self, deadline):
        self.deadline = deadline

    def on_search_begin(self, search):
        self._check_params()
        self._timestamp = (self.deadline.timestamp()
                           if isinstance(self.deadline, datetime.datetime)
                           else float(self.deadline))

    def on_trial_end(self, search, trial):
        return time.time() >= self._timestamp


class SearchProgress(SearchCallback):
    """Show trials done, best score so far and time left.

    A tqdm bar when tqdm is installed (and ``bar`` is not ``False``), plain
    lines otherwise: one per trial, with its score, status and (budget searches)
    budget. A search with ``verbose >= 1`` and no progress callback
    of its own adds one with ``bar=False``, so its lines interleave cleanly
    with scikit-learn's.

    Parameters
    ----------
    bar : {"auto", True, False}, default="auto"
        ``"auto"``: tqdm if importable; ``True`` requires tqdm.
    file : file-like or None, default=None
        Where to write (``sys.stderr`` when ``None``).
    """

    _parameter_constraints = {
        "bar": [StrOptions({"auto"}), "boolean"],
        "file": [None, HasMethods(["write"])],
    }

    def __init__(self, bar="auto", file=None):
        self.bar = bar
        self.file = file

    def on_search_begin(self, search):
        self._check_params()
        progress = search.progress_  # trials taken from storage are done already
        self._begin(type(search).__name__, progress.n_planned, progress.n_resumed)

    def _begin(self, name, total, done):
        """Start the clock for search ``name`` of ``total`` trials, ``done`` of them resumed."""
        self._name, self._total = name, total
        self._start = time.monotonic()
        self._done = self._first = done
        self._budget_left = None
        self._stamps, self._budgets = [], set()  # this run's (trials, budget, seconds)
        self._tqdm = None
        if self.bar is not False:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                if self.bar is True:
                    raise ImportError("SearchProgress(bar=True) needs tqdm: pip install tqdm")
            else:
                self._tqdm = tqdm(total=total, initial=done, unit="trial", desc=name,
                                  file=self.file)

    def on_trial_end(self, search, trial):
        progress = search.progress_
        self._count_budget(progress, trial)
        self._advance(trial.score, progress.best_score, progress.time_left,
                      trial.status, trial.budget)

    def _count_budget(self, progress, trial):
        """Keep the budget this run has trained, the budget the plan has left, and
        when each trial ended (before :meth:`_advance` counts it)."""
        if progress.planned_budget is None or trial.budget is None:
            return
        self._budget_left = max(progress.planned_budget - progress.budget_done, 0.0)
        self._budgets.add(trial.budget)
        self._stamps.append((self._done - self._first + 1, self._ran_budget() + trial.budget,
                             time.monotonic() - self._start))

    def _ran_budget(self):
        """The budget this run's trials trained so far."""
        return self._stamps[-1][1] if self._stamps else 0.0

    def time_left(self, elapsed, budget_left=None):
        """Seconds the search still needs, as ``(low, high)``; None when unknown.

        Without budgets: this run's pace per trial times the trials left. In a
        budget search a trial costs ``a + b * budget`` seconds, ``a`` and ``b``
        fitted (non-negative least squares) to when this run's trials ended; while
        they all had one budget, ``a`` and ``b`` cannot be told apart, and the
        range runs from the pace per trial (a fixed cost per fit) to the pace per
        unit of budget (a cost that grows with it). No more than ``budget_left``
        (a time budget's rest), never below 0.
        """
        ran = self._done - self._first
        trials_left = max(self._total - self._done, 0) if self._total else None
        per_trial = elapsed / ran * trials_left if ran and trials_left is not None else None
        estimate = None if per_trial is None else (per_trial, per_trial)
        ran_budget = self._ran_budget()
        if self._budget_left is not None and ran_budget > 0:
            pace = self._fitted_pace()
            if pace is not None:
                seconds = pace[0] * (trials_left or 0) + pace[1] * self._budget_left
                estimate = (seconds, seconds)
            else:
                per_budget = elapsed / ran_budget * self._budget_left
                estimate = tuple(sorted((per_budget if per_trial is None else per_trial,
                                         per_budget)))
        if budget_left is not None:
            cap = max(budget_left, 0.0)
            estimate = (cap, cap) if estimate is None else tuple(min(e, cap) for e in estimate)
        return estimate

    def _fitted_pace(self):
        """``(seconds per trial, seconds per unit of budget)`` fitted to this run's
        trials, or None while they all had one budget."""
        if len(self._budgets) < 2:
            return None
        from scipy.optimize import nnls

        # at most _PACE_TRIALS of them, evenly spread: a bounded cost per trial
        step = -(-len(self._stamps) // _PACE_TRIALS)
        stamps = np.asarray(self._stamps[::-1][::step], dtype=float)
        pace, _ = nnls(stamps[:, :2], stamps[:, 2])
        return pace if pace.any() else None

    @staticmethod
    def _left_text(left):
        """``left`` (from :meth:`time_left`) as the line shows it: ``12s``, ``6-43s`` or ``?``."""
        if left is None:
            return "?"
        low, high = (f"{value:.0f}" for value in left)
        return f"{low}s" if low == high else f"{low}-{high}s"

    def _advance(self, score, best, left=None, status=None, budget=None):
        """Count one more finished trial and show it.

        ``left`` (seconds) is what remains of a time budget, if any; the line
        shows :meth:`time_left`. ``status`` and ``budget`` appear when known.
        """
        self._done += 1
        elapsed = time.monotonic() - self._start
        left_text = self._left_text(self.time_left(elapsed, left))
        if self._tqdm is not None:
            self._tqdm.set_postfix(best=f"{best:.4g}", left=left_text, refresh=False)
            self._tqdm.update(1)
            return
        total = f"/{self._total}" if self._total else ""
        at = "" if budget is None else f" at budget {budget:g}"
        status = "" if status is None else f" ({status})"
        self._write(f"[{self._name}] trial {self._done}{total}{at}: score={score:.4g}{status}, "
                    f"best={best:.4g}, elapsed {elapsed:.1f}s, left ~{left_text}")

    def _write(self, line):
        print(line, file=self.file or sys.stderr, flush=True)

    def on_search_end(self, search):
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None
