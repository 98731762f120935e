"""MLPClassifier: sklearn_hp vs scikit-learn, same architecture, same data, same run.

100 features -> 256 -> 128 -> 5 classes, adam, batches of 256, 10 epochs, on 20,000
make_classification samples, in float32 and float64. Fits alternate between the two
libraries (5 rounds by default; median times, and the ratio within each round). The
"GEMM limit" is the time of just the forward and backward matrix products of those
shapes over the same batches and epochs: the fraction reached is
``gemm_time / fit_time``. Peak memory of each fit is the
tracemalloc peak measured in a fresh subprocess.

Run: ``python benchmarks/bench_mlp.py`` (about two minutes); the table goes to
``benchmarks/results/mlp.md``.
"""

import argparse
import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _common import alternate, markdown_table, median, write_result  # noqa: E402

N_SAMPLES, N_FEATURES, N_CLASSES = 20_000, 100, 5
HIDDEN = (256, 128)
BATCH, EPOCHS, REPEATS = 256, 10, 5
SKLEARN_ALPHA = 1e-4


def make_data(dtype):
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=N_SAMPLES, n_features=N_FEATURES, n_informative=40, n_classes=N_CLASSES,
        random_state=0,
    )
    return X.astype(dtype), y


def make_ours():
    from sklearn_hp.neural_network import MLPClassifier

    # scikit-learn adds alpha * W / batch_size to the gradient of the mean loss; ours
    # adds alpha * W, so the same penalty is alpha / batch_size here.
    return MLPClassifier(
        HIDDEN, optimizer="adam", learning_rate=1e-3, batch_size=BATCH, max_epochs=EPOCHS,
        tol=None, alpha=SKLEARN_ALPHA / BATCH, random_state=0,
    )


def make_theirs():
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(
        HIDDEN, solver="adam", learning_rate_init=1e-3, batch_size=BATCH, max_iter=EPOCHS,
        tol=0.0, n_iter_no_change=10_000, alpha=SKLEARN_ALPHA, random_state=0,
    )


MAKERS = {"sklearn_hp": make_ours, "scikit-learn": make_theirs}


def gemm_limit(X, dtype, rng):
    """Time only the forward and backward products of every batch of every epoch."""
    sizes = [N_FEATURES, *HIDDEN, N_CLASSES]
    weights = [rng.standard_normal((a, b)).astype(dtype) for a, b in zip(sizes, sizes[1:])]
    starts = range(0, X.shape[0], BATCH)
    batch_sizes = {min(BATCH, X.shape[0] - s) for s in starts}
    acts = {n: [np.ones((n, s), dtype) for s in sizes] for n in batch_sizes}
    deltas = {n: [np.ones((n, s), dtype) for s in sizes] for n in batch_sizes}
    grads_w = [np.empty_like(w) for w in weights]
    start_time = time.perf_counter()
    for _ in range(EPOCHS):
        for start in starts:
            xb = X[start:start + BATCH]
            a, d = acts[xb.shape[0]], deltas[xb.shape[0]]
            a[0] = xb
            for i, w in enumerate(weights):
                np.matmul(a[i], w, out=a[i + 1])
            for i in range(len(weights) - 1, -1, -1):
                np.matmul(a[i].T, d[i + 1], out=grads_w[i])
                if i:  # no gradient for the input
                    np.matmul(d[i + 1], weights[i].T, out=d[i])
    return time.perf_counter() - start_time


def peak_memory(library, dtype_name):
    """tracemalloc peak (MiB) of one fit, in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, __file__, "--memory", library, dtype_name],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])["peak_mib"]


def _measure_memory(library, dtype_name):
    X, y = make_data(np.dtype(dtype_name))
    estimator = MAKERS[library]()
    tracemalloc.start()
    estimator.fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({"peak_mib": peak / 2**20}))


def compare(dtype, repeats):
    """One table row: alternating timed fits of both libraries and the GEMM limit."""
    X, y = make_data(dtype)
    fitted = {}

    def fit(library):
        def run():
            fitted[library] = MAKERS[library]().fit(X, y)

        return run

    runs = {name: fit(name) for name in MAKERS}
    runs["gemm"] = lambda: gemm_limit(X, dtype, np.random.default_rng(0))
    results = alternate(runs, repeats)
    gemm = median(results["gemm"][0])
    ours, theirs = median(results["sklearn_hp"][0]), median(results["scikit-learn"][0])
    # Ratio within each round, so that drifts of a shared machine's speed cancel out.
    ratios = [a / b for a, b in zip(results["sklearn_hp"][0], results["scikit-learn"][0])]
    acc = {name: fitted[name].score(X, y) for name in MAKERS}
    mem = {name: peak_memory(name, np.dtype(dtype).name) for name in MAKERS}
    dtypes = {"sklearn_hp": fitted["sklearn_hp"].weights_[0].dtype,
              "scikit-learn": fitted["scikit-learn"].coefs_[0].dtype}
    return [
        np.dtype(dtype).name,
        f"{ours:.2f}", f"{theirs:.2f}",
        f"**{median(ratios):.2f}** ({min(ratios):.2f}–{max(ratios):.2f})",
        f"{acc['sklearn_hp']:.4f}", f"{acc['scikit-learn']:.4f}",
        f"{gemm:.2f}", f"{gemm / ours:.0%}", f"{gemm / theirs:.0%}",
        f"{mem['sklearn_hp']:.1f}", f"{mem['scikit-learn']:.1f}",
        f"{dtypes['sklearn_hp']} / {dtypes['scikit-learn']}",
    ]


HEADER = [
    "dtype", "ours (s)", "sklearn (s)", "time ratio (range over rounds)", "train acc ours",
    "train acc sklearn", "GEMM limit (s)", "GEMM frac ours", "GEMM frac sklearn", "peak MiB ours",
    "peak MiB sklearn", "weights dtype ours / sklearn",
]


def main(thread_settings, repeats):
    import os
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    warnings.simplefilter("ignore", ConvergenceWarning)
    sections = [
        "# MLPClassifier: sklearn_hp vs scikit-learn",
        "",
        f"{N_SAMPLES:,} x {N_FEATURES} make_classification, {N_FEATURES} -> "
        f"{' -> '.join(map(str, HIDDEN))} -> {N_CLASSES}, adam, batch {BATCH}, {EPOCHS} "
        f"epochs, median of {repeats} alternating rounds (ours, sklearn, GEMM limit).",
        "Time ratio = ours / sklearn within each round, median and range over the rounds "
        "(lower is better). GEMM fraction = time of the bare "
        "forward+backward matrix products of every batch / fit time. Peak = tracemalloc "
        "peak of one fit in a fresh process (the data excluded). Load average at start: "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (shared machine).",
        "",
        "With 2 BLAS threads on a machine already busy with other jobs, OpenBLAS threads "
        "wait for cores: the bare products can take longer than whole fits (GEMM fraction "
        "> 100 %), so the 1-thread table is the meaningful one there; rerun on an idle "
        "machine for 2 threads.",
    ]
    for threads in thread_settings:
        with threadpool_limits(limits=threads, user_api="blas"):
            rows = []
            for dtype in (np.float32, np.float64):
                rows.append(compare(dtype, repeats))
                print(f"BLAS threads {threads}:", " | ".join(rows[-1]), flush=True)
        sections += ["", f"## BLAS threads: {threads}", "", markdown_table(HEADER, rows)]
    write_result("mlp.md", "\n".join(sections))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory", nargs=2, metavar=("LIBRARY", "DTYPE"),
                        help="internal: measure the peak memory of one fit")
    parser.add_argument("--blas-threads", type=int, nargs="+", default=[1, 2],
                        help="BLAS thread counts to compare under (default: 1 and 2)")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    args = parser.parse_args()
    if args.memory:
        _measure_memory(*args.memory)
    else:
        main(args.blas_threads, args.repeats)
