"""Random and quasi-random (Sobol) samplers."""

import warnings

import numpy as np
from scipy.stats import qmc
from sklearn.model_selection import ParameterSampler
from sklearn.utils import check_random_state

from ._base import BaseSampler, choose_subspaces, distinct_candidates

__all__ = ["RandomSampler", "QuasiRandomSampler"]


class RandomSampler(BaseSampler):
    """Independent random draws, exactly as ``RandomizedSearchCV`` makes them.

    Proposals come from :class:`sklearn.model_selection.ParameterSampler` on the
    user's own space: lists are sampled uniformly, distributions through their
    ``rvs``. Given the same integer ``random_state`` and no pending candidates,
    a search with this sampler proposes the same candidates as
    ``RandomizedSearchCV``. With pending candidates, a draw equal to one of them
    or to an earlier draw of the same call is drawn again (up to 100 times,
    then dropped), so no two running candidates are identical.
    """

    def propose(self, space, trials, n_candidates, random_state, pending=()):
        rng = check_random_state(random_state)
        proposals = list(ParameterSampler(space.sampler_spec, n_candidates, random_state=rng))
        if not pending:
            return proposals
        running = {_candidate_key(space, p) for p in pending}
        out = []
        for params in proposals:
            for _ in range(_MAX_REDRAWS):
                key = _candidate_key(space, params)
                if key not in running:
                    running.add(key)
                    out.append(params)
                    break
                params = next(iter(ParameterSampler(space.sampler_spec, 1, random_state=rng)))
        return out


#: Draws of a random candidate that equals a running one before it is given up.
_MAX_REDRAWS = 100


def _candidate_key(space, params):
    """Identity of a parameter dict after integer rounding and category decoding.

    Falls back to the values' ``repr`` outside the space or for a distribution
    that cannot be encoded (one with ``rvs`` only).
    """
    index = space.subspace_index(params)
    if index >= 0:
        sub = space.subspaces[index]
        try:
            return index, sub.keys(sub.encode([params]))[0]
        except TypeError:
            pass
    return repr(sorted(params.items()))


class QuasiRandomSampler(BaseSampler):
    """Scrambled Sobol points mapped through each dimension's inverse CDF.

    Covers the space more evenly than random draws for the same number of
    points; the usual initial design of the model-based samplers. One Sobol
    sequence per sub-space continues across calls, so successive batches keep
    their low discrepancy; a sequence started for a search that already has
    trials (resumed from storage) skips as many points. Frozen distributions
    are mapped with ``ppf``. Candidates are distinct from each other, from
    finished trials and from pending ones; a finite space that runs out of new
    candidates gets fewer (with a warning).
    """

    def __init__(self):
        self._engines = {}

    def propose(self, space, trials, n_candidates, random_state, pending=()):
        rng = check_random_state(random_state)
        proposals = self.draw(space, trials, n_candidates, rng, pending)
        return distinct_candidates(space, trials, proposals, rng, owner=self, pending=pending)

    def draw(self, space, trials, n_candidates, rng, pending=()):
        """The next ``n_candidates`` Sobol points as parameter dicts, not deduplicated.

        A sequence started now skips as many points as the sub-space has finished
        and ``pending`` candidates.
        """
        chosen = choose_subspaces(space, n_candidates, rng)
        proposals = []
        for index in np.unique(chosen):
            sub = space.subspaces[index]
            if index not in self._engines:
                self._engines[index] = qmc.Sobol(
                    d=sub.n_dims, scramble=True, seed=rng.randint(2**31 - 1)
                )
                known = [t.params for t in trials] + list(pending)
                seen = int(sum(space.subspace_index(p) == index for p in known))
                if seen:
                    self._engines[index].fast_forward(seen)
            with warnings.catch_warnings():
                # balance properties hold for powers of two; partial batches are fine
                warnings.simplefilter("ignore", UserWarning)
                U = self._engines[index].random(int(np.sum(chosen == index)))
            proposals.extend(sub.from_unit(U))
        return proposals
