"""Run every test on one BLAS thread.

The tests multiply small matrices, where OpenBLAS threads cost more than they save
(20x slower on a loaded 2-core machine); results do not depend on it.
"""

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    with threadpool_limits(limits=1, user_api="blas"):
        yield
