"""A fit that kills its worker process costs its own trial, not the search.

Real loky worker processes die here (``os._exit`` inside ``fit``); nothing is
mocked. The scikit-learn refit runs in the test's own process, so the searches
whose best candidate kills its worker use ``refit=False``.
"""

import json
import os
import sqlite3

import numpy as np
import pytest

from sklearn_hp.search import BayesSearchCV, SuccessiveHalvingSearchCV
from tests.search.test_no_lost_trial import SPACE, InOrder, Scripted, X, Y, _fits

pytestmark = pytest.mark.filterwarnings("ignore")


class Killer(Scripted):
    """``Scripted``, whose fit of certain candidates ends its process.

    ``killing`` holds ``(k, epochs)`` pairs: the fit of candidate ``k`` to
    ``epochs`` epochs in total (any number with ``None``) calls ``os._exit``,
    after logging ``[k, epochs]`` like every fit.
    """

    def __init__(self, k=0, max_epochs=9, warm_start=False, log=None, delay=0.0, killing=()):
        super().__init__(k=k, max_epochs=max_epochs, warm_start=warm_start, log=log,
                         delay=delay)
        self.killing = killing

    def fit(self, X, y=None):
        done = self.epochs_ if self.warm_start and hasattr(self, "epochs_") else 0
        total = done + self.max_epochs
        if (self.k, total) in self.killing or (self.k, None) in self.killing:
            with open(self.log, "a") as f:
                f.write(json.dumps([self.k, total]) + "\n")
            os._exit(1)
        return super().fit(X, y)


def _statuses(db):
    return dict(sqlite3.connect(db).execute("SELECT number, status FROM sklearn_hp_trials"))


def _bayes(log, db, **kwargs):
    return BayesSearchCV(Killer(killing=((3, None),), log=log, delay=0.1), SPACE, n_iter=8,
                         batch_size=4, sampler=InOrder(), cv=2, n_jobs=2, storage=db,
                         **kwargs)


def test_a_fit_that_kills_its_worker_fails_its_trial_and_the_search_goes_on(tmp_path):
    log, db = str(tmp_path / "fits.log"), str(tmp_path / "study.db")
    search = _bayes(log, db).fit(X, Y)  # the best candidate (17) is not the killer
    results = search.cv_results_
    # every candidate is in cv_results_ exactly once, in the order proposed
    assert [p["k"] for p in results["params"]] == list(range(8))
    scores = np.asarray(results["mean_test_score"])
    assert np.flatnonzero(np.isnan(scores)).tolist() == [3]
    assert [t.status for t in search.trials_] == ["complete"] * 3 + ["failed"] + ["complete"] * 4
    assert "its worker process died" in search.trials_[3].fit_error
    assert "TerminatedWorkerError" in search.trials_[3].fit_error
    assert _statuses(db) == {k: ("failed" if k == 3 else "complete") for k in range(8)}
    assert search.best_params_ == {"k": 7} and search.best_estimator_.k == 7
    # the fits the dead worker took with it were run again, no candidate more than twice
    fits = [k for k, _ in _fits(log)]
    for k in (0, 1, 2, 4, 5, 6, 7):
        assert 2 <= fits.count(k) <= 4
    assert 1 <= fits.count(3) <= 4


@pytest.mark.parametrize("retry_failed", [False, True])
@pytest.mark.slow
def test_a_resume_retries_a_failed_trial_only_when_asked(retry_failed, tmp_path):
    log, db = str(tmp_path / "fits.log"), str(tmp_path / "study.db")
    _bayes(log, db, refit=False).fit(X, Y)
    before = len(_fits(log))
    search = _bayes(log, db, retry_failed=retry_failed, refit=False).fit(X, Y)
    new = _fits(log)[before:]
    assert [p["k"] for p in search.cv_results_["params"]] == list(range(8))
    if retry_failed:  # only trial 3 ran again, and its worker died again
        assert new and {k for k, _ in new} == {3}
    else:
        assert new == []
    assert search.trials_[3].status == "failed"
    assert "its worker process died" in search.trials_[3].fit_error
    assert _statuses(db)[3] == "failed"


def _halving(log, db, **kwargs):
    # rungs of 1, 3 and 9 epochs with 9, 3 and 1 candidates (k = 0..8); 4 kills
    # its worker at 1 epoch, and the best, 8, at 9 epochs
    return SuccessiveHalvingSearchCV(
        Killer(killing=((4, 1), (8, 9)), log=log), SPACE, max_resource=9, min_resource=1,
        eta=3, n_candidates=9, sampler=InOrder(), cv=2, n_jobs=2, storage=db, refit=False,
        **kwargs)


@pytest.mark.parametrize("retry_failed", [False, True])
@pytest.mark.slow
def test_a_budget_search_retries_a_failed_last_rung_only_when_asked(retry_failed, tmp_path):
    log, db = str(tmp_path / "fits.log"), str(tmp_path / "study.db")
    first = _halving(log, db).fit(X, Y)
    statuses = [(t.params["k"], t.rung, t.status) for t in first.trials_]
    assert [t.rung for t in first.trials_] == [0] * 9 + [1] * 3 + [2]
    assert [s for s in statuses if s[2] == "failed"] == [(4, 0, "failed"), (8, 2, "failed")]
    assert "its worker process died" in first.trials_[12].fit_error
    before = len(_fits(log))
    again = _halving(log, db, retry_failed=retry_failed).fit(X, Y)
    new = _fits(log)[before:]
    # the last rung's failed trial runs again when asked; the first rung's does
    # not: the promotions made from its rung are stored and stand
    assert sorted(set(new)) == ([(8, 9)] if retry_failed else [])
    assert [(t.params["k"], t.rung, t.status) for t in again.trials_] == statuses
