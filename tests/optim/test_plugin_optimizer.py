"""Adding an optimizer is one class and one registry line, and nothing else.

Lion (Chen et al., 2023) is written here, outside the package, and registered by a
fixture that removes it again; every estimator then takes ``optimizer="lion"``, the
constraint error lists it, and the optimizer contract battery runs it.
"""

import numpy as np
import pytest
from sklearn.model_selection import RandomizedSearchCV

import sklearn_hp as hp
from sklearn_hp.optim import OPTIMIZERS, Optimizer
from sklearn_hp.testing import check_block, check_registered

from ._plugins import ESTIMATORS, X_CLF, Y_CLF, fit_every_estimator, registered


class Lion(Optimizer):
    """Sign of an interpolated momentum; it is its own gradient transform."""

    builds = 0

    def __init__(self, beta_1=0.9, beta_2=0.99):
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def build(self, decay_mask=None):
        Lion.builds += 1
        return self

    def init(self, params):
        return {"m": [np.zeros_like(p) for p in params]}

    def update(self, grads, state, params):
        for g, m in zip(grads, state["m"]):
            direction = np.sign(self.beta_1 * m + (1.0 - self.beta_1) * g)
            m *= self.beta_2
            m += (1.0 - self.beta_2) * g
            g[...] = direction
        return grads


@pytest.fixture
def lion():
    Lion.builds = 0
    with registered(OPTIMIZERS, "lion", Lion):  # the one line a new optimizer needs
        yield Lion


def test_every_estimator_trains_with_the_registered_optimizer(lion):
    fitted = fit_every_estimator(optimizer="lion", learning_rate=0.01, max_epochs=30)
    scores = {name: score for name, (_, score) in fitted.items()}
    assert lion.builds == len(ESTIMATORS)  # each fit built the Lion transform once
    # Trained, not just run: well above chance accuracy / a constant model's R^2 of 0.
    assert min(scores.values()) > 0.7, scores


def test_the_constraint_error_lists_the_registered_optimizer(lion):
    for cls, X, y in ESTIMATORS:
        with pytest.raises(ValueError, match=r"'optimizer' parameter.*'lion'.*Got 'lino'"):
            cls(optimizer="lino", max_epochs=1).fit(X, y)
    OPTIMIZERS.unregister("lion")
    with pytest.raises(ValueError, match="'optimizer' parameter") as error:
        hp.MLPClassifier(optimizer="lion", max_epochs=1).fit(X_CLF, Y_CLF)
    accepted = str(error.value).split("Got")[0]
    assert "'adam'" in accepted and "'lion'" not in accepted


def test_the_optimizer_contract_battery_runs_the_registered_optimizer(lion):
    checked = check_registered("optimizer")
    assert checked == list(OPTIMIZERS) and checked[-1] == "lion"
    # Per check: 2 builds for the descent-direction checks, 4 learning rates on a quadratic.
    assert lion.builds == 6


def test_the_battery_rejects_an_optimizer_that_ascends(lion):
    class Ascent(Lion):
        def update(self, grads, state, params):
            for g in grads:
                g *= -1.0
            return grads

    with pytest.raises(AssertionError, match="not a descent direction"):
        check_block("optimizer", Ascent())


def test_settings_of_the_registered_optimizer_are_searchable(lion):
    search = RandomizedSearchCV(
        hp.MLPClassifier((8,), optimizer=Lion(), learning_rate=0.01, max_epochs=5, tol=None,
                      random_state=0),
        {"optimizer__beta_1": [0.5, 0.8, 0.95], "optimizer__beta_2": [0.9, 0.99]},
        n_iter=4, cv=2, random_state=0,
    ).fit(X_CLF, Y_CLF)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_estimator_.optimizer.beta_1 == search.best_params_["optimizer__beta_1"]
