"""See the hyperparameters and the learned parameters of an estimator apart.

* :func:`hyperparameters`, :func:`learned_parameters`, :func:`count_parameters`:
  the two kinds of numbers of one estimator;
* :func:`summary`: one table of what you set, what a search chose and what
  training learned, for any estimator, Pipeline or search;
* :func:`hyperparameter_importance`: how much of a search's score variation each
  searched hyperparameter explains.
"""

from ._importance import HyperparameterImportance, hyperparameter_importance
from ._split import count_parameters, hyperparameters, learned_parameters
from ._summary import Summary, summary

__all__ = [
    "HyperparameterImportance",
    "Summary",
    "count_parameters",
    "hyperparameter_importance",
    "hyperparameters",
    "learned_parameters",
    "summary",
]
