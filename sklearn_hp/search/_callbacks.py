"""Search-level callbacks: hooks called as trials finish, which may stop a search.

A callback is any object with some of ``on_search_begin(search)``,
``on_trial_end(search, trial)`` and ``on_search_end(search)``;
``on_trial_end`` returning ``True`` stops the search after the running batch
(``search.stop_reason_`` then names the callback). ``trial`` is a
:class:`~sklearn_hp.search.TrialRecord`; ``search.trials_`` holds every trial
finished so far, including those resumed from storage.
"""

import datetime
import math
import sys
import time

__all__ = ["SearchCallback", "NoImprovementStopper", "DeadlineStopper", "SearchProgress"]


class SearchCallback:
    """Base class of search callbacks: every hook does nothing."""

    def on_search_begin(self, search):
        """Called once before the first candidate is proposed."""

    def on_trial_end(self, search, trial):
        """Called after each finished trial; return ``True`` to stop the search."""

    def on_search_end(self, search):
        """Called once when the search stops, whatever the reason."""

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({params})"


def _best_score(trials):
    finite = [t.score for t in trials if math.isfinite(t.score)]
    return max(finite) if finite else math.nan


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

    def __init__(self, patience=20, min_delta=0.0):
        if not isinstance(patience, int) or patience < 1:
            raise ValueError(f"patience must be an int >= 1, got {patience!r}.")
        self.patience = patience
        self.min_delta = min_delta

    def on_search_begin(self, search):
        self._best = _best_score(search.trials_)
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

    def __init__(self, deadline):
        if isinstance(deadline, datetime.datetime):
            self.deadline = deadline.timestamp()
        elif isinstance(deadline, (int, float)) and not isinstance(deadline, bool):
            self.deadline = float(deadline)
        else:
            raise ValueError(
                f"deadline must be a datetime.datetime or a POSIX timestamp, got {deadline!r}."
            )

    def on_trial_end(self, search, trial):
        return time.time() >= self.deadline


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

    def __init__(self, bar="auto", file=None):
        if bar not in ("auto", True, False):
            raise ValueError(f"bar must be 'auto', True or False, got {bar!r}.")
        self.bar = bar
        self.file = file

    def on_search_begin(self, search):
        # trials taken from storage are done already
        self._begin(type(search).__name__, search._planned_n_trials(), self._resumed(search))

    def _begin(self, name, total, done):
        """Start the clock for search ``name`` of ``total`` trials, ``done`` of them resumed."""
        self._name, self._total = name, total
        self._start = time.monotonic()
        self._done = self._first = done
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
        self._advance(trial.score, _best_score(search.trials_), search._time_left(),
                      trial.status, trial.budget)

    def _advance(self, score, best, left=None, status=None, budget=None):
        """Count one more finished trial and show it.

        ``left`` (seconds) is estimated from the pace of this run's trials when
        not given; ``status`` and ``budget`` appear in the line when known.
        """
        self._done += 1
        elapsed = time.monotonic() - self._start
        if left is None and self._total:
            remaining = max(self._total - self._done, 0)
            left = elapsed / max(self._done - self._first, 1) * remaining
        left_text = "?" if left is None else f"{left:.0f}s"
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

    @staticmethod
    def _resumed(search):
        return getattr(search, "_n_resumed", 0)

    def on_search_end(self, search):
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None
