"""Every registered building block passes the contract battery of its kind.

The parametrization is read from the registries, so a block registered with one
line is checked here with no edit to this file.
"""

import pytest

from sklearn_hp._registry import all_registries
from sklearn_hp.testing import CHECKS, check_block

BLOCKS = [(r.kind, name) for r in all_registries() if r.kind in CHECKS for name in r]


@pytest.mark.parametrize("kind, name", BLOCKS, ids=[f"{k}={n}" for k, n in BLOCKS])
def test_registered_block_passes_its_contract(kind, name):
    check_block(kind, name)
