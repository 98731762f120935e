"""learning_rate="auto": good results with the defaults and any of the 7 optimizers."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.preprocessing import StandardScaler

from sklearn_hp import (
    ConvNetClassifier,
    LinearRegressor,
    LinearSVMClassifier,
    LogisticClassifier,
    MLPClassifier,
    MLPRegressor,
)
from sklearn_hp.optim import AUTO_LEARNING_RATES, OPTIMIZERS, SGD, AdamW, auto_learning_rate


@pytest.fixture(scope="module")
def plane():
    """y = 3 x1 - 2 x2 + 5 plus small noise, X standardized."""
    rng = np.random.RandomState(0)
    X = StandardScaler().fit_transform(rng.normal(size=(1000, 2)))
    return X, 3 * X[:, 0] - 2 * X[:, 1] + 5 + 0.1 * rng.normal(size=1000)


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_linear_regressor_recovers_the_plane_with_defaults(plane, optimizer):
    X, y = plane
    model = LinearRegressor(optimizer=optimizer, random_state=0).fit(X, y)
    error = np.abs(np.r_[model.coef_, model.intercept_] - [3.0, -2.0, 5.0]).max()
    assert error < 0.02
    assert model.n_iter_ < 200  # converged by itself, before the epoch budget


@pytest.mark.parametrize("load", [load_breast_cancer, load_iris, load_wine])
def test_logistic_classifier_reaches_logistic_regressions_training_log_loss(load):
    X, y = load(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    reference = log_loss(y, LogisticRegression().fit(X, y).predict_proba(X))
    ours = log_loss(y, LogisticClassifier(random_state=0).fit(X, y).predict_proba(X))
    # Our default penalty (alpha=1e-4) is weaker than LogisticRegression's C=1, so a
    # converged fit lands at or below its loss; "within 0.5 %" bounds it from above.
    assert ours <= 1.005 * reference


def test_the_table_is_what_the_estimators_use(plane):
    X, y = plane
    for name, (linear, network) in AUTO_LEARNING_RATES.items():
        reg = LinearRegressor(optimizer=name, max_epochs=1, tol=None).fit(X, y)
        mlp = MLPRegressor((4,), optimizer=name, max_epochs=1, tol=None).fit(X, y)
        assert mlp.learning_rate_ == network
        if linear is not None:  # times the target scale: std(y), or 10 for classifiers
            assert reg.learning_rate_ == pytest.approx(linear * y.std())
            clf = LogisticClassifier(optimizer=name, max_epochs=1, tol=None).fit(X, y > 5)
            assert clf.learning_rate_ == pytest.approx(10 * linear)
    # Plain SGD on a linear model: the inverse curvature bound of the data.
    mean_sq = np.mean(np.sum(X**2, axis=1))
    reg = LinearRegressor(optimizer="sgd", max_epochs=1, tol=None).fit(X, y)
    assert reg.learning_rate_ == pytest.approx(1.0 / (mean_sq + 1.0))
    clf = LogisticClassifier(optimizer="momentum", max_epochs=1, tol=None).fit(X, y > 5)
    assert clf.learning_rate_ == pytest.approx(0.1 * 4.0 / (mean_sq + 1.0))
    assert auto_learning_rate(SGD(momentum=0.5, nesterov=True), network=False,
                              X=X) == pytest.approx(0.5 / (mean_sq + 1.0))
    # Per unit of feature scale: the same data in other units gets the same steps.
    assert LinearRegressor(max_epochs=1, tol=None).fit(100 * X, y).learning_rate_ == (
        pytest.approx(0.01 * y.std() / 100))
    # A float is used as given; the estimators default to "auto".
    assert LinearRegressor(learning_rate=0.2, max_epochs=1).fit(X, y).learning_rate_ == 0.2
    for cls in (LinearRegressor, LogisticClassifier, LinearSVMClassifier, MLPClassifier,
                MLPRegressor, ConvNetClassifier):
        assert cls().learning_rate == "auto"


def test_adamw_decays_by_alpha_and_not_at_all_without_penalty(plane):
    X, y = plane
    params = dict(optimizer="adamw", learning_rate=0.05, max_epochs=30, tol=None,
                  random_state=0)
    adam = LinearRegressor(**{**params, "optimizer": "adam"}, penalty=None).fit(X, y)
    off = LinearRegressor(**params, penalty=None, alpha=0.5).fit(X, y)
    np.testing.assert_array_equal(off.coef_, adam.coef_)  # no decay at all
    decayed = LinearRegressor(**params, penalty="l2", alpha=0.5).fit(X, y)
    assert decayed._optimizer_spec.weight_decay == 0.5
    assert np.abs(decayed.coef_).sum() < np.abs(off.coef_).sum() - 0.5
    explicit = LinearRegressor(**{**params, "optimizer": AdamW(weight_decay=0.02)}).fit(X, y)
    assert explicit._optimizer_spec.weight_decay == 0.02
