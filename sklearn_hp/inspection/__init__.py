"""See the hyperparameters and the learned parameters of an estimator apart.

* :func:`hyperparameters`, :func:`learned_parameters`, :func:`count_parameters`:
  the two kinds of numbers of one estimator;
* :func:`summary`: one table of what you set, what a search chose and what
  training learned, for any estimator, Pipeline or search;
* :func:`hyperparameter_importance`: how much of a search's score variation each
  searched hyperparameter explains;
* :func:`model_parts`, :func:`final_estimator`: the parts of a model (pipeline
  steps, wrapped estimators) with their learned arrays, and the one that predicts;
* :func:`format_table`: the plain-text tables all of these print.

What a search searched and scored is read with :mod:`sklearn_hp.search`'s
:func:`~sklearn_hp.search.search_space` and :func:`~sklearn_hp.search.mean_test_scores`.
"""

from ._importance import HyperparameterImportance, hyperparameter_importance
from ._split import count_parameters, hyperparameters, learned_parameters
from ._summary import Summary, summary
from ._table import format_table
from ._walk import LearnedArray, Part, final_estimator, model_parts

__all__ = [
    "HyperparameterImportance",
    "LearnedArray",
    "Part",
    "Summary",
    "count_parameters",
    "final_estimator",
    "format_table",
    "hyperparameter_importance",
    "hyperparameters",
    "learned_parameters",
    "model_parts",
    "summary",
]
