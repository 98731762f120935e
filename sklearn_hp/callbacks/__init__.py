"""Epoch and batch hooks for the gradient-trained estimators."""

from ._base import Callback
from ._early_stopping import EarlyStopping
from ._history import History
from ._progress import ProgressBar
from ._run import TrainingRun

__all__ = ["Callback", "EarlyStopping", "History", "ProgressBar", "TrainingRun"]
