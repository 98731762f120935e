"""The parameters / hyperparameters split, as the inspection tools report it."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sklearn_hp import LinearRegressor, LogisticClassifier
from sklearn_hp.inspection import count_parameters, hyperparameters, learned_parameters
from sklearn_hp.optim import Adam


def test_hyperparameters_are_the_init_arguments():
    model = LogisticClassifier(alpha=0.3, optimizer=Adam(beta_1=0.7))
    hp = hyperparameters(model)
    assert hp["alpha"] == 0.3 and "coef_" not in hp
    assert hyperparameters(model, deep=True)["optimizer__beta_1"] == 0.7


def test_learned_parameters_are_the_fitted_numbers():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 4)
    model = LinearRegressor(max_epochs=3, tol=None).fit(X, X @ [1.0, 2.0, 3.0, 4.0])
    learned = learned_parameters(model)
    assert set(learned) == {"coef_", "intercept_"}
    assert count_parameters(model) == 5
    records = learned_parameters(model, include_bookkeeping=True)
    assert records["n_features_in_"] == 4 and len(records["loss_curve_"]) == 3


def test_learned_parameters_of_an_unfitted_model_raise():
    with pytest.raises(NotFittedError):
        learned_parameters(LinearRegressor())
