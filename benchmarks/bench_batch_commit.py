"""What short batches cost: Hyperband wall time against how much a kill can lose.

A search commits a batch's trials when the batch returns, so a ``kill -9``
loses the finished trials of the running batch. Three batch policies of the
same ``HyperbandSearchCV`` run on two workers (``n_jobs=2``), 3-fold CV:

* ``rung``: a whole rung in one batch (the policy before batches were bounded);
* ``round``: one round of the workers per batch (``n_jobs / gcd(n_jobs, cv)``
  candidates);
* ``paced`` (the default): each rung's first batch is one round, then as many
  whole rounds as take about ``BATCH_SECONDS`` (5 s) at the rung's pace.

Reports the median wall time, its ratio to ``rung`` per round (median and
range), the number of batches and the longest batch (the most a kill can
lose), on a fast task (MLP on digits, fits of tens of milliseconds) and a
slower one (wider MLP), under the machine's default BLAS threads and one
thread in the parent (joblib's workers limit their own threads).

Usage::

    python benchmarks/bench_batch_commit.py [--repeats 2] [--max-resource 81]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from contextlib import contextmanager  # noqa: E402

from scipy.stats import loguniform  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from benchmarks._common import (  # noqa: E402
    alternate_threads, blas_description, median, ratio_cell, write_report,
)
from sklearn_hp.neural_network import MLPClassifier  # noqa: E402
from sklearn_hp.search import HyperbandSearchCV, _loop  # noqa: E402

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {"bench_batch_commit.md": ""}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~7 min (2 rounds)"

ORIGINAL_LIMIT = _loop.batch_limit
POLICIES = {
    "rung": lambda n_jobs, n_splits, budgeted=False, seconds_per_candidate=None: 10**9,
    "round": lambda n_jobs, n_splits, budgeted=False, seconds_per_candidate=None:
        ORIGINAL_LIMIT(n_jobs, n_splits, budgeted, None),
    "paced": ORIGINAL_LIMIT,
}
TASKS = {"fast (MLP 100 units)": (100,), "slower (MLP 2 x 256 units)": (256, 256)}


@contextmanager
def policy(name, batches):
    """Use batch policy ``name``; append each batch's wall seconds to ``batches``."""
    original_run = _loop.TrialLoop._run

    def timed_run(self, candidates, first, extra):
        start = time.perf_counter()
        try:
            return original_run(self, candidates, first, extra)
        finally:
            batches.append(time.perf_counter() - start)

    _loop.batch_limit = POLICIES[name]
    _loop.TrialLoop._run = timed_run
    try:
        yield
    finally:
        _loop.batch_limit = ORIGINAL_LIMIT
        _loop.TrialLoop._run = original_run


def make_run(name, hidden, max_resource, X, y):
    def run():
        batches = []
        search = HyperbandSearchCV(
            MLPClassifier(hidden_layer_sizes=hidden, max_epochs=max_resource, tol=None,
                          random_state=0),
            {"learning_rate": loguniform(1e-4, 1e-1), "alpha": loguniform(1e-6, 1e-2)},
            max_resource=max_resource, eta=3, random_state=0, cv=3, n_jobs=2)
        with policy(name, batches), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            search.fit(X, y)
        return batches, search.best_score_
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--max-resource", type=int, default=81,
                        help="epochs of the longest rung; 81 starts bracket 0 with 81 candidates")
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    threads = blas_description()
    rows = []
    for task, hidden in TASKS.items():
        runs = {name: make_run(name, hidden, args.max_resource, X, y) for name in POLICIES}
        results = alternate_threads(runs, args.repeats)
        for setting in ("default", "1"):
            base = results[setting, "rung"][0]
            for name in POLICIES:
                times, (batches, score) = results[setting, name]
                rows.append([task, setting, name, f"{median(times):.2f}",
                             ratio_cell(times, base), len(batches), f"{max(batches):.2f}",
                             f"{score:.4f}"])
    write_report(
        "bench_batch_commit.md", "Batch policy: wall time against what a kill can lose",
        f"HyperbandSearchCV (max_resource={args.max_resource}, eta=3, 3-fold CV, n_jobs=2) "
        "on digits; "
        f"median of {args.repeats} alternating rounds. `longest batch` is the most "
        "finished work a kill can lose (the running batch's trials are not yet stored).",
        threads,
        ["task", "BLAS threads", "policy", "wall s", "ratio to rung", "batches",
         "longest batch s", "best CV score"], rows)


if __name__ == "__main__":
    main()
