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
from ._trial_cache import TrialCache

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
    that sub-space's own trials, encoded to the unit cube. Candidates still
    running (``pending``) count towards the warm-up and are handed to the model,
    which steers away from them; within a batch, each proposal sees the earlier
    ones as pending. Proposals are distinct from each other, from every finished
    trial and from every pending candidate after integer rounding and category
    decoding; once a finite space has no new candidate left, fewer (or no)
    candidates are returned, with a warning. The model's own linear algebra
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

    def propose(self, space, trials, n_candidates, random_state, pending=()):
        rng = check_random_state(random_state)
        pending = list(pending)
        n_design = self._n_design(space, trials, pending, n_candidates)
        proposals = []
        if n_design:
            if getattr(self, "_warm_up", None) is None:
                self._warm_up = QuasiRandomSampler()
            # deduplicated once, below, with the model's proposals
            proposals = self._warm_up.draw(space, trials, n_design, rng, pending)
        cache = self._trial_cache(space, trials)
        if n_design < n_candidates:
            # The models' matrices are small (at most a few hundred rows): BLAS
            # threads cost more than they save, and on a busy machine they make
            # each proposal tens of times slower, so the models run on one.
            # The design points just drawn are pending for the model.
            with _blas_controller().limit(limits=1, user_api="blas"):
                proposals += self._propose_from_model(
                    space, RunningTrials(trials, pending + proposals),
                    n_candidates - n_design, rng)
        return distinct_candidates(space, trials, proposals, rng, owner=self, pending=pending,
                                   cache=cache)

    def _trial_cache(self, space, trials):
        """The :class:`TrialCache` of this sampler, updated with ``trials``."""
        if getattr(self, "_trials", None) is None:
            self._trials = TrialCache()
        return self._trials.update(space, [t.params for t in trials])

    def __getstate__(self):
        # the cache is derived from the trials: copies and pickles leave it out
        return {k: v for k, v in self.__dict__.items() if k != "_trials"}

    def _n_design(self, space, trials, pending, n_candidates):
        """How many of ``n_candidates`` come from the quasi-random warm-up.

        The warm-up lasts until ``n_initial_points`` candidates were proposed
        (finished or pending) and ``min_trials`` have finished, the least a
        model is fitted on.
        """
        if len(trials) < self.min_trials:
            return n_candidates
        return min(max(self._n_initial(space) - len(trials) - len(pending), 0), n_candidates)

    def _propose_from_model(self, space, trials, n_candidates, rng):
        pending = getattr(trials, "pending", [])
        cache = self._trial_cache(space, trials)
        scores = np.array([t.score for t in trials], dtype=float)
        running_index = space.subspace_indices(pending)
        if space.n_subspaces > 1 and self.joint_subspaces:
            known = cache.index >= 0
            if self._can_model(scores[known]):
                running = [p for p, i in zip(pending, running_index) if i >= 0]
                return self._propose_in_subspace(
                    -1, space.joint, cache.joint_rows(), impute_failed_scores(scores[known]),
                    n_candidates, rng, space.joint.encode(running))
        chosen = choose_subspaces(space, n_candidates, rng)
        proposals = []
        for index in np.unique(chosen):
            count = int(np.sum(chosen == index))
            sub = space.subspaces[index]
            group_scores = scores[cache.positions(index)]
            if not self._can_model(group_scores):
                proposals.extend(sub.from_unit(rng.uniform(size=(count, sub.n_dims))))
                continue
            running = [p for p, i in zip(pending, running_index) if i == index]
            proposals.extend(self._propose_in_subspace(
                index, sub, cache.rows(index), impute_failed_scores(group_scores), count, rng,
                sub.encode(running)))
        return proposals

    def _can_model(self, scores):
        """Whether trials of these ``scores`` are enough for a model: ``min_trials``, one finite."""
        return len(scores) >= self.min_trials and bool(np.isfinite(scores).any())

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

    def _propose_in_subspace(self, index, subspace, X, y, n_candidates, rng, pending):
        """Propose ``n_candidates`` dicts of ``subspace`` from encoded trials.

        ``X`` has shape (n_trials, subspace.n_columns) in the unit cube, ``y``
        holds finite scores to maximise and ``pending`` (n_pending, n_columns)
        encodes the candidates running now. Each proposal treats the earlier
        ones of the batch as pending too.
        """
        raise NotImplementedError


class RunningTrials(list):
    """Finished trials that also carry the candidates still running (``pending``)."""

    def __init__(self, trials, pending):
        super().__init__(trials)
        self.pending = list(pending)


_CONTROLLER = []


def _blas_controller():
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0]
