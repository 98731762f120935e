"""Suite-wide settings: BLAS threads per xdist worker, and a watch on unmarked slow tests.

Run serially, the tests see the machine's default BLAS threads, like a user's
process. Under ``pytest -n N`` the N workers would each start the default number of
BLAS threads, more threads than cores, and threaded matrix products then wait for a
core (a ConvNet test ran 60 times slower); each worker gets ``cores // N`` threads,
the share that joblib's loky workers get in a parallel search.

A test whose setup, call and teardown together take longer than the ini option
``slow_threshold`` (seconds) and that is not marked ``slow`` is listed in a section
at the end of the run, so ``pytest -m "not slow"`` stays a fast loop. The list is a
reminder, not a failure: times vary with the machine's load.
"""

import os

from threadpoolctl import threadpool_limits

pytest_plugins = ["pytester"]


def pytest_addoption(parser):
    parser.addini("slow_threshold", "seconds (setup + call + teardown) above which a test "
                  "not marked slow is listed at the end of the run", default="5")


def pytest_configure(config):
    workers = os.environ.get("PYTEST_XDIST_WORKER_COUNT")
    if workers is not None:
        threadpool_limits(limits=max((os.cpu_count() or 1) // int(workers), 1), user_api="blas")
    config.pluginmanager.register(
        SlowTestWatch(float(config.getini("slow_threshold"))), "slow_test_watch")


def unmarked_slow_tests(times, threshold):
    """``(seconds, nodeid)`` of the tests over ``threshold`` not marked slow, slowest first.

    ``times`` maps a test's nodeid to ``[seconds, marked_slow]``.
    """
    return sorted(((seconds, nodeid) for nodeid, (seconds, marked) in times.items()
                   if seconds > threshold and not marked), reverse=True)


class SlowTestWatch:
    """Adds up each test's phases and lists the unmarked slow ones in the terminal summary."""

    def __init__(self, threshold):
        self.threshold = threshold
        self.times = {}

    def pytest_runtest_logreport(self, report):
        entry = self.times.setdefault(report.nodeid, [0.0, "slow" in report.keywords])
        entry[0] += report.duration

    def pytest_terminal_summary(self, terminalreporter):
        slow = unmarked_slow_tests(self.times, self.threshold)
        if not slow:
            return
        terminalreporter.write_sep("=", f"tests over {self.threshold:g} s not marked slow")
        for seconds, nodeid in slow:
            terminalreporter.write_line(f"{seconds:6.2f}s {nodeid}")
        terminalreporter.write_line("mark them @pytest.mark.slow or make them faster "
                                    "(times vary with the machine's load)")
