"""Hyperband's checkpoints: the search's time with them in memory, against as files.

A budget search keeps every (candidate, split) model it may continue and takes it up at
the next rung. Three ways are timed, rounds alternating, same data, candidates and
seeds, ``n_jobs=1``:

* *before*: every checkpoint a file, checked as ``load`` would check it when written,
  and parsed and checked again when read;
* *copies*: still files, but the process that wrote one reads it back from a copy kept
  in memory (while the file is unchanged), and only the first checkpoint of each kind
  (model class and trusted classes) is checked when written;
* *now*, as it ships: a search whose fits all run in its process and that has no
  storage to resume from keeps its checkpoints in memory only, no file written.

Tasks: ``HyperbandSearchCV`` (TPE) on ``GradientBoostingClassifier`` with
``n_estimators`` 3 to 100 as the budget (1,500 generated rows, 8 features), on
``RandomForestClassifier`` the same way (10 features), and on our ``MLPClassifier`` over
digits with ``max_epochs`` 1 to 27; 5-fold CV, one iteration.

    python benchmarks/bench_checkpoints.py [--repeats 2]
"""

import argparse
import os
import sys
import warnings
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

import numpy as np  # noqa: E402
from sklearn.datasets import load_digits, make_classification  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier  # noqa: E402

from benchmarks._common import (  # noqa: E402
    THREAD_SETTINGS,
    alternate_threads,
    blas_description,
    markdown_table,
    ratio_cell,
    write_result,
)
from sklearn_hp.neural_network import MLPClassifier  # noqa: E402
from sklearn_hp.search import HyperbandSearchCV, Integer, Real, _budget, _hyperband  # noqa: E402
from sklearn_hp.search._checkpoint_memory import RecentCheckpoints  # noqa: E402

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {"bench_checkpoints.md": ""}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~25 min at load 3"


class _ForgetAll(set):
    """A set of checked kinds that never holds one: every write is checked."""

    def add(self, kind):
        pass


def _files():
    """Checkpoints as files whatever runs the fits."""
    return mock.patch.object(_hyperband, "fits_in_this_process", lambda n_jobs: False)


def _before():
    """The checkpoints as they were first: files, no copies in memory, every write checked."""
    return mock.patch.multiple(_budget, RECENT=RecentCheckpoints(0), _CHECKED_KINDS=_ForgetAll())


def _tasks():
    X_gb, y_gb = make_classification(1500, 8, n_informative=5, random_state=1)
    X_rf, y_rf = make_classification(1500, 10, n_informative=6, random_state=2)
    X_mlp, y_mlp = load_digits(return_X_y=True)
    return {
        "gradient boosting, n_estimators 3-100": (
            GradientBoostingClassifier(n_estimators=100, random_state=0),
            {"learning_rate": Real(1e-2, 1.0, log=True), "max_depth": Integer(1, 4),
             "subsample": Real(0.5, 1.0)}, "n_estimators", 100, X_gb, y_gb),
        "random forest, n_estimators 3-100": (
            RandomForestClassifier(n_estimators=100, random_state=0),
            {"max_features": Real(0.1, 1.0), "min_samples_leaf": Integer(1, 30, log=True)},
            "n_estimators", 100, X_rf, y_rf),
        "our MLP on digits, max_epochs 1-27": (
            MLPClassifier(max_epochs=27, tol=None, random_state=0),
            {"learning_rate": Real(1e-4, 1e-1, log=True), "alpha": Real(1e-6, 1e-1, log=True)},
            "max_epochs", 27, X_mlp / 16.0, y_mlp),
    }


def _search(task, seed):
    estimator, space, resource, full, X, y = task
    search = HyperbandSearchCV(estimator, space, resource=resource, max_resource=full,
                               sampler="tpe", random_state=seed, cv=5, refit=False)
    return search.fit(X, y)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    rows = []
    for name, task in _tasks().items():
        def before(task=task):
            with _before(), _files():
                return _search(task, 0).best_score_

        def copies(task=task):
            with _files():
                return _search(task, 0).best_score_

        def now(task=task):
            return _search(task, 0).best_score_

        load_at_start = os.getloadavg()[0]
        timed = alternate_threads({"before": before, "copies": copies, "now": now},
                                  args.repeats)
        for setting, _ in THREAD_SETTINGS:
            times = {arm: timed[setting, arm][0] for arm in ("before", "copies", "now")}
            bests = {timed[setting, arm][1] for arm in ("before", "copies", "now")}
            rows.append([name, setting,
                         *(f"{np.median(t):.1f}" for t in times.values()),
                         ratio_cell(times["now"], times["before"]),
                         ratio_cell(times["now"], times["copies"]),
                         "yes" if len(bests) == 1 else f"no ({sorted(bests)})",
                         f"{load_at_start:.1f}–{os.getloadavg()[0]:.1f}"])
    write_result("bench_checkpoints.md", "\n".join([
        "# Hyperband's checkpoints: in memory only, against files (with and without copies)",
        "",
        f"Command: `python benchmarks/bench_checkpoints.py --repeats {args.repeats}`. "
        f"Wall seconds of a whole `HyperbandSearchCV.fit` (one iteration, 5-fold CV, "
        f"`n_jobs=1`), median of {args.repeats} alternating rounds; the ratios are per round. "
        f"*before*: files, every write checked; *copies*: files, read back from memory; "
        f"*now*: in memory only. {blas_description()}", "",
        markdown_table(["task", "BLAS threads", "before (s)", "copies (s)", "now (s)",
                        "now / before", "now / copies", "same best score",
                        "load average (1 min)"], rows)]))


if __name__ == "__main__":
    main()
