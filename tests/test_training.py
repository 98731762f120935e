"""The training loop: the one owner of a fit's progress, its interface, and the convergence rule."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

from sklearn_hp import LinearRegressor, LogisticClassifier, MLPClassifier
from sklearn_hp._engine import LoopSettings, TrainingLoop
from sklearn_hp.callbacks import Callback, EarlyStopping, History, TrainingRun
from sklearn_hp.nn import L2
from sklearn_hp.optim import Chain, ScaleByLearningRate, StepDecay


@pytest.fixture(scope="module")
def plane():
    rng = np.random.RandomState(0)
    X = StandardScaler().fit_transform(rng.normal(size=(1000, 2)))
    return X, 3 * X[:, 0] - 2 * X[:, 1] + 5 + 0.1 * rng.normal(size=1000)


def test_slow_steady_progress_is_not_taken_for_a_plateau(plane):
    X, y = plane
    tol, window = 0.01, 10
    model = LinearRegressor(optimizer="sgd", learning_rate=0.002, tol=tol,
                            n_iter_no_change=window, max_epochs=500, random_state=0)
    losses = model.fit(X, y).loss_curve_
    gains = -np.diff(losses)
    # Epochs improving by less than tol each: a per-epoch rule would have stopped
    # once window of them were in a row ...
    slow = np.flatnonzero(gains < tol)
    per_epoch_stop = slow[window - 1] + 2
    assert np.all(gains[slow[0]:slow[0] + window] < tol)
    # ... but together they still improved by more than tol, so training went on
    # until a whole window improved by less than tol.
    n = model.n_iter_
    assert n > per_epoch_stop + 50
    assert min(losses[:n - window]) - min(losses[n - window:]) < tol
    assert all(min(losses[:k - window]) - min(losses[k - window:k]) >= tol
               for k in range(window + 1, n))
    assert losses[per_epoch_stop - 1] - losses[-1] > 5 * tol  # what going on bought


class _Probe(Callback):
    """Reads the run through its public accessors."""

    def on_train_begin(self, estimator, **info):
        self.runs_ = [info["run"]]
        self.first_ = info["run"].snapshot()

    def on_epoch_end(self, estimator, epoch, logs, **info):
        self.best_scores_ = getattr(self, "best_scores_", []) + [info["run"].best_score]

    def on_train_end(self, estimator, **info):
        info["run"].restore(self.first_)


def test_callbacks_read_and_restore_state_through_the_run():
    X, y = make_classification(300, random_state=0)
    clf = MLPClassifier((8,), max_epochs=5, tol=None, callbacks=[_Probe()], random_state=0)
    clf.fit(X[:200], y[:200], validation_data=(X[200:], y[200:]))
    probe = clf.callbacks_[0]
    assert isinstance(probe.runs_[0], TrainingRun)
    assert probe.best_scores_ == list(np.maximum.accumulate(clf.validation_scores_))
    assert clf.best_epoch_ == int(np.argmax(clf.validation_scores_))
    # restore() put the initial weights back, and they are what predicts.
    np.testing.assert_array_equal(clf.weights_[0].ravel(), probe.first_[0][:160])


def test_early_stopping_is_one_internal_callback_keeping_the_best_epoch():
    X, y = make_classification(400, flip_y=0.2, random_state=0)
    clf = LogisticClassifier(early_stopping=True, n_iter_no_change=4, learning_rate=0.3,
                             max_epochs=200, random_state=0, callbacks=[_Probe()])
    clf.fit(X, y)  # the probe puts the first state back, then early stopping the best
    assert [type(cb) for cb in clf.callbacks_] == [_Probe]  # the user's callbacks only
    run = clf.callbacks_[0].runs_[0]
    # The run holds the best epoch's state, which the estimator ends with.
    np.testing.assert_array_equal(run.best_state[0], clf.coef_.T)
    assert run.converged and run.epochs_run == clf.n_iter_
    assert clf.n_iter_ < 200
    assert clf.best_epoch_ == int(np.argmax(clf.validation_scores_))
    # With the same split, a user EarlyStopping restores the same best epoch.
    user = LogisticClassifier(early_stopping=True, n_iter_no_change=4, learning_rate=0.3,
                              max_epochs=200, random_state=0,
                              callbacks=[EarlyStopping(patience=1000)]).fit(X, y)
    np.testing.assert_array_equal(user.coef_, clf.coef_)
    assert user.callbacks_[0].best_epoch_ == clf.best_epoch_


def test_the_estimator_declares_its_state_for_persistence():
    X, y = make_classification(100, random_state=0)
    clf = MLPClassifier((4,), max_epochs=2, tol=None, random_state=0).fit(X, y)
    clf._packed_parameters()  # the flat training buffer, rebuilt on demand
    state = clf.__getstate__()
    assert "_packed" not in state and "_training_network" not in state
    assert {"weights_", "biases_", "loss_curve_", "_optimizer_state"} <= set(state)
    copy = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
    copy.set_params(warm_start=True).fit(X, y)
    clf.set_params(warm_start=True).fit(X, y)
    np.testing.assert_array_equal(copy.weights_[0], clf.weights_[0])


class _LeastSquares:
    """A model with only the loop's five hooks: ``y ~ X @ w``."""

    def __init__(self, n_features):
        self.w = np.zeros(n_features)

    def _parameters(self):
        return [self.w]

    def _state_arrays(self):
        return [self.w]

    def _loss_and_gradients(self, X, Y, sample_weight, rng):
        residual = X @ self.w - Y[:, 0]
        return 0.5 * float(np.mean(residual**2)), [X.T @ residual / len(X)]

    def _validation_score(self, X, y, sample_weight):
        return -float(np.mean((X @ self.w - y) ** 2))

    def _constant_loss(self, Y, sample_weight):
        return 0.5 * float(np.var(Y))


def test_the_loop_trains_any_model_with_the_hooks_and_settings(plane):
    X, y = plane
    X = np.column_stack([X, np.ones(len(X))])
    model = _LeastSquares(3)
    rate = ScaleByLearningRate(0.5, schedule=StepDecay(step_size=10, gamma=0.5), max_epochs=30)
    loss_curve, scores = [], []
    settings = LoopSettings(
        batch_size=100, shuffle=True, updates=Chain(Chain(), rate),
        update_state=[[], rate.init(model._parameters())], penalty=L2(), alpha=1e-4,
        penalized_indices=(0,), plateau_tol=None, plateau_window=5, largest_product=300,
        verbose=False,
        rate_text="learning_rate=0.5", optimizer_text="'sgd'", loss_curve=loss_curve,
        validation_scores=scores)
    loop = TrainingLoop(model, settings, X, y[:, None], None, (X, y, None),
                        np.random.RandomState(0), callbacks=[History()])
    loop.callbacks[0].on_train_begin(model)
    assert loop.run(30, check_convergence=True) == 30
    np.testing.assert_allclose(model.w, [3, -2, 5], atol=0.02)
    assert len(loss_curve) == len(scores) == 30 and loss_curve[-1] < 0.01
    assert loop.callbacks[0].column("lr") == [0.5 * 0.5 ** (e // 10) for e in range(30)]
    assert loop.best_epoch == int(np.argmax(scores))
