"""The sampler interface and the helpers model-based samplers share.

A sampler reads finished trials and proposes new parameter dicts. It never
runs cross-validation or stores anything outside itself: the search drives it in
an ask/tell loop through :meth:`BaseSampler.propose`.
"""

import warnings
from collections import namedtuple

import numpy as np
from sklearn.utils import check_random_state
from threadpoolctl import ThreadpoolController

from ..._stacklevel import user_stacklevel

__all__ = ["BaseSampler", "Trial", "choose_subspaces", "distinct_candidates",
           "impute_failed_scores"]


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
                from ._random import QuasiRandomSampler

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


#: Finite sub-spaces up to this many candidates are enumerated to find new ones.
_ENUMERATE_LIMIT = 20000


def distinct_candidates(space, trials, candidates, rng, owner=None):
    """Make ``candidates`` distinct from each other and from ``trials``.

    A candidate equal to an earlier one (after integer rounding and category
    decoding) is replaced by a random candidate of the same sub-space not seen
    yet; when a finite space has none left it is dropped, and a warning says
    that the space holds fewer distinct candidates than requested (once per
    ``owner``).

    Parameters
    ----------
    space : SearchSpace
    trials : list of Trial
    candidates : list of dict
    rng : RandomState
    owner : object or None
        Remembers that the warning was given.

    Returns
    -------
    candidates : list of dict
        At most ``len(candidates)``, all distinct and new.
    """
    seen = [set() for _ in space.subspaces]
    for index, sub in enumerate(space.subspaces):
        params = [t.params for t in trials if space.subspace_index(t.params) == index]
        if params:
            seen[index].update(sub.keys(sub.encode(params)))
    out = []
    for params in candidates:
        index = max(space.subspace_index(params), 0)
        sub = space.subspaces[index]
        key = sub.keys(sub.encode([params]))[0]
        if key in seen[index]:
            params, key = _unseen(sub, seen[index], rng)
            if params is None:
                continue
        seen[index].add(key)
        out.append(params)
    if len(out) < len(candidates) and not getattr(owner, "_warned_exhausted", False):
        warnings.warn(
            f"The search space holds only {space.n_points:.0f} distinct candidates and "
            f"all of them have been proposed; each is evaluated once, so the search "
            f"stops before n_iter.", UserWarning, stacklevel=user_stacklevel())
        if owner is not None:
            owner._warned_exhausted = True
    return out


def _unseen(sub, seen, rng):
    """A random candidate of ``sub`` whose key is not in ``seen`` (or ``(None, None)``)."""
    if sub.n_points <= _ENUMERATE_LIMIT:
        points = sub.all_points()
        keys = sub.keys(points)
        fresh = [i for i, k in enumerate(keys) if k not in seen]
        if not fresh:
            return None, None
        i = fresh[rng.randint(len(fresh))]
        return sub.decode(points[i:i + 1])[0], keys[i]
    for _ in range(100):
        params = sub.from_unit(rng.uniform(size=(1, sub.n_dims)))[0]
        key = sub.keys(sub.encode([params]))[0]
        if key not in seen:
            return params, key
    return None, None


def least_tried_categories(subspace, X, rng):
    """One-hot (non-continuous) columns at each categorical's least-tried choice in ``X``.

    Ties are broken at random; ``None`` when the sub-space has no categorical.
    """
    free = subspace.continuous_columns
    if free.all():
        return None
    fixed = np.zeros(subspace.n_columns)
    for dim, sl in zip(subspace.dimensions, subspace.slices):
        if dim.is_categorical:
            counts = X[:, sl].sum(0)
            least = np.flatnonzero(counts == counts.min())
            fixed[sl.start + least[rng.randint(len(least))]] = 1.0
    return subspace.pin(fixed[None, :])[0][~free]


def random_columns(subspace, n, rng):
    """Uniform random points in a sub-space's encoded unit cube (one-hot kept)."""
    X = rng.uniform(size=(n, subspace.n_columns))
    for dim, sl in zip(subspace.dimensions, subspace.slices):
        if dim.is_categorical:
            X[:, sl] = 0.0
            X[np.arange(n), sl.start + rng.randint(dim.n_columns, size=n)] = 1.0
    return X
