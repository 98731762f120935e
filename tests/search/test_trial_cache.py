"""The samplers derive each finished trial's encoding once, and propose exactly as before."""

import copy
import pickle

import numpy as np
import pytest

from sklearn_hp.search import (Categorical, GPSampler, Integer, QuasiRandomSampler, Real,
                               SearchSpace, TPESampler, Trial)
from sklearn_hp.search._samplers._trial_cache import TrialCache

CONDITIONAL = SearchSpace([{"kind": ["a"], "x": Real(0, 1)},
                           {"kind": ["b"], "x": Real(0, 1), "y": Real(0, 1)},
                           {"kind": ["c"], "x": Real(0, 1), "n": Integer(1, 5),
                            "c": Categorical(["u", "v"])}])
MIXED = SearchSpace({"x": Real(1e-3, 1.0, log=True), "y": Real(-1, 1), "n": Integer(1, 50),
                     "c": Categorical(["u", "v", "w"])})


def _score(params):
    return (-(np.log10(params["x"] + 1e-3) + 1) ** 2 - params.get("y", 0.0) ** 2
            + (params.get("c") == "v") - 0.01 * params.get("n", 0) + (params.get("kind") == "b"))


def _design(space, n, seed=0):
    params = QuasiRandomSampler().propose(space, [], n, np.random.RandomState(seed))
    return [Trial(p, _score(p)) for p in params]


def _fresh(space, params):
    """What the cache holds, derived from scratch."""
    index = space.subspace_indices(params)
    rows = [space.subspaces[i].encode([p for p, j in zip(params, index) if j == i])
            for i in range(space.n_subspaces)]
    keys = [set(space.subspaces[i].keys(rows[i])) for i in range(space.n_subspaces)]
    return index, rows, keys


@pytest.mark.parametrize("space", [MIXED, CONDITIONAL])
def test_the_cache_grown_trial_by_trial_equals_a_fresh_encoding(space):
    params = [t.params for t in _design(space, 30)] + [{"other": 1}]
    cache = TrialCache()
    for n in (1, 2, 7, 7, 19, 31):
        cache.update(space, params[:n])
    index, rows, keys = _fresh(space, params)
    np.testing.assert_array_equal(cache.index, index)
    for i in range(space.n_subspaces):
        np.testing.assert_array_equal(cache.positions(i), np.flatnonzero(index == i))
        np.testing.assert_array_equal(cache.rows(i), rows[i])
        assert cache.keys(i) == keys[i]
    if space.n_subspaces > 1:
        np.testing.assert_array_equal(cache.joint_rows(),
                                      space.joint.encode([p for p in params if "other" not in p]))


def test_the_cache_knows_rebuilt_dicts_and_starts_over_for_other_trials():
    params = [t.params for t in _design(MIXED, 12)]
    cache = TrialCache().update(MIXED, params)
    rows = cache.rows(0)
    # dicts rebuilt around the same values (as a search rebuilding its trials does): kept
    assert cache.update(MIXED, [dict(p) for p in params]).rows(0) is rows
    # an earlier trial replaced: everything derived again, and right
    changed = [{**params[0], "n": 50}] + params[1:]
    np.testing.assert_array_equal(cache.update(MIXED, changed).rows(0), MIXED.subspaces[0]
                                  .encode(changed))
    other = SearchSpace(MIXED.spec)
    assert cache.update(other, changed).rows(0) is not rows


class _Uncached(GPSampler):
    """Derives every trial afresh at each proposal (as before the cache)."""

    def _trial_cache(self, space, trials):
        self._trials = None
        return super()._trial_cache(space, trials)


class _UncachedTPE(TPESampler):
    def _trial_cache(self, space, trials):
        self._trials = None
        return super()._trial_cache(space, trials)


@pytest.mark.parametrize("space, cached, uncached", [
    (MIXED, GPSampler, _Uncached), (CONDITIONAL, GPSampler, _Uncached),
    (CONDITIONAL, TPESampler, _UncachedTPE)])
def test_proposals_with_the_cache_are_exactly_those_without(space, cached, uncached):
    runs = []
    for make in (cached, uncached):
        sampler, rng, trials = make(), np.random.RandomState(0), _design(space, 8)
        for step in range(10):
            pending = [trials[-1].params] if step % 3 == 0 else []
            batch = sampler.propose(space, trials[:-1] if pending else trials, 2, rng,
                                    pending=pending)
            trials += [Trial(p, _score(p)) for p in batch]
        runs.append([t.params for t in trials])
    assert runs[0] == runs[1]


def test_copies_and_pickles_of_a_sampler_leave_the_cache_out():
    sampler = GPSampler()
    sampler.propose(MIXED, _design(MIXED, 10), 1, np.random.RandomState(0))
    assert isinstance(sampler._trials, TrialCache)
    for copied in (copy.deepcopy(sampler), pickle.loads(pickle.dumps(sampler))):
        assert "_trials" not in vars(copied) and copied._theta.keys() == sampler._theta.keys()
