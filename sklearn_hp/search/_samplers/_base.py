"""The sampler interface and the helpers model-based samplers share.

A sampler reads finished trials and proposes new parameter dicts. It never
runs cross-validation or stores anything outside itself: the search drives it in
an ask/tell loop through :meth:`BaseSampler.propose`.
"""

from collections import namedtuple

import numpy as np
from sklearn.utils import check_random_state
from threadpoolctl import ThreadpoolController

__all__ = ["BaseSampler", "Trial", "choose_subspaces", "impute_failed_scores"]


def choose_subspaces(space, n_candidates, rng):
    """Index of the (conditional) subspace each of ``n_candidates`` proposals comes from."""
    if space.n_subspaces == 1:
        return np.zeros(n_candidates, dtype=int)
    return rng.randint(space.n_subspaces, size=n_candidates)

#: A finished trial: the parameter dict and its score (greater is better;
#: ``nan`` for failed fits).
Trial = namedtuple("Trial", ["params", "score"])


def impute_failed_scores(scores):
    """Replace non-finite scores by a value worse than every finite one.

    Failed or diverging trials (``error_score=np.nan``) must steer samplers away
    without poisoning their models, so they get the worst finite score minus 10%
    of the finite range (or 1 when all finite scores are equal).

    Parameters
    ----------
    scores : array-like of shape (n,)

    Returns
    -------
    imputed : ndarray of shape (n,)
        All finite; zeros if no score is finite.
    """
    scores = np.asarray(scores, dtype=float)
    finite = np.isfinite(scores)
    if not finite.any():
        return np.zeros_like(scores)
    low, high = scores[finite].min(), scores[finite].max()
    span = high - low if high > low else 1.0
    return np.where(finite, scores, low - 0.1 * span)


class BaseSampler:
    """Base class of samplers.

    Subclasses implement :meth:`propose`. Samplers may keep state between calls
    (e.g. warm-started kernel hyperparameters); a search deep-copies the sampler it
    is given, so the user's object is never modified.
    """

    def propose(self, space, trials, n_candidates, random_state):
        """Propose new candidates.

        Parameters
        ----------
        space : SearchSpace
            The search space.
        trials : list of Trial
            Finished trials, in evaluation order.
        n_candidates : int
            How many parameter dicts to return (a batch evaluated in parallel).
        random_state : RandomState
            Source of randomness; the same state gives the same proposals.

        Returns
        -------
        candidates : list of dict
        """
        raise NotImplementedError

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({params})"


class ModelBasedSampler(BaseSampler):
    """Base class of samplers that model each sub-space's trials.

    The sampler owns its warm-up: until ``n_initial_points`` trials are
    finished (``None``: ``max(5, n_dims + 1)``), candidates come from a
    quasi-random (Sobol) design, as Optuna's ``n_startup_trials``. Conditional
    spaces (lists of dicts) are handled here: each candidate's sub-space is
    drawn uniformly (as ``RandomizedSearchCV`` does) and proposed by
    ``_propose_in_subspace`` from that sub-space's own trials, encoded to the unit
    cube. With fewer than ``min_trials`` finished trials in a sub-space,
    candidates are drawn uniformly in the unit cube. The model's own linear
    algebra runs on one BLAS thread: its matrices are small, and BLAS threads
    only cost time on a busy machine (the estimators' threads are left alone).
    """

    min_trials = 2
    n_initial_points = None

    def _n_initial(self, space):
        if self.n_initial_points is not None:
            return self.n_initial_points
        return max(5, max(sub.n_dims for sub in space.subspaces) + 1)

    def propose(self, space, trials, n_candidates, random_state):
        rng = check_random_state(random_state)
        n_design = min(max(self._n_initial(space) - len(trials), 0), n_candidates)
        proposals = []
        if n_design:
            if getattr(self, "_design", None) is None:
                from ._random import QuasiRandomSampler

                self._design = QuasiRandomSampler()
            proposals = self._design.propose(space, trials, n_design, rng)
        if n_design < n_candidates:
            with _single_blas_thread():
                proposals += self._propose_from_model(space, trials, n_candidates - n_design, rng)
        return proposals

    def _propose_from_model(self, space, trials, n_candidates, rng):
        groups = [[] for _ in space.subspaces]
        for trial in trials:
            index = space.subspace_index(trial.params)
            if index >= 0:
                groups[index].append(trial)
        chosen = choose_subspaces(space, n_candidates, rng)
        proposals = []
        for index in np.unique(chosen):
            count = int(np.sum(chosen == index))
            sub = space.subspaces[index]
            group = groups[index]
            scores = np.array([t.score for t in group], dtype=float)
            if len(group) < self.min_trials or not np.isfinite(scores).any():
                proposals.extend(sub.from_unit(rng.uniform(size=(count, sub.n_dims))))
                continue
            X = sub.encode([t.params for t in group])
            y = impute_failed_scores(scores)
            proposals.extend(self._propose_in_subspace(index, sub, X, y, count, rng))
        return proposals

    def _propose_in_subspace(self, index, subspace, X, y, n_candidates, rng):
        """Propose ``n_candidates`` dicts of ``subspace`` from encoded trials.

        ``X`` has shape (n_trials, subspace.n_columns) in the unit cube and ``y``
        holds finite scores to maximise.
        """
        raise NotImplementedError


_CONTROLLER = []


def _single_blas_thread():
    """Context limiting BLAS to one thread (the controller is built once)."""
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1, user_api="blas")


def random_columns(subspace, n, rng):
    """Uniform random points in a sub-space's encoded unit cube (one-hot kept)."""
    X = rng.uniform(size=(n, subspace.n_columns))
    for dim, sl in zip(subspace.dimensions, subspace.slices):
        if dim.is_categorical:
            X[:, sl] = 0.0
            X[np.arange(n), sl.start + rng.randint(dim.n_columns, size=n)] = 1.0
    return X
