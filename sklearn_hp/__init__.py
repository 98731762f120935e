"""sklearn_hp: see, set and search hyperparameters for scikit-learn.

Estimators keep every hyperparameter in ``__init__`` and every learned number in an
attribute ending in ``_``; tuners search the hyperparameters; tools show, save and
diagnose the two apart.

The names below are imported on first use (``from sklearn_hp import MLPClassifier``
works as usual), so that ``import sklearn_hp.cli`` and ``sklearn-hp --help`` do not
pay for scikit-learn's import.
"""

import importlib

from ._engine._threads import get_blas_thread_policy, set_blas_thread_policy
from .exceptions import DivergenceError

__version__ = "0.1.0"

#: public name -> the subpackage that defines it, imported on first access
_LAZY = {
    "LinearRegressor": "linear_model",
    "LinearSVMClassifier": "linear_model",
    "LogisticClassifier": "linear_model",
    "ConvNetClassifier": "neural_network",
    "MLPClassifier": "neural_network",
    "MLPRegressor": "neural_network",
    "BayesSearchCV": "search",
    "HyperbandSearchCV": "search",
    "SuccessiveHalvingSearchCV": "search",
}

__all__ = [
    "BayesSearchCV",
    "ConvNetClassifier",
    "DivergenceError",
    "HyperbandSearchCV",
    "LinearRegressor",
    "LinearSVMClassifier",
    "LogisticClassifier",
    "MLPClassifier",
    "MLPRegressor",
    "SuccessiveHalvingSearchCV",
    "__version__",
    "get_blas_thread_policy",
    "set_blas_thread_policy",
]


def __getattr__(name):
    """Import a public class, or a subpackage (``sklearn_hp.search``), on first access."""
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    if not name.startswith("_"):
        try:
            return importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
