"""Hyperband and successive halving run ``n_iterations`` times: synchronously one
iteration after the other, asynchronously overlapping (the next iteration's first
rungs fill the workers while the previous iteration's last rungs run)."""

import numpy as np
import pytest
from joblib import parallel_backend

from sklearn_hp.search import HyperbandSearchCV, SuccessiveHalvingSearchCV

from .test_async_engine import SPACE, X, Y, Budgeted, Sleepy


def _halving(**kwargs):
    settings = dict(max_resource=9, min_resource=1, eta=3, cv=3, random_state=0,
                    refit=False, n_iterations=2)
    return SuccessiveHalvingSearchCV(Budgeted(seconds=0.02), SPACE, **{**settings, **kwargs})


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
    does (trial numbers are given as trials start), and each iteration's first
    rung still starts its 9 candidates; on one worker, a later iteration starts
    only when the earlier one has nothing left to start or promote."""
    Sleepy.runs = []
    with parallel_backend("threading", n_jobs=4):
        search = _halving(n_jobs=4, asynchronous=True).fit(X, Y)
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
