"""Neural networks trained by mini-batch gradient descent: MLPs and a small ConvNet.

``sklearn_hp.neural_network`` holds the estimators (as ``sklearn.neural_network`` does);
``sklearn_hp.nn`` holds the blocks they are built from (as ``torch.nn`` does).
"""

from ._classifier import MLPClassifier
from ._convnet import ConvNetClassifier
from ._regressor import MLPRegressor

__all__ = ["ConvNetClassifier", "MLPClassifier", "MLPRegressor"]
