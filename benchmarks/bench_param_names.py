"""What reading parameter names once per class saves: clones and a budget search.

scikit-learn's ``BaseEstimator._get_param_names`` inspects ``__init__``'s
signature at every ``get_params``, ``set_params`` and ``clone``, for the estimator
and each of its parts (optimizer, loss, activations, callbacks). The package's
classes keep the names per class (``sklearn_hp._compat.CachedParamNames``). This
script runs the same work with the names kept and with them read at every call
(the cache bypassed), alternating, under the machine's default BLAS threads and
one thread:

* ``clone``: 200 clones and deep ``get_params`` of an ``MLPClassifier``;
* ``hyperband``: ``HyperbandSearchCV`` (TPE, raced, 5-fold CV, ``n_jobs=1``) of an
  ``MLPClassifier`` on digits with ``max_epochs`` as the budget (up to 10), two
  brackets — fits of milliseconds, where the search's own work shows most.

Both arms make the same fits (same seeds, same trials); the ratio kept / read is
per round (median and range).

Usage::

    python benchmarks/bench_param_names.py [--repeats 5]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import argparse  # noqa: E402
import os  # noqa: E402
import warnings  # noqa: E402
from contextlib import contextmanager  # noqa: E402

from sklearn.base import BaseEstimator, clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from benchmarks._common import (  # noqa: E402
    alternate_threads, blas_description, median, ratio_cell, write_report,
)
from sklearn_hp._compat import CachedParamNames  # noqa: E402
from sklearn_hp.neural_network import MLPClassifier  # noqa: E402
from sklearn_hp.search import HyperbandSearchCV, Real  # noqa: E402

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {"bench_param_names.md": ""}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~40 s (5 rounds)"

_KEPT = CachedParamNames.__dict__["_get_param_names"]


@contextmanager
def names_read_every_call():
    """Bypass the cache: every call reads ``__init__``'s signature, as scikit-learn does."""
    CachedParamNames._get_param_names = classmethod(
        lambda cls: BaseEstimator._get_param_names.__func__(cls))
    try:
        yield
    finally:
        CachedParamNames._get_param_names = _KEPT


def clones():
    model = MLPClassifier(hidden_layer_sizes=(32,), max_epochs=5)
    for _ in range(200):
        clone(model).get_params(deep=True)
    return None


def hyperband(X, y):
    search = HyperbandSearchCV(
        MLPClassifier(max_epochs=10, tol=None, random_state=0),
        {"hidden_layer_sizes": [(32,), (64,)], "learning_rate": Real(1e-4, 1e-1, log=True),
         "alpha": Real(1e-6, 1e-1, log=True), "activation": ["relu", "tanh"]},
        resource="max_epochs", max_resource=10, n_iterations=2, sampler="tpe",
        racing=True, cv=5, refit=False, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    return len(search.cv_results_["params"]), round(float(search.best_score_), 4)


def both_arms(work):
    """``{"kept": run, "read every call": run}`` of ``work``."""
    def read():
        with names_read_every_call():
            return work()
    return {"kept": work, "read every call": read}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    threads = blas_description()
    rows = []
    for task, work in {"clone": clones, "hyperband": lambda: hyperband(X, y)}.items():
        work()  # imports and first-call caches out of the timing
        results = alternate_threads(both_arms(work), args.repeats)
        for setting in ("default", "1"):
            read = results[setting, "read every call"][0]
            kept, outcome = results[setting, "kept"]
            assert outcome == results[setting, "read every call"][1]  # the same work
            rows.append([task, setting, f"{median(read):.3f}", f"{median(kept):.3f}",
                         ratio_cell(kept, read),
                         "" if outcome is None else f"{outcome[0]} trials, best {outcome[1]}"])
    write_report(
        "bench_param_names.md", "Parameter names read once per class",
        f"Median wall seconds of {args.repeats} alternating rounds; the ratio kept / read "
        f"per round. Load average (1, 5, 15 min) at the end: "
        f"{' '.join(f'{v:.1f}' for v in os.getloadavg())}.", threads,
        ["work", "BLAS threads", "read every call, s", "kept per class, s",
         "kept / read", "outcome (same in both)"], rows)


if __name__ == "__main__":
    main()
