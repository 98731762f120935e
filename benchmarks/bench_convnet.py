"""ConvNetClassifier vs a plain PyTorch Conv2d loop on 28x28 images, both thread settings.

The images are scikit-learn's 8x8 digits enlarged to 28x28 (bilinear), each also
shifted by two pixels left and right: 5,391 one-channel images. Both networks are
conv 3x3 (16, same) -> ReLU -> max-pool 2 -> conv 3x3 (32, same) -> ReLU -> max-pool 2
-> dense 64 -> ReLU -> 10, trained by Adam (1e-3) on shuffled batches of 128 for a
few epochs in float32. Each round fits both under the machine's default BLAS threads
(PyTorch: its default intra-op threads), then under one thread; ratios are taken
within each round (median and range).

Run: ``python benchmarks/bench_convnet.py [--repeats 3] [--epochs 3]``; the table goes
to ``benchmarks/results/convnet.md``.
"""

import argparse
import sys
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
OUTPUTS = {"convnet.md": "--repeats 2 --epochs 1"}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~2 min"

SIDE, FILTERS, HIDDEN, BATCH, LEARNING_RATE = 28, (16, 32), (64,), 128, 1e-3


def make_images():
    """Digits enlarged to 28x28 and shifted by -2, 0 and +2 pixels: flat float32 rows."""
    from scipy.ndimage import zoom
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    images = zoom(X.reshape(-1, 8, 8) / 16.0, (1, SIDE / 8, SIDE / 8), order=1)
    shifted = [np.roll(images, shift, axis=2) for shift in (-2, 0, 2)]
    X = np.concatenate(shifted).reshape(-1, SIDE * SIDE).astype(np.float32)
    return X, np.tile(y, 3)


def make_estimators(epochs):
    from _torch_loops import TorchClassifier, convnet

    from sklearn_hp import ConvNetClassifier

    return {
        "sklearn_hp": ConvNetClassifier(
            conv_filters=FILTERS, kernel_size=3, pool_size=2, padding="same",
            hidden_layer_sizes=HIDDEN, optimizer="adam", learning_rate=LEARNING_RATE,
            batch_size=BATCH, max_epochs=epochs, tol=None, alpha=0.0, random_state=0,
        ),
        "pytorch": TorchClassifier(
            convnet(SIDE, FILTERS, HIDDEN), epochs=epochs, batch_size=BATCH,
            learning_rate=LEARNING_RATE, reshape=(1, SIDE, SIDE),
        ),
    }


def main(repeats, epochs):
    import torch  # noqa: F401  (imported before the thread report)

    X, y = make_images()
    threads = blas_description()  # before the runs: the load at start
    estimators = make_estimators(epochs)
    runs = {name: (lambda est=est: est.fit(X, y).score(X, y)) for name, est in estimators.items()}
    results = alternate_threads(runs, repeats)
    one = results["1", "sklearn_hp"][0]
    rows = []
    for setting, _ in THREAD_SETTINGS:
        ours, theirs = results[setting, "sklearn_hp"], results[setting, "pytorch"]
        rows.append([
            setting, f"{median(ours[0]):.2f}", f"{median(theirs[0]):.2f}",
            ratio_cell(ours[0], theirs[0]), ratio_cell(ours[0], one),
            f"{ours[1]:.4f}", f"{theirs[1]:.4f}",
        ])
        print(" | ".join(rows[-1]), flush=True)
    header = ["BLAS threads", "ours (s)", "PyTorch (s)", "ours / PyTorch",
              "ours / ours on 1 thread", "train acc ours", "train acc PyTorch"]
    write_report(
        "convnet.md", "ConvNetClassifier vs a PyTorch Conv2d loop, 28x28 images",
        (
            f"{len(y):,} digits enlarged to {SIDE}x{SIDE}; conv 3x3 {FILTERS[0]} -> pool -> conv "
            f"3x3 {FILTERS[1]} -> pool -> dense {HIDDEN[0]} -> 10, Adam {LEARNING_RATE}, batches "
            f"of {BATCH}, {epochs} epochs, float32. Median of {repeats} rounds; ratios per round: "
            "median (range). Target: ours / PyTorch <= 2."
        ),
        threads, header, rows,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    main(args.repeats, args.epochs)
