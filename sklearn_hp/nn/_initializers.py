"""Weight initialisers: ``init(shape, fan_in, fan_out, rng, dtype) -> array``."""

import numpy as np

from ._registry import resolve

__all__ = ["INITIALIZERS", "get_initializer"]


def zeros(shape, fan_in, fan_out, rng, dtype=np.float64):
    """All zeros (only sensible for linear models and biases)."""
    return np.zeros(shape, dtype=dtype)


def normal(shape, fan_in, fan_out, rng, dtype=np.float64, std=0.05):
    """Normal with a fixed small standard deviation."""
    return (std * rng.standard_normal(shape)).astype(dtype)


def uniform(shape, fan_in, fan_out, rng, dtype=np.float64, limit=0.05):
    """Uniform on a fixed small interval ``[-limit, limit]``."""
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def _scaled_uniform(variance):
    def init(shape, fan_in, fan_out, rng, dtype=np.float64):
        limit = np.sqrt(3.0 * variance(fan_in, fan_out))
        return rng.uniform(-limit, limit, size=shape).astype(dtype)

    return init


def _scaled_normal(variance):
    def init(shape, fan_in, fan_out, rng, dtype=np.float64):
        return (np.sqrt(variance(fan_in, fan_out)) * rng.standard_normal(shape)).astype(dtype)

    return init


def _glorot(fan_in, fan_out):
    return 2.0 / (fan_in + fan_out)


def _he(fan_in, fan_out):
    return 2.0 / fan_in


def _lecun(fan_in, fan_out):
    return 1.0 / fan_in


INITIALIZERS = {
    "zeros": zeros,
    "normal": normal,
    "uniform": uniform,
    "glorot_uniform": _scaled_uniform(_glorot),
    "glorot_normal": _scaled_normal(_glorot),
    "he_uniform": _scaled_uniform(_he),
    "he_normal": _scaled_normal(_he),
    "lecun_uniform": _scaled_uniform(_lecun),
    "lecun_normal": _scaled_normal(_lecun),
}
INITIALIZERS.update(
    {
        "xavier_uniform": INITIALIZERS["glorot_uniform"],
        "xavier_normal": INITIALIZERS["glorot_normal"],
        "glorot": INITIALIZERS["glorot_uniform"],
        "xavier": INITIALIZERS["glorot_uniform"],
        "he": INITIALIZERS["he_normal"],
        "lecun": INITIALIZERS["lecun_normal"],
    }
)


def get_initializer(weight_init):
    """Return the initialiser for a name, or a callable with the same signature."""
    if callable(weight_init) and not isinstance(weight_init, str):
        return weight_init
    return resolve(INITIALIZERS, weight_init, "weight_init")
