"""Hyperparameter search: spaces, samplers and the SearchCV classes.

* Spaces: :class:`Real`, :class:`Integer`, :class:`Categorical` (plus the lists and
  ``scipy.stats`` distributions ``RandomizedSearchCV`` takes).
* Samplers: :class:`RandomSampler`, :class:`QuasiRandomSampler`,
  :class:`GPSampler`, :class:`TPESampler`.
* Searches: :class:`BayesSearchCV`, :class:`SuccessiveHalvingSearchCV`,
  :class:`HyperbandSearchCV`.
* Storage and resume: :class:`SQLiteStorage`, :class:`MemoryStorage`,
  :class:`TrialRecord`, :func:`clean_checkpoints`.
* Search callbacks: :class:`SearchCallback`, :class:`NoImprovementStopper`,
  :class:`DeadlineStopper`, :class:`SearchProgress`.
"""

from ._bayes_search import BayesSearchCV
from ._budget import clean_checkpoints
from ._callbacks import DeadlineStopper, NoImprovementStopper, SearchCallback, SearchProgress
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
from ._storage import MemoryStorage, SQLiteStorage, StorageError, TrialRecord

__all__ = [
    "BaseSampler",
    "BayesSearchCV",
    "Categorical",
    "DeadlineStopper",
    "GPSampler",
    "HyperbandSearchCV",
    "Integer",
    "MemoryStorage",
    "NoImprovementStopper",
    "QuasiRandomSampler",
    "RandomSampler",
    "Real",
    "SQLiteStorage",
    "SearchCallback",
    "SearchProgress",
    "SearchSpace",
    "StorageError",
    "SuccessiveHalvingSearchCV",
    "TPESampler",
    "Trial",
    "TrialRecord",
    "clean_checkpoints",
]
