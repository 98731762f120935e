"""Gaussian-process sampler: expected improvement, maximised with L-BFGS-B."""

import numpy as np
from scipy.optimize import Bounds, minimize
from scipy.special import erfcx, ndtr

from .._gaussian_process import GaussianProcess
from ._base import random_columns
from ._model_based import ModelBasedSampler

__all__ = ["GPSampler", "log_expected_improvement"]

_SQRT_HALF_PI = np.sqrt(np.pi / 2.0)
#: Half-width (unit cube) of the region explored around a category's best trial.
_TRUST_RADIUS = 0.2
_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)
#: Least distance (max-norm, unit cube) of a proposal from every trial, and of
#: a local step's (which would otherwise crowd an incumbent on a bound). At
#: 1e-4 the first capped late precision on smooth functions (a curvature of c
#: leaves a regret of c * 1e-8 a coordinate); 1e-6 was chosen on COCO's odd
#: functions (``benchmarks/coco/README.md``).
_MIN_SPACING, _LOCAL_SPACING = 1e-6, 1e-2


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
    (Matérn 5/2, hyperparameters by marginal likelihood) on the unit-cube encoding
    of the space, where ``log=True`` and log-uniform distributions are already
    warped to a log scale. Each continuous or integer dimension has its own length
    scale; the one-hot columns of a categorical share one, an overlap kernel in
    which all choices are equally alike, and which keeps them correlated (at
    least 0.31 at the same continuous point) so that what one choice taught
    about the other parameters serves the others. Scores are power-transformed (output
    warping) before the fit.

    Expected improvement is maximised by scoring random and local candidates,
    then polishing the best few with multi-start L-BFGS-B over the continuous
    columns. Categories are optimised exactly: when the space has at most
    ``max_category_combinations`` category combinations, every combination gets
    a polished start of its own, and every polished point is also tried with each
    other choice of each categorical. Integers and categories are rounded before
    the final comparison, so the acquisition of the rounded point decides, and a
    proposal never repeats a finished trial. Coordinates within 1e-3 of a bound
    are put on the bound.

    Candidates still running (``pending``) enter the model with a fantasy
    score, as noiseless observations, without refitting the hyperparameters:
    the posterior variance at a pending point drops to zero, and the incumbent
    of expected improvement is the best of the finished and fantasy scores, so
    improvement vanishes at a pending point and shrinks around it, and the
    next proposal goes elsewhere (with the finished trials' incumbent, a
    pending point predicted to improve keeps its neighbours attractive: 8
    proposals on Branin then had their closest pair a median 0.008 apart in
    the unit square, against 0.061 now). A batch is proposed the same way, one by one, each proposal
    pending for the next. The default fantasy is the *kriging believer*, the
    model's own posterior mean at the point: it leaves the mean everywhere
    unchanged, so pending points only remove the uncertainty they will resolve,
    with no invented score pulling the model down around them. The *constant
    liar* (``liar="min"`` or ``"mean"``: the worst or the mean modelled score)
    spreads proposals more, but an invented low score, noiseless, in the good
    region drives later proposals out of it: on Branin with 4 candidates always
    running, the median log10 regret at 30 trials (20 seeds) was -2.7 with the
    kriging believer, -0.7 and -1.4 with the two liars, -2.0 with proposals
    blind to the running ones, and -3.0 for sequential proposals (over 40
    seeds, -2.8 with the kriging believer and -2.9 sequentially).

    A conditional space (a list of dicts) is modelled by one GP over all its
    trials: the sub-space is a categorical dimension (the *branch*), a
    parameter of several branches with the same domain is one shared dimension,
    and a branch's other parameters are pinned to constants and held there
    while the acquisition is maximised. The branch is chosen by expected
    improvement like any category, so what one branch taught (a good ``C``)
    serves the others and a poor branch gets few trials.

    Exploration safeguard: every ``explore_every``-th proposal in a space with
    categoricals keeps each categorical at its least-tried choice and maximises
    expected improvement over the other dimensions, so a choice that looked bad
    in a few early trials is revisited and one category cannot trap the search.

    Exploitation step: every ``exploit_every``-th proposal keeps the best
    trial's categories and maximises expected improvement in the same trust
    region around it, a local climb (as in trust-region BO) that pays in 8 to
    20 dimensions, where a global maximisation of the acquisition from a few
    hundred candidates rarely lands next to the incumbent, and on the flat,
    noisy tops of cross-validation scores.

    Cost stays bounded as trials accumulate: the model is fitted on at most
    ``max_points`` trials (the best half plus the most recent), hyperparameters
    are warm-started from the previous fit and re-optimised once the trials grew
    by ``refit_every`` or by 10%, whichever is more, and each finished trial is
    encoded once, not at every proposal. In 20 dimensions a proposal took 11 to
    12 ms at 100 trials and 23 to 38 ms from 500 trials on, on an idle machine
    (``benchmarks/results/bench_gp_overhead.md``).

    Parameters
    ----------
    n_initial_points : int or None, default=None
        Quasi-random (Sobol) candidates before the model is used; ``None``
        means ``max(5, n_dims + 1)``.
    xi : float, default=0.0
        Exploration margin of expected improvement, in standard deviations of
        the scores.
    max_points : int, default=400
        Cap on the trials the model is fitted on.
    refit_every : int, default=5
        Re-optimise the kernel hyperparameters after this many new trials at
        least (every time before 50 trials).
    n_random_candidates : int, default=500
        Random points scored before the gradient polish.
    n_starts : int, default=4
        Points polished with L-BFGS-B (plus one per category combination).
    polish_iterations : int, default=30
        L-BFGS-B iterations of the polish (all starts at once). In 20
        dimensions 30 iterations leave the best polished point's log expected
        improvement a median 2e-5 (at most 0.012) below full convergence, at a
        third of the cost of 100.
    noise : {"fit"} or float, default="fit"
        Noise variance of the standardised scores, or ``"fit"``.
    output_warping : {"power", None}, default="power"
        Yeo-Johnson transform of the scores before the fit (see
        :func:`warp_scores`), or none.
    explore_every : int or None, default=3
        Period of the least-tried-category proposals (``None``: never).
    exploit_every : int or None, default=5
        Period of the local steps around the best trial (``None``: never);
        a proposal that is both explores.
    max_category_combinations : int, default=32
        Spaces with at most this many category combinations get one polished
        start per combination.
    liar : {"kriging", "min", "mean"}, default="kriging"
        Fantasy score of a pending candidate: the posterior mean (kriging
        believer), or the worst or mean modelled score (constant liar).
    """

    joint_subspaces = True

    def __init__(self, n_initial_points=None, xi=0.0, max_points=400, refit_every=5,
                 n_random_candidates=500, n_starts=4, noise="fit", output_warping="power",
                 explore_every=3, max_category_combinations=32, exploit_every=5,
                 liar="kriging", polish_iterations=30):
        super().__init__(n_initial_points=n_initial_points)
        self.xi = xi
        self.max_points = max_points
        self.refit_every = refit_every
        self.n_random_candidates = n_random_candidates
        self.n_starts = n_starts
        self.polish_iterations = polish_iterations
        self.noise = noise
        self.output_warping = output_warping
        self.explore_every = explore_every
        self.exploit_every = exploit_every
        self.max_category_combinations = max_category_combinations
        self.liar = liar
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

    def _fit_model(self, index, subspace, X, y, rng):
        n = len(y)
        previous = self._theta.get(index)
        stale = n - self._fitted_at.get(index, -np.inf)
        optimize = previous is None or n < 50 or stale >= max(self.refit_every, 0.1 * n)
        gp = GaussianProcess(noise=self.noise, random_state=rng,
                             length_groups=_length_groups(subspace),
                             categorical_columns=~subspace.continuous_columns,
                             max_iter=200 if previous is None else 50)
        gp.fit(X, y, theta0=None if previous is None else previous.copy(), optimize=optimize)
        if optimize:
            self._theta[index] = gp.theta_
            self._fitted_at[index] = n
        return gp

    def propose(self, space, trials, n_candidates, random_state, pending=()):
        if self.liar not in _LIARS:
            raise ValueError(f"GPSampler's liar must be one of {sorted(_LIARS)}, "
                             f"got {self.liar!r}.")
        return super().propose(space, trials, n_candidates, random_state, pending)

    def _propose_in_subspace(self, index, subspace, X, y, n_candidates, rng, pending):
        if self.output_warping == "power":
            y = warp_scores(y)
        X_fit, y_fit = self._select_points(X, y)
        gp = self._fit_model(index, subspace, X_fit, y_fit, rng)
        lie = _LIARS[self.liar](y_fit)
        X_fit, y_fit = _condition(gp, X_fit, y_fit, pending, lie)
        taken = np.vstack([X, pending])
        proposals = []
        for i in range(n_candidates):
            x = self._propose_one(gp, subspace, X_fit, y_fit, taken, rng)
            proposals.append(x)
            taken = np.vstack([taken, x[None, :]])
            if i + 1 < n_candidates:  # the next proposal sees this one as pending
                X_fit, y_fit = _condition(gp, X_fit, y_fit, x[None, :], lie)
        return subspace.decode(np.array(proposals))

    def _propose_one(self, gp, subspace, X_fit, y_fit, taken, rng):
        """One proposal of a model conditioned on the pending points (in ``X_fit``)."""
        n_done = len(taken)  # finished, pending and earlier proposals of the batch
        fixed = self._least_tried(subspace, taken, n_done, rng)
        spacing = _MIN_SPACING
        if fixed is None and self.exploit_every and n_done % self.exploit_every == 1:
            # a local step: climb around the best trial, with its categories,
            # at least _LOCAL_SPACING away from every trial
            fixed = X_fit[np.argmax(y_fit)][~subspace.continuous_columns]
            spacing = _LOCAL_SPACING
        best = (y_fit.max() - gp.y_mean_) / gp.y_std_ + self.xi
        return self._maximize(gp, subspace, best, X_fit, y_fit, taken, rng, fixed, spacing)

    def _candidates(self, subspace, X_fit, y_fit, rng, box):
        free = subspace.continuous_columns
        top = X_fit[np.argsort(-y_fit)[:5]]
        local = np.repeat(top, 20, axis=0)
        local[:, free] += rng.normal(scale=0.05, size=(len(local), int(free.sum())))
        uniform = random_columns(subspace, self.n_random_candidates, rng)
        low, high = box
        uniform[:, free] = low + uniform[:, free] * (high - low)
        local[:, free] = np.clip(local[:, free], low, high)
        return np.vstack([uniform, local])

    def _maximize(self, gp, subspace, best, X_fit, y_fit, taken, rng, fixed=None,
                  spacing=_MIN_SPACING):
        free = subspace.continuous_columns
        box = (np.zeros(int(free.sum())), np.ones(int(free.sum())))
        if fixed is not None:
            # A trust region around the best trial with these categories, and
            # improvement over that trial: the proposal climbs within them
            # rather than chasing variance in a far corner.
            inside = np.all(X_fit[:, ~free] == fixed, axis=1)
            X_fit, y_fit = X_fit[inside], y_fit[inside]
            if len(y_fit):
                centre = X_fit[np.argmax(y_fit)][free]
                box = (np.clip(centre - _TRUST_RADIUS, 0, 1), np.clip(centre + _TRUST_RADIUS, 0, 1))
                best = (y_fit.max() - gp.y_mean_) / gp.y_std_ + self.xi
        candidates = self._candidates(subspace, X_fit, y_fit, rng, box)
        if fixed is not None:
            candidates[:, ~free] = fixed
        candidates = subspace.pin(candidates)
        scores = log_expected_improvement(*gp.predict(candidates), best)
        order = np.argsort(-scores)
        starts = candidates[order[: self.n_starts]]
        if fixed is None:
            combos = _category_combinations(subspace, self.max_category_combinations)
            if combos is not None:  # one start per combination, at the best raw point
                recoloured = np.repeat(candidates[order[:1]], len(combos), axis=0)
                recoloured[:, ~free] = combos
                starts = np.vstack([starts, recoloured])
        starts = subspace.pin(starts)
        results = _polish(gp, best, starts, free, box, subspace.active_columns(starts),
                          self.polish_iterations)
        if fixed is None:
            results = np.vstack([results, _category_neighbours(subspace, results)])
        # Integers and categories are rounded before the final comparison, and
        # points (nearly) already taken are skipped.
        pool = _snap_bounds(subspace.snap(np.vstack([results, candidates[order[:50]]])), free)
        final = log_expected_improvement(*gp.predict(pool), best)
        for i in np.argsort(-final, kind="stable"):
            if not _is_duplicate(pool[i], taken, spacing):
                return pool[i]
        return subspace.snap(random_columns(subspace, 1, rng))[0]


def _polish(gp, best, starts, free, box, active=None, maxiter=100):
    """Multi-start L-BFGS-B on log EI over the ``free`` columns in ``box``, all starts at once.

    Where the mask ``active`` is False a column is held at its start (a
    parameter the start's branch does not have).
    """
    results = starts.copy()
    n_free = int(free.sum())
    if not n_free:
        return results

    # The objective is a sum of independent terms, so one vectorised call serves
    # every start.
    def objective(z):
        X = starts.copy()
        X[:, free] = z.reshape(len(starts), n_free)
        if active is not None:
            X = np.where(active, X, starts)
        mean, std, dmean, dstd = gp.predict(X, return_grad=True)
        value, grad = log_expected_improvement(mean, std, best, dmean, dstd)
        if active is not None:
            grad = grad * active
        return -value.sum(), -grad[:, free].ravel()

    bounds = Bounds(np.tile(box[0], len(starts)), np.tile(box[1], len(starts)))
    res = minimize(objective, starts[:, free].ravel(), jac=True, method="L-BFGS-B",
                   bounds=bounds, options={"maxiter": maxiter})
    results[:, free] = res.x.reshape(len(starts), n_free)
    return results


#: Fantasy score of a pending point from the modelled scores: ``None`` is the
#: model's posterior mean there (kriging believer), a number a constant liar.
_LIARS = {"kriging": lambda y: None, "min": np.min, "mean": np.mean}


def _condition(gp, X_fit, y_fit, X_new, lie):
    """Add ``X_new`` to ``gp`` as noiseless observations of their fantasy scores.

    Hyperparameters are kept. Returns the model's points and scores with the
    new ones appended.
    """
    if not len(X_new):
        return X_fit, y_fit
    if lie is None:
        values = gp.predict(X_new)[0] * gp.y_std_ + gp.y_mean_
    else:
        values = np.full(len(X_new), lie)
    gp.add_observations(X_new, values)
    return np.vstack([X_fit, X_new]), np.r_[y_fit, values]


def _length_groups(subspace):
    """One length-scale group per continuous column and per categorical."""
    groups = np.arange(subspace.n_columns)
    for dim, sl in zip(subspace.dimensions, subspace.slices):
        if dim.is_categorical:
            groups[sl] = sl.start
    return groups


def _categorical_slices(subspace):
    return [sl for dim, sl in zip(subspace.dimensions, subspace.slices)
            if dim.is_categorical and dim.n_columns > 1]


def _category_combinations(subspace, limit):
    """One-hot columns of every category combination, or None if there are none or too many."""
    slices = _categorical_slices(subspace)
    sizes = [sl.stop - sl.start for sl in slices]
    if not slices or np.prod(sizes, dtype=float) > limit:
        return None
    index = np.indices(sizes).reshape(len(sizes), -1).T
    free = subspace.continuous_columns
    combos = np.zeros((len(index), subspace.n_columns))
    for j, sl in enumerate(slices):
        combos[np.arange(len(index)), sl.start + index[:, j]] = 1.0
    return combos[:, ~free]


def _category_neighbours(subspace, X):
    """``X`` with each categorical changed to each of its other choices, one at a time."""
    out = []
    for sl in _categorical_slices(subspace):
        for k in range(sl.stop - sl.start):
            Z = X.copy()
            Z[:, sl] = 0.0
            Z[:, sl.start + k] = 1.0
            out.append(Z)
    return np.vstack(out) if out else np.empty((0, X.shape[1]))


def _snap_bounds(X, free, tol=1e-3):
    """Put continuous coordinates within ``tol`` of a bound on the bound."""
    Z = X[:, free]
    Z[Z < tol] = 0.0
    Z[Z > 1.0 - tol] = 1.0
    X[:, free] = Z
    return X


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


def _is_duplicate(x, X, tol=_MIN_SPACING):
    return bool(np.any(np.max(np.abs(X - x), axis=1) <= tol))
