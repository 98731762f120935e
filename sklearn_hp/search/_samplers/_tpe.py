"""Tree-structured Parzen estimator (multivariate TPE)."""

import numpy as np
from scipy.special import logsumexp, ndtr, ndtri

from ._model_based import ModelBasedSampler

__all__ = ["TPESampler"]

_PRIOR_STD = 1.0
_CATEGORY_SMOOTHING = 0.3


class TPESampler(ModelBasedSampler):
    """Multivariate tree-structured Parzen estimator.

    Finished trials are split into the best ``gamma`` fraction ("good", at most
    ``max_good``) and the rest ("bad"). Each group gets a Parzen mixture on the
    unit-cube encoding: a truncated Gaussian on every continuous column and a
    smoothed point mass on every categorical, one component per trial plus a
    broad prior component. ``n_ei_candidates`` points are drawn from the good
    mixture and the one maximising ``log l(x) - log g(x)`` is proposed. With
    Hyperband it gives a BOHB-like search.

    Candidates still running (``pending``) join the bad group, a constant liar
    with the worst score, as Optuna's ``constant_liar``: the density ratio
    drops around them, so concurrent proposals spread out. The good group is
    chosen among finished trials only. A batch is proposed one by one, each
    proposal pending for the next.

    Parameters
    ----------
    n_initial_points : int or None, default=None
        Quasi-random (Sobol) candidates before the model is used; ``None`` means
        ``max(5, n_dims + 1)``.
    gamma : float, default=0.25
        Fraction of trials treated as good.
    max_good : int, default=25
        Cap on the number of good trials.
    n_ei_candidates : int, default=24
        Draws from the good mixture scored per proposal.
    prior_weight : float, default=1.0
        Weight of the prior component relative to one trial.
    bandwidth : float, default=0.1
        Kernel width on the unit cube for one trial, shrunk as
        ``bandwidth * n ** (-1 / (n_continuous + 4))`` (Scott's rule) with ``n``
        trials in the mixture.
    explore_every : int or None, default=3
        Period of the least-tried-category proposals, as in :class:`GPSampler`:
        every ``explore_every``-th proposal in a space with categoricals keeps
        each categorical at its least-tried choice and draws the other
        dimensions from the good mixture (``None``: never).
    """

    def __init__(self, gamma=0.25, max_good=25, n_ei_candidates=24, prior_weight=1.0,
                 n_initial_points=None, bandwidth=0.1, explore_every=3):
        super().__init__(n_initial_points=n_initial_points)
        self.bandwidth = bandwidth
        self.explore_every = explore_every
        self.gamma = gamma
        self.max_good = max_good
        self.n_ei_candidates = n_ei_candidates
        self.prior_weight = prior_weight

    def _propose_in_subspace(self, index, subspace, X, y, n_candidates, rng, pending):
        taken = set(subspace.keys(np.vstack([X, pending])))
        proposals = []
        for _ in range(n_candidates):
            running = np.vstack([pending] + proposals)  # earlier proposals are pending too
            draws, ratio = self._score_draws(subspace, X, y, running, rng)
            keys = subspace.keys(draws)
            ratio[[k in taken for k in keys]] = -np.inf  # a repeat is never proposed
            best = int(np.argmax(ratio))
            taken.add(keys[best])
            proposals.append(draws[best][None, :])
        return subspace.decode(np.vstack(proposals))

    def _score_draws(self, subspace, X, y, running, rng):
        """Draws from the good mixture and their ``log l(x) - log g(x)``."""
        free = subspace.continuous_columns
        fixed = self._least_tried(subspace, np.vstack([X, running]), len(X) + len(running), rng)
        if fixed is None:
            good, bad = self._mixtures(subspace, X, y, running)
            draws = good.sample(self.n_ei_candidates, rng)
        else:
            # climb within the least-tried categories: a model of their trials only
            inside = np.all(X[:, ~free] == fixed, axis=1)
            running = running[np.all(running[:, ~free] == fixed, axis=1)]
            good, bad = self._mixtures(subspace, X[inside], y[inside], running)
            draws = good.sample(self.n_ei_candidates, rng)
            draws[:, ~free] = fixed
        return draws, good.log_density(draws) - bad.log_density(draws)

    def _mixtures(self, subspace, X, y, running):
        """The good and bad Parzen mixtures of the trials ``X`` with scores ``y``.

        The good group is the best ``gamma`` fraction of the finished trials;
        the ``running`` points (encoded) join the bad group (constant liar).
        """
        n_good = int(np.clip(np.ceil(self.gamma * len(y)), 1, self.max_good))
        order = np.argsort(-y, kind="stable")
        bad = np.vstack([X[order[n_good:]], running])
        return (_ParzenMixture(subspace, X[order[:n_good]], self.prior_weight, self.bandwidth),
                _ParzenMixture(subspace, bad, self.prior_weight, self.bandwidth))


class _ParzenMixture:
    """Mixture of one kernel per observation plus a prior, on the unit cube."""

    def __init__(self, subspace, centers, prior_weight, bandwidth):
        self.subspace = subspace
        n, n_columns = centers.shape
        self.centers = np.vstack([centers, np.full((1, n_columns), 0.5)])
        free = subspace.continuous_columns
        self.free = free
        bandwidth = bandwidth * max(n, 1) ** (-1.0 / (int(free.sum()) + 4))
        self.sigma = np.full((n + 1, int(free.sum())), np.clip(bandwidth, 0.01, 1.0))
        self.sigma[-1] = _PRIOR_STD
        weights = np.r_[np.ones(n), prior_weight]
        self.log_weights = np.log(weights / weights.sum())
        self.groups = [sl for dim, sl in zip(subspace.dimensions, subspace.slices)
                       if dim.is_categorical]
        # category index of each component per categorical group (prior: -1)
        self.categories = [
            np.r_[np.argmax(centers[:, sl], axis=1), -1] for sl in self.groups
        ]

    def _truncation(self):
        mu = self.centers[:, self.free]
        low = ndtr((0.0 - mu) / self.sigma)
        high = ndtr((1.0 - mu) / self.sigma)
        return mu, low, np.maximum(high - low, 1e-300)

    def sample(self, n, rng):
        component = rng.choice(len(self.log_weights), size=n, p=np.exp(self.log_weights))
        X = np.zeros((n, self.subspace.n_columns))
        mu, low, mass = self._truncation()
        u = low[component] + rng.uniform(size=(n, mu.shape[1])) * mass[component]
        u = np.clip(u, 1e-12, 1 - 1e-12)
        X[:, self.free] = np.clip(mu[component] + self.sigma[component] * ndtri(u), 0, 1)
        for sl, cats in zip(self.groups, self.categories):
            k = sl.stop - sl.start
            chosen = cats[component]
            resample = (chosen < 0) | (rng.uniform(size=n) < _CATEGORY_SMOOTHING)
            chosen = np.where(resample, rng.randint(k, size=n), chosen)
            X[np.arange(n), sl.start + chosen] = 1.0
        return X

    def log_density(self, X):
        mu, _, mass = self._truncation()
        x = X[:, self.free][:, None, :]  # (S, 1, c)
        z = (x - mu[None]) / self.sigma[None]
        log_pdf = (-0.5 * z * z - np.log(self.sigma[None] * np.sqrt(2 * np.pi) * mass[None]))
        total = log_pdf.sum(-1) + self.log_weights[None, :]  # (S, M)
        for sl, cats in zip(self.groups, self.categories):
            k = sl.stop - sl.start
            sample_cat = np.argmax(X[:, sl], axis=1)[:, None]
            match = sample_cat == cats[None, :]
            prior = cats[None, :] < 0
            p = np.where(prior, 1.0 / k,
                         np.where(match, 1 - _CATEGORY_SMOOTHING, 0.0) + _CATEGORY_SMOOTHING / k)
            total = total + np.log(p)
        return logsumexp(total, axis=1)
