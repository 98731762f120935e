"""Every registered building block passes the contract battery of its kind.

The parametrization is read from the registries, so a block registered with one
line is checked here with no edit to this file.
"""

import numpy as np
import pytest

from sklearn_hp.nn import LAYERS, Dense
from sklearn_hp.testing import all_registries, check_block, check_registered

BLOCKS = [(r.kind, name) for r in all_registries() for name in r]


@pytest.mark.parametrize("kind, name", BLOCKS, ids=[f"{k}={n}" for k, n in BLOCKS])
def test_registered_block_passes_its_contract(kind, name):
    check_block(kind, name)


class _WrongDense(Dense):
    """A dense layer whose backward forgets the bias gradient."""

    def backward(self, grad, need_input_grad=True):
        out = super().backward(grad, need_input_grad)
        self.grads[1][...] = 0.0
        return out


def test_a_registered_layer_is_checked_and_a_wrong_backward_caught():
    rng = np.random.RandomState(0)
    LAYERS.register("wrong_dense", _WrongDense, example=lambda rng: (
        _WrongDense(rng.randn(3, 2), rng.randn(2)), rng.randn(4, 3)))
    try:
        with pytest.raises(AssertionError, match=r"params\[1\].*finite differences"):
            check_registered("layer")
    finally:
        LAYERS.unregister("wrong_dense")
    assert check_registered("layer") == list(LAYERS)
    check_block("layer", Dense(rng.randn(3, 2), rng.randn(2)), rng.randn(5, 3))


def test_a_layer_without_example_is_named_in_the_error():
    LAYERS.register("bare_dense", Dense)
    try:
        with pytest.raises(ValueError, match="'bare_dense' was registered without example"):
            check_block("layer", "bare_dense")
    finally:
        LAYERS.unregister("bare_dense")
