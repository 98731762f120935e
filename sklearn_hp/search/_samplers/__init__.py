"""Samplers: objects that read finished trials and propose candidates."""

import copy

from ._base import BaseSampler, ModelBasedSampler, Trial, impute_failed_scores
from ._gp import GPSampler
from ._random import QuasiRandomSampler, RandomSampler
from ._tpe import TPESampler

__all__ = [
    "BaseSampler",
    "GPSampler",
    "ModelBasedSampler",
    "QuasiRandomSampler",
    "RandomSampler",
    "TPESampler",
    "Trial",
    "impute_failed_scores",
    "make_sampler",
    "SAMPLER_NAMES",
]

#: Sampler names accepted by the searches.
SAMPLER_NAMES = {
    "gp": GPSampler,
    "tpe": TPESampler,
    "random": RandomSampler,
    "sobol": QuasiRandomSampler,
    "quasi-random": QuasiRandomSampler,
}


def make_sampler(sampler):
    """A fresh sampler from a name, or a deep copy of a sampler object.

    Parameters
    ----------
    sampler : str or BaseSampler
        One of ``SAMPLER_NAMES`` or an object with a ``propose`` method.

    Returns
    -------
    BaseSampler
    """
    if isinstance(sampler, str):
        if sampler not in SAMPLER_NAMES:
            raise ValueError(
                f"Unknown sampler {sampler!r}. Accepted names: "
                f"{sorted(SAMPLER_NAMES)}, or an object with a propose(space, trials, "
                f"n_candidates, random_state) method."
            )
        return SAMPLER_NAMES[sampler]()
    if not callable(getattr(sampler, "propose", None)):
        raise ValueError(
            f"sampler must be one of {sorted(SAMPLER_NAMES)} or an object with a "
            f"propose(space, trials, n_candidates, random_state) method, got "
            f"{sampler!r}."
        )
    return copy.deepcopy(sampler)
