"""Building blocks are scikit-learn parameter objects: tunable, printable, saved."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

from sklearn_hp import LinearRegressor, LogisticClassifier, MLPClassifier, MLPRegressor
from sklearn_hp.nn import (
    ELU,
    L2,
    ElasticNet,
    Huber,
    LeakyReLU,
    LogLoss,
    ReLU,
    VarianceScaling,
)
from sklearn_hp.optim import CosineDecay
from sklearn_hp.persistence import load, save

X, y = make_classification(n_samples=150, n_features=8, n_informative=5, random_state=0)
X_REG, y_REG = make_regression(n_samples=150, n_features=8, noise=5.0, random_state=0)
y_REG = y_REG / np.std(y_REG)


def test_an_activation_object_exposes_its_settings_as_nested_hyperparameters():
    clf = MLPClassifier(activation=LeakyReLU(0.2))
    params = clf.get_params(deep=True)
    assert params["activation__negative_slope"] == 0.2
    clf.set_params(activation__negative_slope=0.3)
    assert clf.activation.negative_slope == 0.3
    assert "activation=LeakyReLU(negative_slope=0.3)" in repr(clf)
    assert repr(LeakyReLU()) == "LeakyReLU()" and repr(ELU(alpha=0.5)) == "ELU(alpha=0.5)"
    # clone copies the object and its setting, as for any nested estimator.
    copy = clone(clf)
    assert copy.activation is not clf.activation and copy.activation.negative_slope == 0.3


def test_randomized_search_tunes_the_negative_slope():
    search = RandomizedSearchCV(
        MLPClassifier((16,), activation=LeakyReLU(), learning_rate=0.01, max_epochs=15,
                      tol=None, random_state=0),
        {"activation__negative_slope": [0.0, 0.1, 0.3, 0.6]}, n_iter=4, cv=2, random_state=0,
    ).fit(X, y)
    tried = sorted(p["activation__negative_slope"] for p in search.cv_results_["params"])
    assert tried == [0.0, 0.1, 0.3, 0.6]
    # The setting reaches the network: each slope gives its own validation scores.
    assert len(set(np.round(search.cv_results_["mean_test_score"], 12))) > 1
    best = search.best_params_["activation__negative_slope"]
    assert search.best_estimator_.activation.negative_slope == best


@pytest.mark.parametrize(
    "estimator, grid, X_fit, y_fit",
    [
        (MLPRegressor((8,), loss=Huber(), max_epochs=5, tol=None, random_state=0),
         {"loss__delta": [0.1, 1.0]}, X_REG, y_REG),
        (MLPClassifier((8,), lr_schedule=CosineDecay(), max_epochs=5, tol=None,
                       random_state=0),
         {"lr_schedule__warmup_epochs": [0, 3]}, X, y),
        (MLPClassifier((8,), weight_init=VarianceScaling(), max_epochs=5, tol=None,
                       random_state=0),
         {"weight_init__scale": [0.5, 2.0]}, X, y),
        (LogisticClassifier(penalty=ElasticNet(), alpha=0.05, max_epochs=5, tol=None,
                            random_state=0),
         {"penalty__l1_ratio": [0.0, 1.0]}, X, y),
    ],
    ids=["loss__delta", "lr_schedule__warmup_epochs", "weight_init__scale",
         "penalty__l1_ratio"],
)
def test_grid_search_tunes_nested_settings_of_every_kind(estimator, grid, X_fit, y_fit):
    # Log-loss (R^2 for the regressor): a score fine enough to see any change.
    scoring = "neg_log_loss" if hasattr(estimator, "predict_proba") else None
    search = GridSearchCV(estimator, grid, cv=2, scoring=scoring).fit(X_fit, y_fit)
    (name, values), = grid.items()
    assert [p[name] for p in search.cv_results_["params"]] == values
    scores = search.cv_results_["mean_test_score"]
    assert scores[0] != scores[1]  # the setting changes training


def test_objects_train_exactly_like_the_names_they_stand_for():
    by_name = MLPClassifier((8,), activation="relu", loss="log_loss", penalty="l2",
                            weight_init="glorot_uniform", max_epochs=5, random_state=0)
    by_object = MLPClassifier((8,), activation=ReLU(), loss=LogLoss(), penalty=L2(),
                              weight_init=VarianceScaling(), max_epochs=5, random_state=0)
    for a, b in zip(by_name.fit(X, y).weights_, by_object.fit(X, y).weights_):
        np.testing.assert_array_equal(a, b)
    en_name = LogisticClassifier(penalty="elasticnet", l1_ratio=0.3, max_epochs=5,
                                 random_state=0).fit(X, y)
    en_object = LogisticClassifier(penalty=ElasticNet(0.3), max_epochs=5,
                                   random_state=0).fit(X, y)
    np.testing.assert_array_equal(en_name.coef_, en_object.coef_)
    huber_name = LinearRegressor(loss="huber", epsilon=0.5, max_epochs=5,
                                 random_state=0).fit(X_REG, y_REG)
    huber_object = LinearRegressor(loss=Huber(delta=0.5), max_epochs=5,
                                   random_state=0).fit(X_REG, y_REG)
    np.testing.assert_array_equal(huber_name.coef_, huber_object.coef_)


def test_a_loss_of_the_wrong_task_is_refused_with_what_is_accepted():
    with pytest.raises(ValueError, match=r"loss=Huber\(\) is a regression loss; "
                                         r"MLPClassifier takes a classification loss"):
        MLPClassifier(loss=Huber(), max_epochs=1).fit(X, y)
    assert not hasattr(MLPClassifier(loss="hinge"), "predict_proba")
    assert hasattr(MLPClassifier(loss=LogLoss()), "predict_proba")


def test_save_and_load_round_trip_the_building_blocks(tmp_path):
    model = MLPClassifier((8,), activation=LeakyReLU(0.2), loss=LogLoss(),
                          penalty=ElasticNet(0.4), weight_init=VarianceScaling(scale=2.0),
                          lr_schedule=CosineDecay(warmup_epochs=2), max_epochs=5,
                          random_state=0).fit(X, y)
    save(model, tmp_path / "model.npz")
    loaded = load(tmp_path / "model.npz")
    assert repr(loaded) == repr(model)
    assert type(loaded.activation) is LeakyReLU and loaded.activation.negative_slope == 0.2
    assert loaded.get_params(deep=True)["penalty__l1_ratio"] == 0.4
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
