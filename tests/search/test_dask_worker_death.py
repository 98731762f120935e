"""A fit that kills its Dask worker costs its own trial, not the search.

A real ``dask.distributed.LocalCluster`` of two nanny-managed worker processes;
the fit of one candidate calls ``os._exit``, so its worker dies and the nanny
starts another. The scheduler runs the fit again on another worker up to
``distributed.scheduler.allowed-failures`` times (1 here, to keep the test
short), then fails it with ``KilledWorker``.
"""

import re
import sqlite3
import time

import joblib
import numpy as np
import pytest

from sklearn_hp.search import BayesSearchCV
from tests.search.test_no_lost_trial import SPACE, InOrder, X, Y, _fits
from tests.search.test_worker_death import Killer

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

pytestmark = pytest.mark.filterwarnings("ignore")

ALLOWED_FAILURES = 1


@pytest.fixture(scope="module")
def dask_client():
    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        yield client


def _search(log, db, **kwargs):
    # candidates k = 0..7, two fits each; every fit of candidate 3 kills its worker
    return BayesSearchCV(Killer(killing=((3, None),), log=log, delay=0.1), SPACE, n_iter=8,
                         batch_size=4, sampler=InOrder(), cv=2, storage=db, **kwargs)


@pytest.mark.slow
def test_a_fit_that_kills_its_dask_worker_fails_its_trial_and_the_search_goes_on(
        dask_client, tmp_path):
    log, db = str(tmp_path / "fits.log"), str(tmp_path / "study.db")
    start = time.monotonic()
    with joblib.parallel_backend("dask"):
        search = _search(log, db).fit(X, Y)
    assert time.monotonic() - start < 30
    results = search.cv_results_
    # every candidate is in cv_results_ exactly once, in the order proposed
    assert [p["k"] for p in results["params"]] == list(range(8))
    scores = np.asarray(results["mean_test_score"])
    assert np.flatnonzero(np.isnan(scores)).tolist() == [3]
    assert [t.status for t in search.trials_] == ["complete"] * 3 + ["failed"] + ["complete"] * 4
    error = search.trials_[3].fit_error
    assert "its worker process died" in error
    # the reason names the error and the last worker that died running the fit
    assert re.search(r"KilledWorker: .*on 2 different workers.*tcp://127\.0\.0\.1:\d+", error)
    statuses = dict(sqlite3.connect(db).execute("SELECT number, status FROM sklearn_hp_trials"))
    assert statuses == {k: ("failed" if k == 3 else "complete") for k in range(8)}
    assert search.best_params_ == {"k": 7}
    # each fit of candidate 3 ran on at most allowed-failures + 1 workers, each
    # killing one; the others ran once per split, and again only when a dying
    # worker held them (queued or unfetched): at most two per death
    fits = [k for k, _ in _fits(log)]
    deaths = fits.count(3)
    assert 1 + ALLOWED_FAILURES <= deaths <= 2 * (1 + ALLOWED_FAILURES)
    innocent = [fits.count(k) for k in (0, 1, 2, 4, 5, 6, 7)]
    assert min(innocent) == 2 and max(innocent) <= 4
    assert sum(innocent) - 2 * 7 <= 2 * deaths
    # the cluster is whole again: the nanny replaced the workers that died
    dask_client.wait_for_workers(2, timeout=30)


@pytest.mark.slow
def test_a_resume_retries_the_failed_dask_trial_only_when_asked(dask_client, tmp_path):
    log, db = str(tmp_path / "fits.log"), str(tmp_path / "study.db")
    with joblib.parallel_backend("dask"):
        _search(log, db, refit=False).fit(X, Y)
        before = len(_fits(log))
        kept = _search(log, db, refit=False).fit(X, Y)
        assert len(_fits(log)) == before  # nothing ran again
        again = _search(log, db, refit=False, retry_failed=True).fit(X, Y)
    new = _fits(log)[before:]
    assert new and {k for k, _ in new} == {3}
    for search in (kept, again):
        assert [p["k"] for p in search.cv_results_["params"]] == list(range(8))
        assert search.trials_[3].status == "failed"
        assert "KilledWorker" in search.trials_[3].fit_error
