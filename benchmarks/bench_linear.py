"""Our linear models against scikit-learn's SGDRegressor / SGDClassifier, both thread settings.

Same data (100,000 x 100 by default), same number of epochs, runs alternating in one
process; each round fits both under the machine's default BLAS threads, then under one
thread. Prints the median fit time, the per-round time ratios (median and range) and
the test score.

    python benchmarks/bench_linear.py [--samples 100000] [--features 100] [--epochs 10]
"""

import argparse
import platform
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import SGDClassifier, SGDRegressor
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from _common import (  # noqa: E402
    THREAD_SETTINGS, alternate_threads, blas_description, markdown_table, median, ratio_cell,
    write_result,
)
from sklearn_hp import LinearRegressor, LogisticClassifier  # noqa: E402

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {"linear.md": ""}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~30 s"


def _split(X, y):
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=0)
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), scaler.transform(X_te), y_tr, y_te


def _task(X, y, ours, theirs, repeats):
    X_tr, X_te, y_tr, y_te = _split(X, y)
    runs = {
        "sklearn_hp": lambda: ours.fit(X_tr, y_tr).score(X_te, y_te),
        "scikit-learn": lambda: theirs.fit(X_tr, y_tr).score(X_te, y_te),
    }
    return alternate_threads(runs, repeats)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    n, d, epochs = args.samples, args.features, args.epochs
    threads = blas_description()  # before the runs: the load at start

    X, y = make_regression(n_samples=n, n_features=d, n_informative=d // 2, noise=10.0,
                           random_state=0)
    regression = _task(
        X, y,
        LinearRegressor(optimizer="sgd", learning_rate=0.01, lr_schedule="invscaling",
                        batch_size=256, max_epochs=epochs, tol=None, random_state=0),
        SGDRegressor(max_iter=epochs, tol=None, random_state=0),
        args.repeats,
    )
    X, y = make_classification(n_samples=n, n_features=d, n_informative=d // 2,
                               random_state=0)
    classification = _task(
        X, y,
        LogisticClassifier(learning_rate=0.01, batch_size=256, max_epochs=epochs, tol=None,
                           random_state=0),
        SGDClassifier(loss="log_loss", max_iter=epochs, tol=None, random_state=0),
        args.repeats,
    )

    rows = []
    for task, result, metric in [("regression", regression, "R2"),
                                 ("classification", classification, "accuracy")]:
        one = result["1", "sklearn_hp"][0]
        for setting, _ in THREAD_SETTINGS:
            ours_t, ours_s = result[setting, "sklearn_hp"]
            theirs_t, theirs_s = result[setting, "scikit-learn"]
            rows.append([task, setting, f"{median(ours_t):.3f}", f"{median(theirs_t):.3f}",
                         ratio_cell(ours_t, theirs_t), ratio_cell(ours_t, one),
                         f"{metric} {ours_s:.4f}", f"{metric} {theirs_s:.4f}"])
    header = ["task", "BLAS threads", "ours s", "SGD s", "ours / SGD",
              "ours / ours on 1 thread", "our score", "SGD score"]
    text = (f"# bench_linear: {n} x {d}, {epochs} epochs, median of {args.repeats} alternating "
            f"rounds\n\nPython {platform.python_version()}, scikit-learn {sklearn.__version__}, "
            f"numpy {np.__version__}. Each round fits both with the default BLAS threads, then "
            "with one; ratios per round: median (range). Target: time ratio <= 1.0 at equal "
            f"or better score.\n\n{threads}\n\n" + markdown_table(header, rows))
    write_result("linear.md", text)


if __name__ == "__main__":
    main()
