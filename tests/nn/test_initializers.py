"""Initialisers draw with the variance their name promises."""

import numpy as np
import pytest

from sklearn_hp.nn import INITIALIZERS, get_initializer

EXPECTED_VARIANCE = {
    "glorot_uniform": 2 / (400 + 200), "glorot_normal": 2 / (400 + 200),
    "he_uniform": 2 / 400, "he_normal": 2 / 400,
    "lecun_uniform": 1 / 400, "lecun_normal": 1 / 400,
    "normal": 0.05**2, "uniform": 0.05**2 / 3, "zeros": 0.0,
}


@pytest.mark.parametrize("name", sorted(EXPECTED_VARIANCE))
def test_initializer_variance(name):
    w = get_initializer(name)((400, 200), 400, 200, np.random.RandomState(0), np.float32)
    assert w.dtype == np.float32 and w.shape == (400, 200)
    assert np.var(w) == pytest.approx(EXPECTED_VARIANCE[name], rel=0.03, abs=1e-12)


def test_aliases_point_to_the_same_initializer():
    assert INITIALIZERS["xavier"] is INITIALIZERS["glorot_uniform"]
    assert INITIALIZERS["he"] is INITIALIZERS["he_normal"]
    assert INITIALIZERS["lecun"] is INITIALIZERS["lecun_normal"]


def test_unknown_initializer_is_named():
    with pytest.raises(ValueError, match="Unknown weight_init 'kaiming'"):
        get_initializer("kaiming")
