"""``sklearn-hp inspect FILE``: hyperparameters and learned parameters of a saved model."""

import numpy as np

from ..inspection import count_parameters, hyperparameters, learned_parameters
from ..persistence import load


def add_arguments(parser):
    """Register the command's options on ``parser``."""
    parser.add_argument("path", help="a model (.skhp) or hyperparameters file (.json) "
                                     "saved by sklearn_hp.persistence.save")


def run(args, out):
    """Load the model and print the two kinds of numbers apart.

    A file ``load`` refuses (damaged, foreign, too large, unsafe) raises its
    ``ModelFileError``, which the command line prints as one line, exit status 2.
    """
    model = load(args.path)
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    out(f"{type(model).__name__} from {args.path}")
    out("Hyperparameters:")
    for name, value in hyperparameters(model, deep=True).items():
        if not hasattr(value, "get_params"):
            out(f"  {name:<32} {value!r}")
    if not hasattr(final, "n_features_in_"):
        out("Not fitted: no learned parameters.")
        return 0
    out(f"Learned parameters ({count_parameters(final)} numbers):")
    for name, value in learned_parameters(final).items():
        if isinstance(value, (np.ndarray, list)):
            out(f"  {name:<32} shape {np.shape(value)}, dtype {np.asarray(value).dtype}")
        else:
            out(f"  {name:<32} {value!r}")
    return 0
