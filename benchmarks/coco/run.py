"""Runs of the COCO suite: one (suite, function, dim, instance, method, seed) at a time.

Every run evaluates ``50 * dim`` points; the regrets at ``10 * dim`` and
``20 * dim`` are the same run's best-so-far at those counts (not separate runs).
"""

import os
import time

import numpy as np

from .methods import GP_VARIANTS, OURS, RUNNERS, implementation
from .problems import CocoProblem, is_held_out
from .store import RunCache

#: The fields that identify a run in the cache.
KEY = ("suite", "function", "dim", "instance", "method", "seed", "budget")
#: Budgets read off each run, in evaluations per dimension; the last is the run's length.
MULTIPLES = (10, 20, 50)


def open_cache(path):
    """The COCO run cache in the JSON-lines file ``path``."""
    return RunCache(path, KEY)


def best_so_far(losses, counts):
    """The smallest of the first ``n`` losses for each ``n`` in ``counts``."""
    best = np.minimum.accumulate(np.asarray(losses, dtype=float))
    return [float(best[min(n, len(best)) - 1]) for n in counts]


def run_one(problem, method, seed, multiples=MULTIPLES, code=None):
    """Run ``method`` on ``problem`` for ``multiples[-1] * dim`` evaluations; the record."""
    counts = [m * problem.dim for m in multiples]
    start = time.perf_counter()
    losses, optimiser = RUNNERS[method](problem, counts[-1], seed)
    seconds = time.perf_counter() - start
    regrets = [problem.regret(f) for f in best_so_far(losses, counts)]
    return {
        "suite": problem.suite, "function": problem.function, "dim": problem.dim,
        "instance": problem.instance, "method": method, "seed": seed, "budget": counts[-1],
        "regret": {str(m): r for m, r in zip(multiples, regrets)}, "f_opt": problem.f_opt,
        "n_evals": len(losses), "seconds": round(seconds, 3),
        "optimiser_seconds": round(optimiser, 4), "load": round(os.getloadavg()[0], 2),
        "by": code if (method in OURS or method in GP_VARIANTS) and code
        else implementation(method),
    }


def cells(suite, dims, functions, instances, seeds):
    """(function, dim, instance, seed) in run order: dims, seeds, instances, held-out first."""
    ordered = sorted(functions, key=lambda f: (not is_held_out(f), f))
    for dim in dims:
        for seed in seeds:
            for instance in instances:
                for function in ordered:
                    yield function, dim, instance, seed


def run_all(cache, suite, dims, functions, instances, seeds, methods, code=None, log=print):
    """Run every missing (cell, method) and append each record to ``cache`` as it ends."""
    done = cache.runs()
    budget = {dim: MULTIPLES[-1] * dim for dim in dims}
    for function, dim, instance, seed in cells(suite, dims, functions, instances, seeds):
        todo = [m for m in methods
                if (suite, function, dim, instance, m, seed, budget[dim]) not in done]
        if not todo:
            continue
        problem = CocoProblem(suite, function, dim, instance)
        for method in todo:
            record = run_one(problem, method, seed, code=code)
            cache.add(record)
            log(f"{problem.name} seed {seed} {method:<10} "
                f"log10 regret {np.log10(record['regret'][str(MULTIPLES[-1])] + 1e-8):6.2f} "
                f"({record['seconds']:.1f}s, optimiser {record['optimiser_seconds']:.1f}s, "
                f"load {record['load']})")
