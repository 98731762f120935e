"""``sklearn-hp diagnose``: over- or underfitting of a model on a bundled dataset."""

from ._options import DATASETS, add_dataset_argument, add_set_argument, parse_assignments

#: ``--estimator`` name -> class name in :mod:`sklearn_hp.linear_model` (imported
#: when the command runs, so that ``--help`` needs no scikit-learn).
ESTIMATORS = {
    "logistic": "LogisticClassifier",
    "linear_svm": "LinearSVMClassifier",
    "linear": "LinearRegressor",
}


def add_arguments(parser):
    """Register the command's options on ``parser``."""
    add_dataset_argument(parser)
    parser.add_argument("--estimator", choices=sorted(ESTIMATORS), default="logistic")
    add_set_argument(parser)
    parser.add_argument("--cv", type=int, default=5, help="cross-validation folds")


def run(args, out):
    """Cross-validate the scaled estimator and print the verdict with advice."""
    from sklearn.base import is_classifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from .. import linear_model
    from ..diagnostics import diagnose

    X, y = DATASETS[args.dataset](return_X_y=True)
    model = getattr(linear_model, ESTIMATORS[args.estimator])(random_state=0)
    model.set_params(**parse_assignments(args.assignments))
    if is_classifier(model) and args.dataset == "diabetes":
        raise ValueError("diabetes is a regression dataset; use --estimator linear.")
    out(f"{model!r} on {args.dataset}, {args.cv}-fold cross-validation (features scaled)")
    out(str(diagnose(make_pipeline(StandardScaler(), model), X, y, cv=args.cv)))
    return 0
