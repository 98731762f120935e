"""History, EarlyStopping and ProgressBar on the network estimators."""

import sys

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_classification

from sklearn_hp.callbacks import Callback, EarlyStopping, History, ProgressBar
from sklearn_hp.neural_network import MLPClassifier, MLPRegressor

X, y = make_classification(n_samples=200, n_features=8, n_informative=5, random_state=0)
X_val, y_val = X[:60], y[:60]
X_train, y_train = X[60:], y[60:]


def test_history_records_every_epoch_and_batch():
    history = History(record_batches=True)
    clf = MLPClassifier((8,), max_epochs=4, tol=None, batch_size=50, callbacks=[history],
                        random_state=0).fit(X_train, y_train, validation_data=(X_val, y_val))
    assert not hasattr(history, "history_")  # the given callback is cloned, never changed
    fitted = clf.callbacks_[0]
    assert fitted.column("epoch") == [0, 1, 2, 3]
    assert fitted.column("loss") == pytest.approx(clf.loss_curve_)
    assert fitted.column("val_score") == pytest.approx(clf.validation_scores_)
    assert len(fitted.batch_losses_) == 4 * 3  # 140 samples in batches of 50


def test_callbacks_are_tunable_hyperparameters():
    clf = MLPClassifier(callbacks=[EarlyStopping(patience=3)])
    assert clf.get_params()["callbacks"][0].get_params()["patience"] == 3


def test_early_stopping_on_validation_score_restores_the_best_weights():
    stopper = EarlyStopping(monitor="val_score", patience=3)
    clf = MLPClassifier((32,), learning_rate=0.05, max_epochs=100, tol=None,
                        callbacks=[stopper], random_state=0)
    clf.fit(X_train, y_train, validation_data=(X_val, y_val))
    fitted = clf.callbacks_[0]
    assert fitted.stopped_epoch_ == fitted.best_epoch_ + 3 == clf.n_iter_ - 1
    assert clf.n_iter_ < 100
    assert fitted.best_ == max(clf.validation_scores_)
    assert clf.score(X_val, y_val) == pytest.approx(fitted.best_)


def test_early_stopping_on_loss_with_min_delta():
    stopper = EarlyStopping(monitor="loss", patience=2, min_delta=1e9,
                            restore_best_weights=False)
    reg = MLPRegressor((4,), max_epochs=50, tol=None, callbacks=[stopper], random_state=0)
    reg.fit(X_train, y_train)
    # The first epoch improves on +inf; no later one improves by 1e9.
    assert reg.n_iter_ == 3 and reg.callbacks_[0].best_epoch_ == 0


def test_early_stopping_restores_batch_norm_statistics():
    stopper = EarlyStopping(monitor="loss", patience=1, min_delta=1e9)
    clf = MLPClassifier((8,), batch_norm=True, max_epochs=10, tol=None, callbacks=[stopper],
                        random_state=0)
    first_epoch = MLPClassifier((8,), batch_norm=True, max_epochs=1, tol=None,
                                random_state=0).fit(X_train, y_train)
    clf.fit(X_train, y_train)
    assert clf.n_iter_ == 2
    np.testing.assert_array_equal(clf.bn_means_[0], first_epoch.bn_means_[0])
    np.testing.assert_array_equal(clf.weights_[0], first_epoch.weights_[0])


@pytest.mark.parametrize(
    "params, message",
    [
        ({"monitor": "accuracy"}, r"monitor='accuracy' is not accepted; use one of \['loss', "
                                  r"'val_score'\]"),
        ({"patience": 0}, r"patience=0 must be a positive integer"),
        ({}, r"monitor='val_score' is not in the epoch logs \['loss', 'lr'\]; pass "
             r"validation_data"),
    ],
)
def test_early_stopping_errors(params, message):
    clf = MLPClassifier((4,), max_epochs=2, callbacks=[EarlyStopping(**params)])
    with pytest.raises(ValueError, match=message):
        clf.fit(X_train, y_train)


def test_a_callback_can_stop_training():
    class StopAtTwo(Callback):
        def on_epoch_end(self, estimator, epoch, logs, **info):
            return epoch == 1

    clf = MLPClassifier((4,), max_epochs=20, tol=None, callbacks=[StopAtTwo()]).fit(X, y)
    assert clf.n_iter_ == 2


def test_progress_bar_shows_epochs_and_pickles(capsys, tmp_path):
    pytest.importorskip("tqdm")
    clf = MLPClassifier((4,), max_epochs=3, tol=None, callbacks=[ProgressBar()],
                        random_state=0).fit(X, y)
    err = capsys.readouterr().err
    assert "MLPClassifier" in err and "3/3" in err and "loss=" in err
    joblib.dump(clf, tmp_path / "clf.joblib")


class _InterruptAtEpoch(Callback):
    def __init__(self, epoch=1):
        self.epoch = epoch

    def on_epoch_end(self, estimator, epoch, logs, **info):
        if epoch == self.epoch:
            raise KeyboardInterrupt


class _RecordAbort(Callback):
    def on_train_abort(self, estimator, error, **info):
        estimator.aborted_with_ = type(error).__name__


@pytest.mark.parametrize("cause", ["interrupt", "divergence"])
def test_an_aborted_fit_closes_its_progress_bar_and_tells_every_callback(capsys, cause):
    pytest.importorskip("tqdm")
    from sklearn_hp.exceptions import DivergenceError

    callbacks = [ProgressBar(), _RecordAbort()]
    if cause == "interrupt":
        clf = MLPClassifier((4,), max_epochs=5, tol=None, random_state=0,
                            callbacks=callbacks + [_InterruptAtEpoch(1)])
        expected = KeyboardInterrupt
    else:  # a warm fit that diverges keeps its earlier state, callbacks_ included
        clf = MLPRegressor((4,), optimizer="sgd", max_epochs=5, random_state=0,
                           warm_start=True, callbacks=callbacks).fit(X, y)
        clf.set_params(learning_rate=1e6)
        expected = DivergenceError
    with pytest.raises(expected):
        clf.fit(X, y * 1e3)
    bar, recorder = clf.callbacks_[:2]
    assert bar._bar is None
    assert clf.aborted_with_ == expected.__name__
    if cause == "interrupt":
        assert "2/5" in capsys.readouterr().err  # the bar was drawn, then closed


def test_progress_bar_without_tqdm_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    clf = MLPClassifier((4,), max_epochs=1, callbacks=[ProgressBar()])
    with pytest.raises(ImportError, match=r"needs the optional dependency tqdm.*progress"):
        clf.fit(X, y)
