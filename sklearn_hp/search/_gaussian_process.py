"""A small Gaussian-process regressor for Bayesian optimisation, in numpy/scipy.

Matérn 5/2 kernel with one length scale per input column (ARD), a signal
variance and a noise variance. Hyperparameters are fitted by maximising the log
marginal likelihood plus a weak log-normal prior on the length scales (which keeps
small data sets from collapsing to tiny length scales; its centre grows as
sqrt(d) beyond 6 length scales) with L-BFGS-B and analytic
gradients, warm-started from the previous fit. Predictions return the mean,
standard deviation and, on request, their gradients with respect to the inputs,
which the acquisition optimiser uses.

Inputs are expected in the unit cube (see :mod:`sklearn_hp.search._space`);
targets are standardised inside :meth:`GaussianProcess.fit`.
"""

import numpy as np
from scipy.linalg import cho_solve, cholesky, solve_triangular
from scipy.optimize import minimize

__all__ = ["GaussianProcess"]

_SQRT5 = np.sqrt(5.0)
_LOG_LENGTH_BOUNDS = (np.log(5e-3), np.log(20.0))
_LOG_SIGNAL_BOUNDS = (np.log(5e-2), np.log(20.0))
_LOG_NOISE_BOUNDS = (np.log(1e-6), np.log(1.0))
# A categorical's shared length scale is at least 1: two different choices at the
# same continuous point then correlate at least 0.31 (Matérn 5/2 at distance
# sqrt(2)), so what one choice taught about the other parameters (a good ``C``,
# a good learning rate) carries over to the others. Left free, marginal likelihood
# on 20 trials makes choices independent. Chosen on half A of benchmarks/bbo: at
# 20 trials, seeds (of 100) reaching random search's median at 60 went from 36
# to 42 on svc_digits and from 64 to 76 on logistic_cancer.
_LOG_CATEGORY_LENGTH_BOUNDS = (np.log(1.0), np.log(20.0))
# log-normal prior on length scales, centred on a quarter of the unit cube (chosen
# on Branin, six-hump camel and Hartmann-3/6: shorter than 0.5 finds narrow optima
# sooner, see benchmarks/bench_search.py)
_LOG_LENGTH_PRIOR_MEAN = np.log(0.25)
_LOG_LENGTH_PRIOR_STD = 1.5
# Above this many length scales the prior's centre grows as sqrt(d) (points of the
# unit cube drift apart as sqrt(d); Hvarfner et al., "Vanilla Bayesian optimization
# performs great in high dimensions", 2024): in 20 dimensions short length scales
# leave the model blind between trials and expected improvement chases far corners.
_LENGTH_PRIOR_DIMS = 6


def _scaled_sq_distances(A, B, length_scales):
    B = B / length_scales
    return _sq_distances_to(A / length_scales, B, (B * B).sum(1))


def _sq_distances_to(A, B, B_sq):
    """Squared distances of the rows of ``A`` to those of ``B`` (``B_sq``: their squared norms)."""
    d2 = (A * A).sum(1)[:, None] + B_sq[None, :] - 2.0 * A @ B.T
    return np.maximum(d2, 0.0)


def _matern52(r):
    """Matérn 5/2 correlation and ``-(1/r) dk/dr`` (both for unit variance)."""
    e = np.exp(-_SQRT5 * r)
    k = (1.0 + _SQRT5 * r + (5.0 / 3.0) * r * r) * e
    minus_dk_over_r = (5.0 / 3.0) * (1.0 + _SQRT5 * r) * e
    return k, minus_dk_over_r


class GaussianProcess:
    """Gaussian-process regression with a Matérn 5/2 ARD kernel.

    Parameters
    ----------
    noise : {"fit"} or float, default="fit"
        ``"fit"`` fits the noise variance (of the standardised targets) by
        marginal likelihood between 1e-6 and 1; a float fixes it.
    n_restarts : int, default=1
        Extra random starting points for the hyperparameter optimisation when
        no warm start is given.
    random_state : RandomState, default=None
        Source of randomness for the restarts.
    length_groups : array-like of shape (n_columns,) or None, default=None
        Columns with the same group share one length scale. The one-hot columns
        of a categorical share one, which makes the kernel an overlap (Hamming)
        kernel on that categorical: every two different choices are equally
        far apart. ``None``: one length scale per column.
    categorical_columns : array-like of bool of shape (n_columns,) or None, default=None
        One-hot columns of categoricals. Their length scale is at least 1, so
        different choices stay correlated (at least 0.31) and share what they
        have in common. ``None``: no categorical columns.
    max_iter : int, default=200
        L-BFGS-B iterations of the hyperparameter optimisation.

    Attributes
    ----------
    theta_ : ndarray
        Log hyperparameters ``[log length scales (one per group)..., log signal
        variance, log noise variance]``.
    """

    def __init__(self, noise="fit", n_restarts=1, random_state=None, length_groups=None,
                 max_iter=200, categorical_columns=None):
        self.noise = noise
        self.n_restarts = n_restarts
        self.random_state = random_state
        self.length_groups = length_groups
        self.max_iter = max_iter
        self.categorical_columns = categorical_columns

    # ------------------------------------------------------------------ fitting
    def _unpack(self, theta):
        d = self.n_lengths_
        return np.exp(theta[:d])[self.groups_], np.exp(theta[d]), np.exp(theta[d + 1])

    def _neg_log_posterior(self, theta, X, y):
        """Negative log marginal likelihood (+ prior) and its gradient."""
        return self._neg_log_posterior_of(theta, self._grouped_sq_diffs(X), y)

    def _grouped_sq_diffs(self, X):
        """Squared differences of every pair of rows of ``X``, summed within each
        length-scale group: shape (n * n, n_lengths), the same for every theta."""
        n = X.shape[0]
        groups = np.zeros((X.shape[1], self.n_lengths_))
        groups[np.arange(X.shape[1]), self.groups_] = 1.0
        return ((X[:, None, :] - X[None, :, :]) ** 2).reshape(n * n, -1) @ groups

    def _neg_log_posterior_of(self, theta, sq_diffs, y):
        """:meth:`_neg_log_posterior` from the grouped squared differences of the points."""
        d = self.n_lengths_
        inv_sq_length = np.exp(-2.0 * theta[:d])
        signal, noise = np.exp(theta[d]), np.exp(theta[d + 1])
        n = len(y)
        r = np.sqrt(np.maximum(sq_diffs @ inv_sq_length, 0.0)).reshape(n, n)
        corr, minus_dk_over_r = _matern52(r)
        K = signal * corr + (noise + 1e-10) * np.eye(n)
        try:
            L = cholesky(K, lower=True, check_finite=False)
        except np.linalg.LinAlgError:
            return 1e25, np.zeros_like(theta)
        alpha = cho_solve((L, True), y, check_finite=False)
        nll = 0.5 * y @ alpha + np.log(np.diag(L)).sum() + 0.5 * n * np.log(2 * np.pi)
        K_inv = cho_solve((L, True), np.eye(n), check_finite=False)
        W = np.outer(alpha, alpha) - K_inv  # d nll = -0.5 tr(W dK)
        grad = np.empty_like(theta)
        # dK/dlog l_g = signal * (-(1/r)dk/dr) * (squared differences in group g) / l_g^2
        weighted = signal * minus_dk_over_r * W
        grad[:d] = -0.5 * (weighted.ravel() @ sq_diffs) * inv_sq_length
        grad[d] = -0.5 * np.sum(W * (signal * corr))
        grad[d + 1] = -0.5 * np.trace(W) * noise if self.noise == "fit" else 0.0
        # log-normal prior on length scales
        prior_mean = _LOG_LENGTH_PRIOR_MEAN + 0.5 * np.log(max(1.0, d / _LENGTH_PRIOR_DIMS))
        z = (theta[:d] - prior_mean) / _LOG_LENGTH_PRIOR_STD
        nll += 0.5 * np.sum(z * z)
        grad[:d] += z / _LOG_LENGTH_PRIOR_STD
        return nll, grad

    def fit(self, X, y, theta0=None, optimize=True):
        """Fit to ``X`` (n, d) in the unit cube and targets ``y`` (n,).

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_columns)
        y : ndarray of shape (n_samples,)
        theta0 : ndarray or None, default=None
            Warm start for the log hyperparameters (e.g. the previous fit's).
        optimize : bool, default=True
            Whether to optimise the hyperparameters; ``False`` keeps ``theta0``.

        Returns
        -------
        self
        """
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        self.n_columns_ = X.shape[1]
        groups = (np.arange(self.n_columns_) if self.length_groups is None
                  else np.asarray(self.length_groups, dtype=int))
        _, self.groups_ = np.unique(groups, return_inverse=True)
        self.n_lengths_ = int(self.groups_.max()) + 1
        self.y_mean_ = y.mean()
        self.y_std_ = y.std() if y.std() > 0 else 1.0
        y_scaled = (y - self.y_mean_) / self.y_std_
        d = self.n_lengths_
        bounds = [_LOG_LENGTH_BOUNDS] * d + [_LOG_SIGNAL_BOUNDS] + [_LOG_NOISE_BOUNDS]
        if self.categorical_columns is not None:
            mask = np.asarray(self.categorical_columns, dtype=bool)
            for group in np.unique(self.groups_[mask]):
                bounds[group] = _LOG_CATEGORY_LENGTH_BOUNDS
        fixed_noise = None if self.noise == "fit" else np.log(max(float(self.noise), 1e-10))
        if fixed_noise is not None:
            bounds[-1] = (fixed_noise, fixed_noise)
        default = np.r_[np.full(d, np.log(0.3)), 0.0, np.log(1e-4)]
        if theta0 is None or len(theta0) != d + 2:
            starts = [default]
            rng = self.random_state if self.random_state is not None else np.random
            for _ in range(self.n_restarts):
                starts.append(np.r_[rng.uniform(np.log(0.05), np.log(2.0), d), 0.0, np.log(1e-3)])
        else:
            starts = [np.asarray(theta0, dtype=float)]
        if fixed_noise is not None:
            for s in starts:
                s[-1] = fixed_noise
        best_theta, best_value = starts[0], np.inf
        if optimize:
            sq_diffs = self._grouped_sq_diffs(X)
            for start in starts:
                start = np.clip(start, [b[0] for b in bounds], [b[1] for b in bounds])
                result = minimize(
                    self._neg_log_posterior_of, start, args=(sq_diffs, y_scaled), jac=True,
                    method="L-BFGS-B", bounds=bounds, options={"maxiter": self.max_iter},
                )
                if result.fun < best_value:
                    best_theta, best_value = result.x, result.fun
        self.theta_ = np.asarray(best_theta, dtype=float)
        self.length_scales_, self.signal_, self.noise_ = self._unpack(self.theta_)
        self._set_data(X, y_scaled, np.full(len(y_scaled), self.noise_))
        return self

    def _set_data(self, X, y_scaled, point_noise):
        self.X_train_ = X
        self.y_train_scaled_ = y_scaled
        self.point_noise_ = point_noise
        n = X.shape[0]
        # the training points scaled by the length scales, and their squared
        # norms: each prediction measures its distances to them
        self._X_scaled = X / self.length_scales_
        self._X_scaled_sq = (self._X_scaled * self._X_scaled).sum(1)
        r = np.sqrt(_sq_distances_to(self._X_scaled, self._X_scaled, self._X_scaled_sq))
        K = self.signal_ * _matern52(r)[0] + np.diag(point_noise + 1e-10)
        jitter = 1e-10
        while True:
            try:
                self.L_ = cholesky(K + jitter * np.eye(n), lower=True)
                break
            except np.linalg.LinAlgError:
                jitter *= 100
        self.alpha_ = cho_solve((self.L_, True), y_scaled)

    def add_observations(self, X_new, y_new):
        """Append noiseless pseudo-observations (original target scale).

        Used for the fantasy scores of pending candidates (kriging believer or
        constant liar): the posterior variance at a pending point drops to ~0,
        so the next proposal goes elsewhere. Hyperparameters are kept.
        """
        y_scaled = (np.asarray(y_new, dtype=float) - self.y_mean_) / self.y_std_
        self._set_data(
            np.vstack([self.X_train_, X_new]), np.r_[self.y_train_scaled_, y_scaled],
            np.r_[self.point_noise_, np.full(len(y_scaled), 1e-6)],
        )
        return self

    # --------------------------------------------------------------- prediction
    def predict(self, X, return_grad=False):
        """Posterior mean and standard deviation, in the standardised scale.

        Parameters
        ----------
        X : ndarray of shape (n, d)
        return_grad : bool, default=False
            Also return ``dmean/dX`` and ``dstd/dX``, each of shape (n, d).

        Returns
        -------
        mean, std[, dmean, dstd]
        """
        X = np.atleast_2d(X)
        length = self.length_scales_
        r = np.sqrt(_sq_distances_to(X / length, self._X_scaled, self._X_scaled_sq))
        corr, minus_dk_over_r = _matern52(r)
        k = self.signal_ * corr  # (n, m)
        mean = k @ self.alpha_
        v = solve_triangular(self.L_, k.T, lower=True, check_finite=False)  # (m, n)
        var = np.maximum(self.signal_ - (v * v).sum(0), 1e-12)
        std = np.sqrt(var)
        if not return_grad:
            return mean, std
        K_inv_k = solve_triangular(self.L_.T, v, lower=False, check_finite=False)  # (m, n)
        # dk(x, x_m)/dx = w_m (x - x_m) / l^2 with w = -signal * (-(1/r)dk/dr), so
        # a sum over m of c_m dk/dx is (x sum_m c_m w_m - sum_m c_m w_m x_m) / l^2:
        # dmean takes c = alpha, dvar c = -2 K^-1 k; both in one product.
        w = -self.signal_ * minus_dk_over_r  # (n, m)
        weights = np.vstack([w * self.alpha_, -2.0 * w * K_inv_k.T])  # (2n, m)
        grads = (np.vstack([X, X]) * weights.sum(1)[:, None]
                 - weights @ self.X_train_) / (length**2)
        n = len(X)
        return mean, std, grads[:n], grads[n:] / (2.0 * std[:, None])
