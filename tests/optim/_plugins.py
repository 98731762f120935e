"""What the plug-in tests share: small data sets, every estimator, a registration."""

from contextlib import contextmanager

import numpy as np
from sklearn.datasets import make_classification, make_regression

import sklearn_hp as hp

X_CLF, Y_CLF = make_classification(n_samples=120, n_features=16, n_informative=6,
                                   random_state=0)
X_REG, Y_REG = make_regression(n_samples=120, n_features=16, noise=1.0, random_state=0)
Y_REG = Y_REG / np.std(Y_REG)

#: Every gradient-trained estimator, with data it should learn.
ESTIMATORS = [(hp.LinearRegressor, X_REG, Y_REG), (hp.LogisticClassifier, X_CLF, Y_CLF),
              (hp.LinearSVMClassifier, X_CLF, Y_CLF), (hp.MLPClassifier, X_CLF, Y_CLF),
              (hp.MLPRegressor, X_REG, Y_REG), (hp.ConvNetClassifier, X_CLF, Y_CLF)]


@contextmanager
def registered(registry, name, cls):
    """``cls`` registered as ``name`` for the block: the one line a plug-in needs."""
    registry.register(name, cls)
    try:
        yield cls
    finally:
        if name in registry:
            registry.unregister(name)


def fit_every_estimator(**params):
    """``{class name: (fitted estimator, its training score)}`` for :data:`ESTIMATORS`."""
    fitted = {}
    for cls, X, y in ESTIMATORS:
        est = cls(tol=None, random_state=0, **params).fit(X, y)
        fitted[cls.__name__] = est, est.score(X, y)
    return fitted
