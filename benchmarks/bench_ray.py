"""Ray vs loky on 2 CPUs: wall time and worker utilisation of MLP searches on digits.

``BayesSearchCV`` (GP sampler, 12 candidates in batches of 2, 3-fold CV, 60 epochs)
and ``HyperbandSearchCV`` (epochs 6 to 54, eta 3, 3-fold CV) tune our
``MLPClassifier`` (hidden layer of 64 to 256 units, learning rate, alpha) on
scikit-learn's digits, ``refit=False``, on two backends with 2 workers:

* **loky**: joblib's default, ``n_jobs=2``;
* **ray**: ``ray.init(num_cpus=2)``, then ``joblib.parallel_backend("ray")``
  (Ray's joblib backend: a pool of 2 Ray actors).

Utilisation = busy worker-seconds (each fit's fit and score times, from
``cv_results_``) / (2 x wall). Each search runs ``--repeats`` times per backend, the
backends alternating, so the first run of each pays its workers' start and
imports (loky keeps its workers for the next search; Ray's backend starts a new
pool of actors for every search). Each fit notes when it starts in a file, so the
tables also give the seconds from ``fit``'s call to the first fit's start, and
the span of the fits (the first's start to the last's end). ``ray.init``'s own
time is reported apart. The load average (``os.getloadavg()``) is recorded at the
start of each run: the numbers are provisional when it is above the core count.

Usage::

    python benchmarks/bench_ray.py                 # ~4 min on a quiet 2-core machine
    python benchmarks/bench_ray.py --repeats 1 --output bench_ray_smoke.md
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import argparse  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import joblib  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from benchmarks._common import markdown_table, median, write_result  # noqa: E402
from sklearn_hp.neural_network import MLPClassifier  # noqa: E402
from sklearn_hp.search import BayesSearchCV, Categorical, HyperbandSearchCV, Real  # noqa: E402

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {"bench_ray.md": ""}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~4 min"

N_WORKERS = 2
#: The file each fit appends its start and end times to (set before workers start).
LOG_VARIABLE = "SKLEARN_HP_BENCH_RAY_LOG"
SPACE = {"hidden_layer_sizes": Categorical([(64,), (128,), (256,)]),
         "learning_rate": Real(1e-4, 1e-1, log=True), "alpha": Real(1e-6, 1e-2, log=True)}


class TimedMLP(MLPClassifier):
    """Our ``MLPClassifier``, appending the start and end times of each fit to a file."""

    def fit(self, X, y, **fit_params):
        start = time.time()
        super().fit(X, y, **fit_params)
        with open(os.environ[LOG_VARIABLE], "a") as f:
            f.write(f"{start} {time.time()}\n")
        return self


def make_search(name):
    """The search ``name`` ("bayes" or "hyperband"), with the same seed every time."""
    # imported by name, so that the workers unpickle it from this module, not __main__
    from benchmarks.bench_ray import TimedMLP

    model = TimedMLP(max_epochs=60, random_state=0)
    if name == "bayes":
        return BayesSearchCV(model, SPACE, n_iter=12, batch_size=N_WORKERS, cv=3,
                             random_state=0, refit=False)
    return HyperbandSearchCV(model, SPACE, max_resource=54, min_resource=6, eta=3, cv=3,
                             random_state=0, refit=False)


def timed_run(name, backend, X, y):
    """One search on ``backend``: the table's row of numbers."""
    load = os.getloadavg()[0]
    search = make_search(name)
    kwargs = {"n_jobs": N_WORKERS} if backend == "loky" else {}
    Path(os.environ[LOG_VARIABLE]).unlink(missing_ok=True)
    start = time.time()
    with joblib.parallel_backend(backend, **kwargs), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    wall = time.time() - start
    results = search.cv_results_
    per_split = np.asarray(results["mean_fit_time"]) + np.asarray(results["mean_score_time"])
    busy = float(np.nansum(per_split)) * search.n_splits_
    spans = np.loadtxt(os.environ[LOG_VARIABLE], ndmin=2)
    return {"wall": wall, "busy": busy, "fits": len(results["params"]) * search.n_splits_,
            "load": load, "best": float(np.nanmax(results["mean_test_score"])),
            "to_first_fit": float(spans[:, 0].min() - start),
            "fits_span": float(spans[:, 1].max() - spans[:, 0].min())}


def start_ray():
    """Start a local Ray cluster of ``N_WORKERS`` CPUs; return the seconds it took."""
    start = time.perf_counter()
    import ray
    from ray.util.joblib import register_ray

    ray.init(num_cpus=N_WORKERS, include_dashboard=False, log_to_driver=False)
    register_ray()
    return time.perf_counter() - start


def _row(name, backend, runs):
    first, rest = runs[0], runs[1:] or runs

    def later(key):
        return median([r[key] for r in rest])

    return [name, backend, first["fits"], f"{first['wall']:.1f}",
            f"{first['busy'] / (N_WORKERS * first['wall']):.0%}",
            f"{first['to_first_fit']:.1f}", f"{later('wall'):.1f}",
            f"{median([r['busy'] / (N_WORKERS * r['wall']) for r in rest]):.0%}",
            f"{later('to_first_fit'):.1f}", f"{later('fits_span'):.1f}",
            f"{first['best']:.3f}",
            f"{min(r['load'] for r in runs):.1f}-{max(r['load'] for r in runs):.1f}"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", default="bench_ray.md")
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    os.environ[LOG_VARIABLE] = os.path.join(tempfile.mkdtemp(), "fits.log")
    init_load = os.getloadavg()[0]
    init = start_ray()
    runs = {}
    for _ in range(args.repeats):
        for name in ("bayes", "hyperband"):
            for backend in ("loky", "ray"):
                runs.setdefault((name, backend), []).append(timed_run(name, backend, X, y))
                print(name, backend, runs[name, backend][-1], flush=True)
    rows = [_row(name, backend, r) for (name, backend), r in runs.items()]
    loads = [r["load"] for rs in runs.values() for r in rs]
    text = (f"## Ray's joblib backend vs loky, {N_WORKERS} workers, MLP searches on digits\n\n"
            + markdown_table(["search", "backend", "fits", "first run: wall s",
                              "utilisation", "s to first fit", "later runs: wall s",
                              "utilisation", "s to first fit", "fits span s",
                              "best CV accuracy", "load average"], rows)
            + f"\n\n`ray.init(num_cpus={N_WORKERS})` took {init:.1f} s (load {init_load:.1f}). "
              "Utilisation = busy worker-seconds (fit + score times) / "
              f"({N_WORKERS} x wall); later runs: the median of runs 2 to {args.repeats} "
              "of each search and backend, the backends alternating. "
            + ("Provisional: the load average was above the core count."
               if max(loads + [init_load]) > (os.cpu_count() or 1) else ""))
    write_result(args.output, text)


if __name__ == "__main__":
    main()
