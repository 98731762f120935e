"""Benchmark sklearn_hp.search against random search, scikit-optimize and Optuna.

Three parts, printed as tables and written to ``benchmarks/results/``:

1. **Regret** on standard test functions (Branin, six-hump camel, Hartmann-3,
   Hartmann-6), each wrapped as an estimator whose score is ``-f(params)`` and
   searched by the real ``BayesSearchCV`` (one CV split on dummy data). Regret
   ``f(best) - f(optimum)`` after 30 and 100 evaluations (both read from one run
   of 100), median and quartiles over seeds, for: ours (GP, TPE), random search,
   scikit-optimize ``gp_minimize``, Optuna TPE and Optuna ``GPSampler``.
2. **Optimiser overhead per trial** (wall time not spent fitting/scoring) of
   the real ``BayesSearchCV`` path at 30 and 300 trials, and of the peers at 30.
3. **A real task**: ``SVC(C, gamma)`` on digits with 3-fold CV; best CV accuracy
   of ``BayesSearchCV`` with 20 trials vs ``RandomizedSearchCV`` with 60. Add
   entries to ``TASKS`` to benchmark other estimators.

Usage::

    python benchmarks/bench_search.py             # 10 seeds, everything
    python benchmarks/bench_search.py --quick     # 3 seeds, 30 evaluations
    python benchmarks/bench_search.py --seeds 5 --parts regret overhead
    python benchmarks/bench_search.py --report benchmarks/results/bench_search.json  # .md only

Peers need the ``bench`` extra (``optuna``, ``scikit-optimize``, and ``torch``
for Optuna's GP sampler); missing peers are skipped.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from scipy.stats import loguniform  # noqa: E402
from sklearn.base import BaseEstimator, RegressorMixin  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import RandomizedSearchCV  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from sklearn_hp.neural_network import MLPClassifier  # noqa: E402
from sklearn_hp.search import BayesSearchCV, Real  # noqa: E402

RESULTS = Path(__file__).parent / "results"

# ----------------------------------------------------------------- functions

from benchmarks.bbo.functions import branin, camel, hartmann3, hartmann6  # noqa: E402

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {
    "bench_search.json": "--merge RUN.json ... (several runs merged)",
    "bench_search.md": "--report benchmarks/results/bench_search.json",
    "bench_search_tasks.json": "--parts tasks --seeds 3 --output bench_search_tasks",
    "bench_search_tasks.md": "--parts tasks --seeds 3 --output bench_search_tasks",
    "bench_search_quick.json": "--quick",
    "bench_search_quick.md": "--quick",
}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~1 h (scikit-optimize's 100-evaluation runs take most); --quick ~5 min"


#: name -> (function, bounds, optimum value)
FUNCTIONS = {
    "branin": (branin, [(-5.0, 10.0), (0.0, 15.0)], 0.397887357729739),
    "camel": (camel, [(-3.0, 3.0), (-2.0, 2.0)], -1.031628453489877),
    "hartmann3": (hartmann3, [(0.0, 1.0)] * 3, -3.862779787332660),
    "hartmann6": (hartmann6, [(0.0, 1.0)] * 6, -3.322368011391339),
}


class TestFunction(RegressorMixin, BaseEstimator):
    """An "estimator" whose score is minus a test function of its parameters."""

    def __init__(self, function="branin", x0=0.0, x1=0.0, x2=0.0, x3=0.0, x4=0.0, x5=0.0):
        self.function = function
        self.x0, self.x1, self.x2, self.x3, self.x4, self.x5 = x0, x1, x2, x3, x4, x5

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        func, bounds, _ = FUNCTIONS[self.function]
        x = np.array([self.x0, self.x1, self.x2, self.x3, self.x4, self.x5][: len(bounds)])
        return -func(x)


_DUMMY_X, _DUMMY_Y = np.zeros((4, 1)), np.zeros(4)
_ONE_SPLIT = [(np.arange(2), np.arange(2, 4))]


def _space(name):
    return {f"x{i}": Real(lo, hi) for i, (lo, hi) in enumerate(FUNCTIONS[name][1])}


# -------------------------------------------------------------------- methods

def run_ours(name, n_evals, seed, sampler="gp"):
    search = BayesSearchCV(TestFunction(name), _space(name), n_iter=n_evals, sampler=sampler,
                           random_state=seed, cv=_ONE_SPLIT, refit=False)
    search.fit(_DUMMY_X, _DUMMY_Y)
    return -np.asarray(search.cv_results_["mean_test_score"])


def run_random(name, n_evals, seed):
    return run_ours(name, n_evals, seed, sampler="random")


def run_skopt(name, n_evals, seed):
    from skopt import gp_minimize

    func, bounds, _ = FUNCTIONS[name]
    result = gp_minimize(lambda x: float(func(np.array(x))), bounds, n_calls=n_evals,
                         random_state=seed)
    return np.asarray(result.func_vals)


def _run_optuna(name, n_evals, seed, sampler):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    func, bounds, _ = FUNCTIONS[name]

    def objective(trial):
        x = np.array([trial.suggest_float(f"x{i}", lo, hi) for i, (lo, hi) in enumerate(bounds)])
        return float(func(x))

    study = optuna.create_study(sampler=sampler)
    study.optimize(objective, n_trials=n_evals)
    return np.array([t.value for t in study.trials])


def run_optuna_tpe(name, n_evals, seed):
    import optuna

    return _run_optuna(name, n_evals, seed, optuna.samplers.TPESampler(seed=seed))


def run_optuna_gp(name, n_evals, seed):
    import optuna

    return _run_optuna(name, n_evals, seed, optuna.samplers.GPSampler(seed=seed))


METHODS = {
    "ours GP": run_ours,
    "ours TPE": lambda n, e, s: run_ours(n, e, s, sampler="tpe"),
    "random": run_random,
    "skopt gp_minimize": run_skopt,
    "optuna TPE": run_optuna_tpe,
    "optuna GP": run_optuna_gp,
}


def _available(method):
    modules = {"skopt gp_minimize": ["skopt"], "optuna TPE": ["optuna"],
               "optuna GP": ["optuna", "torch"]}.get(method, [])
    try:
        for module in modules:
            __import__(module)
    except ImportError:
        return False
    return True


# ---------------------------------------------------------------------- parts

def _quartiles(values):
    q1, med, q3 = np.percentile(values, [25, 50, 75])
    return {"median": float(med), "q1": float(q1), "q3": float(q3)}


def bench_regret(seeds, budgets, functions, methods):
    table = {}
    n_evals = max(budgets)
    for name in functions:
        optimum = FUNCTIONS[name][2]
        for method in methods:
            regrets = {b: [] for b in budgets}
            start = time.perf_counter()
            for seed in range(seeds):
                values = METHODS[method](name, n_evals, seed)
                for b in budgets:
                    regrets[b].append(max(np.min(values[:b]) - optimum, 0.0))
            elapsed = time.perf_counter() - start
            table[(name, method)] = {b: _quartiles(regrets[b]) for b in budgets}
            cells = "  ".join(
                f"{b:>3}: {table[(name, method)][b]['median']:.2e} "
                f"[{table[(name, method)][b]['q1']:.1e}, {table[(name, method)][b]['q3']:.1e}]"
                for b in budgets)
            print(f"{name:<10} {method:<18} {cells}   ({elapsed:.0f}s)", flush=True)
    return table


def regret_cells(table):
    """``bench_regret``'s table as stored: ``"function | method"`` -> budget as a string.

    The keys are those of the JSON file (which turns integer keys into strings),
    so :func:`write_markdown` reads a fresh run and a file alike.
    """
    return {f"{f} | {m}": {str(b): q for b, q in cell.items()} for (f, m), cell in table.items()}


def _overhead_ours(n_trials, seed=0):
    search = BayesSearchCV(TestFunction("hartmann3"), _space("hartmann3"), n_iter=n_trials,
                           random_state=seed, cv=_ONE_SPLIT, refit=False)
    start = time.perf_counter()
    search.fit(_DUMMY_X, _DUMMY_Y)
    total = time.perf_counter() - start
    r = search.cv_results_
    fitting = np.sum(r["mean_fit_time"] + r["mean_score_time"])
    return (total - fitting) / n_trials


def _overhead_peer(method, n_trials, seed=0):
    start = time.perf_counter()
    METHODS[method]("hartmann3", n_trials, seed)
    return (time.perf_counter() - start) / n_trials  # the function itself costs ~µs


def bench_overhead(trial_counts, methods):
    rows = {}
    for n in trial_counts:
        rows[("ours BayesSearchCV (GP)", n)] = _overhead_ours(n)
        print(f"ours BayesSearchCV (GP)  {n:>4} trials: "
              f"{1e3 * rows[('ours BayesSearchCV (GP)', n)]:7.1f} ms/trial", flush=True)
    for method in methods:
        if method.startswith("ours") or method == "random":
            continue
        n = min(trial_counts)
        rows[(method, n)] = _overhead_peer(method, n)
        print(f"{method:<24} {n:>4} trials: {1e3 * rows[(method, n)]:7.1f} ms/trial", flush=True)
    return rows


#: Real tuning tasks: name -> (estimator factory, space, data loader, scoring)
TASKS = {
    "SVC on digits": (
        lambda: SVC(),
        {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-5, 1e-1)},
        lambda: load_digits(return_X_y=True),
        "accuracy",
    ),
    "sklearn_hp MLPClassifier on digits": (
        lambda: MLPClassifier(hidden_layer_sizes=(64,), max_epochs=15, tol=None, random_state=0),
        {"learning_rate": loguniform(1e-4, 1e-1), "alpha": loguniform(1e-6, 1e-1),
         "dropout": [0.0, 0.1, 0.3], "activation": ["relu", "tanh", "gelu"]},
        lambda: (load_digits().data / 16.0, load_digits().target),
        "accuracy",
    ),
}


def bench_tasks(seeds, n_bayes=20, n_random=60):
    rows = {}
    for task, (make, space, load, scoring) in TASKS.items():
        X, y = load()
        for label, build in (
            (f"BayesSearchCV n_iter={n_bayes}",
             lambda s: BayesSearchCV(make(), space, n_iter=n_bayes, cv=3, scoring=scoring,
                                     random_state=s, refit=False)),
            (f"RandomizedSearchCV n_iter={n_random}",
             lambda s: RandomizedSearchCV(make(), space, n_iter=n_random, cv=3,
                                          scoring=scoring, random_state=s, refit=False)),
        ):
            scores, times = [], []
            for seed in range(seeds):
                start = time.perf_counter()
                scores.append(build(seed).fit(X, y).best_score_)
                times.append(time.perf_counter() - start)
            rows[(task, label)] = {**_quartiles(scores), "seconds": float(np.median(times))}
            print(f"{task:<14} {label:<28} best CV accuracy median {np.median(scores):.4f} "
                  f"[{np.percentile(scores, 25):.4f}, {np.percentile(scores, 75):.4f}]  "
                  f"({np.median(times):.1f}s per search)", flush=True)
    return rows


def write_markdown(report, path):
    """Write a report (possibly merged from several runs) as Markdown tables."""
    lines = ["# bench_search results", ""]
    if "regret" in report:
        budgets = sorted({int(b) for cell in report["regret"].values() for b in cell})
        lines += ["## Regret f(best) - f(optimum): median [q1, q3] over seeds", "",
                  "| function | method | seeds | "
                  + " | ".join(f"{b} evals" for b in budgets) + " |",
                  "|---|---|---|" + "---|" * len(budgets)]
        for key, cell in report["regret"].items():
            function, method = key.split(" | ")
            values = [f"{cell[str(b)]['median']:.2e} "
                      f"[{cell[str(b)]['q1']:.1e}, {cell[str(b)]['q3']:.1e}]"
                      if str(b) in cell else "-" for b in budgets]
            seeds = report.get("seeds_by_key", {}).get(key, report.get("seeds"))
            lines.append(f"| {function} | {method} | {seeds} | " + " | ".join(values) + " |")
        lines.append("")
    if "overhead_ms_per_trial" in report:
        lines += ["## Optimiser overhead per trial (ms, time not spent fitting)", "",
                  "| method | trials | ms/trial |", "|---|---|---|"]
        for key, value in report["overhead_ms_per_trial"].items():
            method, n = key.split(" | ")
            lines.append(f"| {method} | {n} | {value:.1f} |")
        lines.append("")
    if "tasks" in report:
        lines += ["## Real tasks: best CV score, median [q1, q3] over seeds", "",
                  "| task | search | best CV | seconds per search |", "|---|---|---|---|"]
        for key, cell in report["tasks"].items():
            task, label = key.split(" | ")
            lines.append(f"| {task} | {label} | {cell['median']:.4f} [{cell['q1']:.4f}, "
                         f"{cell['q3']:.4f}] | {cell['seconds']:.1f} |")
        lines.append("")
    Path(path).write_text("\n".join(lines))


def merge_reports(paths):
    """Merge JSON reports of several runs (later files win on equal keys)."""
    merged = {"seeds_by_key": {}}
    for path in paths:
        report = json.loads(Path(path).read_text())
        for part in ("regret", "overhead_ms_per_trial", "tasks"):
            if part in report:
                merged.setdefault(part, {})
                for key, value in report[part].items():
                    if part == "regret" and key in merged[part]:
                        value = {**merged[part][key], **value}
                    merged[part][key] = value
                    if part == "regret":
                        merged["seeds_by_key"][key] = report["seeds"]
    return merged


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=None, help="seeds (default 10, quick 3)")
    parser.add_argument("--quick", action="store_true", help="3 seeds, 30 evaluations")
    parser.add_argument("--parts", nargs="+", default=["regret", "overhead", "tasks"],
                        choices=["regret", "overhead", "tasks"])
    parser.add_argument("--functions", nargs="+", default=list(FUNCTIONS), choices=list(FUNCTIONS))
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--budgets", nargs="+", type=int, default=None,
                        help="evaluation counts to report regret at (default 30 100)")
    parser.add_argument("--output", default=None, help="results file stem")
    parser.add_argument("--merge", nargs="+", default=None, metavar="JSON",
                        help="only merge these result files into --output .md")
    parser.add_argument("--report", nargs="+", default=None, metavar="JSON",
                        help="only rewrite the .md beside each of these result files")
    args = parser.parse_args()
    if args.report:
        for path in map(Path, args.report):
            write_markdown(json.loads(path.read_text()), path.with_suffix(".md"))
            print(f"wrote {path.with_suffix('.md')}")
        return
    if args.merge:
        merged = merge_reports(args.merge)
        out = RESULTS / f"{args.output or 'bench_search'}.md"
        write_markdown(merged, out)
        (RESULTS / f"{args.output or 'bench_search'}.json").write_text(json.dumps(merged, indent=2))
        print(out.read_text())
        return
    seeds = args.seeds or (3 if args.quick else 10)
    budgets = args.budgets or ([30] if args.quick else [30, 100])
    methods = [m for m in args.methods if _available(m)]
    skipped = sorted(set(args.methods) - set(methods))
    if skipped:
        print(f"skipping unavailable peers: {skipped}")
    warnings.filterwarnings("ignore")
    report = {"seeds": seeds, "budgets": budgets}
    if "regret" in args.parts:
        print(f"\n== Regret f(best) - f(opt), median [q1, q3] over {seeds} seeds ==")
        regret = bench_regret(seeds, budgets, args.functions, methods)
        report["regret"] = regret_cells(regret)
    if "overhead" in args.parts:
        print("\n== Optimiser overhead per trial (time not spent fitting) ==")
        counts = [30] if args.quick else [30, 300]
        overhead = bench_overhead(counts, methods)
        report["overhead_ms_per_trial"] = {f"{m} | {n}": 1e3 * v for (m, n), v in overhead.items()}
    if "tasks" in args.parts:
        print(f"\n== Real tasks, {seeds} seeds ==")
        tasks = bench_tasks(seeds)
        report["tasks"] = {f"{t} | {label}": v for (t, label), v in tasks.items()}
    RESULTS.mkdir(exist_ok=True)
    stem = args.output or ("bench_search_quick" if args.quick else "bench_search")
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=2))
    write_markdown(report, RESULTS / f"{stem}.md")
    print(f"\nwrote {RESULTS / (stem + '.json')} and .md")


if __name__ == "__main__":
    main()
