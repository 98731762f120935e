"""Our linear models against scikit-learn's SGDRegressor / SGDClassifier.

Same data (100,000 x 100 by default), same number of epochs, runs alternating in one
process; prints the median fit time, the time ratio (ours / theirs) and the test score.

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

from _common import alternate, markdown_table, median, write_result  # noqa: E402
from sklearn_hp import LinearRegressor, LogisticClassifier  # noqa: E402


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
    return alternate(runs, repeats)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    n, d, epochs = args.samples, args.features, args.epochs

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
        ours_t, ours_s = median(result["sklearn_hp"][0]), result["sklearn_hp"][1]
        theirs_t, theirs_s = median(result["scikit-learn"][0]), result["scikit-learn"][1]
        rows.append([task, f"{ours_t:.3f}", f"{theirs_t:.3f}", f"{ours_t / theirs_t:.2f}",
                     f"{metric} {ours_s:.4f}", f"{metric} {theirs_s:.4f}"])
    header = ["task", "ours s", "SGD s", "time ratio", "our score", "SGD score"]
    text = (f"# bench_linear: {n} x {d}, {epochs} epochs, median of {args.repeats} alternating "
            f"runs\n\nPython {platform.python_version()}, scikit-learn {sklearn.__version__}, "
            f"numpy {np.__version__}. Target: time ratio <= 1.0 at equal or better score.\n\n"
            + markdown_table(header, rows))
    write_result("linear.md", text)


if __name__ == "__main__":
    main()
