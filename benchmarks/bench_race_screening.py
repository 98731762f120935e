"""How many trials a raced search keeps open: fits to the target, tuning half.

A raced ``BayesSearchCV`` screens (:data:`sklearn_hp.search._racing.SCREEN`): it
keeps a window of trials open, each started on its first fold, and continues the
one standing best on its folds so far as soon as it may beat the bar (or once the
window is full). This script runs raced searches (``n_jobs=1``, 5-fold CV, at
most 120 candidates) on the tuning half's tasks without a budget (``svc_digits``,
``logistic_pipeline`` of ``bench_racing.py``) until a complete trial reaches the
task's target (the median best of ``RandomizedSearchCV`` with 60 candidates, from
``bench_racing_tuning.json``), with the window forced to each size given. A
window of 1 runs each trial's folds in turn before the next trial starts, as
raced searches did before screening.

It counts fits, not seconds: the count does not depend on the machine's load, so
it may run beside other work. A run that does not reach the target within its
candidates is counted apart ("missed").

Usage::

    python benchmarks/bench_race_screening.py                     # GP, windows 1 4 8, 40 seeds
    python benchmarks/bench_race_screening.py --samplers random --windows 1 4 --seeds 15
    python benchmarks/bench_race_screening.py --report-only
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from scipy.stats import binomtest  # noqa: E402
from sklearn.metrics import accuracy_score  # noqa: E402

from benchmarks._common import RESULTS, markdown_table, write_result  # noqa: E402
from benchmarks.bench_racing import CV, TASKS, _spread, code_version, reached  # noqa: E402
from sklearn_hp.search import BayesSearchCV, SearchCallback  # noqa: E402
from sklearn_hp.search import _async  # noqa: E402

#: Files this script writes under benchmarks/results/.
OUTPUTS = {"bench_race_screening.md": "(no arguments)",
           "bench_race_screening.json": "(no arguments)"}
RUN_TIME = "~25 min on the project's 2-core machine (GP, 3 windows, 40 seeds, 2 tasks)"

TASK_NAMES = ("svc_digits", "logistic_pipeline")
CAP = 120


@contextlib.contextmanager
def screening_window(window):
    """Raced asynchronous searches keep ``window`` trials open while inside."""
    original = _async.TrialSchedule

    class FixedWindow(original):
        def __init__(self, *args, **kwargs):
            kwargs["window"] = window
            super().__init__(*args, **kwargs)

    _async.TrialSchedule = FixedWindow
    try:
        yield
    finally:
        _async.TrialSchedule = original


class FitsToTarget(SearchCallback):
    """Stop at the first complete trial reaching ``target``; ``fits_`` counted until then
    (None: never reached)."""

    def __init__(self, target, counter):
        self.target = target
        self.counter = counter

    def on_search_begin(self, search):
        self.fits_ = None

    def on_trial_end(self, search, trial):
        if trial.status == "complete" and reached(trial.score, self.target):
            self.fits_ = self.counter[0]
            return True
        return False


def fits_to_target(task, X, y, target, sampler, window, seed):
    """Fits a raced search ran until a complete trial reached ``target`` (None: never),
    and the fits it ran in all."""
    counter = [0]

    def counting_accuracy(estimator, X_test, y_test):
        counter[0] += 1
        return accuracy_score(y_test, estimator.predict(X_test))

    stop = FitsToTarget(target, counter)
    with screening_window(window):
        BayesSearchCV(task.make(), task.space, n_iter=CAP, sampler=sampler, random_state=seed,
                      cv=CV, refit=False, racing=True, scoring=counting_accuracy,
                      callbacks=[stop]).fit(X, y)
    return stop.fits_, counter[0]


def paired_row(task, sampler, window, runs, baseline):
    """A report row: ``runs`` (seed -> fits or None) against the window-1 ``baseline``."""
    seeds = sorted(set(runs) & set(baseline), key=int)
    both = [s for s in seeds if runs[s] is not None and baseline[s] is not None]
    mine = np.array([runs[s] for s in both], dtype=float)
    base = np.array([baseline[s] for s in both], dtype=float)
    fewer, more = int(np.sum(mine < base)), int(np.sum(mine > base))
    p = binomtest(fewer, fewer + more).pvalue if fewer + more else float("nan")
    reached_here = [runs[s] for s in seeds if runs[s] is not None]
    return [task, sampler, str(window), str(len(seeds)), str(len(seeds) - len(reached_here)),
            _spread(reached_here, 1) if reached_here else "–",
            f"{np.median(mine / base):.2f}" if len(both) else "–",
            f"{fewer} / {more}", f"{p:.3f}"]


HEADER = ["task", "sampler", "window", "seeds", "missed", "fits to the target: median (min–max)",
          "paired ratio to window 1 (median)", "seeds with fewer / more fits than window 1",
          "sign test p"]


def report_text(recorded):
    rows = []
    for key in sorted(recorded["runs"]):
        task, sampler = key.split("/")
        by_window = recorded["runs"][key]
        baseline = by_window.get("1", {})
        for window in sorted(by_window, key=int):
            rows.append(paired_row(task, sampler, window, by_window[window], baseline))
    return "\n".join([
        "# Screening in raced searches: fits to the target by window (tuning half)", "",
        "Command: `python benchmarks/bench_race_screening.py`. Raced `BayesSearchCV` runs "
        f"(`n_jobs=1`, 5-fold CV, at most {CAP} candidates) until a complete trial reaches "
        "the task's target, with the screening window forced to each size (1: a trial's "
        "folds in turn before the next starts, as before screening). Fits are counted "
        "(load-independent); the medians take the seeds where the run reached the target, "
        "the paired columns the seeds where both it and window 1 did; \"missed\": runs "
        f"that did not within {CAP} candidates. Load average at the start of each "
        f"recording: {_spread(recorded['loads'])}. Code: commit {recorded['code']}.", "",
        markdown_table(HEADER, rows)])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=list(TASK_NAMES), choices=TASK_NAMES)
    parser.add_argument("--samplers", nargs="+", default=["gp"], choices=["gp", "random"])
    parser.add_argument("--windows", nargs="+", type=int, default=[1, 4, 8])
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args(argv)
    path = RESULTS / "bench_race_screening.json"
    recorded = (json.loads(path.read_text()) if path.exists() else
                {"code": code_version(), "loads": [], "runs": {}})
    if not args.report_only:
        warnings.filterwarnings("ignore")
        targets = json.loads((RESULTS / "bench_racing_tuning.json").read_text())["targets"]
        recorded["code"] = code_version()
        for name in args.tasks:
            task = TASKS[name]
            X, y = task.load()
            for sampler in args.samplers:
                for window in args.windows:
                    recorded["loads"].append(os.getloadavg()[0])
                    runs = recorded["runs"].setdefault(f"{name}/{sampler}", {}).setdefault(
                        str(window), {})
                    for seed in range(args.seeds):
                        runs[str(seed)] = fits_to_target(task, X, y, targets[name]["target"],
                                                         sampler, window, seed)[0]
                        print(name, sampler, window, seed, runs[str(seed)], flush=True)
                        path.write_text(json.dumps(recorded) + "\n")
    write_result("bench_race_screening.md", report_text(recorded))


if __name__ == "__main__":
    main()
