"""The sampler owns its warm-up and its BLAS threads; resumed designs do not repeat."""

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_hp.search import GPSampler, QuasiRandomSampler, Real, SearchSpace, TPESampler, Trial

SPACE = SearchSpace({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)})


def _trials(n):
    rng = np.random.RandomState(0)
    return [Trial({"x": float(a), "y": float(b)}, -float(a)) for a, b in rng.uniform(size=(n, 2))]


class Spy(GPSampler):
    """GPSampler that records which path proposed and the BLAS threads in its model."""

    def _propose_from_model(self, space, trials, n_candidates, rng):
        blas = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
        self.__dict__.setdefault("model_calls", []).append((n_candidates, blas))
        return super()._propose_from_model(space, trials, n_candidates, rng)


def test_model_based_samplers_own_their_warm_up():
    spy = Spy(n_initial_points=4)
    rng = np.random.RandomState(0)
    assert len(spy.propose(SPACE, _trials(0), 3, rng)) == 3
    assert getattr(spy, "model_calls", []) == []  # 3 < 4: all from the Sobol design
    # a batch across the boundary: 1 design point and 2 from the model
    assert len(spy.propose(SPACE, _trials(3), 3, rng)) == 3
    assert [n for n, _ in spy.model_calls] == [2]
    # default warm-up: max(5, n_dims + 1)
    assert GPSampler()._n_initial(SPACE) == 5 and TPESampler(n_initial_points=0)._n_initial(
        SPACE) == 0


def test_the_model_runs_on_one_blas_thread_whatever_the_caller_allows():
    if not any(i["user_api"] == "blas" for i in threadpool_info()):
        return
    spy = Spy(n_initial_points=0)
    def blas():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    with threadpool_limits(limits=2, user_api="blas"):
        before = blas()
        spy.propose(SPACE, _trials(8), 1, np.random.RandomState(0))
        after = blas()
    assert all(n == 1 for n in spy.model_calls[0][1])
    assert after == before  # the caller's setting (the estimators' threads) is restored


def test_a_design_resumed_with_trials_continues_the_sequence():
    first = QuasiRandomSampler().propose(SPACE, [], 8, np.random.RandomState(3))
    # the same seed with 4 trials already finished continues after them
    resumed = QuasiRandomSampler().propose(SPACE, [Trial(p, 0.0) for p in first[:4]], 4,
                                           np.random.RandomState(3))
    assert resumed == first[4:]
