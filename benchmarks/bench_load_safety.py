"""What the checks of learned state cost: our ``load`` against ``joblib.load``, same models.

For a HistGradientBoostingClassifier, a RandomForestClassifier of 300 trees and
scikit-learn's MLPClassifier, each behind a StandardScaler and fitted on the same
generated covtype-like table (54 features, 7 classes), one process alternates in every
round: ``joblib.load`` of the pickle, our ``load`` of the safe file (which checks every
tree node, index and weight before returning), and the checks alone
(``check_learned`` on the loaded model). Printed: median time and the median and
range of the ratios to ``joblib.load``, and the peak memory each load allocates
(tracemalloc, a separate untimed pass), with the machine's default BLAS threads and
with one.

    python benchmarks/bench_load_safety.py [--repeats 7] [--samples 20000]
"""

import argparse
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import joblib
import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from _common import alternate_threads, markdown_table, median, write_result  # noqa: E402
from sklearn_hp.persistence import Registry, load, save  # noqa: E402
from sklearn_hp.persistence._learned_checks import check_learned  # noqa: E402

TARGET = 1.5  # the checks may cost at most this many joblib.load times


def _models(n_samples):
    X, y = make_classification(n_samples=n_samples, n_features=54, n_informative=20,
                               n_redundant=10, n_classes=7, n_clusters_per_class=2,
                               random_state=0)
    models = {
        "HistGradientBoosting, 100 iterations": HistGradientBoostingClassifier(
            max_iter=100, early_stopping=False, random_state=0),
        "RandomForest, 300 trees": RandomForestClassifier(
            n_estimators=300, n_jobs=2, random_state=0),
        "MLP 54-256-128-7": MLPClassifier((256, 128), max_iter=20, random_state=0),
    }
    fitted = {}
    for name, model in models.items():
        start = time.perf_counter()
        with np.errstate(all="ignore"):
            fitted[name] = make_pipeline(StandardScaler(), model).fit(X, y)
        print(f"fitted {name} in {time.perf_counter() - start:.1f} s", flush=True)
    return X, fitted


def _peak_mb(run):
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _ratio(ours, theirs):
    ratios = [a / b for a, b in zip(ours, theirs)]
    return f"{median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"


def _measure(name, model, X, folder, repeats):
    ours_path, pickle_path = folder / "m.skhp", folder / "m.joblib"
    save(model, ours_path)
    joblib.dump(model, pickle_path)
    loaded = load(ours_path)
    assert np.array_equal(loaded.predict(X[:500]), model.predict(X[:500]))
    runs = {"joblib": lambda: joblib.load(pickle_path), "ours": lambda: load(ours_path),
            "checks": lambda: check_learned(loaded, "bench", 200)}
    timed = alternate_threads(runs, repeats)
    peaks = {"joblib": _peak_mb(runs["joblib"]), "ours": _peak_mb(runs["ours"])}
    rows = []
    for setting in ("default", "1"):
        joblib_t, ours_t, checks_t = (timed[setting, k][0] for k in ("joblib", "ours",
                                                                      "checks"))
        rows.append([name, setting, f"{ours_path.stat().st_size / 2**20:.1f}",
                     f"{median(joblib_t) * 1e3:.0f}", f"{median(ours_t) * 1e3:.0f}",
                     f"{median(checks_t) * 1e3:.1f}", _ratio(ours_t, joblib_t),
                     _ratio(checks_t, joblib_t),
                     f"{peaks['ours']:.0f} / {peaks['joblib']:.0f}"])
        print(rows[-1], flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--samples", type=int, default=20000)
    args = parser.parse_args(argv)
    Registry()  # built once per process; not part of any load timed here
    X, models = _models(args.samples)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, model in models.items():
            rows += _measure(name, model, X, Path(folder), args.repeats)
    header = ["model (StandardScaler pipeline)", "BLAS threads", "file MB",
              "joblib.load ms", "our load ms", "checks alone ms",
              "our load / joblib.load, median (range)", "checks / joblib.load",
              "peak MB ours / joblib"]
    blas = ", ".join(f"{i['internal_api']} {i['num_threads']} threads"
                     for i in threadpool_info())
    text = "\n".join([
        "# Load with checks of learned state vs joblib.load",
        "",
        f"`python benchmarks/bench_load_safety.py --repeats {args.repeats} --samples "
        f"{args.samples}`: {args.repeats} rounds alternating joblib.load, our load and "
        "the checks alone in one process; generated covtype-like data (54 features, "
        "7 classes). Peak memory from tracemalloc (Python and numpy allocations; "
        "scikit-learn's Tree nodes are malloc'd in C and count in neither).",
        "",
        markdown_table(header, rows),
        "",
        f"Target: the checks cost at most {TARGET}x joblib.load's time.",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {blas}; load average before the run "
        f"{_LOAD_BEFORE}, after {' '.join(f'{x:.2f}' for x in os.getloadavg())}.",
    ])
    write_result("bench_load_safety.md", text)


_LOAD_BEFORE = " ".join(f"{x:.2f}" for x in os.getloadavg())

if __name__ == "__main__":
    main()
