"""The base of the samplers that fit a model to the finished trials (GP, TPE)."""

import numpy as np
from sklearn.utils import check_random_state
from threadpoolctl import ThreadpoolController

from ._base import (
    BaseSampler,
    choose_subspaces,
    distinct_candidates,
    impute_failed_scores,
    least_tried_categories,
)
from ._random import QuasiRandomSampler

__all__ = ["ModelBasedSampler"]


class ModelBasedSampler(BaseSampler):
    """Base class of samplers that model each sub-space's trials.

    The sampler owns its warm-up, as Optuna's ``n_startup_trials``: the first
    ``n_initial_points`` candidates of a search are scrambled Sobol points, the
    later ones come from the model. Conditional spaces (lists of dicts) are
    handled here: with ``joint_subspaces``, every trial is encoded in the joint
    space (``SearchSpace.joint``: a branch categorical, shared parameters as
    one column, inactive ones pinned) and one model proposes the branch and its
    parameters; otherwise each candidate's sub-space is drawn uniformly (as
    ``RandomizedSearchCV`` does) and proposed by ``_propose_in_subspace`` from
    that sub-space's own trials, encoded to the unit cube. Proposals are distinct
    from each other and from every finished trial after integer rounding and
    category decoding; once a finite space has no new candidate left, fewer (or
    no) candidates are returned, with a warning. The model's own linear algebra
    runs on one BLAS thread: its matrices are small, and BLAS threads only cost
    time on a busy machine (the estimators' threads are left alone).

    Parameters
    ----------
    n_initial_points : int or None, default=None
        Quasi-random candidates before the model is used; ``None`` means
        ``max(5, n_dims + 1)`` with ``n_dims`` the largest sub-space's dimension.
    """

    min_trials = 2
    #: Model a conditional space's sub-spaces together (``-1`` is then the
    #: sub-space index given to ``_propose_in_subspace``) rather than one by one.
    joint_subspaces = False

    def __init__(self, n_initial_points=None):
        self.n_initial_points = n_initial_points

    def _n_initial(self, space):
        n_initial = getattr(self, "n_initial_points", None)  # subclasses may skip __init__
        if n_initial is not None:
            return int(n_initial)
        return max(5, max(sub.n_dims for sub in space.subspaces) + 1)

    def propose(self, space, trials, n_candidates, random_state):
        rng = check_random_state(random_state)
        n_design = min(max(self._n_initial(space) - len(trials), 0), n_candidates)
        proposals = []
        if n_design:
            if getattr(self, "_warm_up", None) is None:
                self._warm_up = QuasiRandomSampler()
            # deduplicated once, below, with the model's proposals
            proposals = self._warm_up.draw(space, trials, n_design, rng)
        if n_design < n_candidates:
            # The models' matrices are small (at most a few hundred rows): BLAS
            # threads cost more than they save, and on a busy machine they make
            # each proposal tens of times slower, so the models run on one.
            with _blas_controller().limit(limits=1, user_api="blas"):
                proposals += self._propose_from_model(space, trials, n_candidates - n_design,
                                                      rng)
        return distinct_candidates(space, trials, proposals, rng, owner=self)

    def _propose_from_model(self, space, trials, n_candidates, rng):
        if space.n_subspaces > 1 and self.joint_subspaces:
            known = [t for t in trials if space.subspace_index(t.params) >= 0]
            scores = np.array([t.score for t in known], dtype=float)
            if len(known) >= self.min_trials and np.isfinite(scores).any():
                X = space.joint.encode([t.params for t in known])
                return self._propose_in_subspace(-1, space.joint, X,
                                                 impute_failed_scores(scores), n_candidates, rng)
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

    def _least_tried(self, subspace, X, n_done, rng):
        """Categories of an exploring proposal, or None for a model-driven one.

        Every ``explore_every``-th proposal (counting the sub-space's finished
        and pending ones, ``n_done``) in a sub-space with categoricals keeps each
        categorical at its least-tried choice among the encoded points ``X``, so
        a choice that looked bad in a few early trials is revisited and one
        category cannot trap the search. Returns the non-continuous columns.
        """
        every = getattr(self, "explore_every", None)
        if not every or n_done % every:
            return None
        return least_tried_categories(subspace, X, rng)

    def _propose_in_subspace(self, index, subspace, X, y, n_candidates, rng):
        """Propose ``n_candidates`` dicts of ``subspace`` from encoded trials.

        ``X`` has shape (n_trials, subspace.n_columns) in the unit cube and ``y``
        holds finite scores to maximise.
        """
        raise NotImplementedError


_CONTROLLER = []


def _blas_controller():
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0]
