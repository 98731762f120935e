"""Samplers: objects that read finished trials and propose candidates."""

import copy

from ..._registry import Registry
from ._base import BaseSampler, Trial, impute_failed_scores
from ._gp import GPSampler
from ._model_based import ModelBasedSampler
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
SAMPLER_NAMES = Registry("sampler", BaseSampler, methods=("propose",), description="samplers")
SAMPLER_NAMES.register("gp", GPSampler)
SAMPLER_NAMES.register("tpe", TPESampler)
SAMPLER_NAMES.register("random", RandomSampler)
SAMPLER_NAMES.register("sobol", QuasiRandomSampler)
SAMPLER_NAMES.alias("quasi-random", "sobol")


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
    found = SAMPLER_NAMES.resolve(sampler)
    return found if isinstance(sampler, str) else copy.deepcopy(found)
