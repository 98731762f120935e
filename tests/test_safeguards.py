"""Never silently wrong: each case that used to fit without a word now errs or warns."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from sklearn_hp import (
    ConvNetClassifier,
    LinearRegressor,
    LogisticClassifier,
    MLPClassifier,
    MLPRegressor,
)
from sklearn_hp.callbacks import Callback
from sklearn_hp.diagnostics import diagnose
from sklearn_hp.exceptions import DivergenceError, DivergenceWarning


def _scaled(load):
    X, y = load(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("make, load", [
    (lambda: LogisticClassifier(learning_rate=1e6, random_state=0), load_breast_cancer),
    (lambda: MLPClassifier(learning_rate=1e6, random_state=0), load_iris),
])
def test_a_loss_that_ends_far_above_its_start_is_divergence(make, load):
    X, y = _scaled(load)
    model = make()
    with pytest.raises(DivergenceError, match=r"ended at .* times the larger of where it "
                                              r"started .*learning_rate=1000000\.0.*Lower "
                                              r"learning_rate"):
        model.fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(model)  # no weights of the diverged fit are kept


def test_diagnose_says_diverged_and_names_learning_rate():
    X, y = _scaled(load_breast_cancer)
    result = diagnose(LogisticClassifier(learning_rate=1e6, random_state=0), X, y, cv=3)
    assert result.verdict == "diverged"
    assert result.advice == [
        ("learning_rate", "decrease", "training diverged: the loss grew instead of falling")
    ]
    assert "diverged" in str(result) and "learning_rate=1000000.0" in str(result)


def test_a_moderately_grown_loss_warns_with_the_remedy():
    # Full-batch gradient descent at 2.4 times the inverse curvature: every step
    # doubles the loss, which ends 2-10 times where it started, still finite.
    rng = np.random.RandomState(0)
    X = StandardScaler().fit_transform(rng.normal(size=(400, 2)))
    y = X @ [3.0, -2.0]
    reg = LinearRegressor(optimizer="sgd", learning_rate=2.4, batch_size=400, max_epochs=3,
                          tol=None, random_state=0)
    with pytest.warns(DivergenceWarning, match=r"may have diverged.*learning_rate=2\.4.*"
                                               r"Lower learning_rate"):
        reg.fit(X, y)
    assert reg.loss_curve_[-1] > 2 * reg.loss_curve_[0]


def test_a_training_score_below_the_constant_baseline_is_diverged_in_diagnose():
    X, y = _scaled(load_breast_cancer)
    # A model that predicts the minority class for every sample.
    class Contrary(LogisticClassifier):
        def predict(self, X):
            return np.full(len(X), self.classes_[0])

    result = diagnose(Contrary(max_epochs=2, random_state=0), X, y, cv=3)
    assert result.verdict == "diverged"
    assert result.train_score < result.baseline_score - 0.05
    assert ("learning_rate", "decrease",
            "training diverged: the loss grew instead of falling") in result.advice


def test_negative_sample_weight_is_refused():
    X, y = _scaled(load_iris)
    weights = np.ones(len(y))
    weights[7] = -1.0
    for model in (LogisticClassifier(), MLPRegressor((4,)), LinearRegressor()):
        with pytest.raises(ValueError, match=r"sample_weight must be >= 0; got 1 negative "
                                             r"value\(s\), e\.g\. sample_weight\[7\]=-1\.0"):
            model.fit(X, y, sample_weight=weights)
    with pytest.raises(ValueError, match=r"sample_weight must be >= 0"):
        LogisticClassifier().fit(X[:100], y[:100], validation_data=(X, y, weights))


class _InterruptAt(Callback):
    def __init__(self, epoch=2, batch=None):
        self.epoch = epoch
        self.batch = batch

    def on_batch_end(self, estimator, batch, loss, **info):
        if self.batch is not None and batch == self.batch:
            raise KeyboardInterrupt

    def on_epoch_end(self, estimator, epoch, logs, **info):
        if self.batch is None and epoch == self.epoch:
            raise KeyboardInterrupt


@pytest.mark.parametrize("cls", [LogisticClassifier, MLPClassifier])
def test_an_interrupted_fit_leaves_the_estimator_as_it_was(cls):
    X, y = _scaled(load_iris)
    fresh = cls(batch_size=16, callbacks=[_InterruptAt(batch=3)], random_state=0)
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(fresh)  # mid-epoch weights are not left behind
    assert [type(cb) for cb in fresh.callbacks_] == [_InterruptAt]  # readable records

    fitted = cls(max_epochs=3, tol=None, random_state=0).fit(X, y)
    curve = list(fitted.loss_curve_)
    coef = [a.copy() for a in fitted._state_arrays()]
    fitted.set_params(warm_start=True, callbacks=[_InterruptAt(epoch=4)])
    with pytest.raises(KeyboardInterrupt):
        fitted.fit(X, y)
    for before, after in zip(coef, fitted._state_arrays()):
        np.testing.assert_array_equal(before, after)
    assert fitted.loss_curve_ == curve and fitted.n_iter_ == 3
    fitted.set_params(callbacks=None).fit(X, y)  # and it trains on from there
    assert len(fitted.loss_curve_) == 6


def test_convnet_refuses_non_square_flat_input_without_image_shape():
    X = np.random.RandomState(0).normal(size=(20, 60))
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match=r"n_features=60 is not a square number; give "
                                         r"image_shape=\(height, width\)"):
        ConvNetClassifier(max_epochs=1).fit(X, y)
    clf = ConvNetClassifier(image_shape=(6, 10), conv_filters=(2,), max_epochs=1).fit(X, y)
    assert clf.image_shape_ == (6, 10, 1)


@pytest.mark.parametrize("cls", [LinearRegressor, MLPRegressor])
def test_huge_values_in_X_are_refused(cls):
    X = np.random.RandomState(0).normal(size=(30, 3))
    y = X[:, 0].copy()
    X[4, 1] = 1e300
    with pytest.raises(ValueError, match=r"X holds values as large as 1e\+300 .* overflow "
                                         r"float64.*Scale X"):
        cls().fit(X, y)
    with pytest.raises(ValueError, match=r"overflow float32"):
        cls().fit(np.clip(X, -1e20, 1e20).astype(np.float32), y)


def test_validation_fraction_too_small_for_the_classes_is_named():
    X, y = _scaled(load_iris)  # 150 samples, 3 classes
    with pytest.raises(ValueError, match=r"validation_fraction=0\.01 of 150 samples holds "
                                         r"out 2 .* each of the 3 classes .*between 0\.02 "
                                         r"and 0\.98"):
        LogisticClassifier(early_stopping=True, validation_fraction=0.01).fit(X, y)
    with pytest.raises(ValueError, match=r"validation_fraction=0\.99"):
        MLPClassifier(early_stopping=True, validation_fraction=0.99).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        LogisticClassifier(early_stopping=True, validation_fraction=0.02,
                           max_epochs=2).fit(X, y)


def test_pipelines_get_the_same_errors():
    X, y = _scaled(load_iris)
    with pytest.raises(ValueError, match="sample_weight must be >= 0"):
        make_pipeline(StandardScaler(), LogisticClassifier()).fit(
            X, y, logisticclassifier__sample_weight=-np.ones(len(y)))


def test_divergence_yardstick_on_strided_rows_of_large_sorted_data():
    # Above 2048 rows the constant model's loss is taken on strided rows; with rows
    # sorted by class it must still be the right yardstick: a sane fit stays quiet,
    # an exploding one is caught.
    from sklearn.datasets import make_classification

    X, y = make_classification(6000, 10, n_informative=5, n_classes=3, random_state=0)
    order = np.argsort(y, kind="stable")
    X, y = X[order], y[order]
    with warnings.catch_warnings():
        warnings.simplefilter("error", DivergenceWarning)
        sane = MLPClassifier(hidden_layer_sizes=(16,), max_epochs=3, random_state=0).fit(X, y)
    assert sane.score(X, y) > 0.6
    with pytest.raises(DivergenceError, match="learning_rate"):
        MLPClassifier(hidden_layer_sizes=(16,), learning_rate=1e6, max_epochs=3,
                      random_state=0).fit(X, y)
