"""Fold racing: stop a candidate once its first folds show it cannot win.

A raced search runs a candidate's folds in turn and compares them, fold by
fold, with the same folds of a *bar* trial: the best complete trial so far (in
a budget search's rung, the weakest trial that would be promoted). The folds
are shared, so the comparison is paired: ``d_f = score_f - bar_f``. After ``j``
of ``n`` folds with mean difference ``m``, the candidate's full mean differs
from the bar's by

    D = (j * m + (n - j) * m_rest) / n,

where the folds not run have mean difference ``m_rest``. With fold
differences spread by ``sigma`` around the candidate's own mean difference,
``D`` has mean ``m`` and standard deviation ``sigma * (n - j) / n *
sqrt(1 / j + 1 / (n - j))``. The candidate is stopped when even the upper
``1 - ALPHA`` bound of ``D`` (Student's t) is below zero: it would not beat the
bar if its remaining folds were run.

``sigma`` is pooled from the differences with the bar of the ``NEAREST``
complete trials whose means are closest to the bar's (their spread around
their own mean difference), never below half the bar's own fold-to-fold
spread times ``sqrt(2)``, which is used alone until a second trial is
complete. Only the nearest count: a model close to the bar errs on the same
folds as it does, so their differences spread less than those of the poor,
unlike models of a search's first trials, which would widen the bound of every
later look. The candidates a stop could wrongly discard are those close to the
bar, and for them this is the spread that applies.

``ALPHA``, ``NEAREST`` and the floor were chosen on the tuning half of
``benchmarks/bench_racing.py`` (``svc_digits`` and ``logistic_pipeline``, their
unraced fold scores replayed through the rule in 20 fold orders each): no stopped
candidate's full mean beat the bar there, and a floor of 0.1 or three nearest trials
did stop some that would have (recorded again with a later GP, 4 of the 3,571
replayed stops of its ``logistic_pipeline`` runs would have). The floor was then
raised from 0.25 to 0.5 on ``benchmarks/bench_race_to_target.py``: 30 unraced GP
runs per tuning task, run to the target, replayed in 10 fold orders. There the GP's
candidates cluster near the bar, and at 0.25 3.7 % of the stops on
``logistic_pipeline`` would have beaten the best trial before them (0.5 % at 0.5,
for 0 to 4 points more of the fits kept). ``RUNG_ALPHA``, the level inside a budget
search's rungs, was chosen on the tuning half's budget task
(``benchmarks/bench_rung_replay.py``: its unraced Hyperband rungs replayed in 20
fold orders): 0.005 is the largest level tried at which no stopped candidate would
have been promoted (at 0.05, 37 of 7,797 stops would have been).
"""

import math
import threading

import numpy as np
from scipy import stats

__all__ = ["ALPHA", "NEAREST", "RUNG_ALPHA", "SCREEN", "FoldRace", "complete_fold_scores",
           "finish_raced_results", "race_metric", "racing_summary"]

#: One-sided level of each look: the chance that one look stops a candidate whose
#: full mean would have beaten the bar, when fold differences are Gaussian.
ALPHA = 0.05
#: The level of a budget search's rung races (not its last rung's), where the bar
#: is the weakest candidate the rung would promote.
RUNG_ALPHA = 0.005
#: How many complete trials, those whose means are nearest the bar's, the spread
#: of fold differences is pooled from.
NEAREST = 5
#: Floor of the pooled spread, as a fraction of the bar's own fold spread times
#: sqrt(2): a few trials that happened to agree fold by fold must not shrink the
#: bound to nothing.
_SIGMA_FLOOR = 0.5
#: Trials an asynchronous raced search keeps open at once (at least two per
#: worker), each started on its first fold: the open trial standing best on its
#: folds so far goes on as soon as it may beat the bar (or once the window is
#: full), so the bar rises early and the others are raced against it. Chosen
#: on the tuning half (``benchmarks/bench_race_screening.py``): four needed fewer
#: fits to the target than one or eight.
SCREEN = 4


def race_metric(search):
    """The scorer raced and compared on: a multimetric ``search``'s refit metric, else None."""
    refit = search.refit
    return refit if isinstance(refit, str) else None


def complete_fold_scores(record, metric):
    """Per-fold test scores of ``metric`` of a record whose folds all ran (else None)."""
    if record.status not in ("complete", "pruned") or not math.isfinite(record.score):
        return None
    if any(s.get("skipped") for s in record.splits):
        return None
    return np.array([_metric(s["test_scores"], metric) for s in record.splits], dtype=float)


def _metric(test_scores, metric):
    """The raced score of a fold (a multimetric search's first metric without a name)."""
    if isinstance(test_scores, dict):
        return float(test_scores[metric] if metric in test_scores
                     else next(iter(test_scores.values())))
    return float(test_scores)


class FoldRace:
    """Decides, as fold results come in, which candidates of a batch to stop.

    Parameters
    ----------
    n_splits : int
        Folds per candidate.
    complete : list of ndarray
        Fold scores of the finished trials to race against (all folds run).
    rank : int, default=1
        The bar is the ``rank``-th best of the complete trials (1: the best),
        those of the batch included as they complete; with fewer, nothing is
        stopped.
    metric : str or None
        The scorer raced on (the refit metric of a multimetric search).
    alpha : float or None
        One-sided level of each look; None: :data:`ALPHA`.
    nearest : int or None
        How many complete trials nearest the bar the spread is pooled from;
        None: :data:`NEAREST`.
    floor : float or None
        Floor of the pooled spread as a fraction of the bar's own fold spread
        times sqrt(2); None: the default, 0.5.

    Attributes
    ----------
    stopped : set of int
        Candidates (positions in the batch) stopped so far.
    """

    def __init__(self, n_splits, complete=(), rank=1, metric=None, alpha=None, nearest=None,
                 floor=None):
        self.n_splits = n_splits
        self.rank = rank
        self.metric = metric
        self.alpha = ALPHA if alpha is None else alpha
        self.nearest = NEAREST if nearest is None else nearest
        self.floor = _SIGMA_FLOOR if floor is None else floor
        self.stopped = set()
        self._scores = {}  # candidate -> {fold: score}
        self._lock = threading.Lock()
        self._complete = [np.asarray(c, dtype=float) for c in complete
                          if np.isfinite(c).all()]
        self._choose_bar()

    def _choose_bar(self):
        """The bar, and the spread of fold differences pooled from the others."""
        self._complete.sort(key=lambda scores: -scores.mean())
        if len(self._complete) < self.rank:
            self._bar = None
            return
        self._bar = bar = self._complete[self.rank - 1]
        n = self.n_splits
        own = math.sqrt(2) * float(np.std(bar, ddof=1)) if n > 1 else 0.0
        others = [scores for scores in self._complete if scores is not bar]
        others.sort(key=lambda scores: abs(scores.mean() - bar.mean()))
        squares, dof = 0.0, 0
        for scores in others[:self.nearest]:
            d = scores - bar
            squares += float(np.sum((d - d.mean()) ** 2))
            dof += n - 1
        if dof == 0:  # no other complete trial: the bar's own spread, times sqrt(2)
            self._sigma, self._dof = own, n - 1
        else:
            self._sigma, self._dof = max(math.sqrt(squares / dof), self.floor * own), dof

    def is_stopped(self, candidate):
        """Whether ``candidate``'s remaining folds are to be skipped."""
        return candidate in self.stopped

    def observe(self, candidate, fold, out):
        """Take one fold's result; stop its candidate if it cannot beat the bar."""
        if out.get("fit_error") is not None:
            return
        score = _metric(out["test_scores"], self.metric)
        with self._lock:
            mine = self._scores.setdefault(candidate, {})
            mine[fold] = score
            if len(mine) == self.n_splits:
                full = np.array([mine[f] for f in range(self.n_splits)])
                if np.isfinite(full).all():
                    self._complete.append(full)
                    self._choose_bar()
                    self._look_again()
            elif self._cannot_win(mine):
                self.stopped.add(candidate)

    def _look_again(self):
        """After the bar moved: stop every unfinished candidate that cannot beat the new one."""
        for candidate, scores in self._scores.items():
            if (candidate not in self.stopped and len(scores) < self.n_splits
                    and self._cannot_win(scores)):
                self.stopped.add(candidate)

    def estimate(self, candidate):
        """A candidate's full mean, estimated from its folds so far paired with the
        bar's (their plain mean while there is no bar)."""
        scores = self._scores.get(candidate)
        if not scores:
            return math.nan
        folds = sorted(scores)
        mine = np.array([scores[f] for f in folds])
        if self._bar is None:
            return float(mine.mean())
        return float(self._bar.mean() + (mine - self._bar[folds]).mean())

    def may_beat_bar(self, candidate):
        """Whether a bar stands and ``candidate``'s :meth:`estimate` reaches its mean."""
        return self._bar is not None and self.estimate(candidate) >= self._bar.mean()

    def _cannot_win(self, scores):
        if self._bar is None or self.n_splits < 2:
            return False
        folds = sorted(scores)
        d = np.array([scores[f] for f in folds]) - self._bar[folds]
        if not np.isfinite(d).all():
            return False
        j, n = len(folds), self.n_splits
        spread = self._sigma * (n - j) / n * math.sqrt(1 / j + 1 / (n - j))
        return d.mean() + stats.t.ppf(1 - self.alpha, self._dof) * spread < 0


def finish_raced_results(results, records, n_splits):
    """Add ``n_splits_run`` and give stopped candidates their means over the folds run.

    ``results`` are the formatted ``cv_results_`` of ``records`` (one row each),
    ranked already: the stopped candidates, whose skipped folds are NaN, rank
    after every complete candidate. Their ``mean_*``/``std_*`` columns (scores
    and times) become the mean and spread over the folds they ran. Changed in
    place.
    """
    ran = [[s for s in r.splits if not s.get("skipped")] for r in records]
    results["n_splits_run"] = np.array([len(folds) for folds in ran])
    for row in np.flatnonzero(results["n_splits_run"] < n_splits):
        for key in [k for k in results if k.startswith(("mean_test_", "mean_train_"))]:
            name = key[len("mean_"):]
            scores = np.array([results[f"split{i}_{name}"][row] for i in range(n_splits)],
                              dtype=float)
            _set_mean_std(results, name, row, scores[np.isfinite(scores)])
        for name in ("fit_time", "score_time"):
            _set_mean_std(results, name, row, np.array([s[name] for s in ran[row]]))


def _set_mean_std(results, name, row, values):
    if values.size:
        results[f"mean_{name}"][row] = values.mean()
        results[f"std_{name}"][row] = values.std()


def racing_summary(records, n_splits):
    """What racing saved: ``(n_stopped, n_candidates, fits_skipped, fit_seconds_saved)``.

    The seconds saved are the skipped fits priced at the mean fit and score time
    of the folds their candidate ran, summed over workers.
    """
    stopped = skipped = 0
    seconds = 0.0
    for record in records:
        ran = [s for s in record.splits if not s.get("skipped")]
        if len(ran) == len(record.splits) or not ran:
            continue
        stopped += 1
        skipped += len(record.splits) - len(ran)
        pace = np.nanmean([s["fit_time"] + s["score_time"] for s in ran])
        seconds += (len(record.splits) - len(ran)) * float(np.nan_to_num(pace))
    return stopped, len(records), skipped, seconds
