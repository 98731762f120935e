import numpy as np
import pytest
from scipy.optimize import approx_fprime
from scipy.stats import norm

from sklearn_hp.search import (GPSampler, QuasiRandomSampler, RandomSampler, Real,
                               Categorical, Integer, SearchSpace, TPESampler, Trial)
from sklearn_hp.search._gaussian_process import GaussianProcess
from sklearn_hp.search._samplers import impute_failed_scores, make_sampler
from sklearn_hp.search._samplers._gp import log_expected_improvement


@pytest.fixture
def fitted_gp():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(15, 3))
    y = np.sin(3 * X).sum(1)
    return GaussianProcess(random_state=rng).fit(X, y), X, y


def test_marginal_likelihood_gradient_matches_finite_differences(fitted_gp):
    gp, X, y = fitted_gp
    theta = np.r_[np.log([0.3, 0.5, 0.7]), 0.1, np.log(1e-3)]
    y_scaled = (y - y.mean()) / y.std()

    def value(t):
        return gp._neg_log_posterior(t, X, y_scaled)[0]

    analytic = gp._neg_log_posterior(theta, X, y_scaled)[1]
    np.testing.assert_allclose(analytic, approx_fprime(theta, value, 1e-6), rtol=1e-4, atol=1e-4)


def test_prediction_gradients_match_finite_differences(fitted_gp):
    gp, _, _ = fitted_gp
    x = np.array([0.2, 0.6, 0.4])
    _, _, dmean, dstd = gp.predict(x[None], return_grad=True)
    np.testing.assert_allclose(dmean[0],
                               approx_fprime(x, lambda v: gp.predict(v[None])[0][0], 1e-7),
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(dstd[0],
                               approx_fprime(x, lambda v: gp.predict(v[None])[1][0], 1e-7),
                               rtol=1e-4, atol=1e-6)


def test_gp_interpolates_noiseless_data(fitted_gp):
    gp, X, y = fitted_gp
    mean, std = gp.predict(X)
    np.testing.assert_allclose(mean * gp.y_std_ + gp.y_mean_, y, atol=1e-2)
    assert std.max() < 0.05


def test_log_expected_improvement_matches_closed_form_and_is_finite_far_away():
    mean, std, best = np.array([0.0, 1.0, -3.0]), np.array([1.0, 0.5, 0.2]), 0.5
    z = (mean - best) / std
    ei = std * (z * norm.cdf(z) + norm.pdf(z))
    np.testing.assert_allclose(np.exp(log_expected_improvement(mean, std, best)), ei, rtol=1e-10)
    far = log_expected_improvement(np.array([-100.0]), np.array([1.0]), 0.0)
    assert np.isfinite(far[0]) and far[0] < -4000


def test_impute_failed_scores_puts_failures_below_everything():
    np.testing.assert_allclose(impute_failed_scores([1.0, np.nan, 3.0, -np.inf]), [1, 0.8, 3, 0.8])
    np.testing.assert_array_equal(impute_failed_scores([np.nan, np.nan]), [0, 0])


SPACE = SearchSpace({"x": Real(-1, 1), "n": Integer(1, 20), "c": Categorical(["a", "b", "c"])})


def _trials(n, seed=0, fail_every=0):
    rng = np.random.RandomState(seed)
    params = QuasiRandomSampler().propose(SPACE, [], n, rng)
    trials = []
    for i, p in enumerate(params):
        score = -(p["x"] - 0.5) ** 2 - 0.01 * p["n"] + (p["c"] == "b")
        if fail_every and i % fail_every == 0:
            score = np.nan
        trials.append(Trial(p, score))
    return trials


@pytest.mark.parametrize("sampler",
                         [GPSampler(), TPESampler(), RandomSampler(), QuasiRandomSampler()])
def test_samplers_are_deterministic_and_stay_in_space(sampler):
    trials = _trials(12, fail_every=4)
    first = make_sampler(sampler).propose(SPACE, trials, 4, np.random.RandomState(3))
    second = make_sampler(sampler).propose(SPACE, trials, 4, np.random.RandomState(3))
    assert first == second
    assert len(first) == 4
    assert all(SPACE.subspaces[0].contains(p) for p in first)


def test_gp_batch_proposals_are_distinct():
    proposals = GPSampler().propose(SPACE, _trials(10), 5, np.random.RandomState(0))
    encoded = SPACE.subspaces[0].encode(proposals)
    distances = np.abs(encoded[:, None] - encoded[None]).max(-1)
    assert distances[np.triu_indices(5, 1)].min() > 1e-6


def test_model_based_samplers_exploit_the_best_category():
    trials = _trials(16)
    for sampler in (GPSampler(), TPESampler()):
        proposals = sampler.propose(SPACE, trials, 8, np.random.RandomState(1))
        assert sum(p["c"] == "b" for p in proposals) >= 5


def test_gp_cost_is_bounded_by_max_points():
    sampler = GPSampler(max_points=30)
    sampler.propose(SPACE, _trials(80), 1, np.random.RandomState(0))
    assert sampler._fitted_at[0] == 30


def test_make_sampler_rejects_unknown_names():
    with pytest.raises(ValueError, match=r"Unknown sampler 'bogus'; accepted names are \['gp'"):
        make_sampler("bogus")
    with pytest.raises(ValueError, match="propose"):
        make_sampler(object())
