"""How often does a single seed reach the real-task mark within 20 evaluations?

The suite's real-task target asks that the *worst* of 10 seeds at 20 evaluations
reach random search's median at 60. That holds only when nearly every seed does:
with a per-seed hit rate ``p`` it holds with probability ``p**10``. Ten seeds
cannot tell a 60 % method from a 90 % one, so this script measures ``p`` on many
seeds: the mark is random search's median best at 60 evaluations over the same
seeds, and every method gets 20 evaluations per seed. Results are cached per
(task, method, seed), one JSON line each, in ``benchmarks/results/bbo/hits.jsonl``;
the table goes to ``benchmarks/results/bbo_hit_rate.md``.

Run ``python -m benchmarks.bbo.hit_rate --seeds 100 --methods ours-gp random``.
"""

import argparse

import numpy as np
from joblib import Parallel, delayed

from .__main__ import RESULTS, code_hash, load_result, save_result
from .methods import METHODS, OURS
from .problems import PROBLEMS, RealTask
from .store import ResultStore

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {
    "bbo/hits.jsonl": "",
    "bbo_hit_rate.md": "--methods ours-gp ours-tpe random optuna-tpe optuna-gp",
}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "hours for 100 seeds (the cache holds them); --report-only 2 s"

CACHE = ResultStore(RESULTS / "bbo" / "hits.jsonl")
MARK_EVALS, EVALS = 60, 20
REAL_TASKS = [name for name, p in PROBLEMS.items() if isinstance(p, RealTask)]


def _load(task, method, seed, code, n_evals):
    """Cached losses of at least ``n_evals`` evaluations, or None."""
    result = load_result(task, method, seed, code, cache=CACHE)
    return None if result is None or len(result["losses"]) < n_evals else result["losses"]


def _run_one(task, method, seed, code, n_evals):
    losses, _ = METHODS[method](PROBLEMS[task], n_evals, seed)
    save_result(task, method, seed, {"losses": [float(v) for v in losses],
                                     "code": code if method in OURS else None}, cache=CACHE)


def run(tasks, methods, seeds, code, n_jobs=2):
    """Compute what the cache lacks: random at 60 evaluations, every method at 20."""
    jobs = [(task, method, seed, MARK_EVALS if method == "random" else EVALS)
            for task in tasks for method in {"random", *methods} for seed in seeds]
    todo = [job for job in jobs if _load(*job[:3], code, job[3]) is None]
    Parallel(n_jobs=n_jobs, verbose=5)(
        delayed(_run_one)(task, method, seed, code, n) for task, method, seed, n in todo)
    CACHE.compact()


def _best(task, method, seed, code, n_evals):
    losses = _load(task, method, seed, code, n_evals)
    return None if losses is None else -float(np.nanmin(np.asarray(losses)[:n_evals]))


def report(tasks, methods, seeds, code):
    """Markdown table: per task and method, seeds reaching the mark and ``p**10``."""
    lines = ["# Real tasks: seeds reaching random search's median at 60 within 20 evaluations",
             "",
             "`hits` counts seeds whose best 3-fold CV accuracy at 20 evaluations reaches the "
             "mark; `all 10` is the chance that 10 seeds all do (hit rate to the 10th power), "
             "which is what the worst-of-10 target needs. Our code: "
             f"`{code}`.", "",
             "| task | half | mark | method | hits | rate | all 10 | worst seed |",
             "|---|---|---|---|---|---|---|---|"]
    for task in tasks:
        marks = [_best(task, "random", s, code, MARK_EVALS) for s in seeds]
        marks = [m for m in marks if m is not None]
        if not marks:
            continue
        mark = float(np.median(marks))
        for method in methods:
            best = [_best(task, method, s, code, EVALS) for s in seeds]
            best = np.array([b for b in best if b is not None])
            if not len(best):
                continue
            hits = int(np.sum(best >= mark - 1e-12))
            rate = hits / len(best)
            lines.append(f"| {task} | {PROBLEMS[task].half} | {mark:.4f} | {method} | "
                         f"{hits}/{len(best)} | {rate:.2f} | {rate ** 10:.3f} | "
                         f"{best.min():.4f} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=REAL_TASKS, choices=REAL_TASKS)
    parser.add_argument("--methods", nargs="+", default=["ours-gp", "ours-tpe", "random"],
                        choices=list(METHODS))
    parser.add_argument("--seeds", type=int, default=100, help="seeds 0..N-1")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--code", default=None,
                        help="report our results of this code version (default: the current)")
    args = parser.parse_args(argv)
    seeds, code = range(args.seeds), code_hash()
    if not args.report_only:
        run(args.tasks, args.methods, seeds, code, args.n_jobs)
    text = report(args.tasks, [m for m in METHODS if m in args.methods], seeds,
                  args.code or code)
    (RESULTS / "bbo_hit_rate.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
