"""Runs of the tabular suite: one (bench, dataset, method, seed) at a time.

Every method gets ``BUDGET`` evaluations; random search also runs to
``RANDOM_BUDGET`` (three times as many) in the same run, whose median best over
the seeds is the mark of the hit rate. Its best at ``BUDGET`` is read off that run.
"""

import os
import time

from ..coco.methods import OURS, RUNNERS, implementation
from ..coco.run import best_so_far
from ..coco.store import RunCache
from .problems import DATASETS, TableProblem

KEY = ("bench", "dataset", "method", "seed", "budget")
BUDGET = 50
RANDOM_BUDGET = 3 * BUDGET
#: Evaluation counts whose best-so-far is stored.
CHECKPOINTS = (10, 20, BUDGET, RANDOM_BUDGET)


def open_cache(path):
    """The tabular run cache in the JSON-lines file ``path``."""
    return RunCache(path, KEY)


def budget_of(method):
    return RANDOM_BUDGET if method == "random" else BUDGET


def run_one(problem, method, seed, code=None):
    """Run ``method`` on ``problem`` for its budget; the record (regret per checkpoint)."""
    budget = budget_of(method)
    counts = [n for n in CHECKPOINTS if n <= budget]
    start = time.perf_counter()
    losses, optimiser = RUNNERS[method](problem, budget, seed)
    seconds = time.perf_counter() - start
    return {
        "bench": problem.bench, "dataset": problem.dataset, "method": method, "seed": seed,
        "budget": budget,
        "regret": {str(n): problem.regret(f) for n, f in zip(counts, best_so_far(losses, counts))},
        "n_evals": len(losses), "seconds": round(seconds, 3),
        "optimiser_seconds": round(optimiser, 4), "load": round(os.getloadavg()[0], 2),
        "by": code if method in OURS and code else implementation(method),
    }


def ordered_datasets(bench, datasets=None):
    """The datasets to run, held-out ones first."""
    halves = DATASETS[bench]
    return [d for d in halves["held out"] + halves["tuning"] if not datasets or d in datasets]


def run_all(cache, bench, datasets, seeds, methods, code=None, log=print):
    """Run every missing (dataset, method, seed), seeds outermost; append each record."""
    done = cache.runs()
    for seed in seeds:
        for dataset in ordered_datasets(bench, datasets):
            todo = [m for m in methods if (bench, dataset, m, seed, budget_of(m)) not in done]
            problem = TableProblem(bench, dataset) if todo else None
            for method in todo:
                record = run_one(problem, method, seed, code=code)
                cache.add(record)
                log(f"{problem.name} seed {seed} {method:<10} regret "
                    f"{record['regret'][str(BUDGET)]:.4g} ({record['seconds']:.1f}s, "
                    f"optimiser {record['optimiser_seconds']:.1f}s, load {record['load']})")
