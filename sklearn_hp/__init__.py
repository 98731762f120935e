"""sklearn_hp: see, set and search hyperparameters for scikit-learn.

Estimators keep every hyperparameter in ``__init__`` and every learned number in an
attribute ending in ``_``; tuners search the hyperparameters; tools show, save and
diagnose the two apart.
"""

from ._threads import get_blas_thread_policy, set_blas_thread_policy
from .exceptions import DivergenceError
from .linear_model import LinearRegressor, LinearSVMClassifier, LogisticClassifier
from .neural_network import ConvNetClassifier, MLPClassifier, MLPRegressor
from .search import BayesSearchCV, HyperbandSearchCV, SuccessiveHalvingSearchCV

__version__ = "0.1.0"

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
