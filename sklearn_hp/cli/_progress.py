"""Progress lines during a search, and caught warnings kept to one line per kind."""

import contextlib
import os
import time
import warnings
from numbers import Integral

import numpy as np

from ..search import SearchProgress, TrialSearchCV, WarningTally
from .._compat import Interval

__all__ = ["CommandProgress", "WarningCounter", "counted_warnings", "records_fit_warnings"]


def _spans(numbers):
    """Trial numbers (from 0) as the 1-based spans a user reads: ``[0, 1, 2, 4]`` -> ``"1-3, 5"``.

    A raced or parallel search stores trials as they finish, so a stopped run
    may have kept later trials and not earlier ones.
    """
    spans, start = [], None
    for i, number in enumerate(numbers):
        if start is None:
            start = number
        if i + 1 == len(numbers) or numbers[i + 1] != number + 1:
            spans.append(f"{start + 1}" if start == number else f"{start + 1}-{number + 1}")
            start = None
    return ", ".join(spans)


class CommandProgress(SearchProgress):
    """The search library's progress lines, written with ``out``, for any search.

    Each line shows the trial's score and the best score so far. In a budget
    search (Hyperband, successive halving) scores at different budgets do not
    compare, so ``best=`` is the best at the largest budget reached so far and
    says which. ``left ~`` estimates the rest of the search at this run's pace
    (:meth:`SearchProgress.time_left`: in a budget search a fixed cost per trial
    plus a cost per unit of budget, a range while one budget has run), capped by
    what is left of a time budget, never below 0 (``?`` when the plan is
    unknown).

    Parameters
    ----------
    out : callable
        Where lines go (``print``).
    total : int or None
        Planned candidates of a scikit-learn search, when known (sklearn_hp's
        searches know their own).
    metric : str or None
        Refit metric with several scorers.
    """

    _parameter_constraints = {
        "out": [callable],
        "total": [Interval(Integral, 0, None, closed="left"), None],
        "metric": [str, None],
    }

    def __init__(self, out, total=None, metric=None):
        super().__init__(bar=False)
        self.out = out
        self.total = total
        self.metric = metric

    @property
    def key(self):
        """The ``cv_results_`` column of the scores shown."""
        return f"mean_test_{self.metric}" if self.metric else "mean_test_score"

    def _write(self, line):
        self.out(line)

    def _begin(self, name, total, done):
        super()._begin(name, total, done)
        self._top_budget, self._best = None, np.nan
        self._seen = 0  # candidates of a scikit-learn search shown so far
        self._tracked = 0  # trials of search.trials_ counted in the best score

    def on_search_begin(self, search):
        """Start counting after the trials a storage resumed, and say how many."""
        super().on_search_begin(search)
        if self._first:
            which = _spans(search.progress_.resumed_numbers)
            self.out(f"candidates {which} resumed from the storage (not run again)")

    def on_trial_end(self, search, trial):
        progress = search.progress_
        self._count_budget(progress, trial)
        # every finished trial counts for the best score, those a storage resumed
        # too (they join search.trials_ as the search replays them, unannounced)
        for earlier in search.trials_[self._tracked:]:
            self._track(earlier.score, earlier.budget)
        self._tracked = len(search.trials_)
        self._advance(trial.score, None, progress.time_left, trial.status, trial.budget)

    def __call__(self, results):
        """Show the candidates of ``results`` (a ``cv_results_``-like dict) not yet shown."""
        scores = np.asarray(results.get(self.key, []), dtype=float)
        budgets = results.get("n_resources")
        for i in range(self._seen, len(scores)):
            self._advance(scores[i], None, budget=None if budgets is None else budgets[i])
        self._seen = len(scores)

    def _track(self, score, budget):
        """Keep the best finite score at the largest budget seen (any, without budgets)."""
        if budget is not None and (self._top_budget is None or budget > self._top_budget):
            self._top_budget, self._best = budget, np.nan
        elif budget is not None and budget < self._top_budget:
            return
        if np.isfinite(score):
            self._best = np.fmax(self._best, score)

    def _advance(self, score, best=None, left=None, status=None, budget=None):
        """Count one more finished trial and write its line.

        ``best`` is ignored (the best at the largest budget is kept here);
        ``left`` is what remains of a time budget, if any.
        """
        self._done += 1
        self._track(score, budget)
        elapsed = time.monotonic() - self._start
        left_text = self._left_text(self.time_left(elapsed, left))
        total = f"/{self._total}" if self._total else ""
        at = "" if budget is None else f" at budget {budget:g}"
        status = "" if status is None else f" ({status})"
        best = f"best={self._best:.4g}" + ("" if self._top_budget is None
                                           else f" at budget {self._top_budget:g}")
        self._write(f"[{self._name}] trial {self._done}{total}{at}: score={score:.4g}{status}, "
                    f"{best}, elapsed {elapsed:.1f}s, left ~{left_text}")

    def outcome(self, search, storage=None, time_budget=None):
        """Lines on how the search ended: stopped early, and trials resumed from storage.

        Empty for a search that ran all its candidates in this process.
        ``time_budget`` is the budget to name (the user's ``--time-budget``,
        which the search's own is cut from); the search's by default.
        """
        lines = []
        n_trials = getattr(search, "n_trials_", None)
        reason = getattr(search, "stop_reason_", None)
        if reason == "time_budget":
            budget = search.time_budget if time_budget is None else time_budget
            lines.append(f"Search stopped by --time-budget {budget:g} s after "
                         f"{n_trials} candidates; no further candidate was started.")
        elif reason == "KeyboardInterrupt":
            lines.append(f"Search interrupted after {n_trials} candidates; the finished ones "
                         "are kept and reported below.")
        elif reason is not None:
            lines.append(f"Search stopped ({reason}) after {n_trials} candidates.")
        if storage is not None and n_trials is not None:
            new = self._done - self._first
            lines.append(f"Storage {storage}: {n_trials} candidates, {n_trials - new} of "
                         f"them resumed from earlier runs, {new} run now.")
        return lines

    def watch(self, search):
        """Attach to ``search``; return a function that detaches.

        sklearn_hp's searches take the progress as one of their ``callbacks``
        (a line as each trial ends); a scikit-learn search, which has no
        callbacks, has its candidates shown from ``cv_results_`` when the
        function is called after its ``fit``.
        """
        if "callbacks" not in search.get_params(deep=False):
            self._begin(type(search).__name__, self.total, 0)
            before = getattr(search, "cv_results_", None)

            def show_results():
                results = getattr(search, "cv_results_", None)
                if results is not None and results is not before:
                    self(results)
            return show_results
        callbacks = search.callbacks
        search.set_params(callbacks=[*(callbacks or []), self])
        return lambda: search.set_params(callbacks=callbacks)


class WarningCounter:
    """Caught warnings, one line per category.

    The aggregation is the searches' own (:class:`~sklearn_hp.search.WarningTally`):
    a warning a search emitted for its fits keeps its count of fits.
    """

    def __init__(self):
        self.tally = WarningTally()
        self.workers_silenced = False

    def add(self, caught):
        self.tally.add_caught(caught)

    def summary(self):
        """One line per category (or an empty string when nothing was caught)."""
        lines = [f"warning: {kind}" for kind in self.tally.summaries()]
        if self.workers_silenced:
            lines.append("warning: the warnings of parallel workers were silenced")
        return "\n".join(lines)


def records_fit_warnings(search):
    """Whether ``search`` records its fits' warnings itself (sklearn_hp's searches do)."""
    return isinstance(search, TrialSearchCV)


@contextlib.contextmanager
def counted_warnings(n_jobs=None, fits_recorded=False):
    """Catch every warning into a :class:`WarningCounter` instead of printing it.

    With parallel workers (``n_jobs`` other than 1 or None) whose fits are not
    recorded by the search (scikit-learn's own searches, ``cross_validate``),
    their warnings are silenced (``PYTHONWARNINGS`` and the filters scikit-learn
    hands its workers) and the counter says so. sklearn_hp's searches record
    the warnings of their fits wherever they run (``fits_recorded=True``): the
    workers are left alone and the search's one warning per category is counted.
    """
    counter = WarningCounter()
    silence = n_jobs not in (None, 1) and not fits_recorded
    saved = os.environ.get("PYTHONWARNINGS")
    if silence:
        os.environ["PYTHONWARNINGS"] = "ignore"
        counter.workers_silenced = True
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("ignore" if silence else "always")
            yield counter
        counter.add(caught)
    finally:
        if silence:
            if saved is None:
                os.environ.pop("PYTHONWARNINGS", None)
            else:
                os.environ["PYTHONWARNINGS"] = saved
