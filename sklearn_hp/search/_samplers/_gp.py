"""Gaussian-process sampler: expected improvement, maximised with L-BFGS-B."""

import numpy as np
from scipy.optimize import minimize
from scipy.special import erfcx, ndtr

from .._gaussian_process import GaussianProcess
from ._base import ModelBasedSampler, random_columns

__all__ = ["GPSampler", "log_expected_improvement"]

_SQRT_HALF_PI = np.sqrt(np.pi / 2.0)
_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)


def log_expected_improvement(mean, std, best, dmean=None, dstd=None):
    """Logarithm of expected improvement over ``best`` (maximisation).

    Computed stably far from the incumbent, where EI itself underflows, so the
    optimiser still gets a useful gradient there.

    Parameters
    ----------
    mean, std : ndarray of shape (n,)
        Posterior mean and standard deviation.
    best : float
        Best observed value.
    dmean, dstd : ndarray of shape (n, d) or None
        Gradients of ``mean`` and ``std``; when given, the gradient of log EI is
        returned as well.

    Returns
    -------
    log_ei : ndarray of shape (n,)
    grad : ndarray of shape (n, d), only when ``dmean`` is given
    """
    z = (mean - best) / std
    log_ei = np.empty_like(z)
    # ratio = (Phi(z) dmean + phi(z) dstd) / h(z) needs Phi/h and phi/h
    phi_over_h = np.empty_like(z)
    cdf_over_h = np.empty_like(z)
    positive = z > -1.0
    zp = z[positive]
    phi = np.exp(-0.5 * zp * zp - _LOG_SQRT_2PI)
    cdf = ndtr(zp)
    h = zp * cdf + phi
    log_ei[positive] = np.log(std[positive]) + np.log(h)
    phi_over_h[positive] = phi / h
    cdf_over_h[positive] = cdf / h
    zn = np.maximum(z[~positive], -1e3)
    mills = _SQRT_HALF_PI * erfcx(-zn / np.sqrt(2.0))  # Phi(z) / phi(z)
    h_over_phi = np.maximum(1.0 + zn * mills, 1e-300)
    log_ei[~positive] = (
        np.log(std[~positive]) - 0.5 * zn * zn - _LOG_SQRT_2PI + np.log(h_over_phi)
    )
    phi_over_h[~positive] = 1.0 / h_over_phi
    cdf_over_h[~positive] = mills / h_over_phi
    if dmean is None:
        return log_ei
    grad = (cdf_over_h[:, None] * dmean + phi_over_h[:, None] * dstd) / std[:, None]
    return log_ei, grad


class GPSampler(ModelBasedSampler):
    """Bayesian optimisation with a Gaussian process and expected improvement.

    The surrogate is :class:`~sklearn_hp.search._gaussian_process.GaussianProcess`
    (Matérn 5/2, one length scale per encoded column, hyperparameters by marginal
    likelihood) on the unit-cube encoding of the space, where ``log=True`` and
    log-uniform distributions are already warped to a log scale and categoricals
    are one-hot. Expected improvement is maximised by scoring random and local
    candidates, then polishing the best few with multi-start L-BFGS-B over the
    continuous columns (one-hot columns stay fixed at each start's category);
    integers are rounded after optimisation. Batches use the *kriging believer*:
    each proposal is added to the model at its predicted mean before the next is
    chosen, so a batch spreads out.

    Cost stays bounded as trials accumulate: the model is fitted on at most
    ``max_points`` trials (the best half plus the most recent), hyperparameters
    are warm-started from the previous fit and re-optimised only every
    ``refit_every`` new trials once 50 trials are in.

    Parameters
    ----------
    n_initial_points : int or None, default=None
        Quasi-random (Sobol) candidates before the model is used; ``None`` means
        ``max(5, n_dims + 1)``.
    xi : float, default=0.0
        Exploration margin of expected improvement, in standard deviations of
        the scores.
    max_points : int, default=150
        Cap on the trials the model is fitted on.
    refit_every : int, default=5
        Re-optimise the kernel hyperparameters every this many new trials once
        50 trials are in (every time before).
    n_random_candidates : int, default=500
        Random points scored before the gradient polish.
    n_starts : int, default=4
        Points polished with L-BFGS-B.
    noise : {"fit"} or float, default="fit"
        Noise variance of the standardised scores, or ``"fit"``.
    """

    def __init__(self, n_initial_points=None, xi=0.0, max_points=150, refit_every=5,
                 n_random_candidates=500, n_starts=4, noise="fit", output_warping="power"):
        self.n_initial_points = n_initial_points
        self.output_warping = output_warping
        self.xi = xi
        self.max_points = max_points
        self.refit_every = refit_every
        self.n_random_candidates = n_random_candidates
        self.n_starts = n_starts
        self.noise = noise
        self._theta = {}
        self._fitted_at = {}

    def _select_points(self, X, y):
        if len(y) <= self.max_points:
            return X, y
        n_best = self.max_points // 2
        best = np.argsort(-y, kind="stable")[:n_best]
        rest = np.setdiff1d(np.arange(len(y)), best)
        keep = np.r_[best, rest[-(self.max_points - n_best):]]
        return X[keep], y[keep]

    def _fit_model(self, index, X, y, rng):
        n = len(y)
        previous = self._theta.get(index)
        stale = n - self._fitted_at.get(index, -np.inf)
        optimize = previous is None or n < 50 or stale >= self.refit_every
        gp = GaussianProcess(noise=self.noise, random_state=rng)
        gp.fit(X, y, theta0=None if previous is None else previous.copy(), optimize=optimize)
        if optimize:
            self._theta[index] = gp.theta_
            self._fitted_at[index] = n
        return gp

    def _propose_in_subspace(self, index, subspace, X, y, n_candidates, rng):
        if self.output_warping == "power":
            y = warp_scores(y)
        X_fit, y_fit = self._select_points(X, y)
        gp = self._fit_model(index, X_fit, y_fit, rng)
        best = (y_fit.max() - gp.y_mean_) / gp.y_std_ + self.xi
        taken = [X]
        proposals = []
        for _ in range(n_candidates):
            x = self._maximize(gp, subspace, best, X_fit, y_fit, np.vstack(taken), rng)
            proposals.append(x)
            taken.append(x[None, :])
            if n_candidates > 1:  # kriging believer
                mean = gp.predict(x[None, :])[0]
                gp.add_observations(x[None, :], mean * gp.y_std_ + gp.y_mean_)
        return subspace.decode(np.array(proposals))

    def _maximize(self, gp, subspace, best, X_fit, y_fit, taken, rng):
        free = subspace.continuous_columns
        top = X_fit[np.argsort(-y_fit)[:5]]
        local = np.repeat(top, 20, axis=0)
        local[:, free] += rng.normal(scale=0.05, size=(len(local), int(free.sum())))
        local = np.clip(local, 0.0, 1.0)
        candidates = np.vstack([random_columns(subspace, self.n_random_candidates, rng), local])
        mean, std = gp.predict(candidates)
        scores = log_expected_improvement(mean, std, best)
        order = np.argsort(-scores)[: self.n_starts]

        starts = candidates[order]
        results = starts.copy()
        n_free = int(free.sum())
        if n_free:
            # All starts are polished in one L-BFGS-B problem: the objective is a
            # sum of independent terms, so one vectorised call serves every start.
            def objective(z):
                X = starts.copy()
                X[:, free] = z.reshape(len(starts), n_free)
                mean, std, dmean, dstd = gp.predict(X, return_grad=True)
                value, grad = log_expected_improvement(mean, std, best, dmean, dstd)
                return -value.sum(), -grad[:, free].ravel()

            res = minimize(objective, starts[:, free].ravel(), jac=True, method="L-BFGS-B",
                           bounds=[(0.0, 1.0)] * (n_free * len(starts)),
                           options={"maxiter": 100})
            results[:, free] = res.x.reshape(len(starts), n_free)
        # Integers and categories are rounded after optimisation; the rounded
        # polished points compete with the rounded best raw candidates on their
        # own acquisition values, and points (nearly) already taken are skipped.
        pool = subspace.snap(np.vstack([results, candidates[np.argsort(-scores)[:50]]]))
        final = log_expected_improvement(*gp.predict(pool), best)
        for i in np.argsort(-final, kind="stable"):
            if not _is_duplicate(pool[i], taken):
                return pool[i]
        return subspace.snap(random_columns(subspace, 1, rng))[0]


def warp_scores(y):
    """Yeo-Johnson transform of standardised costs, to tame heavy tails.

    Objective values often span orders of magnitude (a few catastrophic
    configurations); a power transform, with its exponent chosen by maximum
    likelihood on a grid, makes them closer to Gaussian so the surrogate spends
    its flexibility near the optimum. The transform is monotone, so the ranking
    of trials is unchanged.
    """
    std = y.std()
    if len(y) < 3 or std == 0:
        return y
    cost = (y.max() - y) / std  # >= 0, where Yeo-Johnson is ((1 + x)**lam - 1) / lam
    log1p = np.log1p(cost)
    lambdas = _YJ_LAMBDAS[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        warped = np.where(np.abs(lambdas) < 1e-8, log1p[None, :],
                          np.expm1(lambdas * log1p[None, :]) / np.where(lambdas == 0, 1, lambdas))
        variance = warped.var(axis=1)
        loglik = -0.5 * len(y) * np.log(variance) + (lambdas[:, 0] - 1) * log1p.sum()
    loglik[~np.isfinite(loglik)] = -np.inf
    return -warped[int(np.argmax(loglik))]


_YJ_LAMBDAS = np.linspace(-2.0, 2.0, 81)


def _is_duplicate(x, X, tol=1e-4):
    return bool(np.any(np.max(np.abs(X - x), axis=1) <= tol))
