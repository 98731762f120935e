"""MLPClassifier: sklearn_hp vs scikit-learn vs a plain PyTorch loop, both thread settings.

Shapes (ReLU, Adam at 1e-3, batches of 256, shuffled each epoch):

* ``main``: 100 -> 256 -> 128 -> 5 on 20,000 make_classification rows, 10 epochs,
  float32 and float64;
* ``small``: 20 -> 64 -> 2 on 5,000 rows, 10 epochs;
* ``digits``: 64 -> 64 -> 10 on scikit-learn's digits, 30 epochs;
* ``large``: 784 -> 512 -> 256 -> 10 on 20,000 rows, 5 epochs, float32.

In one process, each round fits every library under the machine's default BLAS
threads, then under one thread (threadpoolctl; ``torch.set_num_threads`` for
PyTorch). Ratios are taken within each round, so that drifts of a shared machine's
speed cancel out; the tables give their median and range. Peak memory is the
tracemalloc peak of one fit in a fresh interpreter (PyTorch's allocator is not traced).

Run: ``python benchmarks/bench_mlp.py [--repeats 5] [--shapes main small digits large]
[--output mlp.md]``;
the tables go to ``benchmarks/results/mlp.md``.
"""

import argparse
import json
import subprocess
import sys
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _common import (  # noqa: E402
    THREAD_SETTINGS, alternate_threads, blas_description, median, ratio_cell,
    write_report,
)

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {
    "mlp.md": "--shapes main small digits --repeats 3",
    "mlp_idle.md": "--shapes main large --repeats 3 --output mlp_idle.md",
    "mlp_main_quiet.md": "--shapes main --output mlp_main_quiet.md",
}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~5 min idle, far longer on a busy machine"

BATCH, REPEATS, LEARNING_RATE = 256, 5, 1e-3
#: scikit-learn adds ``alpha * W / batch_size`` to the gradient of the mean loss; ours
#: and PyTorch's weight decay add ``alpha * W``.
SKLEARN_ALPHA = 1e-4
ALPHA = SKLEARN_ALPHA / BATCH

SHAPES = {
    "main": dict(n=20_000, features=100, hidden=(256, 128), classes=5, epochs=10,
                 dtypes=("float32", "float64")),
    "small": dict(n=5_000, features=20, hidden=(64,), classes=2, epochs=10,
                  dtypes=("float32",)),
    "digits": dict(n=None, features=64, hidden=(64,), classes=10, epochs=30,
                   dtypes=("float32",)),
    "large": dict(n=20_000, features=784, hidden=(512, 256), classes=10, epochs=5,
                  dtypes=("float32",)),
}


def make_data(shape, dtype):
    from sklearn.datasets import load_digits, make_classification

    spec = SHAPES[shape]
    if spec["n"] is None:
        X, y = load_digits(return_X_y=True)
        return (X / 16.0).astype(dtype), y
    X, y = make_classification(
        n_samples=spec["n"], n_features=spec["features"],
        n_informative=min(40, spec["features"] // 2), n_classes=spec["classes"],
        random_state=0,
    )
    return X.astype(dtype), y


def make_estimators(shape, dtype):
    """name -> unfitted estimator, all with the same architecture and training settings."""
    from sklearn.neural_network import MLPClassifier as SkMLP

    from sklearn_hp.neural_network import MLPClassifier

    spec = SHAPES[shape]
    hidden, epochs = spec["hidden"], spec["epochs"]
    made = {
        "sklearn_hp": MLPClassifier(
            hidden, optimizer="adam", learning_rate=LEARNING_RATE, batch_size=BATCH,
            max_epochs=epochs, tol=None, alpha=ALPHA, random_state=0,
        ),
        "scikit-learn": SkMLP(
            hidden, solver="adam", learning_rate_init=LEARNING_RATE, batch_size=BATCH,
            max_iter=epochs, tol=0.0, n_iter_no_change=10_000, alpha=SKLEARN_ALPHA,
            random_state=0,
        ),
    }
    try:
        from _torch_loops import TorchClassifier, mlp
    except ImportError:  # torch is in the "bench" extra
        return made
    made["pytorch"] = TorchClassifier(
        mlp(hidden), epochs=epochs, batch_size=BATCH, learning_rate=LEARNING_RATE, alpha=ALPHA,
        dtype=np.dtype(dtype),
    )
    return made


def peak_memory(library, shape, dtype):
    """tracemalloc peak (MiB) of one fit, in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, __file__, "--memory", library, shape, dtype],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])["peak_mib"]


def _measure_memory(library, shape, dtype):
    X, y = make_data(shape, dtype)
    estimator = make_estimators(shape, dtype)[library]
    tracemalloc.start()
    estimator.fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({"peak_mib": peak / 2**20}))


def compare(shape, dtype, repeats, memory):
    """Rows (one per thread setting) of alternating timed fits of every library."""
    X, y = make_data(shape, dtype)
    estimators = make_estimators(shape, dtype)
    runs = {name: (lambda est=est: est.fit(X, y).score(X, y)) for name, est in estimators.items()}
    results = alternate_threads(runs, repeats)
    mem = {name: peak_memory(name, shape, dtype) for name in ("sklearn_hp", "scikit-learn")}
    spec = SHAPES[shape]
    label = (f"{shape}: {spec['features']}→{'→'.join(map(str, spec['hidden']))}→"
             f"{spec['classes']}, {len(y):,} rows, {spec['epochs']} ep, {dtype}")
    one = results["1", "sklearn_hp"][0]
    rows = []
    for setting, _ in THREAD_SETTINGS:
        times = {name: results[setting, name][0] for name in estimators}
        acc = {name: results[setting, name][1] for name in estimators}
        torch_cells = (["–", "–", "–"] if "pytorch" not in times else [
            f"{median(times['pytorch']):.2f}", ratio_cell(times["sklearn_hp"], times["pytorch"]),
            f"{acc['pytorch']:.4f}",
        ])
        rows.append([
            label, setting,
            f"{median(times['sklearn_hp']):.2f}", f"{median(times['scikit-learn']):.2f}",
            ratio_cell(times["sklearn_hp"], times["scikit-learn"]),
            torch_cells[0], torch_cells[1],
            ratio_cell(times["sklearn_hp"], one),
            f"{acc['sklearn_hp']:.4f}", f"{acc['scikit-learn']:.4f}", torch_cells[2],
            f"{mem['sklearn_hp']:.1f} / {mem['scikit-learn']:.1f}" if memory else "",
        ])
        print(" | ".join(rows[-1]), flush=True)
    return rows


HEADER = [
    "shape", "BLAS threads", "ours (s)", "sklearn (s)", "ours / sklearn", "PyTorch (s)",
    "ours / PyTorch", "ours / ours on 1 thread", "train acc ours", "sklearn", "PyTorch",
    "peak MiB ours / sklearn",
]


def main(shapes, repeats, output="mlp.md"):
    from sklearn.exceptions import ConvergenceWarning

    warnings.simplefilter("ignore", ConvergenceWarning)
    try:
        import torch  # noqa: F401  (imported before the thread report)
    except ImportError:
        print("torch is not installed: the PyTorch columns stay empty.", file=sys.stderr)
    make_data("small", "float32")  # loads numpy's and scipy's BLAS for the report
    threads = blas_description()  # before the runs: the load at start
    rows = []
    for shape in shapes:
        for dtype in SHAPES[shape]["dtypes"]:
            rows += compare(shape, dtype, repeats, memory=shape in ("main", "large"))
            # After every shape: a run cut short keeps its rows.
            _report(output, rows, repeats, threads)


def _report(output, rows, repeats, threads):
    write_report(
        output, "MLPClassifier: sklearn_hp vs scikit-learn vs a PyTorch loop",
        (
            f"ReLU, Adam (learning rate {LEARNING_RATE}), batches of {BATCH}, shuffled; the "
            f"same L2 on the weights. Median of {repeats} rounds; each round fits every library "
            "with the default BLAS threads, then with one. Ratios are per round: median (range). "
            "Train acc = accuracy on the training data after the fit. Peak = tracemalloc peak "
            "of one fit in a fresh process (the data excluded)."
        ),
        threads, HEADER, rows,
    )

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory", nargs=3, metavar=("LIBRARY", "SHAPE", "DTYPE"),
                        help="internal: measure the peak memory of one fit")
    parser.add_argument("--shapes", nargs="+", choices=list(SHAPES), default=list(SHAPES))
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--output", default="mlp.md", help="file name in benchmarks/results")
    args = parser.parse_args()
    if args.memory:
        _measure_memory(*args.memory)
    else:
        main(args.shapes, args.repeats, args.output)
