"""Linear models trained by mini-batch gradient descent."""

from ._classifiers import LinearSVMClassifier, LogisticClassifier
from ._regressor import LinearRegressor

__all__ = ["LinearRegressor", "LinearSVMClassifier", "LogisticClassifier"]
