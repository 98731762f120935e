"""Conditional spaces: one GP over every branch against one GP per branch."""

import numpy as np
import pytest

from sklearn_hp.search import GPSampler, Integer, Real, SearchSpace, Trial

#: Three branches sharing ``x`` (best at 0.7 in each); branch "b" is the best by 0.6.
SPACE = [{"kind": ["a"], "x": Real(0, 1)},
         {"kind": ["b"], "x": Real(0, 1), "y": Real(0, 1)},
         {"kind": ["c"], "x": Real(0, 1), "y": Real(0, 1), "z": Integer(1, 5)}]
_OFFSET = {"a": 1.0, "b": 0.0, "c": 0.6}


def _score(p):
    return (-_OFFSET[p["kind"]] - 4 * (p["x"] - 0.7) ** 2
            - 0.5 * (p.get("y", 0.2) - 0.2) ** 2 - 0.05 * abs(p.get("z", 3) - 3))


class _PerBranch(GPSampler):
    """The previous handling: a uniformly random branch, one GP per branch."""

    joint_subspaces = False


def _search(sampler, seed, n_trials=30):
    space, rng, trials = SearchSpace(SPACE), np.random.RandomState(seed), []
    while len(trials) < n_trials:
        trials += [Trial(p, _score(p)) for p in sampler.propose(space, trials, 1, rng)]
    return space, trials


def _summary(sampler_class, seeds=range(8)):
    share, regret, found = [], [], []
    for seed in seeds:
        space, trials = _search(sampler_class(), seed)
        kinds = [t.params["kind"] for t in trials[10:]]  # after the 5 Sobol points and 5 more
        share.append(np.mean([k == "b" for k in kinds]))
        best = -np.maximum.accumulate([t.score for t in trials])
        regret.append(best[14])
        hit = np.flatnonzero(best < 0.02)
        found.append(hit[0] + 1 if len(hit) else len(trials) + 1)
        # every proposal lies in its own branch, and no two are equal
        assert all(space.subspaces[space.subspace_index(t.params)].contains(t.params)
                   for t in trials)
        keys = [(t.params["kind"], round(t.params["x"], 9), round(t.params.get("y", -1), 9),
                 t.params.get("z")) for t in trials]
        assert len(set(keys)) == len(keys)
        assert {"a", "c"} <= set(kinds)  # no branch is starved
    return np.array(share), np.array(regret), np.array(found)


@pytest.mark.slow
def test_one_model_over_branches_favours_the_best_branch_and_shares_x():
    share_new, regret_new, found_new = _summary(GPSampler)
    share_old, regret_old, found_old = _summary(_PerBranch)
    print(f"\nshare of trials 11-30 in the best branch: joint {share_new.mean():.2f} "
          f"(min {share_new.min():.2f}), per branch {share_old.mean():.2f}")
    print(f"median regret after 15 trials: joint {np.median(regret_new):.4f}, "
          f"per branch {np.median(regret_old):.4f}")
    print(f"trials to regret < 0.02: joint {found_new.tolist()}, per branch {found_old.tolist()}")
    assert share_new.mean() >= 0.5 and share_new.min() >= 0.45
    assert share_new.mean() >= share_old.mean() + 0.1
    assert np.median(regret_new) <= 0.5 * np.median(regret_old)
    assert np.median(found_new) + 3 <= np.median(found_old)


def test_a_search_whose_gp_used_the_joint_space_saves_and_loads(tmp_path):
    pytest.importorskip("skops")
    from sklearn.datasets import load_iris

    from sklearn_hp import BayesSearchCV, LogisticClassifier
    from sklearn_hp.persistence import load, save

    X, y = load_iris(return_X_y=True)
    space = [{"alpha": Real(1e-4, 1e-1, log=True), "max_epochs": [2]},
             {"alpha": Real(1e-4, 1e-1, log=True), "max_epochs": [3], "batch_size": [16, 32]}]
    search = BayesSearchCV(LogisticClassifier(), space, n_iter=7, cv=2, random_state=0)
    search.fit(X, y)
    assert search._space.joint.n_columns == 5  # the GP proposed in the joint space
    save(search, tmp_path / "search.skops")
    loaded = load(tmp_path / "search.skops")
    assert loaded._space.subspace_index({"alpha": 0.01, "max_epochs": 3, "batch_size": 16}) == 1
    assert loaded.best_params_ == search.best_params_
