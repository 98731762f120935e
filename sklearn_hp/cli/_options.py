"""Options shared by the commands: a bundled dataset, ``--set name=value`` hyperparameters
and ``--blas-threads``.

Nothing here imports scikit-learn at import time: ``--help`` stays fast.
"""

import argparse
import ast

__all__ = ["DATASETS", "add_blas_threads_argument", "add_dataset_argument",
           "add_set_argument", "check_counts", "parse_assignments"]


def _loader(name):
    """``sklearn.datasets.load_<name>``, imported when first called."""
    def load(**kwargs):
        from sklearn import datasets

        return getattr(datasets, f"load_{name}")(**kwargs)

    load.__name__ = load.__qualname__ = f"load_{name}"
    return load


#: name -> loader (``sklearn.datasets.load_<name>``, imported on first call)
DATASETS = {name: _loader(name)
            for name in ("breast_cancer", "iris", "wine", "digits", "diabetes")}


def add_dataset_argument(parser, default="breast_cancer"):
    """``--dataset NAME``: one of the datasets bundled with scikit-learn."""
    parser.add_argument("--dataset", choices=sorted(DATASETS), default=default,
                        help=f"bundled dataset (default: {default})")


def add_set_argument(parser):
    """``--set name=value`` (repeatable): hyperparameters of the estimator."""
    parser.add_argument("--set", dest="assignments", action="append", default=[],
                        metavar="NAME=VALUE",
                        help="set a hyperparameter, e.g. --set alpha=0.1 (repeatable)")


def add_blas_threads_argument(parser):
    """``--blas-threads N|auto``: BLAS threads of every fit (``auto``: the library's policy)."""
    parser.add_argument("--blas-threads", type=_blas_threads, default=1, metavar="N|auto",
                        help="BLAS threads per fit (default: 1, measured the fastest for "
                             "the many small fits of a search; 'auto': sklearn_hp's policy, "
                             "one thread for small matrix products, the process's threads "
                             "for large ones)")


def _blas_threads(text):
    """``--blas-threads`` value: an integer, or ``None`` for ``auto``."""
    if text == "auto":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"takes a number of threads or 'auto', got {text!r}") from None


def parse_assignments(assignments):
    """Turn ``["alpha=0.1", "optimizer=sgd"]`` into ``{"alpha": 0.1, "optimizer": "sgd"}``."""
    params = {}
    for item in assignments:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise ValueError(f"--set takes NAME=VALUE, got {item!r}.")
        try:
            params[name] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            params[name] = text  # a bare word such as sgd is a string
    return params


def check_counts(args, minimums):
    """Raise a one-line error when an integer option is below its minimum.

    Parameters
    ----------
    args : argparse.Namespace
    minimums : dict
        ``{"--n-iter": 1, ...}``; ``--n-jobs`` may also be negative (``-1``: all cores),
        and an option left at ``None`` is not checked.
    """
    for option, low in minimums.items():
        value = getattr(args, option.lstrip("-").replace("-", "_"))
        if value is None:  # left to its default
            continue
        if (abs(value) if option == "--n-jobs" else value) < low:
            hint = " (-1 means all cores)" if option == "--n-jobs" else ""
            raise ValueError(f"{option} must be at least {low}, got {value}{hint}.")
