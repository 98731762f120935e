"""Neural networks trained by mini-batch gradient descent: MLPs and a small ConvNet."""

from ._classifier import MLPClassifier
from ._regressor import MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
