"""diagnose(): verdicts on models built to over- and underfit, and the knobs it names."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from sklearn_hp import LinearRegressor, LogisticClassifier
from sklearn_hp.diagnostics import diagnose


@pytest.fixture(scope="module")
def breast_cancer():
    return load_breast_cancer(return_X_y=True)


def test_wide_unregularised_model_overfits_and_gets_told_to_raise_alpha():
    X, y = make_classification(300, n_features=200, n_informative=5, random_state=0)
    result = diagnose(LogisticClassifier(alpha=0.0, max_epochs=100, random_state=0), X, y, cv=3)
    assert result.verdict == "overfitting"
    assert result.train_score > 0.99 and result.gap > 0.2
    assert ("alpha", "increase", "a stronger weight penalty shrinks the weights, so the model "
                                 "fits less noise") in result.advice
    assert not any(name == "max_epochs" for name, _, _ in result.advice)


def test_deep_tree_overfits_and_gets_told_to_limit_depth():
    X, y = make_classification(300, n_features=20, flip_y=0.2, random_state=0)
    result = diagnose(DecisionTreeClassifier(random_state=0), X, y, cv=3)
    assert result.verdict == "overfitting"
    assert [a for a in result.advice if a[0] == "max_depth"][0][1] == "decrease"


def test_over_penalised_pipeline_underfits_and_gets_told_to_lower_alpha(breast_cancer):
    pipe = make_pipeline(StandardScaler(), LogisticClassifier(alpha=10.0, random_state=0))
    result = diagnose(pipe, *breast_cancer, cv=3)
    assert result.verdict == "underfitting"
    assert result.train_score < 0.9
    assert ("logisticclassifier__alpha", "decrease",
            "a weaker weight penalty lets the weights grow to fit the data") in result.advice


def test_good_model_is_a_good_fit(breast_cancer):
    pipe = make_pipeline(StandardScaler(), LogisticClassifier(alpha=0.01, random_state=0))
    result = diagnose(pipe, *breast_cancer, cv=3)
    assert result.verdict == "good fit"
    assert result.validation_score > 0.95 and abs(result.gap) < 0.05
    assert result.baseline_score == pytest.approx(np.mean(breast_cancer[1] == 1), abs=0.01)


def test_cut_off_training_asks_for_more_epochs():
    rng = np.random.RandomState(0)
    X = rng.randn(200, 3)
    y = X @ [1.0, 2.0, 3.0]
    result = diagnose(LinearRegressor(max_epochs=2, learning_rate=1e-3), X, y, cv=3)
    assert result.converged is False and result.verdict == "underfitting"
    assert ("max_epochs", "increase", "the training loss was still falling") in result.advice
    assert "still improving" in str(result)


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="underfit_fraction must be in \\(0, 1\\], got 2"):
        diagnose(LinearRegressor(), np.ones((10, 1)), np.ones(10), underfit_fraction=2)
