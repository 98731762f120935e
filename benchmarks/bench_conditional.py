"""Conditional spaces: ours-gp on svc_conditional (held out), best loss at 20 and 60 evaluations.

Run from the repository root, one BLAS thread::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONPATH=$PWD python benchmarks/bench_conditional.py

Prints, per seed, the best loss (minus 3-fold CV accuracy) after 20 and 60
evaluations and how many of the 60 trials went to each kernel; then the median
and worst seed. The first 20 of a 60-evaluation search are the 20-evaluation search.
"""

import sys
import warnings

import numpy as np

from benchmarks.bbo.problems import PROBLEMS
from sklearn_hp.search import BayesSearchCV, GPSampler


def _search(problem, n_evals, seed):
    """Losses in evaluation order and the kernel of each trial."""
    X, y = problem.data()
    search = BayesSearchCV(problem.estimator(), problem.space, n_iter=n_evals,
                           sampler=GPSampler(), random_state=seed, **problem.search_kwargs())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    r = search.cv_results_
    return -np.asarray(r["mean_test_score"], dtype=float), [p["kernel"] for p in r["params"]]


def main(seeds=range(10), n_evals=60):
    problem = PROBLEMS["svc_conditional"]
    at20, at60, kernels = [], [], []
    for seed in seeds:
        losses, used = _search(problem, n_evals, seed)
        at20.append(np.min(losses[:20]))
        at60.append(np.min(losses))
        kernels += used
        counts = {k: used.count(k) for k in ("linear", "rbf", "poly")}
        print(f"seed {seed}: best@20 {at20[-1]:.4f} best@60 {at60[-1]:.4f} trials {counts}",
              flush=True)
    print("trials per kernel, all seeds:", {k: kernels.count(k) for k in ("linear", "rbf", "poly")})
    for name, values in (("20", at20), ("60", at60)):
        print(f"at {name} evals: median {np.median(values):.4f} worst {np.max(values):.4f} "
              f"mean {np.mean(values):.4f}")


if __name__ == "__main__":
    main(seeds=range(int(sys.argv[1]) if len(sys.argv) > 1 else 10))
