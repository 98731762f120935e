"""Hyperband and successive halving run ``n_iterations`` times: synchronously one
iteration after the other, asynchronously overlapping (the next iteration's first
rungs fill the workers while the previous iteration's last rungs run)."""

import time

import numpy as np
import pytest
from joblib import parallel_backend

from sklearn_hp.search import HyperbandSearchCV, SuccessiveHalvingSearchCV

from .test_async_engine import SPACE, X, Y, Budgeted, Sleepy


class Graded(Budgeted):
    """Budgeted whose fit also sleeps 40 ms per epoch of its budget: the last
    rungs' fits are the long ones, as in a real search."""

    def fit(self, X, y):
        time.sleep(0.04 * self.max_epochs)
        return super().fit(X, y)


def _halving(estimator=None, **kwargs):
    settings = dict(max_resource=9, min_resource=1, eta=3, cv=3, random_state=0,
                    refit=False, n_iterations=2)
    return SuccessiveHalvingSearchCV(estimator or Budgeted(seconds=0.02), SPACE,
                                     **{**settings, **kwargs})


def _rungs(search):
    """``{bracket: sizes of its rungs}`` from ``cv_results_``."""
    results = search.cv_results_
    brackets = np.asarray(results["bracket"])
    rungs = np.asarray(results["iter"])
    return {int(b): np.bincount(rungs[brackets == b]).tolist() for b in np.unique(brackets)}


def test_synchronous_iterations_repeat_the_brackets_with_new_candidates():
    search = _halving(n_jobs=1).fit(X, Y)
    assert _rungs(search) == {0: [9, 3, 1], 1: [9, 3, 1]}
    firsts = [{t.params["x"] for t in search.trials_
               if t.extra["bracket"] == b and t.extra["iter"] == 0} for b in (0, 1)]
    assert len(firsts[0]) == len(firsts[1]) == 9 and not firsts[0] & firsts[1]
    # one iteration after the other: every trial of the second comes after the first's
    numbers = {b: [t.number for t in search.trials_ if t.extra["bracket"] == b]
               for b in (0, 1)}
    assert max(numbers[0]) < min(numbers[1])
    assert search.best_params_["max_epochs"] == 9


def test_hyperband_runs_every_bracket_once_per_iteration():
    one = HyperbandSearchCV(Budgeted(seconds=0.0), SPACE, max_resource=9, min_resource=1,
                            cv=3, random_state=0, refit=False).fit(X, Y)
    three = HyperbandSearchCV(Budgeted(seconds=0.0), SPACE, max_resource=9, min_resource=1,
                              cv=3, random_state=0, refit=False, n_iterations=3).fit(X, Y)
    single = list(_rungs(one).values())
    assert single == [[9, 3, 1], [5, 1], [3]]
    assert list(_rungs(three).values()) == single * 3
    assert len(three.trials_) == 3 * len(one.trials_)


def test_asynchronous_iterations_overlap_and_keep_each_iterations_first_rung():
    """On 4 threads the second iteration starts before the first's last rung
    does (trial numbers are given as trials start): while the last of the 9
    long second-rung fits runs, the free workers start the next iteration. Each
    iteration's first rung still starts its 9 candidates; on one worker, a later
    iteration starts only when the earlier one has nothing left to start or
    promote."""
    Sleepy.runs = []
    with parallel_backend("threading", n_jobs=4):
        search = _halving(Graded(seconds=0.0), n_jobs=4, asynchronous=True).fit(X, Y)
    sizes = _rungs(search)
    assert sizes[0][0] == sizes[1][0] == 9
    last_of_first = max(t.number for t in search.trials_
                        if t.extra["bracket"] == 0 and t.extra["iter"] == 2)
    first_of_second = min(t.number for t in search.trials_ if t.extra["bracket"] == 1)
    assert first_of_second < last_of_first

    sequential = _halving(n_jobs=1, asynchronous=True).fit(X, Y)
    first_rung = [t.number for t in sequential.trials_
                  if t.extra["bracket"] == 0 and t.extra["iter"] == 0]
    second = [t.number for t in sequential.trials_ if t.extra["bracket"] == 1]
    assert max(first_rung) < min(second)


@pytest.mark.parametrize("n_iterations", [0, 1.5, "2"])
def test_a_bad_n_iterations_is_refused_naming_it(n_iterations):
    with pytest.raises(ValueError, match="n_iterations"):
        _halving(n_iterations=n_iterations).fit(X, Y)


@pytest.mark.parametrize("asynchronous", [False, True])
def test_more_iterations_on_a_stored_search_run_only_the_new_ones(tmp_path, asynchronous):
    db = str(tmp_path / "iterations.db")
    first = _halving(n_jobs=1, n_iterations=1, asynchronous=asynchronous, storage=db).fit(X, Y)
    Sleepy.runs = []
    more = _halving(n_jobs=1, n_iterations=2, asynchronous=asynchronous, storage=db).fit(X, Y)
    sizes = _rungs(more)
    assert sizes[0] == _rungs(first)[0] and sizes[1][0] == 9
    # the first iteration's trials come from the storage; only the new ones' 3 fits ran
    n_first = len(first.trials_)
    assert len(Sleepy.runs) == 3 * (len(more.trials_) - n_first) > 0
    assert more.cv_results_["params"][:n_first] == first.cv_results_["params"]
