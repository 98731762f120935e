"""Trial storage: resume, fingerprint, statuses, and files that must be refused."""

import json
import sqlite3

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold

from tests.search.test_hyperband import SPACE as EPOCH_SPACE
from tests.search.test_hyperband import EpochModel

from sklearn_hp.search import (
    BayesSearchCV,
    Categorical,
    HyperbandSearchCV,
    Real,
    SQLiteStorage,
    StorageError,
    SuccessiveHalvingSearchCV,
)

X = np.random.RandomState(0).normal(size=(40, 3))
Y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * np.random.RandomState(1).normal(size=40)


class Counting(RegressorMixin, BaseEstimator):
    """Ridge that counts its fits in a class-level list (n_jobs=1 only)."""

    fits = []

    def __init__(self, alpha=1.0, solver="auto"):
        self.alpha = alpha
        self.solver = solver

    def fit(self, X, y):
        Counting.fits.append(self.alpha)
        self.model_ = Ridge(alpha=self.alpha).fit(X, y)
        return self

    def predict(self, X):
        return self.model_.predict(X)


SPACE = {"alpha": Real(1e-3, 1e3, log=True)}


def _bayes(storage, n_iter, **kw):
    return BayesSearchCV(Counting(), SPACE, n_iter=n_iter, random_state=0, cv=3,
                         storage=storage, sampler="sobol", **kw)


def test_fit_again_with_the_same_storage_resumes(tmp_path):
    db = tmp_path / "study.db"
    Counting.fits.clear()
    first = _bayes(str(db), 5).fit(X, Y)
    assert len(Counting.fits) == 5 * 3 + 1
    Counting.fits.clear()
    second = _bayes(db, 8).fit(X, Y)  # a path-like works too
    # only the 3 new candidates are fitted (3 splits each), plus the refit
    assert len(Counting.fits) == 3 * 3 + 1
    assert second.cv_results_["params"][:5] == first.cv_results_["params"]
    assert len(second.cv_results_["params"]) == len(second.trials_) == 8
    np.testing.assert_allclose(second.cv_results_["mean_test_score"][:5],
                               first.cv_results_["mean_test_score"])
    # no candidate of the resumed run repeats one of the first run
    assert len({p["alpha"] for p in second.cv_results_["params"]}) == 8
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT number, status, splits FROM sklearn_hp_trials").fetchall()
    assert [r[0] for r in rows] == list(range(8))
    assert {r[1] for r in rows} == {"complete"}
    assert all(len(json.loads(r[2])) == 3 for r in rows)
    # a finished search fitted again only rebuilds its results and refits
    Counting.fits.clear()
    third = _bayes(db, 8).fit(X, Y)
    assert len(Counting.fits) == 1 and third.best_params_ == second.best_params_


@pytest.mark.parametrize("change, named", [
    (dict(estimator=Counting(solver="svd")), "estimator"),
    (dict(search_spaces={"alpha": Real(1e-2, 1e2, log=True)}), "search_spaces"),
    (dict(cv=KFold(4)), "cv"),
    (dict(scoring="neg_mean_absolute_error"), "scoring"),
    (dict(data=(X[:30], Y[:30])), "data"),
    (dict(data=(X + 1.0, Y)), "data"),
])
def test_a_different_search_is_refused_naming_the_difference(tmp_path, change, named):
    db = str(tmp_path / "study.db")
    _bayes(db, 3).fit(X, Y)
    data = change.pop("data", (X, Y))
    search = _bayes(db, 5).set_params(**change)
    with pytest.raises(StorageError, match=f"holds a different search; {named} differ"):
        search.fit(*data)
    # nothing was added to the storage
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM sklearn_hp_trials").fetchone()[0] == 3


def test_a_different_search_class_is_refused(tmp_path):
    db = str(tmp_path / "study.db")
    _bayes(db, 3).fit(X, Y)
    with pytest.raises(StorageError, match="estimator, search, search_spaces, settings differ"):
        SuccessiveHalvingSearchCV(Ridge(), {"alpha": [1.0, 2.0]}, resource="n_samples",
                                  storage=db, cv=3).fit(X, Y)


def test_corrupt_foreign_and_locked_files_give_clear_errors(tmp_path):
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StorageError, match="is not a readable SQLite database"):
        _bayes(str(corrupt), 2).fit(X, Y)
    assert corrupt.read_bytes().startswith(b"this is not")  # never overwritten

    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match=r"database of something else \(tables: \['customers'\]"):
        _bayes(str(foreign), 2).fit(X, Y)

    locked = tmp_path / "locked.db"
    _bayes(str(locked), 2).fit(X, Y)
    holder = sqlite3.connect(locked, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError, match="is locked by another process"):
            _bayes(SQLiteStorage(locked, timeout=0.2), 3).fit(X, Y)
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    with pytest.raises(ValueError, match="storage='' is not a file name"):
        _bayes("", 2).fit(X, Y)


def test_a_storage_in_use_by_a_live_process_is_refused(tmp_path):
    db = str(tmp_path / "study.db")
    _bayes(db, 2).fit(X, Y)
    conn = sqlite3.connect(db)
    conn.execute("INSERT OR REPLACE INTO sklearn_hp_meta VALUES ('owner', ?)",
                 (json.dumps([__import__("socket").gethostname(), 1]),))  # pid 1 is alive
    conn.commit()
    conn.close()
    for _ in range(2):  # a refused search leaves the other process's lease alone
        with pytest.raises(StorageError, match="is in use by process 1"):
            _bayes(db, 3).fit(X, Y)


def test_parameter_values_round_trip_through_the_file(tmp_path):
    db = str(tmp_path / "study.db")
    estimators = [Ridge(), Ridge(fit_intercept=False)]
    space = {"alpha": loguniform(1e-2, 1e1), "solver": ["auto", "svd"],
             "inner": Categorical(estimators), "shape": [(4,), (8, 4)], "flag": [None, True]}

    class Model(Counting):
        def __init__(self, alpha=1.0, solver="auto", inner=None, shape=(4,), flag=None):
            super().__init__(alpha, solver)
            self.inner, self.shape, self.flag = inner, shape, flag

    first = BayesSearchCV(Model(), space, n_iter=4, sampler="random", random_state=0, cv=3,
                          storage=db).fit(X, Y)
    second = BayesSearchCV(Model(), space, n_iter=4, sampler="random", random_state=0, cv=3,
                           storage=db).fit(X, Y)
    for a, b in zip(first.cv_results_["params"], second.cv_results_["params"]):
        assert a["alpha"] == b["alpha"] and a["solver"] == b["solver"]
        assert a["shape"] == b["shape"] and type(b["shape"]) is tuple
        assert a["flag"] is b["flag"] or a["flag"] == b["flag"]
        assert b["inner"] is estimators[0] or b["inner"] is estimators[1]
        assert a["inner"] is b["inner"]


def test_budget_search_records_rungs_and_pruned_trials(tmp_path):
    db = str(tmp_path / "hb.db")
    data = (X, Y)
    search = SuccessiveHalvingSearchCV(EpochModel(), EPOCH_SPACE, max_resource=9, min_resource=1,
                                       random_state=0, cv=2, storage=db).fit(*data)
    rows = sqlite3.connect(db).execute(
        "SELECT rung, budget, status FROM sklearn_hp_trials ORDER BY number").fetchall()
    assert [r[0] for r in rows] == [0] * 9 + [1] * 3 + [2]
    assert [r[1] for r in rows] == [1] * 9 + [3] * 3 + [9]
    # 6 of 9 pruned at rung 0, 2 of 3 at rung 1, the last one complete
    assert [r[2] for r in rows].count("pruned") == 8
    assert [s.status for s in search.trials_].count("complete") == 5
    assert not (tmp_path / "hb.db.checkpoints").exists()
    spent = search.resource_spent_
    # fit again: nothing is trained and resource_spent_ is this search's, not doubled
    again = SuccessiveHalvingSearchCV(EpochModel(), EPOCH_SPACE, max_resource=9, min_resource=1,
                                      random_state=0, cv=2, storage=db, refit=False).fit(*data)
    assert again.resource_spent_ == spent == 2 * (9 + 3 * 2 + 6)
    assert again.cv_results_["params"] == search.cv_results_["params"]


def test_resource_spent_is_not_cumulative_across_fits(tmp_path):
    search = SuccessiveHalvingSearchCV(EpochModel(), EPOCH_SPACE, max_resource=9, min_resource=1,
                                       random_state=0, cv=2, checkpoint_dir=str(tmp_path))
    first = search.fit(X, Y).resource_spent_
    assert search.fit(X, Y).resource_spent_ == first == 2 * (9 + 6 + 6)
    assert list(tmp_path.iterdir()) == []  # no checkpoint left in the given directory


def test_hyperband_resumes_to_the_same_result_as_an_uninterrupted_run(tmp_path):
    db = str(tmp_path / "hb.db")

    def make(storage, **kw):
        return HyperbandSearchCV(EpochModel(), EPOCH_SPACE, max_resource=9, random_state=0, cv=2,
                                 storage=storage, **kw)

    full = make(None).fit(X, Y)

    class StopAfter:
        def __init__(self, n):
            self.n = n

        def on_trial_end(self, search, trial):
            return len(search.trials_) >= self.n

    stopped = make(db, callbacks=[StopAfter(11)]).fit(X, Y)
    # asked to stop inside the second rung's batch of 3: the whole batch is kept
    assert stopped.n_trials_ == 12 and stopped.stop_reason_ == "callback StopAfter"
    resumed = make(db).fit(X, Y)
    assert resumed.stop_reason_ is None
    assert resumed.cv_results_["params"] == full.cv_results_["params"]
    np.testing.assert_allclose(resumed.cv_results_["mean_test_score"],
                               full.cv_results_["mean_test_score"])
    assert resumed.best_params_ == full.best_params_


def test_a_fit_parses_the_search_space_once(monkeypatch):
    from sklearn_hp.search import _space

    parsed = []
    original = _space.SearchSpace.__init__

    def counting_init(self, *args, **kwargs):
        parsed.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(_space.SearchSpace, "__init__", counting_init)
    search = _bayes(None, 6).fit(X, Y)
    assert len(parsed) == 1 and len(search.cv_results_["params"]) == 6


@pytest.mark.parametrize("n_jobs, n_splits, budgeted, pace, expected", [
    (1, 5, False, None, 1),     # one worker: a candidate per batch until the pace is known
    (2, 3, False, None, 2),     # 6 fits fill both workers equally
    (4, 2, False, None, 2),     # 4 fits, one round
    (8, 5, False, None, 8),     # 40 fits: 5 rounds of 8 workers is the first equal fill
    (2, 3, False, 0.1, 50),     # 0.1 s a candidate: whole rounds (of 2) for about 5 s
    (2, 3, False, 30.0, 2),     # slow fits: never below one round
    (2, 5, True, None, 1),      # time budget: about n_jobs fits
    (8, 3, True, 0.1, 3),       # ... whatever the pace
])
def test_batches_hold_one_round_of_the_workers_or_about_five_seconds(
        n_jobs, n_splits, budgeted, pace, expected):
    from sklearn_hp.search._search_base import BATCH_SECONDS, batch_limit

    assert BATCH_SECONDS == 5.0
    assert batch_limit(n_jobs, n_splits, budgeted, pace) == expected


def test_each_rung_runs_one_candidate_then_the_rest_when_fits_are_fast(tmp_path, monkeypatch):
    from sklearn_hp.search import _search_base

    sizes = []
    original = _search_base.TrialLoop._run

    def recording_run(self, candidates, first, extra):
        sizes.append(len(candidates))
        return original(self, candidates, first, extra)

    monkeypatch.setattr(_search_base.TrialLoop, "_run", recording_run)
    search = HyperbandSearchCV(EpochModel(), EPOCH_SPACE, max_resource=9, random_state=0, cv=2,
                               storage=str(tmp_path / "hb.db")).fit(X, Y)
    # bracket 0's rungs of 9, 3 and 1 candidates: each runs one candidate while
    # its pace is measured, then the rest at once (fast fits)
    assert sizes[:5] == [1, 8, 1, 2, 1]
    assert sum(sizes) == len(search.trials_)
