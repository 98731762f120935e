"""advice_for(): each knob's direction and reason agree, and no knob is pushed past its end."""

import pytest
from sklearn.base import BaseEstimator
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_hp import LogisticClassifier, MLPClassifier
from sklearn_hp.diagnostics import KNOBS, advice_for


class Knobs(BaseEstimator):
    """Every knob diagnose knows, with values that can move either way."""

    def __init__(self, alpha=0.01, C=1.0, dropout=0.2, hidden_layer_sizes=(32, 16),
                 max_depth=5, min_samples_leaf=4, n_neighbors=5, early_stopping=False,
                 max_epochs=10, learning_rate=0.01):
        self.alpha, self.C, self.dropout = alpha, C, dropout
        self.hidden_layer_sizes, self.max_depth = hidden_layer_sizes, max_depth
        self.min_samples_leaf, self.n_neighbors = min_samples_leaf, n_neighbors
        self.early_stopping, self.max_epochs = early_stopping, max_epochs
        self.learning_rate = learning_rate


#: name -> (against overfitting, against underfitting), with the reason each gives
EXPECTED = {
    "alpha": (("increase", "a stronger weight penalty"), ("decrease", "a weaker weight penalty")),
    "C": (("decrease", "a smaller C"), ("increase", "a larger C")),
    "dropout": (("increase", "dropping more units"), ("decrease", "dropping fewer units")),
    "hidden_layer_sizes": (("decrease", "fewer units"), ("increase", "more units")),
    "max_depth": (("decrease", "shallower trees"), ("increase", "deeper trees")),
    "min_samples_leaf": (("increase", "bigger leaves"), ("decrease", "smaller leaves")),
    "n_neighbors": (("increase", "more neighbours"), ("decrease", "fewer neighbours")),
    "early_stopping": (("set to True", "training stops at the best"), None),
}


def _advice(estimator, verdict, converged=None):
    return {name: (action, why) for name, action, why in
            advice_for(estimator, verdict, converged)}


@pytest.mark.parametrize("verdict, column", [("overfitting", 0), ("underfitting", 1)])
def test_every_knob_turns_the_way_its_reason_says(verdict, column):
    advice = _advice(Knobs(), verdict)
    assert set(EXPECTED) == {knob.name for knob in KNOBS}
    for name, turns in EXPECTED.items():
        expected = turns[column]
        if expected is None:
            assert name not in advice
            continue
        action, why = advice[name]
        assert action == expected[0] and why.startswith(expected[1]), (name, action, why)


@pytest.mark.parametrize("setting, verdict, silent", [
    ({"alpha": 0.0}, "underfitting", "alpha"),          # no penalty below none
    ({"dropout": 0.0}, "underfitting", "dropout"),      # no dropout below none
    ({"dropout": 0.9}, "overfitting", "dropout"),       # little of the network left
    ({"C": 0.0}, "overfitting", "C"),
    ({"hidden_layer_sizes": (1, 1)}, "overfitting", "hidden_layer_sizes"),
    ({"max_depth": None}, "underfitting", "max_depth"),  # unlimited already
    ({"max_depth": 1}, "overfitting", "max_depth"),
    ({"min_samples_leaf": 1}, "underfitting", "min_samples_leaf"),
    ({"n_neighbors": 1}, "underfitting", "n_neighbors"),
    ({"early_stopping": True}, "overfitting", "early_stopping"),
])
def test_a_knob_at_the_end_of_its_range_is_not_named(setting, verdict, silent):
    assert silent in _advice(Knobs(), verdict)
    assert silent not in _advice(Knobs(**setting), verdict)


def test_unlimited_depth_may_be_limited_and_the_others_still_move():
    advice = _advice(Knobs(max_depth=None, alpha=0.0), "overfitting")
    assert advice["max_depth"][0] == "decrease" and advice["alpha"][0] == "increase"


def test_epoch_and_learning_rate_advice_when_training_was_cut_off():
    advice = _advice(Knobs(), "underfitting", converged=False)
    assert advice["max_epochs"] == ("increase", "the training loss was still falling")
    assert advice["learning_rate"][0] == "increase"
    assert "max_epochs" not in _advice(Knobs(), "overfitting", converged=False)
    assert _advice(Knobs(learning_rate="optimal"), "diverged") == {}
    assert _advice(Knobs(learning_rate="auto"), "diverged")["learning_rate"][0] == "decrease"


def test_real_estimators_in_a_pipeline():
    network = make_pipeline(StandardScaler(), MLPClassifier(dropout=0.0, alpha=0.0))
    advice = _advice(network, "underfitting")
    assert "mlpclassifier__dropout" not in advice and "mlpclassifier__alpha" not in advice
    assert advice["mlpclassifier__hidden_layer_sizes"][0] == "increase"
    advice = _advice(network, "overfitting")
    assert advice["mlpclassifier__dropout"][0] == "increase"
    assert advice["mlpclassifier__alpha"][0] == "increase"
    assert advice["mlpclassifier__early_stopping"][0] == "set to True"
    assert _advice(LogisticClassifier(alpha=1.0), "underfitting")["alpha"] == (
        "decrease", "a weaker weight penalty lets the weights grow to fit the data")
