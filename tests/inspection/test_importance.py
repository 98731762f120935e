"""hyperparameter_importance(): the hyperparameters that move the score get the shares."""

import numpy as np
import pytest
from scipy.stats import loguniform, randint, uniform
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

from sklearn_hp.inspection import hyperparameter_importance

X_dummy, y_dummy = np.zeros((6, 1)), np.zeros(6)


class FiveKnobs(RegressorMixin, BaseEstimator):
    """A model whose score depends on ``rate`` and ``width`` only."""

    def __init__(self, rate=0.01, width=1, decay=0.5, seed=0, kind="a"):
        self.rate, self.width, self.decay, self.seed, self.kind = rate, width, decay, seed, kind

    def fit(self, X, y):
        self.n_features_in_ = 1
        return self

    def score(self, X, y):
        return -(np.log10(self.rate) + 2.0) ** 2 - 0.3 * abs(self.width - 5)


SPACE = {"rate": loguniform(1e-4, 1.0), "width": randint(1, 10), "decay": uniform(0, 1),
         "seed": randint(0, 100), "kind": ["a", "b", "c"]}


def test_two_of_five_hyperparameters_get_at_least_80_percent():
    search = RandomizedSearchCV(FiveKnobs(), SPACE, n_iter=60, cv=2,
                                random_state=0).fit(X_dummy, y_dummy)
    result = hyperparameter_importance(search)
    shares = result.importances
    assert set(shares) == set(SPACE)
    assert shares["rate"] + shares["width"] >= 0.8
    assert {row["name"] for row in result.rows[:2]} == {"rate", "width"}
    assert np.isclose(sum(shares.values()), 1.0)
    assert result.n_candidates == 60 and result.surrogate_r2 > 0.5
    text = str(result)
    assert "over 60 candidates" in text and "rate" in text.splitlines()[3]


def test_grid_search_and_constant_scores():
    grid = GridSearchCV(FiveKnobs(), {"rate": [1e-3, 1e-2, 1e-1], "decay": [0.1, 0.9]},
                        cv=2).fit(X_dummy, y_dummy)
    shares = hyperparameter_importance(grid).importances
    assert shares["rate"] > 0.9 and shares["decay"] < 0.1
    flat = GridSearchCV(FiveKnobs(), {"decay": [0.1, 0.5, 0.9]}, cv=2).fit(X_dummy, y_dummy)
    assert hyperparameter_importance(flat).importances == {"decay": 0.0}


def test_halving_search_uses_the_budget_as_a_covariate_not_a_share():
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV

    search = HalvingRandomSearchCV(FiveKnobs(), SPACE, n_candidates=30, factor=2, cv=2,
                                   min_resources=4, max_resources=16, resource="n_samples",
                                   random_state=0).fit(np.zeros((16, 1)), np.zeros(16))
    shares = hyperparameter_importance(search).importances
    assert "n_resources" not in shares and set(shares) == set(SPACE)
    assert shares["rate"] + shares["width"] >= 0.8


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="has no cv_results_: fit the search first"):
        hyperparameter_importance(GridSearchCV(FiveKnobs(), {"rate": [0.1]}))
    small = GridSearchCV(FiveKnobs(), {"rate": [0.1, 1.0]}, cv=2).fit(X_dummy, y_dummy)
    with pytest.raises(ValueError, match="needs at least 3 candidates with a finite score"):
        hyperparameter_importance(small)
    with pytest.raises(ValueError, match=r"metric='f1' is not in cv_results_"):
        hyperparameter_importance(small, metric="f1")


class NoiseKnobs(FiveKnobs):
    """Scores are noise: a fixed random number per candidate, unrelated to its settings."""

    def score(self, X, y):
        key = hash((round(np.log10(self.rate), 6), self.width, round(self.decay, 6)))
        return float(np.random.default_rng(key % 2**32).normal())


def test_scores_the_forest_cannot_explain_get_no_shares_but_a_sentence():
    search = RandomizedSearchCV(NoiseKnobs(), SPACE, n_iter=40, cv=2,
                                random_state=0).fit(X_dummy, y_dummy)
    result = hyperparameter_importance(search)
    assert result.surrogate_r2 <= 0 and result.explains_nothing
    assert all(np.isnan(share) for share in result.importances.values())
    assert set(result.importances) == set(SPACE)
    assert str(result) == (
        "The forest explains none of the variation of mean test score over 40 candidates "
        f"(out-of-bag R² = {result.surrogate_r2:.2f}); no importance shown: the differences "
        "between candidates look like noise to it.")
    assert "%" not in str(result)


def test_an_explained_search_is_not_flagged():
    search = RandomizedSearchCV(FiveKnobs(), SPACE, n_iter=30, cv=2,
                                random_state=0).fit(X_dummy, y_dummy)
    result = hyperparameter_importance(search)
    assert result.surrogate_r2 > 0 and not result.explains_nothing
    assert str(result).startswith("Share of the variation of mean test score over 30")
