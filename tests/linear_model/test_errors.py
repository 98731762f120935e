"""Bad input gets a clear error naming the value and what is accepted."""

import numpy as np
import pytest

from sklearn_hp import DivergenceError, LinearRegressor, LinearSVMClassifier, LogisticClassifier

X = np.random.RandomState(0).randn(40, 3)
y_reg = X @ [1.0, 2.0, 3.0]
y_clf = (y_reg > 0).astype(int)


@pytest.mark.parametrize("bad, message", [
    (np.inf, "Input X contains infinity"),
    (np.nan, "Input X contains NaN"),
])
def test_non_finite_features_are_rejected(bad, message):
    X_bad = X.copy()
    X_bad[3, 1] = bad
    with pytest.raises(ValueError, match=message):
        LinearRegressor().fit(X_bad, y_reg)


def test_non_finite_targets_are_rejected():
    y_bad = y_reg.copy()
    y_bad[0] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        LinearRegressor().fit(X, y_bad)


def test_wrong_dimensions_and_lengths():
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        LinearRegressor().fit(X[:, 0], y_reg)
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[40, 39\]"):
        LinearRegressor().fit(X, y_reg[:-1])
    model = LinearRegressor(max_epochs=2).fit(X, y_reg)
    with pytest.raises(ValueError, match="X has 2 features, but LinearRegressor is expecting 3"):
        model.predict(X[:, :2])
    with pytest.raises(ValueError, match=r"sample_weight.shape == \(39,\), expected \(40,\)"):
        LinearRegressor().fit(X, y_reg, sample_weight=np.ones(39))


@pytest.mark.parametrize("params, pattern", [
    ({"optimizer": "adamm"}, r"'optimizer' parameter .* must be a str among .*'adam'.*Got 'adamm'"),
    ({"lr_schedule": "linear"}, r"'lr_schedule' parameter .* among .*'cosine'.*Got 'linear'"),
    ({"loss": "mse"}, r"'loss' parameter .* among .*'squared_error'.*Got 'mse'"),
    ({"learning_rate": 0.0}, r"'learning_rate' parameter .* range \(0.0, inf\).*Got 0.0"),
    ({"learning_rate": -1}, r"'learning_rate' parameter .* range \(0.0, inf\).*Got -1"),
    ({"batch_size": 0}, r"'batch_size' parameter .* range \[1, inf\).*Got 0"),
    ({"max_epochs": 0}, r"'max_epochs' parameter .* range \[1, inf\).*Got 0"),
    ({"validation_fraction": 1.0}, r"'validation_fraction' parameter .* \(0.0, 1.0\).*Got 1.0"),
    ({"penalty": "l3"}, r"'penalty' parameter .* among .*'l1'.*Got 'l3'"),
])
def test_bad_hyperparameters_are_named(params, pattern):
    with pytest.raises(ValueError, match=pattern):
        LinearRegressor(**params).fit(X, y_reg)


def test_classifier_specific_errors():
    with pytest.raises(ValueError, match=r"'loss' parameter of LinearSVMClassifier.*Got 'log'"):
        LinearSVMClassifier(loss="log").fit(X, y_clf)
    with pytest.raises(ValueError, match=r"'decision_threshold' parameter .* Got 1.5"):
        LogisticClassifier(decision_threshold=1.5).fit(X, y_clf)
    three = np.arange(40) % 3
    with pytest.raises(ValueError, match="decision_threshold=0.3 applies to binary problems"):
        LogisticClassifier(decision_threshold=0.3).fit(X, three)
    with pytest.raises(ValueError, match=r"class_weight names classes \[5\]"):
        LogisticClassifier(class_weight={5: 2.0}).fit(X, y_clf)
    with pytest.raises(ValueError, match="Unknown label type"):
        LogisticClassifier().fit(X, y_reg)


def test_divergence_names_learning_rate_and_leaves_no_nan_weights():
    X_big = X * 1e3
    model = LinearRegressor(optimizer="sgd", learning_rate=10.0, alpha=0.0)
    with pytest.raises(DivergenceError, match=r"learning_rate=10.0.*Lower learning_rate"):
        model.fit(X_big, y_reg * 1e3)
    assert not hasattr(model, "coef_")  # a fresh fit that diverged leaves nothing fitted
    model.set_params(learning_rate=1e-9, max_epochs=3)
    model.fit(X_big, y_reg * 1e3)
    good = model.coef_.copy()
    model.set_params(learning_rate=10.0, warm_start=True)
    with pytest.raises(DivergenceError):
        model.fit(X_big, y_reg * 1e3)
    # warm start: the weights from before the diverged fit are kept.
    np.testing.assert_array_equal(model.coef_, good)
    assert np.all(np.isfinite(model.predict(X_big)))


def test_learning_rate_as_function_or_schedule_object():
    from sklearn_hp.optim import CosineDecay

    model = LinearRegressor(learning_rate=lambda epoch: 0.1 / (1 + epoch), max_epochs=3, tol=None)
    model.fit(X, y_reg)
    assert len(model.loss_curve_) == 3 and model.loss_curve_[-1] < model.loss_curve_[0]
    with pytest.raises(TypeError, match="is a Schedule; pass it as lr_schedule"):
        LinearRegressor(learning_rate=CosineDecay()).fit(X, y_reg)
    with pytest.raises(ValueError, match="lr_schedule must be 'constant'; got lr_schedule='step'"):
        LinearRegressor(learning_rate=lambda e: 0.1, lr_schedule="step").fit(X, y_reg)
