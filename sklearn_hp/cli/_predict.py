"""``sklearn-hp predict MODEL --data new.csv``: apply a saved model to new rows.

With ``--proba`` a classifier's class probabilities come as one column per
class (``proba_<class>``). A table that still holds the target column (the one
``tune`` was given, or ``--target``) is scored: the predictions come with the
model's score on the rows that have a target, and a line says which column it
was scored against.
"""

import os

import numpy as np

from ._trust import add_trust_argument, load_model

__all__ = ["add_arguments", "run", "check_columns", "target_column"]


def add_arguments(parser):
    """Register the command's options on ``parser``."""
    parser.add_argument("model", help="a model file written by sklearn-hp tune --out")
    parser.add_argument("--data", required=True, metavar="PATH.csv",
                        help="rows to predict, with the columns the model was trained on; "
                             "if the target column is there too, the model is also scored "
                             "on it")
    parser.add_argument("--out", metavar="predictions.csv",
                        help="write the rows with a 'prediction' column here "
                             "(default: print the predictions)")
    parser.add_argument("--proba", action="store_true",
                        help="also give the class probabilities, one column per class "
                             "(proba_<class>); classifiers with predict_proba only")
    parser.add_argument("--target", metavar="COLUMN",
                        help="the column to score against (default: the target column the "
                             "model was tuned on, if the table has it)")
    add_trust_argument(parser)


def check_columns(model, frame, path):
    """Raise a clear error when ``frame`` lacks or adds columns the model knows."""
    expected = getattr(model, "feature_names_in_", None)
    if expected is None:
        n = getattr(model, "n_features_in_", None)
        if n is not None and frame.shape[1] != n:
            raise ValueError(f"{path!r} has {frame.shape[1]} columns; the model takes {n}.")
        return frame
    expected = [str(c) for c in expected]
    given = [str(c) for c in frame.columns]
    missing = [c for c in expected if c not in given]
    extra = [c for c in given if c not in expected]
    if missing:
        raise ValueError(f"{path!r} lacks columns the model was trained on: {missing}.")
    if extra:
        raise ValueError(f"{path!r} has columns the model was not trained on: {extra}; "
                         "drop them, or name the target column with --target to score "
                         "against it.")
    return frame[list(expected)]


def target_column(model, frame, option=None):
    """The column of ``frame`` to score against, or None.

    ``--target`` (``option``) must be a column of ``frame``; without it, the
    target column ``tune`` recorded in the model is used when ``frame`` has it.
    """
    if option is not None:
        if option not in frame.columns:
            raise ValueError(f"--target {option!r} is not a column of the table; columns: "
                             f"{list(frame.columns)}.")
        return option
    recorded = getattr(model, "target_column_", None)
    return recorded if recorded in frame.columns else None


def _probabilities(model, rows, path):
    """``{"proba_<class>": column}`` of a classifier; a clear error for other models."""
    from sklearn.base import is_classifier

    from ._models import final_model

    name = type(model).__name__
    final = final_model(model)
    if not is_classifier(model):
        raise ValueError(f"--proba: the model in {path!r} ({type(final).__name__}) is not a "
                         "classifier; it predicts values, not class probabilities. Accepted: "
                         "a classifier with predict_proba.")
    if not hasattr(model, "predict_proba"):
        raise ValueError(f"--proba: the model in {path!r} ({type(final).__name__} in a {name}) "
                         "has no predict_proba; accepted: a classifier with predict_proba "
                         "(mlp, logistic, convnet, or e.g. sklearn.svm.SVC with "
                         "probability=True).")
    proba = np.asarray(model.predict_proba(rows))
    return {f"proba_{c}": proba[:, i] for i, c in enumerate(model.classes_)}


def _score_line(model, rows, truth, column):
    """The model's score on the rows that have a target, in one line."""
    from sklearn.base import is_classifier

    known = truth.notna().to_numpy()
    if not known.any():
        return f"Column {column!r} has no values: nothing to score against."
    y = truth[known].to_numpy()
    if y.dtype.kind == "O":
        y = y.astype(str)
    what = "accuracy" if is_classifier(model) else "R²"
    score = model.score(rows[known], y)
    skipped = f"; {int((~known).sum())} rows without a value skipped" if not known.all() else ""
    return (f"Scored against column {column!r}: {what} {score:.4f} on {int(known.sum())} "
            f"rows{skipped}.")


def run(args, out):
    """Load the model, check the columns, predict (and score when the target is there)."""
    from ._data import read_csv

    if not os.path.isfile(args.model):
        raise ValueError(f"model {args.model!r}: no such file.")
    model = load_model(args.model, args.trust)
    frame = read_csv(args.data)
    frame.columns = [str(c) for c in frame.columns]
    column = target_column(model, frame, args.target)
    ignored = [c for c in (column, getattr(model, "group_column_", None))
               if c is not None and c in frame.columns]
    rows = check_columns(model, frame.drop(columns=ignored), args.data)
    probabilities = _probabilities(model, rows, args.model) if args.proba else {}
    predictions = np.asarray(model.predict(rows))
    columns = {"prediction": predictions, **probabilities}
    if args.out:
        frame.assign(**columns).to_csv(args.out, index=False)
        out(f"{len(predictions)} predictions written to {args.out}")
    elif args.proba:
        import pandas as pd

        out(pd.DataFrame(columns).to_csv(index=False, float_format="%.6g").rstrip("\n"))
    else:
        for value in predictions:
            out(str(value))
    if column is not None:
        out(_score_line(model, rows, frame[column], column))
    return 0
