"""``sklearn-hp predict MODEL --data new.csv``: apply a saved model to new rows."""

import os

import numpy as np

from ..persistence import load
from ._data import read_csv

__all__ = ["add_arguments", "run", "check_columns"]


def add_arguments(parser):
    """Register the command's options on ``parser``."""
    parser.add_argument("model", help="a model file written by sklearn-hp tune --out")
    parser.add_argument("--data", required=True, metavar="PATH.csv",
                        help="rows to predict, with the columns the model was trained on")
    parser.add_argument("--out", metavar="predictions.csv",
                        help="write the rows with a 'prediction' column here "
                             "(default: print the predictions)")


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
                         "drop them (the target column too).")
    return frame[list(expected)]


def run(args, out):
    """Load the model, check the columns, predict."""
    if not os.path.isfile(args.model):
        raise ValueError(f"model {args.model!r}: no such file.")
    model = load(args.model)
    frame = read_csv(args.data)
    frame.columns = [str(c) for c in frame.columns]
    predictions = model.predict(check_columns(model, frame, args.data))
    if args.out:
        frame.assign(prediction=predictions).to_csv(args.out, index=False)
        out(f"{len(predictions)} predictions written to {args.out}")
    else:
        for value in np.asarray(predictions):
            out(str(value))
    return 0
