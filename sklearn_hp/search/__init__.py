"""Hyperparameter search: spaces, samplers and the SearchCV classes.

* Spaces: :class:`Real`, :class:`Integer`, :class:`Categorical` (plus the lists and
  ``scipy.stats`` distributions ``RandomizedSearchCV`` takes).
* Samplers: :class:`RandomSampler`, :class:`QuasiRandomSampler`,
  :class:`GPSampler`, :class:`TPESampler`.
* Searches: :class:`BayesSearchCV`, :class:`SuccessiveHalvingSearchCV`,
  :class:`HyperbandSearchCV`.
"""

from ._bayes_search import BayesSearchCV
from ._hyperband import HyperbandSearchCV, SuccessiveHalvingSearchCV
from ._samplers import (
    BaseSampler,
    GPSampler,
    QuasiRandomSampler,
    RandomSampler,
    TPESampler,
    Trial,
)
from ._space import Categorical, Integer, Real, SearchSpace

__all__ = [
    "BaseSampler",
    "BayesSearchCV",
    "Categorical",
    "GPSampler",
    "HyperbandSearchCV",
    "Integer",
    "QuasiRandomSampler",
    "RandomSampler",
    "Real",
    "SearchSpace",
    "SuccessiveHalvingSearchCV",
    "TPESampler",
    "Trial",
]
