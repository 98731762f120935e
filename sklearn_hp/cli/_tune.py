"""``sklearn-hp tune``: search hyperparameters of a model on a table, save the best.

Everything the last steps need (a writable ``--out`` and ``--plot``, skops and
matplotlib, a model that saves and loads) is checked before the search starts.
"""

import time

from ._options import (
    DATASETS,
    add_blas_threads_argument,
    add_set_argument,
    check_counts,
    parse_assignments,
)
from ._searches import SEARCHES, check_scoring, make_search
from ._catalog import FIXED, MODEL_NAMES, describe_defaults
from ._settings import apply_settings, fixed_settings_text
from ._splits import CVAction, describe_cv, make_cv, splits_for
from ._trust import add_trust_argument, trusted_classes

__all__ = ["add_arguments", "run", "build_run", "fit_search", "report"]


def add_arguments(parser):
    """Register the command's options on ``parser``.

    The time is noted here: ``--time-budget`` counts from it.
    """
    parser.set_defaults(command_started=time.monotonic())

    parser.add_argument("--data", required=True, metavar="NAME|PATH.csv",
                        help=f"a bundled dataset ({', '.join(sorted(DATASETS))}) or a CSV "
                             "file (column types inferred; needs pandas)")
    parser.add_argument("--target", help="target column of the CSV file")
    parser.add_argument("--task", choices=("classification", "regression"),
                        help="override the task inferred from the target")
    parser.add_argument("--model", default="mlp", metavar="NAME|IMPORT.PATH.Class",
                        help=(f"{', '.join(MODEL_NAMES)} or an estimator class such as "
                              "sklearn.svm.SVC (default: mlp). Default spaces: "
                              + describe_defaults() + ". Settings tune fixes on the named "
                              "models (not searched; --set overrides them): "
                              + fixed_settings_text(FIXED) + ". A regressor is fitted to "
                              "the standardized target, predicting in the target's units"
                              ).replace("%", "%%"))
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
    parser.add_argument("--cv", action=CVAction, default=5, metavar="N|timeseries[:N]",
                        help="cross-validation: N folds (default: 5; stratified for "
                             "classifiers), or 'timeseries' for TimeSeriesSplit over the rows "
                             "in file order (each split validates on rows after those it "
                             "trains on; 5 splits, or timeseries:N)")
    parser.set_defaults(cv_kind="kfold")
    parser.add_argument("--groups", metavar="COLUMN",
                        help="a column naming each row's group (a person, a site): GroupKFold "
                             "keeps a group's rows on one side of every split; the column is "
                             "not used as a feature")
    parser.add_argument("--scoring", help="a scikit-learn scorer name (default: accuracy "
                                          "for classifiers, R² for regressors)")
    parser.add_argument("--time-budget", type=float, metavar="SECONDS",
                        help="bound the whole command, from loading the table to the "
                             "report: the search gets what is left once time is kept for "
                             "the model, plot, report and diagnosis (a diagnosis that no "
                             "longer fits runs on fewer splits, or is skipped, and says so)")
    parser.add_argument("--storage", metavar="study.db",
                        help="keep trials in this file; a rerun resumes the search")
    parser.add_argument("--no-racing", dest="racing", action="store_false",
                        help="run every fold of every candidate; by default a candidate is "
                             "stopped once its first folds show, against the best so far on "
                             "the same folds, that it cannot win (not with --search grid)")
    parser.add_argument("--n-jobs", type=int, default=1, help="parallel fits (default: 1)")
    add_blas_threads_argument(parser)
    parser.add_argument("--out", metavar="model.skhp",
                        help="save the best model here (needs skops: the persist extra); "
                             "checked before the search: a writable file, and a model that "
                             "saves and loads")
    parser.add_argument("--plot", metavar="history.png",
                        help="draw the optimisation history and importances (needs "
                             "matplotlib: the plot extra); checked before the search")
    add_trust_argument(parser)
    parser.add_argument("--random-state", type=int, default=0)


def _check_args(args):
    from ._preconditions import check_outputs

    check_counts(args, {"--n-iter": 1, "--cv": 2, "--blas-threads": 1, "--n-jobs": 1})
    if args.time_budget is not None and args.time_budget <= 0:
        raise ValueError(f"--time-budget must be > 0 seconds, got {args.time_budget}.")
    check_scoring(args.scoring)
    check_outputs(args)


def build_run(args, table, notes=None):
    """Return ``(search, fixed)``: the unfitted search over a preprocessing Pipeline.

    ``--set`` values fix their hyperparameters and leave the space; a line per
    hyperparameter so taken out is appended to ``notes`` (a list) when given.
    """
    from ._data import make_preprocessor
    from ._models import build_pipeline, default_space, load_space_file, make_model

    estimator = make_model(args.model, table.task, args.random_state)
    fixed = parse_assignments(args.assignments)
    space = (load_space_file(args.space, estimator) if args.space
             else default_space(args.model))
    space, taken = apply_settings(estimator, fixed, space)
    if notes is not None:
        notes.extend(taken)
    pipeline, prefix = build_pipeline(make_preprocessor(table), estimator)
    search = make_search(args.search, pipeline,
                         {f"{prefix}{k}": v for k, v in space.items()}, args,
                         cv=make_cv(args, table.groups))
    return search, fixed


def fit_search(search, X, y, out, total=None, blas_threads=1, groups=None, budget=None):
    """Fit ``search`` with a progress line per candidate; return the warning counter.

    Each fit uses ``blas_threads`` BLAS threads, or with ``None`` what the
    library's thread policy picks (see ``sklearn_hp.set_blas_thread_policy``).
    ``groups`` goes to the splitter (``--groups``). A ``budget``
    (:class:`~sklearn_hp.cli._deadline.CommandBudget`) sets the search's
    ``time_budget`` to what the command has left for it. Then a line says why
    the search stopped early (time budget, interruption), if it did, and how
    many trials a storage resumed.
    """
    from threadpoolctl import threadpool_limits

    from ._progress import CommandProgress, counted_warnings, records_fit_warnings

    callbacks = None
    if budget is not None:  # first: the progress line then shows the lowered budget
        callbacks = search.callbacks
        n_splits = (search.cv if isinstance(search.cv, int)
                    else search.cv.get_n_splits(X, y, groups))
        search.set_params(callbacks=[*(callbacks or []),
                                     budget.begin_search(search, n_splits)])
        if budget.note:
            out(budget.note)
    progress = CommandProgress(out, total, search.refit if isinstance(search.refit, str)
                              else None)
    unwatch = progress.watch(search)
    try:
        with counted_warnings(search.n_jobs, records_fit_warnings(search)) as counter, \
                threadpool_limits(blas_threads, user_api="blas"):
            search.fit(X, y, **({} if groups is None else {"groups": groups}))
    except ValueError:
        if budget is None or getattr(search, "n_trials_", None) != 0:
            raise
        raise ValueError(budget.no_trial_message()) from None  # the user's value, not ours
    finally:
        unwatch()
        if budget is not None:
            search.set_params(callbacks=callbacks)
    for line in progress.outcome(search, getattr(search, "storage", None),
                                 None if budget is None else budget.seconds):
        out(line)
    return counter


def report(search, table, fixed, args, out, budget=None, importance=None):
    """Print results, set vs learned, importance and a diagnosis of the best model.

    The diagnosis cross-validates the best model again on the search's splits;
    under a ``budget`` on as many of them as fit in what is left (a line says
    what was cut). ``importance`` is the search's importance, when computed.
    """
    from threadpoolctl import threadpool_limits

    from ..diagnostics import diagnose
    from ._progress import counted_warnings
    from ._report import (
        diagnosis_text,
        importance_text,
        racing_text,
        results_table,
        set_vs_learned,
    )

    out("\n" + results_table(search))
    if racing_text(search):
        out(racing_text(search))
    out("\n" + set_vs_learned(search, fixed))
    out("\n" + importance_text(search, importance))
    folds, cut = (search.n_splits_, None) if budget is None else budget.plan_diagnosis(search)
    if cut is not None:
        out(cut)
    if folds == 0:
        return
    cv = splits_for(search.cv, table.X, table.y, table.groups)
    if folds < search.n_splits_:
        from sklearn.base import is_classifier
        from sklearn.model_selection import check_cv

        if isinstance(cv, int):
            cv = list(check_cv(cv, table.y, classifier=is_classifier(search.best_estimator_))
                      .split(table.X, table.y))
        cv = cv[:folds]
    with counted_warnings(args.n_jobs), threadpool_limits(args.blas_threads, user_api="blas"):
        diagnosis = diagnose(search.best_estimator_, table.X, table.y,
                             cv=search.n_splits_ if isinstance(cv, int) else cv,
                             scoring=args.scoring, n_jobs=args.n_jobs)
    out("\nDiagnosis of the best model (cross-validated again"
        + (f" on {folds} of the {search.n_splits_} splits" if folds < search.n_splits_ else "")
        + "):\n" + diagnosis_text(diagnosis))


def _total(search, args):
    if args.search in ("bayes", "random"):
        return args.n_iter
    if args.search == "grid":
        from sklearn.model_selection import ParameterGrid

        return len(ParameterGrid(search.param_grid))
    return None


def _save(search, table, args, trusted):
    """Write the best model to ``--out``; return None, or why it failed.

    The message of a failure names the best hyperparameters, so they are not
    lost with the model.
    """
    from ..persistence import save
    from ._models import plain_name

    best = search.best_estimator_
    best.target_column_ = str(table.target)  # predict scores a table holding this column
    if table.group_column is not None:
        best.group_column_ = str(table.group_column)
    try:
        save(best, args.out, trusted=trusted)
    except Exception as error:  # checked before the search; say what would be lost
        params = ", ".join(f"{plain_name(k)}={v!r}" for k, v in search.best_params_.items())
        return (f"--out {args.out!r}: the model could not be saved ({error}); its "
                f"hyperparameters were {params}.")
    return None


def run(args, out):
    """Check the outputs, load the table, run the search, save, plot and report.

    ``--time-budget`` counts from here (see :mod:`sklearn_hp.cli._deadline`).
    """
    start = getattr(args, "command_started", None) or time.monotonic()
    _check_args(args)
    from ..search import search_space
    from ._data import load_table
    from ._models import final_model, plain_name
    from ._preconditions import check_model_saves

    trusted = trusted_classes(args.trust)
    table = load_table(args.data, args.target, args.task)
    if args.groups is not None:
        table.take_groups(args.groups)
    notes = []
    search, fixed = build_run(args, table, notes)
    if args.out:
        check_model_saves(search.estimator, table.X, table.y, trusted)
    model = final_model(search.estimator)
    out(table.describe())
    for line in notes:
        out(line)
    out(f"Searching {type(model).__name__} with {type(search).__name__} "
        f"({args.search}, {describe_cv(search.cv, args)}) over: "
        + ", ".join(plain_name(name) for name in search_space(search)))
    budget = None
    if args.time_budget is not None:
        from ._deadline import CommandBudget

        budget = CommandBudget(args.time_budget, start, plot=bool(args.plot),
                               n_jobs=args.n_jobs)
        if args.plot:  # imported now, so its cost is not guessed among the steps after
            _pyplot()
    counter = fit_search(search, table.X, table.y, out, _total(search, args),
                         args.blas_threads, table.groups, budget)
    skipped = None if budget is None else budget.importance_skipped()
    importance = _importance(search) if skipped is None else ValueError(skipped)
    written, failed = [], None  # the outputs first: a failing report loses nothing
    if args.out:
        failed = _save(search, table, args, trusted)
        if failed is None:
            written.append(f"\nModel (preprocessing + {type(model).__name__}) written to "
                           f"{args.out}; apply it with: sklearn-hp predict {args.out} "
                           "--data new.csv" + "".join(f" --trust {t}" for t in args.trust))
    else:
        written.append("\nModel not saved (add --out model.skhp).")
    if args.plot:
        write_plot(search, args.plot, importance)
        written.append(f"Plot written to {args.plot}")
    try:
        report(search, table, fixed, args, out, budget, importance)
    finally:
        for line in written:
            out(line)
    if counter.summary():
        out(counter.summary())
    if failed is not None:
        raise ValueError(failed)
    elapsed = time.monotonic() - start
    out(f"Done in {elapsed:.0f} s." if budget is None else budget.summary(elapsed))
    return 0


def _importance(search):
    """The search's hyperparameter importance, or the ValueError saying why there is none."""
    from ..inspection import hyperparameter_importance

    try:
        return hyperparameter_importance(search)
    except ValueError as error:
        return error


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def write_plot(search, path, importance=None):
    """Save the optimisation history beside the hyperparameter importances.

    ``importance`` is the search's (or the error saying why it has none),
    computed here when not given.
    """
    from ..plotting import HyperparameterImportanceDisplay, OptimizationHistoryDisplay

    plt = _pyplot()
    if importance is None:
        importance = _importance(search)
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
    OptimizationHistoryDisplay.from_search(search, ax=left)
    if isinstance(importance, ValueError):
        right.text(0.5, 0.5, str(importance), ha="center", va="center", wrap=True)
        right.set_axis_off()
    else:
        HyperparameterImportanceDisplay.from_importance(importance, ax=right)
    figure.savefig(path, dpi=110)
    plt.close(figure)
