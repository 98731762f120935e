"""Linear models: recovered coefficients, accuracy against scikit-learn, contracts."""

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    cross_validate,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from scipy.stats import loguniform

from sklearn_hp import LinearRegressor, LinearSVMClassifier, LogisticClassifier
from sklearn_hp.optim import OPTIMIZERS, AdamW

#: Learning rate per optimizer for the regression problem below.
RECOVERY_LEARNING_RATES = {
    "sgd": 0.05, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.5,
    "rmsprop": 0.05, "adam": 0.05, "adamw": 0.05,
}


@pytest.fixture(scope="module")
def plane():
    rng = np.random.RandomState(0)
    X = rng.randn(1000, 2)
    y = 3 * X[:, 0] - 2 * X[:, 1] + 5 + 0.01 * rng.randn(1000)
    return X, y


@pytest.fixture(scope="module")
def breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), scaler.transform(X_te), y_tr, y_te


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_regressor_recovers_the_plane_with_every_optimizer(plane, optimizer):
    X, y = plane
    opt = AdamW(weight_decay=1e-4) if optimizer == "adamw" else optimizer
    model = LinearRegressor(
        optimizer=opt, learning_rate=RECOVERY_LEARNING_RATES[optimizer], lr_schedule="cosine",
        alpha=0.0, max_epochs=150, tol=None, random_state=0,
    ).fit(X, y)
    np.testing.assert_allclose(model.coef_, [3.0, -2.0], atol=0.02)
    np.testing.assert_allclose(model.intercept_, [5.0], atol=0.02)


@pytest.mark.parametrize("loss", ["absolute_error", "huber"])
def test_robust_losses_ignore_outliers(plane, loss):
    X, y = plane
    y = y.copy()
    y[:50] += 200.0  # 5 % gross outliers
    settings = dict(alpha=0.0, learning_rate=0.05, lr_schedule="cosine", max_epochs=150,
                    tol=None, random_state=0)
    model = LinearRegressor(loss=loss, **settings).fit(X, y)
    np.testing.assert_allclose(model.coef_, [3.0, -2.0], atol=0.05)
    np.testing.assert_allclose(model.intercept_, [5.0], atol=0.1)
    squared = LinearRegressor(**settings).fit(X, y)
    assert abs(squared.intercept_[0] - 5.0) > 5.0  # least squares follows the outliers


def test_multi_output_regression_recovers_both_targets(plane):
    X, y = plane
    Y = np.column_stack([y, -y])
    model = LinearRegressor(alpha=0.0, learning_rate=0.05, lr_schedule="cosine",
                            max_epochs=150, tol=None, random_state=0).fit(X, Y)
    assert model.coef_.shape == (2, 2)
    np.testing.assert_allclose(model.coef_, [[3, -2], [-3, 2]], atol=0.02)
    assert model.predict(X).shape == (1000, 2)


def test_logistic_accuracy_within_one_point_of_sklearn(breast_cancer):
    X_tr, X_te, y_tr, y_te = breast_cancer
    ours = LogisticClassifier(random_state=0).fit(X_tr, y_tr).score(X_te, y_te)
    theirs = LogisticRegression().fit(X_tr, y_tr).score(X_te, y_te)
    assert ours >= theirs - 0.01, (ours, theirs)


def test_multiclass_logistic_probabilities(breast_cancer):
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = LogisticClassifier(random_state=0).fit(X, y)
    proba = model.predict_proba(X)
    assert model.coef_.shape == (3, 4) and model.threshold_ is None
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.score(X, y) >= 0.95
    np.testing.assert_array_equal(model.classes_[proba.argmax(1)], model.predict(X))


def test_learned_threshold_improves_balanced_accuracy_on_imbalanced_data():
    from sklearn.datasets import make_classification
    from sklearn.metrics import balanced_accuracy_score

    X, y = make_classification(n_samples=3000, weights=[0.93], flip_y=0.02, class_sep=0.6,
                               random_state=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, stratify=y, random_state=0)
    fixed = LogisticClassifier(random_state=0).fit(X_tr, y_tr)
    auto = LogisticClassifier(decision_threshold="auto", validation_fraction=0.25,
                              random_state=0).fit(X_tr, y_tr)
    assert 0 < auto.threshold_ < 0.5
    gain = (balanced_accuracy_score(y_te, auto.predict(X_te))
            - balanced_accuracy_score(y_te, fixed.predict(X_te)))
    assert gain > 0.05, gain


def test_svm_support_vectors_are_the_points_on_or_inside_the_margin(breast_cancer):
    X_tr, X_te, y_tr, y_te = breast_cancer
    svm = LinearSVMClassifier(random_state=0, max_epochs=300).fit(X_tr, y_tr)
    assert svm.score(X_te, y_te) >= 0.95
    signed = np.where(y_tr == svm.classes_[1], 1.0, -1.0)
    margins = signed * svm.decision_function(X_tr)
    np.testing.assert_array_equal(svm.support_, np.flatnonzero(margins <= 1 + 1e-8))
    np.testing.assert_array_equal(svm.support_vectors_, X_tr[svm.support_])
    assert 0 < len(svm.support_) < len(X_tr) / 2
    assert not hasattr(svm, "predict_proba")


def test_same_random_state_gives_bit_identical_coefficients(breast_cancer):
    X_tr, _, y_tr, _ = breast_cancer
    a = LogisticClassifier(random_state=3, max_epochs=20).fit(X_tr, y_tr)
    b = LogisticClassifier(random_state=3, max_epochs=20).fit(X_tr, y_tr)
    c = LogisticClassifier(random_state=4, max_epochs=20).fit(X_tr, y_tr)
    assert np.array_equal(a.coef_, b.coef_) and np.array_equal(a.intercept_, b.intercept_)
    assert not np.array_equal(a.coef_, c.coef_)


def test_joblib_round_trip_gives_identical_predictions(breast_cancer, tmp_path):
    X_tr, X_te, y_tr, _ = breast_cancer
    model = LogisticClassifier(random_state=0).fit(X_tr, y_tr)
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X_te), model.predict_proba(X_te))
    # A loaded model keeps training where the original stopped.
    loaded.partial_fit(X_tr, y_tr)
    assert len(loaded.loss_curve_) == len(model.loss_curve_) + 1


def test_pipeline_grid_random_search_and_cross_validate():
    X, y = load_breast_cancer(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), LogisticClassifier(max_epochs=30, random_state=0))
    grid = GridSearchCV(pipe, {"logisticclassifier__alpha": [1e-4, 1e-1],
                               "logisticclassifier__optimizer": ["adam", "sgd"]}, cv=3)
    grid.fit(X, y)
    assert grid.best_score_ > 0.95
    assert len(grid.cv_results_["params"]) == 4
    random = RandomizedSearchCV(
        pipe, {"logisticclassifier__learning_rate": loguniform(1e-3, 1e-1),
               "logisticclassifier__optimizer": [AdamW(), AdamW(beta_1=0.5)]},
        n_iter=3, cv=3, random_state=0,
    ).fit(X, y)
    assert random.best_score_ > 0.95
    scores = cross_validate(pipe, X, y, cv=3)["test_score"]
    assert scores.min() > 0.93


def test_nested_optimizer_settings_are_hyperparameters():
    model = LogisticClassifier(optimizer=AdamW())
    model.set_params(optimizer__beta_1=0.5, optimizer__weight_decay=0.2)
    params = model.get_params()
    assert params["optimizer__beta_1"] == 0.5 and params["optimizer__weight_decay"] == 0.2
    copy = clone(model)
    assert copy.optimizer is not model.optimizer and copy.optimizer.beta_1 == 0.5


def test_clone_is_unfitted(breast_cancer):
    X_tr, _, y_tr, _ = breast_cancer
    model = LogisticClassifier(max_epochs=5, tol=None).fit(X_tr, y_tr)
    copy = clone(model)
    assert not hasattr(copy, "coef_") and copy.get_params() == model.get_params()


def test_early_stopping_keeps_the_best_epoch(breast_cancer):
    X_tr, _, y_tr, _ = breast_cancer
    model = LogisticClassifier(early_stopping=True, n_iter_no_change=5, max_epochs=200,
                               random_state=0).fit(X_tr, y_tr)
    assert len(model.validation_scores_) == model.n_iter_ < 200
    assert model.best_epoch_ == int(np.argmax(model.validation_scores_))


def test_explicit_validation_data_is_scored_every_epoch(breast_cancer):
    X_tr, X_te, y_tr, y_te = breast_cancer
    model = LogisticClassifier(max_epochs=7, tol=None, random_state=0)
    model.fit(X_tr, y_tr, validation_data=(X_te, y_te))
    assert len(model.validation_scores_) == 7
    assert model.validation_scores_[-1] == pytest.approx(model.score(X_te, y_te))


def test_partial_fit_and_warm_start_continue_training(breast_cancer):
    X_tr, _, y_tr, _ = breast_cancer
    model = LogisticClassifier(random_state=0)
    model.partial_fit(X_tr[:50], y_tr[:50], classes=[0, 1])
    for _ in range(4):
        model.partial_fit(X_tr, y_tr)
    assert model.n_iter_ == 5 and len(model.loss_curve_) == 5
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    warm = LogisticClassifier(max_epochs=3, tol=None, warm_start=True, random_state=0)
    warm.fit(X_tr, y_tr)
    first = warm.coef_.copy()
    warm.fit(X_tr, y_tr)
    assert len(warm.loss_curve_) == 6 and not np.array_equal(first, warm.coef_)
    with pytest.raises(ValueError, match=r"classes \[7\] not seen"):
        model.partial_fit(X_tr[:3], [0, 1, 7])


def test_sample_weight_and_class_weight_shift_the_decision():
    rng = np.random.RandomState(0)
    X = rng.randn(400, 1)
    y = (X[:, 0] + 0.8 * rng.randn(400) > 0).astype(int)
    plain = LogisticClassifier(random_state=0).fit(X, y)
    heavy = LogisticClassifier(class_weight={0: 1.0, 1: 5.0}, random_state=0).fit(X, y)
    weighted = LogisticClassifier(random_state=0).fit(
        X, y, sample_weight=np.where(y == 1, 5.0, 1.0))
    boundary = lambda m: -m.intercept_[0] / m.coef_[0, 0]  # noqa: E731
    assert boundary(heavy) < boundary(plain) - 0.3
    assert boundary(weighted) == pytest.approx(boundary(heavy), abs=0.05)


def test_float32_input_gives_float32_parameters(plane):
    X, y = plane
    X32 = X.astype(np.float32)
    model = LinearRegressor(random_state=0, max_epochs=20).fit(X32, y)
    assert model.coef_.dtype == np.float32 and model.predict(X32).dtype == np.float32


def test_l1_penalty_drives_useless_coefficients_towards_zero():
    rng = np.random.RandomState(0)
    X = rng.randn(500, 10)
    y = 2 * X[:, 0] + 0.01 * rng.randn(500)
    model = LinearRegressor(penalty="l1", alpha=0.05, optimizer="sgd", learning_rate=0.01,
                            max_epochs=100, tol=None, random_state=0).fit(X, y)
    assert abs(model.coef_[0]) > 1.8
    assert np.max(np.abs(model.coef_[1:])) < 0.02
