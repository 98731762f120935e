"""``sklearn-hp demo``: a short guided run of ``tune`` (an MLP on digits, BayesSearchCV)."""

import argparse
import time

from ._options import add_blas_threads_argument, check_counts


def add_arguments(parser):
    """Register the demo's options on ``parser``."""
    parser.add_argument("--n-iter", type=int, default=20,
                        help="candidates BayesSearchCV evaluates (default: 20)")
    parser.add_argument("--cv", type=int, default=3, help="cross-validation folds (default: 3)")
    parser.add_argument("--max-epochs", type=int, default=30,
                        help="epoch budget of each network (default: 30)")
    parser.add_argument("--n-jobs", type=int, default=1, help="parallel fits (default: 1)")
    add_blas_threads_argument(parser)
    parser.add_argument("--plot", metavar="history.png",
                        help="also draw the optimisation history (needs matplotlib)")
    parser.add_argument("--random-state", type=int, default=0)


def run(args, out):
    """Tune an MLP on 75 % of digits, then score the best one on the other 25 %."""
    from sklearn.model_selection import train_test_split

    from ._data import load_table
    from ._report import results_table, set_vs_learned
    from ._tune import build_run, fit_search, write_plot

    start = time.perf_counter()
    check_counts(args, {"--n-iter": 1, "--cv": 2, "--max-epochs": 1, "--n-jobs": 1,
                        "--blas-threads": 1})
    table = load_table("digits")
    X_train, X_test, y_train, y_test = train_test_split(
        table.X, table.y, test_size=0.25, stratify=table.y, random_state=args.random_state)
    tune_args = argparse.Namespace(
        model="mlp", search="bayes", space=None, assignments=[f"max_epochs={args.max_epochs}"],
        n_iter=args.n_iter, cv=args.cv, scoring=None, n_jobs=args.n_jobs, storage=None,
        time_budget=None, random_state=args.random_state)
    search, fixed = build_run(tune_args, table)
    out("sklearn-hp demo: the same as\n"
        f"  sklearn-hp tune --data digits --model mlp --search bayes --n-iter {args.n_iter} "
        f"--cv {args.cv} --set max_epochs={args.max_epochs}\n"
        f"but holding out a quarter of the images to test the winner.\n")
    out(f"1. Data: {len(y_train)} training and {len(y_test)} test images of 8x8 pixels, "
        "10 digits; pixels scaled inside the model's pipeline.")
    out("2. Hyperparameters to search (set before training, never learned):")
    for name, dimension in search.search_spaces.items():
        out(f"     {name.split('__', 1)[1]:<20} {dimension!r}")
    out(f"3. BayesSearchCV: {args.n_iter} candidates, each cross-validated "
        f"{args.cv} times; a Gaussian process picks the next one from the scores so far.")
    counter = fit_search(search, X_train, y_train, out, args.n_iter, args.blas_threads)
    out("\n" + results_table(search))
    out("\n4. What was set, and what was learned, in the best model:")
    out(set_vs_learned(search, fixed))
    if args.plot:
        write_plot(search, args.plot)
        out(f"\nPlot written to {args.plot}")
    if counter.summary():
        out("\n" + counter.summary())
    accuracy = search.score(X_test, y_test)
    out(f"\nTest accuracy of the best model on {len(y_test)} held-out images: {accuracy:.4f}; "
        f"demo took {time.perf_counter() - start:.0f} s.")
    return 0
