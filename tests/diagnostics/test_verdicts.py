"""diagnose() on four networks whose verdict is known, advice naming real knobs."""

import numpy as np
from sklearn.datasets import load_digits

from sklearn_hp import MLPClassifier
from sklearn_hp.diagnostics import diagnose

X, y = load_digits(return_X_y=True)
X = X / 16


def _check_advice(model, diagnosis):
    names = set(model.get_params(deep=True))
    assert all(name in names for name, _, _ in diagnosis.advice), diagnosis.advice


def test_two_units_for_two_epochs_underfit():
    model = MLPClassifier(hidden_layer_sizes=(2,), max_epochs=2, random_state=0)
    diagnosis = diagnose(model, X, y, cv=3)
    assert diagnosis.verdict == "underfitting"
    assert diagnosis.advice
    _check_advice(model, diagnosis)


def test_wide_unregularised_network_on_60_noisy_samples_overfits():
    rng = np.random.default_rng(0)
    X_small = X[:60] + rng.normal(0, 0.5, (60, 64))
    model = MLPClassifier(hidden_layer_sizes=(512,), alpha=0.0, max_epochs=200,
                          learning_rate=0.01, random_state=0)
    diagnosis = diagnose(model, X_small, y[:60], cv=3)
    assert diagnosis.verdict == "overfitting"
    assert diagnosis.gap > 0.3
    assert "alpha" in {name for name, _, _ in diagnosis.advice}
    _check_advice(model, diagnosis)


def test_learning_rate_1e3_diverges():
    model = MLPClassifier(hidden_layer_sizes=(32,), learning_rate=1e3, max_epochs=5,
                          random_state=0)
    diagnosis = diagnose(model, X, y, cv=3)
    assert diagnosis.verdict == "diverged"
    assert "learning_rate" in {name for name, _, _ in diagnosis.advice}
    _check_advice(model, diagnosis)


def test_a_sensible_network_fits_well():
    model = MLPClassifier(hidden_layer_sizes=(64,), learning_rate=3e-3, alpha=1e-2,
                          max_epochs=30, random_state=0)
    diagnosis = diagnose(model, X, y, cv=3)
    assert diagnosis.verdict == "good fit"
    assert diagnosis.validation_score > 0.9
    _check_advice(model, diagnosis)
