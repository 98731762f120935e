"""The sampler interface and the helpers samplers share.

A sampler reads finished trials and proposes new parameter dicts. It never
runs cross-validation or stores anything outside itself: the search drives it in
an ask/tell loop through :meth:`BaseSampler.propose`. The base of the samplers
that fit a model to the trials is in ``_model_based.py``.
"""

import warnings
from collections import namedtuple

import numpy as np

from ..._stacklevel import user_stacklevel
from ._trial_cache import TrialCache

__all__ = ["BaseSampler", "Trial", "choose_subspaces", "distinct_candidates",
           "group_by_subspace", "impute_failed_scores", "least_tried_categories",
           "random_columns"]


def choose_subspaces(space, n_candidates, rng):
    """Index of the (conditional) subspace each of ``n_candidates`` proposals comes from."""
    if space.n_subspaces == 1:
        return np.zeros(n_candidates, dtype=int)
    return rng.randint(space.n_subspaces, size=n_candidates)

#: A finished trial as a sampler reads it: the parameter dict and its score
#: (greater is better; ``nan`` for failed fits). The searches hand samplers their
#: :class:`~sklearn_hp.search.TrialRecord` objects, which have both; ``Trial``
#: is the shorthand for calling a sampler directly.
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

    def propose(self, space, trials, n_candidates, random_state, pending=()):
        """Propose new candidates.

        Parameters
        ----------
        space : SearchSpace
            The search space.
        trials : list of TrialRecord or Trial
            Finished trials (anything with ``params`` and ``score``), in the
            order the search recorded them.
        n_candidates : int
            How many parameter dicts to return (a batch evaluated in parallel).
        random_state : RandomState
            Source of randomness; the same state gives the same proposals.
        pending : list of dict, default=()
            Candidates running now, without scores. No proposal equals one of
            them; model-based samplers also steer away from them.

        Returns
        -------
        candidates : list of dict
        """
        raise NotImplementedError

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({params})"


#: Finite sub-spaces up to this many candidates are enumerated to find new ones.
_ENUMERATE_LIMIT = 20000


def distinct_candidates(space, trials, candidates, rng, owner=None, pending=(), cache=None):
    """Make ``candidates`` distinct from each other, from ``trials`` and ``pending``.

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
    pending : list of dict, default=()
        Candidates running now.
    cache : TrialCache or None, default=None
        The trials' keys, already derived (``None``: derived here).

    Returns
    -------
    candidates : list of dict
        At most ``len(candidates)``, all distinct and new.
    """
    if cache is None:
        cache = TrialCache().update(space, [t.params for t in trials])
    seen = [set(cache.keys(index)) for index in range(space.n_subspaces)]
    pending = list(pending)
    for index, positions in enumerate(group_by_subspace(space, pending)):
        if positions:
            sub = space.subspaces[index]
            seen[index].update(sub.keys(sub.encode([pending[i] for i in positions])))
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


def group_by_subspace(space, params_list):
    """Positions in ``params_list`` of each sub-space's parameter dicts (others left out)."""
    index = space.subspace_indices(params_list)
    return [np.flatnonzero(index == i).tolist() for i in range(space.n_subspaces)]


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
