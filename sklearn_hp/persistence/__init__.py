"""Save and load estimators safely: JSON hyperparameters and ``.npz`` parameters, no pickle."""

from ._codec import TRUSTED_PACKAGES
from ._io import FORMAT, load, save

__all__ = ["FORMAT", "TRUSTED_PACKAGES", "load", "save"]
