"""Progress lines during a search, and warnings kept to one summary line."""

import contextlib
import os
import warnings

import numpy as np

from ..search import SearchProgress as _SearchProgress
from .._compat import watch_search
from ..search._search_base import TrialSearchCV
from ..search._warnings import WarningTally

__all__ = ["SearchProgress", "WarningCounter", "counted_warnings", "records_fit_warnings"]


class SearchProgress(_SearchProgress):
    """The search library's progress lines, written with ``out``, for any search.

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

    def __init__(self, out, total=None, metric=None):
        super().__init__(bar=False)
        self.out = out
        self.total = total
        self.key = f"mean_test_{metric}" if metric else "mean_test_score"
        self._seen = 0

    def _write(self, line):
        self.out(line)

    def on_search_begin(self, search):
        """Start counting after the trials a storage resumed, and say how many."""
        super().on_search_begin(search)
        if self._first:
            self.out(f"candidates 1-{self._first} resumed from the storage (not run again)")

    def __call__(self, results):
        """Show the candidates of ``results`` (a ``cv_results_``-like dict) not yet shown."""
        scores = np.asarray(results.get(self.key, []), dtype=float)
        budgets = results.get("n_resources")
        # best finite score up to each candidate (NaN until there is one), in one pass
        best = np.fmax.accumulate(np.where(np.isfinite(scores), scores, np.nan))
        for i in range(self._seen, len(scores)):
            self._advance(scores[i], best[i], budget=None if budgets is None else budgets[i])
        self._seen = len(scores)

    def outcome(self, search, storage=None):
        """Lines on how the search ended: stopped early, and trials resumed from storage.

        Empty for a search that ran all its candidates in this process.
        """
        lines = []
        n_trials = getattr(search, "n_trials_", None)
        reason = getattr(search, "stop_reason_", None)
        if reason == "time_budget":
            lines.append(f"Search stopped by --time-budget {search.time_budget:g} s after "
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

        sklearn_hp's searches take the progress as one of their ``callbacks``;
        scikit-learn's own are watched batch by batch.
        """
        if "callbacks" not in search.get_params(deep=False):
            self._begin(type(search).__name__, self.total, 0)
            return watch_search(search, self)
        callbacks = search.callbacks
        search.set_params(callbacks=[*(callbacks or []), self])
        return lambda: search.set_params(callbacks=callbacks)


class WarningCounter:
    """Caught warnings, one line per category.

    The aggregation is the searches' own (:class:`~sklearn_hp.search._warnings.WarningTally`):
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
