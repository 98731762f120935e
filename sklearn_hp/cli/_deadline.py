"""``tune --time-budget``: one budget for the whole command.

The budget counts from the command's start: loading the table and the checks
before the search take from it, and time is kept at its end for what follows
the search — writing the model and the plot, the report (the importance
forest) and the diagnosis, a cross-validation of the best candidate whose cost
follows from the trials' fit times. The search gets the rest as its own
``time_budget`` (which keeps the refit's expected time inside it), lowered as
trials show what the diagnosis will cost. A diagnosis that no longer fits in
what is left runs on fewer splits, or not at all, with a line saying so.
"""

import math
import time

__all__ = ["CommandBudget"]

#: Seconds kept for the report's tables and saving the model.
REPORT_SECONDS = 0.5
#: Seconds kept for the importance forest (200 trees, 10 permutations per
#: hyperparameter: 1.1-1.3 s for 8 to 40 candidates at load average 5 on 2 cores).
IMPORTANCE_SECONDS = 1.5
#: Seconds kept for drawing and writing the plot (pyplot imported before the search).
PLOT_SECONDS = 0.75
#: Seconds kept for the interpreter's exit with scikit-learn, pandas and matplotlib
#: loaded (0.5-1 s at load average 5 on 2 cores).
EXIT_SECONDS = 0.5
#: Least share of the budget the search gets, even when the steps before it took more.
MIN_SEARCH_SHARE = 0.25
#: Largest share of the budget kept for the diagnosis; a dearer one is cut after the search.
DIAGNOSIS_SHARE = 0.25


class CommandBudget:
    """What is left of ``--time-budget`` for each step of ``tune``.

    Parameters
    ----------
    seconds : float
        The user's ``--time-budget``.
    start : float
        ``time.monotonic()`` when the command started.
    plot : bool
        Whether a plot is drawn after the search.
    n_jobs : int
        Parallel fits of the diagnosis.
    """

    def __init__(self, seconds, start, plot=False, n_jobs=1):
        self.seconds = float(seconds)
        self.start = start
        self.end = start + self.seconds
        # a short budget keeps at most a third for them: the importance is then skipped
        self.outputs = min(REPORT_SECONDS + IMPORTANCE_SECONDS + EXIT_SECONDS
                           + (PLOT_SECONDS if plot else 0.0), self.seconds / 3)
        self.n_jobs = n_jobs
        self.search_started = None
        self.note = None
        self.search_seconds = None

    def left(self):
        """Seconds until the command's budget ends (negative past it)."""
        return self.end - time.monotonic()

    def diagnosis_reserve(self, per_fold, n_splits):
        """Seconds kept for a diagnosis of ``n_splits`` folds of ``per_fold`` s each
        (0 when it would take more than ``DIAGNOSIS_SHARE`` of the budget: it is cut)."""
        cost = self.diagnosis_seconds(per_fold, n_splits)
        return cost if cost <= DIAGNOSIS_SHARE * self.seconds else 0.0

    def diagnosis_seconds(self, per_fold, n_splits):
        """Expected seconds of cross-validating a candidate whose folds take ``per_fold``."""
        workers = max(1, min(n_splits, self.n_jobs if self.n_jobs > 0 else n_splits))
        return math.ceil(n_splits / workers) * per_fold

    def search_budget(self, diagnosis=0.0):
        """The search's ``time_budget``: what is left once the steps after it are kept."""
        start = self.search_started if self.search_started is not None else time.monotonic()
        return self.end - start - self.outputs - diagnosis

    def begin_search(self, search, n_splits):
        """Give ``search`` what is left (at least ``MIN_SEARCH_SHARE`` of the budget,
        with a ``note`` saying the command will run over) and watch its trials.

        ``n_splits`` is the number of cross-validation splits of each trial.

        Returns the callback to add to the search's ``callbacks``: after each
        trial it lowers the search's ``time_budget`` by the diagnosis's
        expected cost (trials at the largest budget, slowest fold).
        """
        self.search_started = time.monotonic()
        budget = self.search_budget()
        if budget < self.seconds * MIN_SEARCH_SHARE:  # a search, even if late, not an error
            budget = self.seconds * MIN_SEARCH_SHARE
            self.note = (f"Loading the table and the checks took "
                         f"{self.search_started - self.start:.1f} s of --time-budget "
                         f"{self.seconds:g} s; the search still gets {budget:.1f} s "
                         f"({MIN_SEARCH_SHARE:.0%} of it), so the command will run over.")
        search.set_params(time_budget=budget)
        self.search_seconds = budget
        return _KeepDiagnosisTime(self, n_splits)

    def importance_skipped(self):
        """Why the importance is not computed (None when it fits in what is left)."""
        left = self.left()
        if left >= IMPORTANCE_SECONDS + EXIT_SECONDS:
            return None
        return (f"skipped: --time-budget {self.seconds:g} s leaves {max(left, 0):.1f} s, "
                f"and the importance forest takes about {IMPORTANCE_SECONDS:g} s")

    def no_trial_message(self):
        """The error when no candidate finished in the time the search was given."""
        before = self.search_started - self.start
        return (f"--time-budget {self.seconds:g} s: no candidate finished in the "
                f"{self.search_seconds:.1f} s left for the search (the table and the checks "
                f"took {before:.1f} s, {self.outputs:.1f} s were kept for the model, plot "
                "and report); one candidate takes longer: raise --time-budget.")

    def fold_seconds(self, trials, n_splits):
        """Seconds one diagnosis fold takes, from trials: fit plus scoring train and test,
        the slowest among the trials at the largest budget (None without a finished one)."""
        done = [t for t in trials if t.status == "complete" and math.isfinite(t.score)]
        if not done:
            return None
        top = max((t.budget or 0) for t in done)
        costs = [max(s["fit_time"] + s["score_time"] * n_splits for s in t.splits)
                 for t in done if (t.budget or 0) == top and t.splits]
        return max(costs) if costs else None

    def plan_diagnosis(self, search):
        """``(folds, line)``: how many of the search's splits the diagnosis can take.

        ``folds`` is the number of splits that fit in what is left (all when
        they do; 0 skips it), ``line`` says what was cut (None when nothing).
        Each fold costs the best candidate's mean fit time and scoring.
        """
        results = search.cv_results_
        n_splits = search.n_splits_
        i = search.best_index_
        per_fold = (float(results["mean_fit_time"][i])
                    + float(results["mean_score_time"][i]) * n_splits)
        need = self.diagnosis_seconds(per_fold, n_splits)
        left = self.left()
        if need <= left:
            return n_splits, None
        workers = max(1, min(n_splits, self.n_jobs if self.n_jobs > 0 else n_splits))
        folds = int(max(left, 0) // per_fold) * workers if per_fold > 0 else 0
        folds = min(folds, n_splits - 1)
        why = (f"all {n_splits} would take ~{need:.1f} s and --time-budget "
               f"{self.seconds:g} s leaves {max(left, 0):.1f} s")
        if folds == 0:
            return 0, (f"\nDiagnosis skipped: {why}. Give --time-budget more time for it.")
        return folds, (f"\nDiagnosis on {folds} of the {n_splits} splits only: {why}.")

    def summary(self, elapsed):
        """The line on how the command spent its budget."""
        before = (self.search_started or self.start) - self.start
        return (f"--time-budget {self.seconds:g} s counts the whole command: "
                f"{before:.1f} s for the table and the checks, {self.search_seconds:.1f} s "
                f"given to the search (refit included), the rest for the outputs and the "
                f"report; done in {elapsed:.1f} s.")


class _KeepDiagnosisTime:
    """Search callback: keep the diagnosis's expected time free at the budget's end."""

    def __init__(self, budget, n_splits):
        self.budget = budget
        self.n_splits = n_splits

    def on_trial_end(self, search, trial):
        """Lower the search's ``time_budget`` by the diagnosis seen so far; never stop."""
        n_splits = self.n_splits
        per_fold = self.budget.fold_seconds(search.trials_, n_splits)
        if per_fold is not None:
            reserve = self.budget.diagnosis_reserve(per_fold, n_splits)
            seconds = max(self.budget.search_budget(reserve), 1e-3)
            # the search reads time_budget at each deadline: the next batch sees it
            search.time_budget = seconds
            self.budget.search_seconds = seconds
        return False
