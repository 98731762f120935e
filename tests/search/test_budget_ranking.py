"""Budget searches rank at the largest budget first: rank 1 is the refitted candidate."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import load_digits

from sklearn_hp import MLPClassifier
from sklearn_hp.cli._report import results_table
from sklearn_hp.search import HyperbandSearchCV, Real, SuccessiveHalvingSearchCV
from sklearn_hp.search._hyperband import rank_by_budget

X_DIGITS, Y_DIGITS = load_digits(return_X_y=True)
X_DIGITS, Y_DIGITS = X_DIGITS[:300] / 16, Y_DIGITS[:300]
MLP_SPACE = {"learning_rate": Real(1e-4, 1e-1, log=True)}
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


class OverfittingModel(RegressorMixin, BaseEstimator):
    """Scores best after few epochs: a longer budget lowers every candidate's score.

    ``score = 1 - epochs / 100 - (log10(lr) + 1)**2``, so scikit-learn's ranking
    by score alone would put a low-budget row first.
    """

    def __init__(self, lr=0.01, max_epochs=27, warm_start=False):
        self.lr = lr
        self.max_epochs = max_epochs
        self.warm_start = warm_start

    def fit(self, X, y=None):
        if not (self.warm_start and hasattr(self, "epochs_")):
            self.epochs_ = 0
        for _ in range(self.max_epochs):
            self.partial_fit(X, y)
        return self

    def partial_fit(self, X, y=None):
        self.epochs_ = getattr(self, "epochs_", 0) + 1
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return 1.0 - self.epochs_ / 100 - (np.log10(self.lr) + 1.0) ** 2


def _check_budget_first(search, metric="score"):
    """Rank 1 is best_index_ at the largest budget; every larger budget ranks ahead."""
    results = search.cv_results_
    ranks = np.asarray(results[f"rank_test_{metric}"])
    budgets = np.asarray(results["n_resources"])
    scores = np.asarray(results[f"mean_test_{metric}"], dtype=float)
    assert ranks[search.best_index_] == 1
    assert np.flatnonzero(ranks == 1).tolist() == [search.best_index_]
    assert budgets[search.best_index_] == budgets.max() == search.max_resource_
    finite = np.isfinite(scores)
    for i in np.flatnonzero(finite):
        for j in np.flatnonzero(finite):
            if budgets[i] > budgets[j] or (budgets[i] == budgets[j] and scores[i] > scores[j]):
                assert ranks[i] < ranks[j], (i, j)
    return results


def test_rank_by_budget_orders_budget_then_score_and_puts_nan_last():
    results = {"n_resources": np.array([4, 4, 13, 40, 40, 13, 40, 4]),
               "mean_test_score": np.array([0.99, 0.5, 0.9, 0.8, 0.85, np.nan, 0.8, np.nan]),
               "rank_test_score": np.zeros(8, dtype=np.int32)}
    rank_by_budget(results)
    # 40: 0.85, 0.8, 0.8 (tied) | 13: 0.9 | 4: 0.99, 0.5 | NaN rows share the last rank
    assert results["rank_test_score"].tolist() == [5, 6, 4, 2, 1, 7, 2, 7]
    assert results["rank_test_score"].dtype == np.int32


def test_rank_by_budget_ranks_every_metric_by_its_own_scores():
    results = {"n_resources": np.array([1, 3, 3]),
               "mean_test_acc": np.array([0.9, 0.6, 0.7]),
               "mean_test_f1": np.array([0.1, 0.8, 0.2]),
               "rank_test_acc": np.zeros(3, dtype=np.int32),
               "rank_test_f1": np.zeros(3, dtype=np.int32)}
    rank_by_budget(results)
    assert results["rank_test_acc"].tolist() == [3, 2, 1]
    assert results["rank_test_f1"].tolist() == [3, 1, 2]


@pytest.mark.parametrize("search_cls", [HyperbandSearchCV, SuccessiveHalvingSearchCV])
def test_a_model_that_overfits_ranks_its_full_budget_row_first(search_cls, toy_data):
    search = search_cls(OverfittingModel(), {"lr": Real(1e-3, 1.0, log=True)},
                        max_resource=27, min_resource=3, random_state=0, cv=2)
    search.fit(*toy_data)
    results = _check_budget_first(search)
    scores = np.asarray(results["mean_test_score"])
    # the case this ranking is for: a lower budget scored higher than the refitted row
    assert scores.max() > scores[search.best_index_]
    assert search.best_score_ == scores[search.best_index_]
    assert search.best_params_ == results["params"][search.best_index_]
    assert search.best_params_["max_epochs"] == 27 and search.best_estimator_.epochs_ == 27


def test_hyperband_over_an_mlp_ranks_the_saved_model_first():
    search = HyperbandSearchCV(MLPClassifier(hidden_layer_sizes=(16,), max_epochs=9,
                                             random_state=0),
                               MLP_SPACE, cv=2, random_state=0)
    search.fit(X_DIGITS, Y_DIGITS)
    results = _check_budget_first(search)
    assert sorted(set(results["n_resources"])) == [1, 3, 9]
    assert search.best_params_["max_epochs"] == 9
    assert search.best_score_ == results["mean_test_score"][search.best_index_]
    # the report's table lists the rows by rank: its first row is the saved model
    table = results_table(search, top=3)
    assert "the largest budget ranked first" in table.splitlines()[0]
    first_row = table.splitlines()[3]
    assert first_row.split()[0] == "1" and "max_epochs=9" in first_row
    assert f"{search.best_score_:.4f}" in first_row


def test_successive_halving_multimetric_refit_by_name_and_by_callable():
    scoring = {"acc": "accuracy", "bal": "balanced_accuracy"}
    kwargs = dict(max_resource=9, min_resource=1, random_state=0, cv=2, scoring=scoring)
    mlp = MLPClassifier(hidden_layer_sizes=(16,), max_epochs=9, random_state=0)
    by_name = SuccessiveHalvingSearchCV(mlp, MLP_SPACE, refit="bal", **kwargs)
    by_name.fit(X_DIGITS, Y_DIGITS)
    _check_budget_first(by_name, "bal")
    _check_budget_first(by_name, "acc")
    assert by_name.best_score_ == by_name.cv_results_["mean_test_bal"][by_name.best_index_]

    # a callable choosing by rank (scikit-learn's usual pattern) gets the full-budget row
    by_rank = SuccessiveHalvingSearchCV(
        mlp, MLP_SPACE, refit=lambda r: int(np.argmin(r["rank_test_bal"])), **kwargs)
    by_rank.fit(X_DIGITS, Y_DIGITS)
    assert by_rank.best_index_ == by_name.best_index_
    assert by_rank.best_params_["max_epochs"] == 9
