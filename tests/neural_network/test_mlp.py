"""MLPClassifier and MLPRegressor: accuracy, reproducibility, dtypes and training modes."""

import copy
import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification, make_friedman1
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor
from sklearn.preprocessing import StandardScaler

from sklearn_hp.neural_network import MLPClassifier, MLPRegressor
from sklearn_hp.nn import ACTIVATIONS
from sklearn_hp.optim import Adam


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


@pytest.fixture(scope="module")
def small_classification():
    X, y = make_classification(n_samples=120, n_features=6, n_informative=4, n_classes=3,
                               random_state=0)
    return X, y


def test_digits_accuracy(digits):
    X_train, X_test, y_train, y_test = digits
    clf = MLPClassifier((256,), dropout=0.2, learning_rate=0.003, max_epochs=60, random_state=0)
    clf.fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.97
    assert [w.shape for w in clf.weights_] == [(64, 256), (256, 10)]
    assert [b.shape for b in clf.biases_] == [(256,), (10,)]


def test_regressor_matches_or_beats_sklearn_on_friedman1():
    X, y = make_friedman1(n_samples=1000, noise=1.0, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    common = {"hidden_layer_sizes": (64, 64), "random_state": 0, "learning_rate_init": 0.001}
    theirs = SklearnMLPRegressor(solver="adam", max_iter=200, **common).fit(X_train, y_train)
    ours = MLPRegressor((64, 64), learning_rate=0.001, max_epochs=200, random_state=0)
    ours.fit(X_train, y_train)
    their_r2 = r2_score(y_test, theirs.predict(X_test))
    our_r2 = r2_score(y_test, ours.predict(X_test))
    assert our_r2 >= their_r2 - 1e-3, (our_r2, their_r2)
    assert our_r2 > 0.85


@pytest.mark.parametrize("kwargs", [{}, {"dropout": 0.3, "batch_norm": True}])
def test_same_random_state_gives_bit_identical_weights(small_classification, kwargs):
    X, y = small_classification
    a = MLPClassifier((8, 5), max_epochs=5, random_state=3, **kwargs).fit(X, y)
    b = MLPClassifier((8, 5), max_epochs=5, random_state=3, **kwargs).fit(X, y)
    c = MLPClassifier((8, 5), max_epochs=5, random_state=4, **kwargs).fit(X, y)
    for wa, wb, wc in zip(a.weights_, b.weights_, c.weights_):
        np.testing.assert_array_equal(wa, wb)
        assert not np.array_equal(wa, wc)


def test_clone_is_unfitted_and_joblib_round_trip_predicts_identically(
    small_classification, tmp_path
):
    X, y = small_classification
    clf = MLPClassifier((8,), batch_norm=True, dropout=0.1, max_epochs=5, random_state=0)
    clf.fit(X, y)
    copy = clone(clf)
    assert not hasattr(copy, "weights_") and copy.get_params() == clf.get_params()
    path = tmp_path / "mlp.joblib"
    joblib.dump(clf, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_parameters_follow_the_dtype_of_X(small_classification, Estimator, dtype):
    X, y = small_classification
    est = Estimator((8,), batch_norm=True, max_epochs=3, random_state=0)
    est.fit(X.astype(dtype), y)
    learned = est.weights_ + est.biases_ + est.bn_gammas_ + est.bn_betas_ + est.bn_means_
    assert all(a.dtype == dtype for a in learned + est.bn_vars_)
    out = est.predict_proba(X.astype(dtype)) if Estimator is MLPClassifier else est.predict(
        X.astype(dtype)
    )
    assert out.dtype == dtype


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_float32_networks_compute_in_float32_with_every_activation(
    small_classification, activation
):
    X, y = small_classification
    X32 = X.astype(np.float32)
    est = MLPRegressor((8,), activation=activation, max_epochs=2, tol=None, random_state=0)
    assert est.fit(X32, y).predict(X32).dtype == np.float32


def test_activation_and_dropout_per_layer(small_classification):
    X, y = small_classification
    clf = MLPClassifier((8, 6), activation=["tanh", "relu"], dropout=[0.2, 0.0], max_epochs=3,
                        random_state=0).fit(X, y)
    names = [repr(layer) for layer in clf._network().layers]
    assert names == ["Dense(6 -> 8)", "ActivationLayer('tanh')", "Dropout(0.2)",
                     "Dense(8 -> 6)", "ActivationLayer('relu')", "Dense(6 -> 3)"]


def test_no_hidden_layer_is_a_linear_model(small_classification):
    X, y = small_classification
    clf = MLPClassifier((), learning_rate=0.01, max_epochs=200, random_state=0).fit(X, y)
    assert [w.shape for w in clf.weights_] == [(6, 3)]
    linear = LogisticRegression().fit(X, y).score(X, y)
    assert clf.score(X, y) == pytest.approx(linear, abs=0.05)


def test_dropout_is_off_at_predict_time(small_classification):
    X, y = small_classification
    clf = MLPClassifier((16,), dropout=0.5, max_epochs=5, random_state=0).fit(X, y)
    hidden = np.maximum(X @ clf.weights_[0] + clf.biases_[0], 0)
    raw = hidden @ clf.weights_[1] + clf.biases_[1]
    np.testing.assert_allclose(clf.decision_function(X), raw, rtol=1e-12)


def test_batch_norm_learns_running_statistics_used_at_predict_time(small_classification):
    X, y = small_classification
    clf = MLPClassifier((8,), batch_norm=True, max_epochs=20, random_state=0).fit(X, y)
    z = X @ clf.weights_[0] + clf.biases_[0]
    # Running statistics track the pre-activation statistics of the training data.
    np.testing.assert_allclose(clf.bn_means_[0], z.mean(axis=0), atol=0.3)
    assert not np.allclose(clf.bn_gammas_[0], 1.0)
    normalized = (z - clf.bn_means_[0]) / np.sqrt(clf.bn_vars_[0] + 1e-5)
    hidden = np.maximum(normalized * clf.bn_gammas_[0] + clf.bn_betas_[0], 0)
    raw = hidden @ clf.weights_[1] + clf.biases_[1]
    np.testing.assert_allclose(clf.decision_function(X), raw, rtol=1e-10)
    # One sample alone gets the same prediction as inside a batch.
    np.testing.assert_allclose(clf.decision_function(X[:1]), clf.decision_function(X)[:1])


def test_partial_fit_runs_one_epoch_each_call(small_classification):
    X, y = small_classification
    clf = MLPClassifier((8,), learning_rate=0.01, random_state=0)
    with pytest.raises(ValueError, match=r"labels \[2\] that are not in classes"):
        clf.partial_fit(X, y, classes=[0, 1])
    clf = MLPClassifier((8,), learning_rate=0.01, random_state=0)
    clf.partial_fit(X[:60], y[:60], classes=np.unique(y))
    first = [w.copy() for w in clf.weights_]
    for _ in range(9):
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 10 and len(clf.loss_curve_) == 10
    assert clf.loss_curve_[-1] < clf.loss_curve_[1]
    assert not np.array_equal(first[0], clf.weights_[0])


def test_warm_start_continues_from_the_current_weights(small_classification):
    X, y = small_classification
    clf = MLPClassifier((8,), max_epochs=5, tol=None, warm_start=True, random_state=0)
    clf.fit(X, y)
    after_first = clf.loss_curve_[-1]
    clf.fit(X, y)
    assert len(clf.loss_curve_) == 10 and clf.n_iter_ == 5
    assert clf.loss_curve_[5] < clf.loss_curve_[0]
    assert clf.loss_curve_[-1] < after_first
    cold = clone(clf).set_params(warm_start=False).fit(X, y)
    assert len(cold.loss_curve_) == 5
    with pytest.raises(ValueError, match=r"Cannot continue training .* with "
                                         r"\{'hidden_layer_sizes': \(9,\)\}"):
        clf.set_params(hidden_layer_sizes=(9,)).fit(X, y)


def _partially_fitted(X, y):
    clf = MLPClassifier((8, 4), batch_norm=True, learning_rate=0.01, random_state=0)
    return clf.partial_fit(X, y, classes=np.unique(y))


@pytest.mark.parametrize("how", ["pickle", "deepcopy", "replaced arrays"])
def test_training_continues_identically_however_the_arrays_were_copied(
    small_classification, how
):
    # Training runs on views into one flat buffer; arrays that were copied or
    # replaced must be packed again, not silently left out of training.
    X, y = small_classification
    reference, other = _partially_fitted(X, y), _partially_fitted(X, y)
    if how == "pickle":
        other = pickle.loads(pickle.dumps(other))
    elif how == "deepcopy":
        other = copy.deepcopy(other)
    else:
        other.weights_ = [w.copy() for w in other.weights_]
        other.biases_[0] = other.biases_[0] + 0.0
    for _ in range(3):
        reference.partial_fit(X, y)
        other.partial_fit(X, y)
    for name in ("weights_", "biases_", "bn_gammas_", "bn_betas_", "bn_means_"):
        for ours, theirs in zip(getattr(reference, name), getattr(other, name)):
            np.testing.assert_array_equal(ours, theirs)
    assert not np.array_equal(reference.weights_[0], _partially_fitted(X, y).weights_[0])


def test_a_copy_trains_without_touching_the_original(small_classification):
    X, y = small_classification
    original = _partially_fitted(X, y)
    before = [w.copy() for w in original.weights_]
    copy.deepcopy(original).partial_fit(X, y)
    for saved, current in zip(before, original.weights_):
        np.testing.assert_array_equal(saved, current)


def test_pickle_holds_each_learned_array_once(small_classification):
    X, y = small_classification
    clf = MLPClassifier((64, 32), max_epochs=2, tol=None, random_state=0).fit(X, y)
    n_bytes = sum(a.nbytes for a in clf.weights_ + clf.biases_)
    # The weights plus Adam's two moments; no second copy in a flat buffer.
    assert len(pickle.dumps(clf)) < 3.3 * n_bytes


def test_sample_weight_and_class_weight_change_the_fit(small_classification):
    X, y = small_classification
    params = {"hidden_layer_sizes": (8,), "max_epochs": 30, "random_state": 0}
    plain = MLPClassifier(**params).fit(X, y)
    weighted = MLPClassifier(**params).fit(X, y, sample_weight=np.where(y == 0, 5.0, 1.0))
    assert (weighted.predict(X) == 0).sum() > (plain.predict(X) == 0).sum()
    balanced = MLPClassifier(class_weight={0: 5.0, 1: 1.0, 2: 1.0}, **params).fit(X, y)
    np.testing.assert_allclose(balanced.weights_[0], weighted.weights_[0], rtol=1e-10)


def test_validation_data_and_early_stopping_keep_the_best_epoch(small_classification):
    X, y = small_classification
    X_val, y_val = X[:40], y[:40]
    clf = MLPClassifier((16,), learning_rate=0.05, max_epochs=40, early_stopping=True,
                        n_iter_no_change=5, random_state=0)
    clf.fit(X[40:], y[40:], validation_data=(X_val, y_val))
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_epoch_ == int(np.argmax(clf.validation_scores_))
    assert clf.score(X_val, y_val) == pytest.approx(max(clf.validation_scores_))


def test_nested_optimizer_settings_are_hyperparameters(small_classification):
    X, y = small_classification
    clf = MLPClassifier((8,), optimizer=Adam(), max_epochs=2, random_state=0)
    clf.set_params(optimizer__beta_1=0.5)
    assert clf.get_params()["optimizer__beta_1"] == 0.5
    clf.fit(X, y)
    assert clf._optimizer_transform.beta_1 == 0.5


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
def test_margin_losses_train_and_hide_predict_proba(small_classification, loss):
    X, y = small_classification
    clf = MLPClassifier((16,), loss=loss, learning_rate=0.01, max_epochs=200,
                        random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.85
    assert not hasattr(clf, "predict_proba")


@pytest.mark.parametrize("loss", ["squared_error", "absolute_error", "huber"])
def test_regressor_losses_and_multi_output(loss):
    rng = np.random.RandomState(0)
    X = rng.randn(150, 4)
    Y = np.column_stack([X[:, 0] - X[:, 1], np.tanh(X[:, 2])])
    reg = MLPRegressor((32,), loss=loss, learning_rate=0.01, max_epochs=100,
                       random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (150, 2)
    assert reg.score(X, Y) > 0.8


def test_safe_persistence_round_trip_then_continue_training(small_classification, tmp_path):
    from sklearn_hp.persistence import load, save

    X, y = small_classification
    clf = MLPClassifier((8,), batch_norm=True, max_epochs=3, random_state=0).fit(X, y)
    save(clf, tmp_path / "mlp.skhp")
    loaded = load(tmp_path / "mlp.skhp")
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    loaded.set_params(warm_start=True).fit(X, y)
    assert len(loaded.loss_curve_) == 6


def test_activation_objects_and_callable_weight_init(small_classification):
    from sklearn_hp.nn._activations import LeakyReLU

    X, y = small_classification

    def constant_init(shape, fan_in, fan_out, rng, dtype):
        return np.full(shape, 0.01, dtype=dtype)

    clf = MLPClassifier((8,), activation=LeakyReLU(0.2), weight_init=constant_init,
                        max_epochs=1, random_state=0).fit(X, y)
    assert clf._network().layers[1].activation.negative_slope == 0.2
    assert clone(clf).activation.negative_slope == 0.2

    def wrong_shape(shape, fan_in, fan_out, rng, dtype):
        return np.zeros(3, dtype=dtype)

    with pytest.raises(ValueError, match=r"returned an array of shape \(3,\); expected \(6, 8\)"):
        MLPClassifier((8,), weight_init=wrong_shape).fit(X, y)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop",
                                       "adam", "adamw"])
def test_every_optimizer_and_a_schedule_train_the_network(small_classification, optimizer):
    X, y = small_classification
    clf = MLPClassifier((16,), optimizer=optimizer, learning_rate=0.01, lr_schedule="cosine",
                        max_epochs=30, tol=None, random_state=0).fit(X, y)
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
