"""Twins: candidates that train the same model are promoted once (``search/_twins.py``)."""

import math
from collections import defaultdict

import numpy as np
import pytest
from sklearn.base import BaseEstimator

from sklearn_hp.search import HyperbandSearchCV, Real, SuccessiveHalvingSearchCV, TPESampler
from sklearn_hp.search._storage import TrialRecord
from sklearn_hp.search._twins import distinct_order, fold_signature, one_per_model

rng = np.random.RandomState(0)
X = rng.normal(size=(330, 2))  # 3 folds of 110 test rows: enough to tell models apart
Y = (X[:, 0] > 0).astype(int)


class Quantised(BaseEstimator):
    """Fits the same model for every ``x`` rounding to the same quarter, as a forest's
    ``max_features`` does; the score peaks at 0.4 (0.5 of the quarters), rises with the budget
    ``max_epochs`` and, with ``fold_term``, differs from fold to fold."""

    def __init__(self, x=0.5, max_epochs=9, fold_term=True):
        self.x = x
        self.max_epochs = max_epochs
        self.fold_term = fold_term

    def fit(self, X, y=None):
        self.level_ = round(self.x * 4) / 4
        return self

    def score(self, X, y=None):
        fold = 1e-3 * float(np.mean(X[:, 0])) if self.fold_term else 0.0
        return -((self.level_ - 0.4) ** 2) - 1.0 / self.max_epochs + fold


def _level(trial):
    return round(trial.params["x"] * 4) / 4


def _continued(trials):
    """``(budget, level)`` of every trial continued at the next rung of its bracket."""
    started = {(t.extra["bracket"], t.extra["iter"], t.params["x"]) for t in trials}
    return [(t.extra["n_resources"], _level(t)) for t in trials
            if (t.extra["bracket"], t.extra["iter"] + 1, t.params["x"]) in started]


def _halving(estimator=None, **kwargs):
    settings = dict(n_candidates=27, resource="max_epochs", max_resource=9, min_resource=1,
                    eta=3, cv=3, random_state=0, refit=False)
    return SuccessiveHalvingSearchCV(estimator or Quantised(), {"x": Real(0.0, 1.0)},
                                     **{**settings, **kwargs})


def test_a_rung_promotes_each_model_once_and_the_next_distinct_in_place_of_a_twin():
    """27 candidates draw 5 distinct models: the first rung promotes those 5 (not 9
    candidates, 4 of them repeats), the second the best of them; 27 + 5 + 1 trials."""
    search = _halving().fit(X, Y)
    trials = search.trials_
    first = [t for t in trials if t.extra["iter"] == 0]
    assert len({_level(t) for t in first}) == 5
    counts = np.bincount([t.extra["iter"] for t in trials])
    assert counts.tolist() == [27, 5, 1]
    continued = _continued(trials)
    assert sorted(continued) == sorted({(1, v) for v in (0.0, 0.25, 0.5, 0.75, 1.0)} | {(3, 0.5)})
    assert search.best_params_["x"] == pytest.approx(0.5, abs=0.125)
    # every twin left behind is pruned, like any candidate not promoted
    statuses = {t.status for t in first if (1, _level(t)) in continued
                and t.params["x"] not in {u.params["x"] for u in trials if u.extra["iter"] == 1}}
    assert statuses == {"pruned"}


def test_equal_scores_on_every_fold_tell_no_models_apart():
    """Without the fold term every fold scores the same: no candidate is a twin and the
    rungs keep their 27, 9 and 3 candidates."""
    search = _halving(estimator=Quantised(fold_term=False)).fit(X, Y)
    counts = np.bincount([t.extra["iter"] for t in search.trials_])
    assert counts.tolist() == [27, 9, 3]


def test_hyperband_continues_a_model_from_a_budget_once_across_brackets():
    """Over two iterations of three brackets, no two trials continued from the same
    budget are the same model, and twins were there to skip."""
    search = HyperbandSearchCV(Quantised(), {"x": Real(0.0, 1.0)}, resource="max_epochs",
                               max_resource=9, min_resource=1, eta=3, cv=3, n_iterations=2,
                               random_state=0, refit=False).fit(X, Y)
    continued = _continued(search.trials_)
    assert len(continued) == len(set(continued)) >= 6
    by_budget = defaultdict(list)
    for t in search.trials_:
        by_budget[t.extra["n_resources"]].append(_level(t))
    assert any(len(levels) > len(set(levels)) for b, levels in by_budget.items() if b < 9)


def test_asynchronous_promotions_skip_twins_of_their_rung():
    """ASHA with one worker: the second rung's candidates are distinct models."""
    search = _halving(asynchronous=True, n_jobs=1).fit(X, Y)
    second = [_level(t) for t in search.trials_ if t.extra["iter"] == 1]
    assert 1 <= len(second) == len(set(second)) <= 5


def _record(scores, status="complete", skipped=False, rows=100):
    splits = [{"test_scores": s, "skipped": skipped and k > 0, "n_test_samples": rows}
              for k, s in enumerate(scores)]
    mean = float(np.mean(scores)) if not isinstance(scores[0], dict) else 0.8
    return TrialRecord(number=0, params={}, score=mean, status=status, splits=splits)


def test_fold_signature_needs_every_fold_and_scores_that_differ():
    assert fold_signature(_record([0.8, 0.9, 0.85]), None) == np.array(
        [0.8, 0.9, 0.85]).tobytes()
    assert fold_signature(_record([1.0, 1.0, 1.0]), None) is None
    assert fold_signature(_record([0.8, 0.9, 0.85], skipped=True), None) is None
    assert fold_signature(_record([0.8, math.nan, 0.7]), None) is None
    multi = _record([{"acc": 0.8, "f1": 0.7}, {"acc": 0.9, "f1": 0.7},
                     {"acc": 0.7, "f1": 0.7}])
    assert fold_signature(multi, "acc") == np.array([0.8, 0.9, 0.7]).tobytes()
    assert fold_signature(multi, "f1") is None


def test_few_or_small_folds_tell_no_models_apart():
    """Scores on 2 folds, or on folds of 99 test rows, tie by chance: no signature."""
    assert fold_signature(_record([0.8, 0.9]), None) is None
    assert fold_signature(_record([0.8, 0.9, 0.85], rows=99), None) is None
    assert fold_signature(_record([0.8, 0.9, 0.85], rows=100), None) is not None
    small = _halving().fit(X[:90], Y[:90])  # 3 folds of 30 rows: every level promoted
    assert np.bincount([t.extra["iter"] for t in small.trials_]).tolist() == [27, 9, 3]


def test_distinct_order_ranks_best_first_and_drops_twins_and_taken():
    records = [_record([0.6, 0.7, 0.6]), _record([0.8, 0.9, 0.8]), _record([0.6, 0.7, 0.6]),
               _record([math.nan] * 3), _record([0.5, 0.55, 0.5])]
    records[3].score = math.nan
    assert distinct_order(records, None) == [1, 0, 4, 3]
    taken = {fold_signature(records[1], None)}
    assert distinct_order(records, None, taken) == [0, 4, 3]


def test_one_per_model_keeps_the_first_of_each_model_in_order():
    records = [_record([0.6, 0.7, 0.6]), _record([0.8, 0.9, 0.8]), _record([0.6, 0.7, 0.6]),
               _record([1.0, 1.0, 1.0]), _record([1.0, 1.0, 1.0])]
    assert one_per_model(records, None) == [records[0], records[1], records[3], records[4]]


def test_the_sampler_of_a_budget_search_sees_each_model_once():
    """The TPE inside Hyperband models the trials of the largest budget with enough of
    them: twins there count once."""
    class Spy(TPESampler):
        def propose(self, space, trials, n_candidates, random_state, pending=()):
            calls.append(trials)
            return super().propose(space, trials, n_candidates, random_state, pending)

    calls = []
    HyperbandSearchCV(Quantised(), {"x": Real(0.0, 1.0)}, resource="max_epochs",
                      max_resource=9, min_resource=1, eta=3, cv=3, n_iterations=2,
                      sampler=Spy(), random_state=0, refit=False).fit(X, Y)
    modelled = [trials for trials in calls if trials]
    assert len(modelled) >= 3
    for trials in modelled:
        levels = [_level(t) for t in trials]
        assert len(levels) == len(set(levels)) >= 3
