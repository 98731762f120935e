"""Budgets that continue training for scikit-learn's own estimators.

For each family the test checks how a larger budget is applied (``continue``:
the extra epochs or iterations on the checkpointed model; ``total``: the new
total on the checkpointed ensemble; ``restart``: from scratch), and counts what
successive halving trained: 3 candidates at budget 2, one continued to 6, on
2 splits. Where the estimator is deterministic, the continued model scores
exactly as one trained from scratch with the whole budget on the same split.
"""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.ensemble import (
    ExtraTreesClassifier,
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import KFold
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC

from sklearn_hp.search import SuccessiveHalvingSearchCV
from sklearn_hp.search._budget import resolve_continuation

X, Y = load_digits(return_X_y=True)
X, Y = X[:240] / 16.0, Y[:240]
CV = KFold(2, shuffle=True, random_state=0)
CONTINUED = 2 * (3 * 2 + (6 - 2))  # rung 0: 3 x 2; rung 1: 4 more for one candidate
RESTARTED = 2 * (3 * 2 + 6)

CASES = [
    # estimator, resource, space, how a larger budget applies, deterministic
    (MLPClassifier(hidden_layer_sizes=(8,), random_state=0), "max_iter",
     {"alpha": [1e-4, 1e-2, 1.0]}, "continue", False),
    (SGDClassifier(tol=None, random_state=0), "max_iter",
     {"alpha": [1e-4, 1e-2, 1.0]}, "continue", False),
    (HistGradientBoostingClassifier(early_stopping=False, random_state=0), "max_iter",
     {"learning_rate": [0.05, 0.1, 0.3]}, "total", True),
    (GradientBoostingClassifier(random_state=0, max_depth=2), "n_estimators",
     {"learning_rate": [0.05, 0.1, 0.3]}, "total", True),
    (RandomForestClassifier(random_state=0), "n_estimators",
     {"max_features": [0.2, 0.5, 1.0]}, "total", True),
    (ExtraTreesClassifier(random_state=0), "n_estimators",
     {"max_features": [0.2, 0.5, 1.0]}, "total", True),
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("estimator, resource, space, how, deterministic", CASES,
                         ids=[type(c[0]).__name__ for c in CASES])
def test_successive_halving_continues_training(estimator, resource, space, how, deterministic):
    assert resolve_continuation(estimator, resource) == how
    search = SuccessiveHalvingSearchCV(estimator, space, resource=resource, max_resource=6,
                                       min_resource=2, n_candidates=3, random_state=0,
                                       cv=CV).fit(X, Y)
    assert search.resource_spent_ == CONTINUED < search.resource_requested_ == RESTARTED
    if deterministic:  # the continued model is the model trained with the whole budget
        top = [t for t in search.trials_ if t.budget == 6][0]
        fresh = estimator.set_params(**{**top.params, resource: 6})
        for split, (train, test) in zip(top.splits, CV.split(X, Y)):
            score = fresh.fit(X[train], Y[train]).score(X[test], Y[test])
            assert split["test_scores"] == pytest.approx(score, abs=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_an_estimator_without_warm_start_restarts():
    assert resolve_continuation(SVC(), "max_iter") == "restart"
    search = SuccessiveHalvingSearchCV(SVC(), {"C": [0.1, 1.0, 10.0]}, resource="max_iter",
                                       max_resource=6, min_resource=2, n_candidates=3,
                                       random_state=0, cv=CV).fit(X, Y)
    assert search.resource_spent_ == search.resource_requested_ == RESTARTED
    assert np.isfinite(search.best_score_)
