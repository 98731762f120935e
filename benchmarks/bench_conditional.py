"""Conditional spaces: ours-gp on svc_conditional (held out), best loss at 20 and 60 evaluations.

Run from the repository root, one BLAS thread::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONPATH=$PWD python benchmarks/bench_conditional.py

Prints, per seed, the best loss (minus 3-fold CV accuracy) after 20 and 60
evaluations and the share of trials in each kernel branch; then the median and
worst seed. The first 20 of a 60-evaluation search are the 20-evaluation search.
"""

import sys

import numpy as np

from benchmarks.bbo.methods import run_bayes_search
from benchmarks.bbo.problems import PROBLEMS
from sklearn_hp.search import GPSampler


def main(seeds=range(10), n_evals=60):
    problem = PROBLEMS["svc_conditional"]
    at20, at60 = [], []
    for seed in seeds:
        losses, _ = run_bayes_search(problem, n_evals, seed, GPSampler())
        at20.append(np.min(losses[:20]))
        at60.append(np.min(losses))
        print(f"seed {seed}: best@20 {at20[-1]:.4f} best@60 {at60[-1]:.4f}", flush=True)
    for name, values in (("20", at20), ("60", at60)):
        print(f"at {name} evals: median {np.median(values):.4f} worst {np.max(values):.4f} "
              f"mean {np.mean(values):.4f}")


if __name__ == "__main__":
    main(seeds=range(int(sys.argv[1]) if len(sys.argv) > 1 else 10))
