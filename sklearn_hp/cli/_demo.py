"""``sklearn-hp demo``: train on a dataset bundled with scikit-learn, show both kinds of numbers."""

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ..inspection import count_parameters, hyperparameters, learned_parameters
from ..linear_model import LogisticClassifier
from ._options import DATASETS, add_dataset_argument

#: Classification datasets the demo accepts.
DEMO_DATASETS = ("breast_cancer", "iris", "wine", "digits")


def add_arguments(parser):
    """Register the demo's options on ``parser``."""
    add_dataset_argument(parser)
    parser.add_argument("--optimizer", default="adam", help="optimizer name (default: adam)")
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--max-epochs", type=int, default=200)
    parser.add_argument("--alpha", type=float, default=1e-4, help="penalty strength")
    parser.add_argument("--random-state", type=int, default=0)


def run(args, out):
    """Train a LogisticClassifier and print what was set beside what was learned."""
    if args.dataset not in DEMO_DATASETS:
        raise ValueError(f"demo trains a classifier; --dataset must be one of {DEMO_DATASETS}, "
                         f"got {args.dataset!r}.")
    bunch = DATASETS[args.dataset]()
    X_tr, X_te, y_tr, y_te = train_test_split(
        bunch.data, bunch.target, test_size=0.25, stratify=bunch.target,
        random_state=args.random_state,
    )
    model = LogisticClassifier(
        optimizer=args.optimizer, learning_rate=args.learning_rate,
        max_epochs=args.max_epochs, alpha=args.alpha, random_state=args.random_state,
    )
    pipe = make_pipeline(StandardScaler(), model).fit(X_tr, y_tr)
    out(f"Dataset {args.dataset}: {X_tr.shape[0]} training and {X_te.shape[0]} test samples, "
        f"{X_tr.shape[1]} features, {len(model.classes_)} classes.\n")
    out("Hyperparameters (what you set, before training):")
    for name, value in hyperparameters(model).items():
        out(f"  {name:<20} {value!r}")
    out(f"\nLearned parameters (what training found, {count_parameters(model)} numbers):")
    names = list(getattr(bunch, "feature_names", range(X_tr.shape[1])))
    for name, value in learned_parameters(model).items():
        out(f"  {name:<20} shape {np.shape(value)}")
    _print_coefficients(model, names, out)
    out(f"  {'intercept_':<20} {np.array2string(model.intercept_, precision=4)}")
    out(f"\nTrained {model.n_iter_} epochs, final loss {model.loss_curve_[-1]:.4f}; "
        f"test accuracy {pipe.score(X_te, y_te):.4f}.")
    return 0


def _print_coefficients(model, names, out, top=5):
    """Print the largest coefficients (by size) of each output row."""
    for row, coef in enumerate(model.coef_):
        order = np.argsort(-np.abs(coef))[:top]
        label = model.classes_[1] if len(model.coef_) == 1 else model.classes_[row]
        parts = ", ".join(f"{names[i]}={coef[i]:+.3f}" for i in order)
        out(f"  coef_ (class {label}, top {top}): {parts}")
