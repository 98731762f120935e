"""``sklearn-hp tune``: search hyperparameters of a model on a table, save the best."""

import os
import time

from threadpoolctl import threadpool_limits

from ..diagnostics import diagnose
from ..inspection._spaces import search_space
from ..persistence import save
from ._data import load_table, make_preprocessor
from ._models import (
    MODELS,
    build_pipeline,
    default_space,
    describe_defaults,
    final_model,
    load_space_file,
    make_model,
    plain_name,
)
from ._options import (
    DATASETS,
    add_blas_threads_argument,
    add_set_argument,
    check_counts,
    parse_assignments,
)
from ._progress import SearchProgress, counted_warnings
from ._report import importance_text, results_table, set_vs_learned
from ._searches import SEARCHES, check_scoring, make_search

__all__ = ["add_arguments", "run", "build_run", "fit_search", "report"]


def add_arguments(parser):
    """Register the command's options on ``parser``."""
    parser.add_argument("--data", required=True, metavar="NAME|PATH.csv",
                        help=f"a bundled dataset ({', '.join(sorted(DATASETS))}) or a CSV "
                             "file (column types inferred; needs pandas)")
    parser.add_argument("--target", help="target column of the CSV file")
    parser.add_argument("--task", choices=("classification", "regression"),
                        help="override the task inferred from the target")
    parser.add_argument("--model", default="mlp", metavar="NAME|IMPORT.PATH.Class",
                        help=f"{', '.join(MODELS)} or an estimator class such as "
                             "sklearn.svm.SVC (default: mlp). Default spaces: "
                             + describe_defaults().replace("%", "%%"))
    parser.add_argument("--space", metavar="space.toml|space.json",
                        help="search space file: name = [choices] or "
                             "{low = .., high = .., log = true}")
    add_set_argument(parser)
    parser.add_argument("--search", choices=sorted(SEARCHES), default="bayes",
                        help="grid, random, bayes (Gaussian process) or hyperband "
                             "(default: bayes)")
    parser.add_argument("--n-iter", type=int, default=20,
                        help="candidates for random and bayes, the most for grid (numeric "
                             "ranges get fewer points, down to their middle); "
                             "hyperband's follow from the epoch budget (default: 20)")
    parser.add_argument("--cv", type=int, default=5, help="cross-validation folds (default: 5)")
    parser.add_argument("--scoring", help="a scikit-learn scorer name (default: accuracy "
                                          "for classifiers, R² for regressors)")
    parser.add_argument("--time-budget", type=float, metavar="SECONDS",
                        help="stop proposing candidates after this long")
    parser.add_argument("--storage", metavar="study.db",
                        help="keep trials in this file; a rerun resumes the search")
    parser.add_argument("--n-jobs", type=int, default=1, help="parallel fits (default: 1)")
    add_blas_threads_argument(parser)
    parser.add_argument("--out", metavar="model.skhp", help="save the best model here")
    parser.add_argument("--plot", metavar="history.png",
                        help="draw the optimisation history and importances (needs matplotlib)")
    parser.add_argument("--random-state", type=int, default=0)


def _check_args(args):
    check_counts(args, {"--n-iter": 1, "--cv": 2, "--blas-threads": 1, "--n-jobs": 1})
    if args.time_budget is not None and args.time_budget <= 0:
        raise ValueError(f"--time-budget must be > 0 seconds, got {args.time_budget}.")
    check_scoring(args.scoring)
    for option, path in (("--out", args.out), ("--plot", args.plot)):
        folder = os.path.dirname(os.path.abspath(path)) if path else None
        if folder and not os.path.isdir(folder):
            raise ValueError(f"{option} {path!r}: the folder {folder!r} does not exist.")
    if args.plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise ValueError("--plot needs matplotlib: pip install 'sklearn_hp[plot]'.") \
                from None


def build_run(args, table):
    """Return ``(search, fixed)``: the unfitted search over a preprocessing Pipeline."""
    estimator = make_model(args.model, table.task, args.random_state)
    fixed = parse_assignments(args.assignments)
    accepted = estimator.get_params()
    unknown = sorted(set(fixed) - set(accepted))
    if unknown:
        raise ValueError(f"--set {unknown[0]}: {type(estimator).__name__} has no such "
                         f"hyperparameter; accepted: {sorted(accepted)}.")
    estimator.set_params(**fixed)
    space = (load_space_file(args.space, estimator) if args.space
             else default_space(args.model))
    pipeline, prefix = build_pipeline(make_preprocessor(table), estimator)
    search = make_search(args.search, pipeline,
                         {f"{prefix}{k}": v for k, v in space.items()}, args)
    return search, fixed


def fit_search(search, X, y, out, total=None, blas_threads=1):
    """Fit ``search`` with a progress line per candidate; return the warning counter.

    Each fit uses ``blas_threads`` BLAS threads, or with ``None`` what the
    library's thread policy picks (see ``sklearn_hp.set_blas_thread_policy``).
    Then a line says why the search stopped early (time budget, interruption),
    if it did, and how many trials a storage resumed.
    """
    progress = SearchProgress(out, total, search.refit if isinstance(search.refit, str)
                              else None)
    unwatch = progress.watch(search)
    try:
        with counted_warnings(search.n_jobs) as counter, threadpool_limits(blas_threads,
                                                                            user_api="blas"):
            search.fit(X, y)
    finally:
        unwatch()
    for line in progress.outcome(search, getattr(search, "storage", None)):
        out(line)
    return counter


def report(search, table, fixed, args, out):
    """Print results, set vs learned, importance and a diagnosis of the best model."""
    out("\n" + results_table(search))
    out("\n" + set_vs_learned(search, fixed))
    out("\n" + importance_text(search))
    with counted_warnings(args.n_jobs), threadpool_limits(args.blas_threads, user_api="blas"):
        diagnosis = diagnose(search.best_estimator_, table.X, table.y,
                             cv=search.n_splits_, scoring=args.scoring, n_jobs=args.n_jobs)
    out("\nDiagnosis of the best model (cross-validated again):\n" + str(diagnosis))


def _total(search, args):
    if args.search in ("bayes", "random"):
        return args.n_iter
    if args.search == "grid":
        from sklearn.model_selection import ParameterGrid

        return len(ParameterGrid(search.param_grid))
    return None


def run(args, out):
    """Load the table, run the search, report and save."""
    start = time.perf_counter()
    _check_args(args)
    table = load_table(args.data, args.target, args.task)
    search, fixed = build_run(args, table)
    model = final_model(search.estimator)
    out(table.describe())
    out(f"Searching {type(model).__name__} with {type(search).__name__} "
        f"({args.search}, {args.cv}-fold CV) over: "
        + ", ".join(plain_name(name) for name in search_space(search)))
    counter = fit_search(search, table.X, table.y, out, _total(search, args),
                         args.blas_threads)
    report(search, table, fixed, args, out)
    if args.out:
        save(search.best_estimator_, args.out)
        out(f"\nModel (preprocessing + {type(model).__name__}) written to {args.out}; "
            f"apply it with: sklearn-hp predict {args.out} --data new.csv")
    else:
        out("\nModel not saved (add --out model.skhp).")
    if args.plot:
        write_plot(search, args.plot)
        out(f"Plot written to {args.plot}")
    if counter.summary():
        out(counter.summary())
    out(f"Done in {time.perf_counter() - start:.0f} s.")
    return 0


def write_plot(search, path):
    """Save the optimisation history beside the hyperparameter importances."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plotting import HyperparameterImportanceDisplay, OptimizationHistoryDisplay

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
    OptimizationHistoryDisplay.from_search(search, ax=left)
    try:
        HyperparameterImportanceDisplay.from_search(search, ax=right)
    except ValueError as error:
        right.text(0.5, 0.5, str(error), ha="center", va="center", wrap=True)
        right.set_axis_off()
    figure.savefig(path, dpi=110)
    plt.close(figure)
