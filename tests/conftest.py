"""Share the cores between pytest-xdist workers, as scikit-learn's own suite does.

Run serially, the tests see the machine's default BLAS threads, like a user's
process. Under ``pytest -n N`` the N workers would each start the default number of
BLAS threads, more threads than cores, and threaded matrix products then wait for a
core (a ConvNet test ran 60 times slower); each worker gets ``cores // N`` threads,
the share that joblib's loky workers get in a parallel search.
"""

import os

from threadpoolctl import threadpool_limits


def pytest_configure(config):
    workers = os.environ.get("PYTEST_XDIST_WORKER_COUNT")
    if workers is not None:
        threadpool_limits(limits=max((os.cpu_count() or 1) // int(workers), 1), user_api="blas")
