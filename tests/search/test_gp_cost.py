"""What a GP proposal costs, and that the cheaper computations give the same numbers."""

import numpy as np
import pytest
from scipy.linalg import cho_solve, cholesky
from threadpoolctl import threadpool_limits

from benchmarks.bbo.functions import ackley
from sklearn_hp.search import GPSampler, QuasiRandomSampler, Real, SearchSpace, Trial
from sklearn_hp.search._gaussian_process import (_LOG_LENGTH_PRIOR_MEAN, _LOG_LENGTH_PRIOR_STD,
                                                GaussianProcess, _matern52)
from sklearn_hp.search._samplers import _gp
from sklearn_hp.search._space import _SubSpace

REAL20 = SearchSpace({f"x{i}": Real(-1.0, 1.0) for i in range(20)})


def _history(n, seed=0):
    params = QuasiRandomSampler().propose(REAL20, [], n, np.random.RandomState(seed))
    return [Trial(p, -sum((v - 0.2) ** 2 for v in p.values())) for p in params]


def _pairwise_neg_log_posterior(gp, theta, X, y):
    """The likelihood term and its length gradient, summed pair by pair and column by column."""
    d = gp.n_lengths_
    length, signal, noise = gp._unpack(theta)
    diff2 = (X[:, None, :] - X[None, :, :]) ** 2 / length**2
    corr, minus_dk_over_r = _matern52(np.sqrt(diff2.sum(-1)))
    L = cholesky(signal * corr + (noise + 1e-10) * np.eye(len(y)), lower=True)
    alpha = cho_solve((L, True), y)
    W = np.outer(alpha, alpha) - cho_solve((L, True), np.eye(len(y)))
    per_column = -0.5 * np.einsum("ij,ijk->k", signal * minus_dk_over_r * W, diff2)
    nll = 0.5 * y @ alpha + np.log(np.diag(L)).sum() + 0.5 * len(y) * np.log(2 * np.pi)
    return nll, np.bincount(gp.groups_, per_column, minlength=d)


def test_likelihood_from_grouped_squared_differences_matches_the_pairwise_sums():
    rng = np.random.RandomState(0)
    X = np.c_[rng.uniform(size=(40, 4)), np.eye(3)[rng.randint(3, size=40)]]
    y = np.sin(3 * X).sum(1)
    y = (y - y.mean()) / y.std()
    gp = GaussianProcess(length_groups=[0, 1, 2, 3, 4, 4, 4], noise=1e-4).fit(X, y,
                                                                              optimize=False)
    theta = np.r_[rng.uniform(-2, 0.5, gp.n_lengths_), 0.1, np.log(1e-4)]
    value, grad = gp._neg_log_posterior(theta, X, y)
    nll, grad_lengths = _pairwise_neg_log_posterior(gp, theta, X, y)
    z = (theta[:5] - _LOG_LENGTH_PRIOR_MEAN) / _LOG_LENGTH_PRIOR_STD  # 5 groups: prior at 0.25
    assert value == pytest.approx(nll + 0.5 * np.sum(z * z), rel=1e-12)
    np.testing.assert_allclose(grad[:5], grad_lengths + z / _LOG_LENGTH_PRIOR_STD, rtol=1e-9,
                               atol=1e-12)


def test_prediction_gradients_match_the_sums_over_training_points():
    rng = np.random.RandomState(1)
    X, Z = rng.uniform(size=(50, 6)), rng.uniform(size=(7, 6))
    theta = np.r_[np.log([0.3, 0.5, 0.7, 0.4, 0.6, 0.8]), 0.1, np.log(1e-3)]
    gp = GaussianProcess().fit(X, np.cos(4 * X).sum(1), theta0=theta, optimize=False)
    mean, std, dmean, dstd = gp.predict(Z, return_grad=True)
    # dk/dz = -signal * (-(1/r) dk/dr) (z - x) / l^2 for each training point x
    diff = Z[:, None, :] - X[None, :, :]
    r = np.sqrt(((diff / gp.length_scales_) ** 2).sum(-1))
    dk = (-gp.signal_ * _matern52(r)[1])[:, :, None] * diff / gp.length_scales_**2
    k = gp.signal_ * _matern52(r)[0]
    K_inv_k = cho_solve((gp.L_, True), k.T)
    np.testing.assert_allclose(dmean, np.einsum("nmd,m->nd", dk, gp.alpha_), rtol=1e-9,
                               atol=1e-12)
    dvar = -2.0 * np.einsum("nmd,mn->nd", dk, K_inv_k)
    np.testing.assert_allclose(dstd, dvar / (2 * std[:, None]), rtol=1e-7, atol=1e-10)


def test_30_polish_iterations_reach_the_acquisition_of_100_in_20_dimensions():
    """Measured on 20 proposals at 100 trials of a mixed 20-D space: the best polished
    point's log EI a median 2e-5 and at most 0.012 below 100 iterations'."""
    gaps = []
    for seed in range(3):
        with threadpool_limits(1, "blas"):  # as inside propose
            gaps.append(_polish_gap(seed))
    assert max(gaps) < 0.02


def _polish_gap(seed):
    """Best log EI after 100 polish iterations minus after 30, at 100 trials in 20-D."""
    trials, rng = _history(100, seed), np.random.RandomState(seed)
    X = REAL20.subspaces[0].encode([t.params for t in trials])
    y = np.array([t.score for t in trials])
    gp = GaussianProcess(n_restarts=0, max_iter=50).fit(X, y)
    best = (y.max() - gp.y_mean_) / gp.y_std_
    candidates = rng.uniform(size=(500, 20))
    ei = _gp.log_expected_improvement(*gp.predict(candidates), best)
    starts = candidates[np.argsort(-ei)[:10]]  # as many starts as a mixed space gets
    free, box = np.ones(20, dtype=bool), (np.zeros(20), np.ones(20))
    values = [_gp.log_expected_improvement(*gp.predict(
        _gp._polish(gp, best, starts, free, box, maxiter=maxiter)), best).max()
        for maxiter in (30, 100)]
    return values[1] - values[0]




def test_a_proposal_encodes_only_the_trials_it_has_not_seen(monkeypatch):
    trials, sampler = _history(120), GPSampler()
    sampler.propose(REAL20, trials[:119], 1, np.random.RandomState(0))
    encoded = []
    original = _SubSpace.encode

    def counting(self, params_list):
        encoded.append(len(params_list))
        return original(self, params_list)

    monkeypatch.setattr(_SubSpace, "encode", counting)
    sampler.propose(REAL20, trials, 1, np.random.RandomState(0))
    # the new trial once; then no pending candidates, and the proposal itself
    assert sorted(encoded) == [0, 1, 1] and len(trials) == 120


def _ackley20_log_regret(seed, polish_iterations, n_trials=40):
    space = SearchSpace({f"x{i}": Real(-5.0, 10.0) for i in range(20)})
    sampler = GPSampler(n_initial_points=10, polish_iterations=polish_iterations)
    rng, trials = np.random.RandomState(seed), []
    while len(trials) < n_trials:
        params = sampler.propose(space, trials, 1, rng)[0]
        trials.append(Trial(params, -ackley(np.array(list(params.values())))))
    return np.log10(-max(t.score for t in trials))  # Ackley's minimum is 0


@pytest.mark.slow
def test_30_polish_iterations_find_ackley20_optima_as_well_as_100():
    """Measured over 8 seeds: median log10 regret at 40 trials 0.93 with 30 iterations, 0.96
    with 100; a seed's value spreads by about 0.035 (so the medians of 6 seeds differ by
    about 0.03 between equal methods). Over 10 seeds of seven problems of benchmarks/bbo the
    medians moved by -0.37 to +0.05, every 90% bootstrap interval straddling 0."""
    seeds = range(6)
    default = np.median([_ackley20_log_regret(s, 30) for s in seeds])
    previous = np.median([_ackley20_log_regret(s, 100) for s in seeds])
    assert default <= previous + 0.1
