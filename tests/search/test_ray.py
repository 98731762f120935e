"""Searches on a local Ray cluster (2 CPUs) through Ray's joblib backend.

``ray.init(num_cpus=2)`` starts a real local cluster once for the module. The
synchronous variants (``batch_size=``, Hyperband's rungs) go through Ray's joblib
backend, which runs the fits in a pool of Ray actors and returns a call's results
only all together (joblib's ``multiprocessing`` way), so they take a batch's
results at its end; a fit that ends its process (``os._exit``) makes Ray raise
``ActorDiedError`` (a ``RayActorError``) for the call, and the search isolates
the candidate as on loky. Asynchronous searches submit each fit as a Ray task of
its own instead. Skipped when Ray is not installed (``pip install sklearn_hp[ray]``).
"""

import importlib.util
import os
import sqlite3
import time

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from threadpoolctl import threadpool_limits

from sklearn_hp.search import BayesSearchCV, HyperbandSearchCV, Real
from sklearn_hp.search._runner import _return_as
from tests.search.test_no_lost_trial import SPACE, InOrder, X, Y, _fits
from tests.search.test_worker_death import Killer

# imported by the fixture, so that collecting the suite does not import Ray
needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                               reason="needs Ray: pip install sklearn_hp[ray]")

X_IRIS, Y_IRIS = load_iris(return_X_y=True)


def on_ray(test):
    """Mark a test that runs on the module's Ray cluster: slow, as starting it takes seconds."""
    for mark in (needs_ray, pytest.mark.slow, pytest.mark.filterwarnings("ignore")):
        test = mark(test)
    return test


def test_results_stream_where_the_backend_can():
    # joblib's multiprocessing backend (Ray's derives from it) has no streaming
    # results: the runner takes a call's results as a list at its end
    assert _return_as() == "generator_unordered"  # loky, the default
    for backend, expected in [("loky", "generator_unordered"),
                              ("threading", "generator_unordered"),
                              ("sequential", "generator_unordered"),
                              ("multiprocessing", "list")]:
        with joblib.parallel_backend(backend, n_jobs=2):
            assert _return_as() == expected


@pytest.fixture(scope="module")
def ray_cluster():
    import ray
    from ray.util.joblib import register_ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             object_store_memory=100 * 2**20)
    register_ray()
    yield ray
    ray.shutdown()
    assert not ray.is_initialized()


def _note_process(X, log):
    """Pass ``X`` through, appending the process id to the file ``log``."""
    with open(log, "a") as f:
        f.write(f"{os.getpid()}\n")
    return X


def _run(make, on_ray):
    if not on_ray:  # with one BLAS thread, as Ray's workers have
        with threadpool_limits(limits=1, user_api="blas"):
            return make("serial").set_params(n_jobs=1).fit(X_IRIS, Y_IRIS)
    with joblib.parallel_backend("ray"):
        return make("ray").fit(X_IRIS, Y_IRIS)


def _noting_search(log, **settings):
    """A search whose fits and scorings note the process they run in, in ``log``."""
    model = Pipeline([
        ("where", FunctionTransformer(_note_process, kw_args={"log": log})),
        ("clf", LogisticRegression(max_iter=500))])
    return BayesSearchCV(model, {"clf__C": Real(1e-3, 1e3, log=True)}, n_iter=6,
                         random_state=0, cv=3, **settings)


def _statuses(db):
    return dict(sqlite3.connect(db).execute("SELECT number, status FROM sklearn_hp_trials"))


@on_ray
def test_bayes_search_on_ray_matches_n_jobs_1(ray_cluster, tmp_path):
    assert ray_cluster.cluster_resources()["CPU"] == 2

    def make(name):
        return _noting_search(str(tmp_path / name), batch_size=2, sampler="tpe",
                              storage=str(tmp_path / f"{name}.db"))

    serial, on_ray = _run(make, False), _run(make, True)
    assert on_ray.cv_results_["params"] == serial.cv_results_["params"]
    for key in ("mean_test_score", "split0_test_score", "split2_test_score"):
        np.testing.assert_array_equal(on_ray.cv_results_[key], serial.cv_results_[key])
    assert on_ray.best_params_ == serial.best_params_
    # every trial is stored, by the driver
    assert _statuses(str(tmp_path / "ray.db")) == {k: "complete" for k in range(6)}
    assert [t.status for t in on_ray.trials_] == ["complete"] * 6
    np.testing.assert_array_equal(on_ray.predict(X_IRIS), serial.predict(X_IRIS))
    np.testing.assert_array_equal(on_ray.best_estimator_["clf"].coef_,
                                  serial.best_estimator_["clf"].coef_)
    # 6 candidates x 3 splits, each fitted then scored, in Ray's worker processes;
    # only the refit (fit, then the predict above) ran in this process
    pids = [int(line) for line in (tmp_path / "ray").read_text().split()]
    workers = set(pids) - {os.getpid()}
    assert 1 <= len(workers) <= 2
    assert sum(pid in workers for pid in pids) == 6 * 3 * 2
    assert pids.count(os.getpid()) == 2


@on_ray
def test_hyperband_on_ray_matches_n_jobs_1(ray_cluster, tmp_path):
    def make(name):
        # brackets of 3 candidates at 1 epoch (one promoted to 3) and 2 at 3 epochs
        model = SGDClassifier(max_iter=3, tol=None, random_state=0)
        return HyperbandSearchCV(model, {"alpha": Real(1e-5, 1e-1, log=True)},
                                 resource="max_iter", max_resource=3, random_state=0, cv=2,
                                 storage=str(tmp_path / f"{name}.db"))

    serial, on_ray = _run(make, False), _run(make, True)
    assert on_ray.cv_results_["params"] == serial.cv_results_["params"]
    for key in ("mean_test_score", "n_resources", "iter", "bracket"):
        np.testing.assert_array_equal(on_ray.cv_results_[key], serial.cv_results_[key])
    assert on_ray.best_params_ == serial.best_params_
    # every trial is stored, with the status it has in the search run here
    stored = _statuses(str(tmp_path / "ray.db"))
    assert stored == _statuses(str(tmp_path / "serial.db"))
    assert sorted(stored) == list(range(6))
    assert set(stored.values()) == {"complete", "pruned"}
    # the checkpoints were shared by the worker processes: training continued
    assert on_ray.resource_spent_ == serial.resource_spent_ < on_ray.resource_requested_
    np.testing.assert_array_equal(on_ray.predict(X_IRIS), serial.predict(X_IRIS))


@on_ray
def test_a_fit_that_kills_its_ray_worker_fails_its_trial_and_the_search_goes_on(
        ray_cluster, tmp_path):
    log, db = str(tmp_path / "fits.log"), str(tmp_path / "study.db")
    # candidates k = 0..7, two fits each; every fit of candidate 3 ends its process
    search = BayesSearchCV(Killer(killing=((3, None),), log=log, delay=0.1), SPACE, n_iter=8,
                           batch_size=4, sampler=InOrder(), cv=2, storage=db)
    start = time.monotonic()
    with joblib.parallel_backend("ray"):
        search.fit(X, Y)
    assert time.monotonic() - start < 120  # Ray reports the death: nothing waits for it
    results = search.cv_results_
    assert [p["k"] for p in results["params"]] == list(range(8))
    scores = np.asarray(results["mean_test_score"])
    assert np.flatnonzero(np.isnan(scores)).tolist() == [3]
    assert [t.status for t in search.trials_] == ["complete"] * 3 + ["failed"] + ["complete"] * 4
    error = search.trials_[3].fit_error
    assert error.startswith("ActorDiedError: its worker process died")
    assert _statuses(db) == {k: ("failed" if k == 3 else "complete") for k in range(8)}
    assert search.best_params_ == {"k": 7} and search.best_estimator_.k == 7
    # a death loses its call's results: the candidates of that call ran again one
    # per call, the killer's once more (its second death fails it); none more often
    fits = [k for k, _ in _fits(log)]
    assert 2 <= fits.count(3) <= 4
    innocent = [fits.count(k) for k in (0, 1, 2, 4, 5, 6, 7)]
    assert min(innocent) == 2 and max(innocent) <= 4
    assert fits.count(7) == 2 + 1  # its two splits and the refit here
    # the pool's actors, the dead ones' replacements too, gave their CPUs back
    assert _cpus_freed(ray_cluster, 2, timeout=30)


def _cpus_freed(ray, n, timeout):
    """Whether the cluster has ``n`` free CPUs within ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while ray.available_resources().get("CPU", 0) < n:
        if time.monotonic() > end:
            return False
        time.sleep(0.2)
    return True


@on_ray
def test_an_asynchronous_search_submits_ray_tasks_as_cpus_free_up(ray_cluster, tmp_path):
    """Ray's joblib backend cannot stream, so an asynchronous search submits each fit
    as a Ray task of its own: in the reproducible mode (proposal_lag) the candidates
    and scores are those of one worker, and the fits ran in Ray's processes."""
    def make(name):
        return _noting_search(str(tmp_path / name), proposal_lag=2)

    serial, on_ray = _run(make, False), _run(make, True)
    assert on_ray.cv_results_["params"] == serial.cv_results_["params"]
    np.testing.assert_array_equal(on_ray.cv_results_["mean_test_score"],
                                  serial.cv_results_["mean_test_score"])
    pids = [int(line) for line in (tmp_path / "ray").read_text().split()]
    assert sum(pid != os.getpid() for pid in pids) == 6 * 3 * 2
    assert _cpus_freed(ray_cluster, 2, timeout=30)


@on_ray
def test_a_ray_task_whose_worker_dies_runs_once_more_then_fails_its_trial(
        ray_cluster, tmp_path):
    log = str(tmp_path / "fits.log")
    search = BayesSearchCV(Killer(killing=((3, None),), log=log, delay=0.1), SPACE, n_iter=8,
                           sampler=InOrder(), cv=2)
    with joblib.parallel_backend("ray"):
        search.fit(X, Y)
    assert [t.status for t in search.trials_] == ["complete"] * 3 + ["failed"] + ["complete"] * 4
    assert search.trials_[3].fit_error.startswith("WorkerCrashedError: its worker process died")
    fits = [k for k, _ in _fits(log)]
    # a killed task runs once more (max_retries=1); no other fit runs twice
    assert 2 <= fits.count(3) <= 4
    assert all(fits.count(k) == 2 for k in (0, 1, 2, 4, 5, 6))
    assert fits.count(7) == 2 + 1  # its two splits and the refit here
    assert _cpus_freed(ray_cluster, 2, timeout=30)
