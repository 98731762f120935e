"""Hyperparameter search: spaces, samplers and the SearchCV classes.

* Spaces: :class:`Real`, :class:`Integer`, :class:`Categorical` (plus the lists and
  ``scipy.stats`` distributions ``RandomizedSearchCV`` takes).
* Samplers: :class:`RandomSampler`, :class:`QuasiRandomSampler`,
  :class:`GPSampler`, :class:`TPESampler`.
* Searches: :class:`BayesSearchCV`, :class:`SuccessiveHalvingSearchCV`,
  :class:`HyperbandSearchCV`; their base :class:`TrialSearchCV`, and
  :class:`WarningTally`, how they count their fits' warnings.
* Storage and resume: :class:`SQLiteStorage`, :class:`MemoryStorage`,
  :class:`TrialRecord`, :class:`TrialStorage`, :func:`clean_checkpoints`.
* Search callbacks: :class:`SearchCallback`, :class:`NoImprovementStopper`,
  :class:`DeadlineStopper`, :class:`SearchProgress`; what they read of a running
  search: :class:`ProgressSnapshot` (``search.progress_``).
* Fold racing (``racing=True``): :func:`racing_summary` of a raced search's trials.
* Reading any scikit-learn search: :func:`search_space`, :func:`mean_test_scores`,
  :func:`describe_dimension`, :func:`is_log_dimension`, :func:`is_search`.
"""

from ._bayes_search import BayesSearchCV
from ._budget import clean_checkpoints
from ._callbacks import (
    DeadlineStopper,
    NoImprovementStopper,
    ProgressSnapshot,
    SearchCallback,
    SearchProgress,
)
from ._hyperband import HyperbandSearchCV, SuccessiveHalvingSearchCV
from ._racing import racing_summary
from ._reading import (
    describe_dimension,
    is_log_dimension,
    is_search,
    mean_test_scores,
    search_space,
)
from ._samplers import (
    BaseSampler,
    GPSampler,
    QuasiRandomSampler,
    RandomSampler,
    TPESampler,
    Trial,
)
from ._search_base import TrialSearchCV
from ._space import Categorical, Integer, Real, SearchSpace
from ._storage import MemoryStorage, SQLiteStorage, StorageError, TrialRecord, TrialStorage
from ._warnings import WarningTally

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
    "ProgressSnapshot",
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
    "TrialStorage",
    "TrialSearchCV",
    "WarningTally",
    "clean_checkpoints",
    "describe_dimension",
    "is_log_dimension",
    "is_search",
    "mean_test_scores",
    "racing_summary",
    "search_space",
]
