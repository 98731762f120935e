"""Data shared by the search tests."""

import numpy as np
import pytest


@pytest.fixture
def toy_data():
    rng = np.random.RandomState(0)
    return rng.normal(size=(30, 2)), rng.normal(size=30)
