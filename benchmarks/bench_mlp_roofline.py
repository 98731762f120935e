"""The matrix-product floor of an MLP fit: its essential GEMMs alone, beside the fits.

For one shape of ``bench_mlp.py`` (default ``main``: 100 -> 256 -> 128 -> 5, 20,000
rows, 10 epochs, batches of 256), times nothing but the matrix products every
mini-batch step must make, in the same shapes, number and dtype: per batch the
forward products ``a @ W`` of every layer, the weight gradients ``a.T @ g`` of
every layer and the input gradients ``g @ W.T`` of every layer but the first, into
preallocated outputs. No bias, activation, loss, optimizer, data gathering or Python
around them. Also times three layouts of the same products (weights in Fortran
order; weight gradients as ``(g.T @ a).T``; the whole step computed transposed,
``W.T @ a.T``), and our and scikit-learn's fits, alternating in one process under
the default BLAS threads and one thread.

``floor / sklearn`` is the lowest ``ours / sklearn`` any implementation on the same
BLAS could reach: the rest of the step would have to cost nothing.

Run: ``python benchmarks/bench_mlp_roofline.py [--shape main] [--dtype float32]
[--repeats 5]``; the table goes to ``benchmarks/results/mlp_roofline.md``.
"""

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _common import (  # noqa: E402
    THREAD_SETTINGS, alternate_threads, blas_description, median, ratio_cell, write_report,
)
from bench_mlp import BATCH, SHAPES, make_data, make_estimators  # noqa: E402

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {"mlp_roofline.md": "--repeats 3"}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~2 min"

#: Layouts of the same products: weights order, weight-gradient form, transposed step.
LAYOUTS = {
    "C": dict(order="C", grad_transposed=False, step_transposed=False),
    "F weights": dict(order="F", grad_transposed=False, step_transposed=False),
    "(g.T @ a).T": dict(order="C", grad_transposed=True, step_transposed=False),
    "transposed step": dict(order="C", grad_transposed=False, step_transposed=True),
}


def batch_sizes(n_rows, batch=BATCH):
    """Rows of every mini-batch of one epoch (the last one may be short)."""
    return [min(batch, n_rows - start) for start in range(0, n_rows, batch)]


class GemmFloor:
    """The essential matrix products of ``epochs`` epochs of training, nothing else.

    Parameters
    ----------
    sizes : list of int
        Layer widths, inputs first.
    batches : list of int
        Rows of each mini-batch of an epoch.
    epochs : int
    dtype : numpy dtype
    order : {"C", "F"}
        Memory order of the weights.
    grad_transposed : bool
        Compute each weight gradient as ``(g.T @ a).T`` instead of ``a.T @ g``.
    step_transposed : bool
        Keep activations as ``(units, rows)`` and multiply ``W.T @ a``.
    """

    def __init__(self, sizes, batches, epochs, dtype, *, order="C", grad_transposed=False,
                 step_transposed=False):
        rng = np.random.default_rng(0)
        self.weights = [np.asarray(rng.standard_normal((a, b)) * 0.1, dtype=dtype, order=order)
                        for a, b in zip(sizes, sizes[1:])]
        self.grads = [np.empty_like(w, order="C") for w in self.weights]
        self.batches, self.epochs = batches, epochs
        self.grad_transposed, self.step_transposed = grad_transposed, step_transposed
        shape = (lambda rows, s: (s, rows)) if step_transposed else (lambda rows, s: (rows, s))
        self.acts = {rows: [np.asarray(rng.standard_normal(shape(rows, s)), dtype=dtype)
                            for s in sizes] for rows in set(batches)}
        self.deltas = {rows: [np.empty(shape(rows, s), dtype=dtype) for s in sizes]
                       for rows in set(batches)}

    def _step(self, acts, deltas):
        weights, grads, matmul = self.weights, self.grads, np.matmul
        for i, w in enumerate(weights):
            if self.step_transposed:
                matmul(w.T, acts[i], out=acts[i + 1])
            else:
                matmul(acts[i], w, out=acts[i + 1])
        g = acts[-1]  # stands for the output gradient: same shape, same cost
        for i in range(len(weights) - 1, -1, -1):
            if self.step_transposed:
                matmul(acts[i], g.T, out=grads[i])
            elif self.grad_transposed:
                matmul(g.T, acts[i], out=grads[i].T)
            else:
                matmul(acts[i].T, g, out=grads[i])
            if i:
                out = deltas[i]
                if self.step_transposed:
                    matmul(weights[i], g, out=out)
                else:
                    matmul(g, weights[i].T, out=out)
                g = out

    def run(self):
        """Make every product of the training once; return the number of products."""
        count = 0
        for _ in range(self.epochs):
            for rows in self.batches:
                self._step(self.acts[rows], self.deltas[rows])
                count += 3 * len(self.weights) - 1
        return count


def flops(sizes, n_rows, epochs):
    """Floating-point operations of the essential products of a training."""
    pairs = list(zip(sizes, sizes[1:]))
    per_row = sum(2 * a * b for a, b in pairs) * 2 + sum(2 * a * b for a, b in pairs[1:])
    return per_row * n_rows * epochs


WARM_UP = "warm-up"
HEADER = ["BLAS threads", "what", "time (s)", "GFLOP/s", "/ GEMM floor (C)", "/ sklearn"]


def main(shape, dtype, repeats, output):
    from sklearn.exceptions import ConvergenceWarning

    warnings.simplefilter("ignore", ConvergenceWarning)
    spec = SHAPES[shape]
    X, y = make_data(shape, dtype)
    sizes = [X.shape[1], *spec["hidden"], len(np.unique(y))]
    batches, epochs = batch_sizes(len(y)), spec["epochs"]
    floors = {name: GemmFloor(sizes, batches, epochs, np.dtype(dtype), **layout)
              for name, layout in LAYOUTS.items()}
    estimators = make_estimators(shape, dtype)
    # The first products after a change of the thread limit pay for the pool's change
    # (measured: the row timed first ran 10 % slower); a short warm-up takes that.
    warm_up = GemmFloor(sizes, batches[:20], 1, np.dtype(dtype))
    runs = {WARM_UP: warm_up.run}
    runs.update({f"GEMMs only, {name}": floor.run for name, floor in floors.items()})
    runs["sklearn_hp fit"] = lambda: estimators["sklearn_hp"].fit(X, y).score(X, y)
    runs["scikit-learn fit"] = lambda: estimators["scikit-learn"].fit(X, y).score(X, y)
    threads = blas_description()
    results = alternate_threads(runs, repeats)
    work = flops(sizes, len(y), epochs)
    rows = []
    for setting, _ in THREAD_SETTINGS:
        base = results[setting, "GEMMs only, C"][0]
        theirs = results[setting, "scikit-learn fit"][0]
        for name in list(runs)[1:]:
            times = results[setting, name][0]
            rows.append([setting, name, f"{median(times):.3f}",
                         f"{work / median(times) / 1e9:.0f}",
                         ratio_cell(times, base), ratio_cell(times, theirs)])
            print(" | ".join(rows[-1]), flush=True)
    n_products = results["1", "GEMMs only, C"][1]
    label = (f"{shape}: {'→'.join(map(str, sizes))}, {len(y):,} rows, {epochs} epochs, "
             f"batches of {BATCH}, {dtype}")
    write_report(
        output, "MLP fit against its matrix-product floor",
        (f"{label}: {n_products:,} products, {work / 1e9:.1f} GFLOP. Median of {repeats} "
         "rounds; ratios per round, median (range). GFLOP/s counts the essential products "
         "only, also for the fits. The `GEMMs only` rows time those products alone (see "
         "`bench_mlp_roofline.py`); `/ sklearn` of the `C` row is the lowest ours / "
         "sklearn reachable on this BLAS."),
        threads, HEADER, rows,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=list(SHAPES), default="main")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output", default="mlp_roofline.md")
    args = parser.parse_args()
    main(args.shape, args.dtype, args.repeats, args.output)
