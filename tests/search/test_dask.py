"""Searches on a real dask.distributed LocalCluster (2 worker processes)."""

import joblib
import numpy as np
import pytest

from sklearn_hp.search import BayesSearchCV, HyperbandSearchCV
from tests.search.test_no_lost_trial import SPACE, Scripted, X, Y

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def dask_client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        with distributed.Client(cluster) as client:
            yield client
    # the context managers closed the cluster: its worker processes are gone
    assert cluster.status.name == "closed"


def _run(search, dask):
    if not dask:
        return search.set_params(n_jobs=1).fit(X, Y)
    with joblib.parallel_backend("dask"):
        return search.fit(X, Y)


@pytest.mark.filterwarnings("ignore")
def test_bayes_search_on_a_local_cluster_matches_n_jobs_1(dask_client, tmp_path):
    def make(log):
        # failing candidates travel back from the workers as error_score rows
        return BayesSearchCV(Scripted(failing=(3, 30), log=str(tmp_path / log)), SPACE,
                             n_iter=8, batch_size=2, sampler="tpe", random_state=0, cv=2,
                             storage=str(tmp_path / f"{log}.db"))

    serial, dask = _run(make("serial"), False), _run(make("dask"), True)
    assert dask.best_params_ == serial.best_params_
    assert dask.cv_results_["params"] == serial.cv_results_["params"]
    np.testing.assert_array_equal(dask.cv_results_["mean_test_score"],
                                  serial.cv_results_["mean_test_score"])
    # the workers ran the fits (2 splits x 8 candidates); the driver kept the storage
    workers = {w["id"] for w in dask_client.scheduler_info()["workers"].values()}
    assert len(workers) == 2
    assert len((tmp_path / "dask").read_text().splitlines()) == 2 * 8 + 1


@pytest.mark.filterwarnings("ignore")
def test_hyperband_on_a_local_cluster_matches_n_jobs_1(dask_client, tmp_path):
    def make(log):
        return HyperbandSearchCV(Scripted(log=str(tmp_path / log)), SPACE, max_resource=9,
                                 random_state=0, cv=2)

    serial, dask = _run(make("serial"), False), _run(make("dask"), True)
    assert dask.best_params_ == serial.best_params_
    assert dask.cv_results_["params"] == serial.cv_results_["params"]
    # checkpoints were shared by the workers of this machine: training continued
    assert dask.resource_spent_ == serial.resource_spent_ < dask.resource_requested_


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("search_class", ["bayes", "asha"])
def test_asynchronous_searches_on_a_local_cluster_match_n_jobs_1(dask_client, tmp_path,
                                                                search_class):
    """Bayes in its reproducible mode (proposal_lag) proposes the same candidates on the
    cluster's workers as on one; asynchronous successive halving trains each
    candidate at most once per rung and its best reaches the full budget."""
    def make(log):
        if search_class == "bayes":
            return BayesSearchCV(Scripted(log=str(tmp_path / log)), SPACE, n_iter=8,
                                 proposal_lag=2, random_state=0, cv=2)
        from sklearn_hp.search import SuccessiveHalvingSearchCV

        return SuccessiveHalvingSearchCV(Scripted(log=str(tmp_path / log)), SPACE,
                                         max_resource=9, asynchronous=True, random_state=0,
                                         cv=2)

    serial, dask = _run(make("serial"), False), _run(make("dask"), True)
    if search_class == "bayes":
        assert dask.cv_results_["params"] == serial.cv_results_["params"]
        np.testing.assert_array_equal(dask.cv_results_["mean_test_score"],
                                      serial.cv_results_["mean_test_score"])
    else:
        keys = [(t.extra["iter"], repr(sorted(t.params.items()))) for t in dask.trials_]
        assert len(keys) == len(set(keys))
        assert dask.best_params_["max_epochs"] == dask.max_resource_ == 9
    n_trials = len(dask.trials_)
    assert len((tmp_path / "dask").read_text().splitlines()) == 2 * n_trials + 1
