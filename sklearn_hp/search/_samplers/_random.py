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
    ``rvs``. Given the same integer ``random_state``, a search with this sampler
    proposes the same candidates as ``RandomizedSearchCV``.
    """

    def propose(self, space, trials, n_candidates, random_state):
        rng = check_random_state(random_state)
        return list(ParameterSampler(space.sampler_spec, n_candidates, random_state=rng))


class QuasiRandomSampler(BaseSampler):
    """Scrambled Sobol points mapped through each dimension's inverse CDF.

    Covers the space more evenly than random draws for the same number of
    points; the usual initial design of the model-based samplers. One Sobol
    sequence per sub-space continues across calls, so successive batches keep
    their low discrepancy; a sequence started for a search that already has
    trials (resumed from storage) skips as many points. Frozen distributions
    are mapped with ``ppf``. Candidates are distinct from each other and from
    finished trials; a finite space that runs out of new candidates gets fewer
    (with a warning).
    """

    def __init__(self):
        self._engines = {}

    def propose(self, space, trials, n_candidates, random_state):
        rng = check_random_state(random_state)
        proposals = self.draw(space, trials, n_candidates, rng)
        return distinct_candidates(space, trials, proposals, rng, owner=self)

    def draw(self, space, trials, n_candidates, rng):
        """The next ``n_candidates`` Sobol points as parameter dicts, not deduplicated."""
        chosen = choose_subspaces(space, n_candidates, rng)
        proposals = []
        for index in np.unique(chosen):
            sub = space.subspaces[index]
            if index not in self._engines:
                self._engines[index] = qmc.Sobol(
                    d=sub.n_dims, scramble=True, seed=rng.randint(2**31 - 1)
                )
                seen = int(sum(space.subspace_index(t.params) == index for t in trials))
                if seen:
                    self._engines[index].fast_forward(seen)
            with warnings.catch_warnings():
                # balance properties hold for powers of two; partial batches are fine
                warnings.simplefilter("ignore", UserWarning)
                U = self._engines[index].random(int(np.sum(chosen == index)))
            proposals.extend(sub.from_unit(U))
        return proposals
