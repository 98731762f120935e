"""Save and load estimators safely: hyperparameters apart from learned parameters, no pickle.

``save(model, "model.skhp")`` writes one zip file: readable JSON hyperparameters, the
learned parameters in skops format, and a manifest with versions and the SHA-256 of
every member. ``load("model.skhp")`` rebuilds only classes of an explicit registry and
refuses, before anything runs, any file that is damaged, too large or unsafe.
``save(model, "model.json", what="hyperparameters")`` writes the unfitted estimator
alone. Whole models need skops (the ``persist`` extra).
"""

from ._archive import ModelFileError, UntrustedClassError
from ._checks import MAX_N_JOBS
from ._io import EXTENSION, FORMAT, HYPERPARAMETERS_FORMAT, load, save
from ._registry import TrustedClasses

__all__ = ["EXTENSION", "FORMAT", "HYPERPARAMETERS_FORMAT", "MAX_N_JOBS", "ModelFileError",
           "TrustedClasses", "UntrustedClassError", "load", "save"]
