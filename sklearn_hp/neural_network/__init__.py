"""Neural networks trained by mini-batch gradient descent: MLPs and a small ConvNet."""

from ._classifier import MLPClassifier
from ._convnet import ConvNetClassifier
from ._regressor import MLPRegressor

__all__ = ["ConvNetClassifier", "MLPClassifier", "MLPRegressor"]
