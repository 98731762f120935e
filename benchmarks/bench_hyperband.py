"""Benchmark HyperbandSearchCV against RandomizedSearchCV and HalvingRandomSearchCV.

Tunes an MLP classifier on digits (3-fold CV). ``sklearn_hp.neural_network.
MLPClassifier`` is used when importable (resource ``max_epochs``), otherwise
scikit-learn's ``MLPClassifier`` with ``max_iter`` as the resource (it has
``warm_start`` and ``partial_fit``, so Hyperband continues its training).

* ``HyperbandSearchCV`` (random candidates, eta=3, 1..max epochs);
* ``RandomizedSearchCV`` on the *same* candidates (same seed, same
  ``ParameterSampler`` stream) trained for the full budget;
* scikit-learn's ``HalvingRandomSearchCV`` with the same budget range and number
  of first-rung candidates (it retrains from scratch at every rung).

Reports best CV accuracy, wall time and epochs trained, median over seeds, and
per seed the time ratio to ``RandomizedSearchCV`` and the difference of best
scores (median and range), with the 1-minute load average at each search's
start, as a table and in ``benchmarks/results/bench_hyperband.json``. One BLAS
thread by default; ``--threads default`` leaves the machine's default thread
pools, as a user's run has them (``benchmarks._common.blas_threads``).

Usage::

    python benchmarks/bench_hyperband.py [--seeds 3] [--max-epochs 27] [--quick]
                                         [--threads {1,default}]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from scipy.stats import loguniform  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.experimental import enable_halving_search_cv  # noqa: E402,F401
from sklearn.model_selection import HalvingRandomSearchCV, RandomizedSearchCV  # noqa: E402
from threadpoolctl import threadpool_info  # noqa: E402

from benchmarks._common import THREAD_SETTINGS, blas_threads  # noqa: E402
from sklearn_hp.search import HyperbandSearchCV  # noqa: E402

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {
    "bench_hyperband.json": "",
    "bench_hyperband_quick.json": "--quick",
    "bench_hyperband_sklearn_hp_mlp_r81.json":
        "--max-epochs 81 --output bench_hyperband_sklearn_hp_mlp_r81",
    "bench_hyperband_sklearn_hp_mlp_r81_default_threads.json":
        "--max-epochs 81 --threads default --output "
        "bench_hyperband_sklearn_hp_mlp_r81_default_threads",
}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~2 min; --quick ~30 s; --max-epochs 81 ~12 min"

RESULTS = Path(__file__).parent / "results"


def make_mlp(max_epochs):
    """Our MLPClassifier if available, else scikit-learn's; the resource and step-size names."""
    try:
        from sklearn_hp.neural_network import MLPClassifier

        model = MLPClassifier(max_epochs=max_epochs, tol=None, random_state=0)
        return model, "max_epochs", "learning_rate", "sklearn_hp"
    except ImportError:
        from sklearn.neural_network import MLPClassifier

        model = MLPClassifier(max_iter=max_epochs, random_state=0, n_iter_no_change=max_epochs + 1)
        return model, "max_iter", "learning_rate_init", "scikit-learn"


def make_space(learning_rate_name):
    """The search space, with the estimator's own name for the step size."""
    return {
        "hidden_layer_sizes": [(32,), (64,), (128,)],
        "alpha": loguniform(1e-6, 1e-1),
        learning_rate_name: loguniform(1e-4, 3e-1),
        "batch_size": [32, 64, 128],
    }


def run(seed, max_epochs, X, y, min_epochs=1):
    model, resource, learning_rate_name, origin = make_mlp(max_epochs)
    space = make_space(learning_rate_name)
    rows = {}

    load = os.getloadavg()[0]
    start = time.perf_counter()
    hyperband = HyperbandSearchCV(model, space, resource=resource, max_resource=max_epochs,
                                  min_resource=min_epochs, eta=3, random_state=seed, cv=3,
                                  refit=False)
    hyperband.fit(X, y)
    n_candidates = int(np.sum(hyperband.cv_results_["iter"] == 0))
    rows["HyperbandSearchCV"] = {
        "best_cv_accuracy": hyperband.best_score_,
        "seconds": time.perf_counter() - start,
        "epochs": hyperband.resource_spent_,
        "n_candidates": n_candidates,
        "load": load,
    }

    load = os.getloadavg()[0]
    start = time.perf_counter()
    random = RandomizedSearchCV(model, space, n_iter=n_candidates, random_state=seed, cv=3,
                                refit=False).fit(X, y)
    hb_candidates = [
        {k: v for k, v in p.items() if k != resource}
        for p, it in zip(hyperband.cv_results_["params"], hyperband.cv_results_["iter"]) if it == 0
    ]
    same = sorted(map(repr, hb_candidates)) == sorted(map(repr, random.cv_results_["params"]))
    rows["RandomizedSearchCV (full epochs)"] = {
        "best_cv_accuracy": random.best_score_,
        "seconds": time.perf_counter() - start,
        "epochs": n_candidates * 3 * max_epochs,
        "n_candidates": n_candidates,
        "same_candidates_as_hyperband": same,
        "load": load,
    }

    load = os.getloadavg()[0]
    start = time.perf_counter()
    halving = HalvingRandomSearchCV(model, space, resource=resource, max_resources=max_epochs,
                                    min_resources=min_epochs, factor=3, n_candidates=27,
                                    random_state=seed, cv=3, refit=False).fit(X, y)
    epochs = int(np.sum(np.asarray(halving.cv_results_["n_resources"]) * 3))
    rows["HalvingRandomSearchCV"] = {
        "best_cv_accuracy": halving.best_score_,
        "seconds": time.perf_counter() - start,
        "epochs": epochs,
        "n_candidates": 27,
        "load": load,
    }
    return rows, origin


def paired_versus_random(per_seed, name):
    """Per seed, ``name``'s wall time over RandomizedSearchCV's and its best score
    minus RandomizedSearchCV's (accuracy points): median, min and max of each."""
    random = "RandomizedSearchCV (full epochs)"
    ratios = [r[name]["seconds"] / r[random]["seconds"] for r in per_seed]
    gaps = [100 * (r[name]["best_cv_accuracy"] - r[random]["best_cv_accuracy"])
            for r in per_seed]
    spread = {"median": np.median, "min": np.min, "max": np.max}
    return ({k: float(f(ratios)) for k, f in spread.items()},
            {k: float(f(gaps)) for k, f in spread.items()})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-epochs", type=int, default=27)
    parser.add_argument("--min-epochs", type=int, default=1)
    parser.add_argument("--output", default=None, help="results file stem")
    parser.add_argument("--quick", action="store_true", help="1 seed, 600 samples")
    parser.add_argument("--threads", choices=["1", "default"], default="1",
                        help="BLAS threads: one (default) or the machine's default")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    seeds = 1 if args.quick else args.seeds
    if args.quick:
        X, y = X[:600], y[:600]
    per_seed = []
    with blas_threads(dict(THREAD_SETTINGS)[args.threads]):
        pools = threadpool_info()  # the pools the runs below see
        for seed in range(seeds):
            rows, origin = run(seed, args.max_epochs, X, y, args.min_epochs)
            per_seed.append(rows)
            print(f"seed {seed}: " + ", ".join(
                f"{k}: {v['best_cv_accuracy']:.4f} in {v['seconds']:.1f}s"
                for k, v in rows.items()), flush=True)
    names = list(per_seed[0])
    summary = {}
    reference = np.median([r["RandomizedSearchCV (full epochs)"]["seconds"] for r in per_seed])
    pool_text = ", ".join(f"{p['internal_api']} {p['num_threads']}" for p in pools)
    print(f"\nMLPClassifier ({origin}) on digits, 3-fold CV, "
          f"{args.min_epochs}..{args.max_epochs} epochs, "
          f"median over {seeds} seed(s), threads {args.threads} "
          f"({pool_text})")
    print(f"{'search':<34}{'best CV acc':>12}{'wall s':>9}{'time ratio':>11}"
          f"{'epochs':>9}{'cands':>7}")
    for name in names:
        acc = float(np.median([r[name]["best_cv_accuracy"] for r in per_seed]))
        secs = float(np.median([r[name]["seconds"] for r in per_seed]))
        epochs = float(np.median([r[name]["epochs"] for r in per_seed]))
        ratio, gap = paired_versus_random(per_seed, name)
        loads = [r[name]["load"] for r in per_seed]
        summary[name] = {"best_cv_accuracy": acc, "seconds": secs, "epochs": epochs,
                         "time_ratio_vs_random": secs / reference,
                         "paired_time_ratio_vs_random": ratio,
                         "points_vs_random": gap, "load_range": [min(loads), max(loads)],
                         "per_seed": [r[name] for r in per_seed]}
        print(f"{name:<34}{acc:>12.4f}{secs:>9.1f}{secs / reference:>11.2f}{epochs:>9.0f}"
              f"{per_seed[0][name]['n_candidates']:>7}")
        print(f"{'':<34}per seed: time ratio {ratio['median']:.2f} ({ratio['min']:.2f}-"
              f"{ratio['max']:.2f}), points vs random {gap['median']:+.2f} "
              f"({gap['min']:+.2f} to {gap['max']:+.2f}), load {min(loads):.1f}-{max(loads):.1f}")
    RESULTS.mkdir(exist_ok=True)
    stem = args.output or ("bench_hyperband_quick" if args.quick else "bench_hyperband")
    out = RESULTS / f"{stem}.json"
    out.write_text(json.dumps({"estimator": origin, "max_epochs": args.max_epochs,
                               "min_epochs": args.min_epochs, "threads": args.threads,
                               "thread_pools": [{k: p[k] for k in ("internal_api",
                                                                   "num_threads")}
                                                for p in pools],
                               "seeds": seeds, "summary": summary}, indent=2, default=float))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
