"""The models ``tune`` knows by name and their default spaces, as plain data.

Kept free of scikit-learn so that ``tune --help`` can describe them without
importing it; :mod:`._models` turns the spaces into search dimensions with the
same parser as a ``--space`` file, whose forms they are written in.
"""

__all__ = ["FIXED", "MODEL_NAMES", "SPACE_SPECS", "describe_defaults"]

#: The names ``--model`` accepts besides an import path.
MODEL_NAMES = ("mlp", "logistic", "linear", "svm", "convnet")

#: Hyperparameters ``tune`` fixes (not searched) for the named models.
FIXED = {
    "mlp": {"max_epochs": 40},
    "logistic": {"max_epochs": 100},
    "linear": {"max_epochs": 100},
    "svm": {"max_epochs": 100},
    "convnet": {"max_epochs": 15, "conv_filters": (8, 16), "hidden_layer_sizes": (64,)},
}

#: Linear models keep their own learning_rate="auto" (scaled to the standardized
#: features and target): searching it as well lost held-out accuracy to the untuned
#: model on small tables (iris, wine: down to -0.04 to -0.06 over 5 seeds of 6 random
#: candidates), while this space never lost more than 0.012 (breast_cancer) and gained
#: on average on each bundled dataset.
_LINEAR_SPACE = {
    "alpha": {"low": 1e-6, "high": 1e-1, "log": True},
    "penalty": ["l2", "l1"],
}

#: The default search space of each named model, in a ``--space`` file's forms:
#: a list of choices, or ``{low, high, log}``.
SPACE_SPECS = {
    "mlp": {  # alpha up to 1: noisy regression targets (diabetes) want 0.04-0.07
        "hidden_layer_sizes": [[32], [64], [128], [64, 32]],
        "learning_rate": {"low": 1e-4, "high": 3e-2, "log": True},
        "alpha": {"low": 1e-6, "high": 1.0, "log": True},
        "batch_size": [32, 64, 128],
    },
    "logistic": _LINEAR_SPACE,
    "linear": _LINEAR_SPACE,
    "svm": _LINEAR_SPACE,
    "convnet": {
        "learning_rate": {"low": 1e-4, "high": 1e-2, "log": True},
        "alpha": {"low": 1e-6, "high": 1e-2, "log": True},
        "dropout": {"low": 0.0, "high": 0.5},
    },
}


def _choice(value):
    return str(tuple(value)) if isinstance(value, list) else repr(value)


def _describe(spec):
    if isinstance(spec, list):
        return "one of " + ", ".join(_choice(v) for v in spec)
    scale = " (log scale)" if spec.get("log") else ""
    return f"{spec['low']:g} to {spec['high']:g}{scale}"


def describe_defaults():
    """Text for ``--help``: each named model's default space."""
    return "; ".join(
        f"{name}: " + ", ".join(f"{k} {_describe(v)}" for k, v in space.items())
        for name, space in SPACE_SPECS.items())
