"""Log directories of searches killed mid-fit are removed by a later search."""

import os
import signal
import subprocess
import sys
import textwrap
import time

from sklearn_hp.search._warnings import _PREFIX, remove_stale_logs


def _dead_pid():
    """The process id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _log_dir(root, pid, age):
    path = root / f"{_PREFIX}{pid}_abc"
    path.mkdir()
    (path / "worker.jsonl").write_text("{}\n")
    stamp = time.time() - age
    os.utime(path / "worker.jsonl", (stamp, stamp))
    os.utime(path, (stamp, stamp))
    return path


def test_only_old_directories_of_ended_processes_are_removed(tmp_path):
    dead = _dead_pid()
    stale = _log_dir(tmp_path, dead, age=3600)
    fresh = _log_dir(tmp_path, dead + 1_000_000, age=10)  # recently changed: kept
    mine = _log_dir(tmp_path, os.getpid(), age=3600)  # a running search's: kept
    written = _log_dir(tmp_path, dead + 2_000_000, age=3600)
    (written / "worker.jsonl").write_text("{}\n{}\n")  # a worker appended a line just now
    odd = tmp_path / f"{_PREFIX}nopid"
    odd.mkdir()
    other = tmp_path / "unrelated_123_x"
    other.mkdir()
    assert remove_stale_logs(tmp_path) == [str(stale)]
    assert not stale.exists()
    assert fresh.exists() and mine.exists() and odd.exists() and other.exists()
    assert written.exists()


_SEARCH = textwrap.dedent("""
    import sys, time
    import numpy as np
    from sklearn.base import BaseEstimator, RegressorMixin
    from sklearn_hp.search import BayesSearchCV

    class Slow(RegressorMixin, BaseEstimator):
        def __init__(self, a=1.0, seconds=0.0):
            self.a, self.seconds = a, seconds
        def fit(self, X, y):
            time.sleep(self.seconds)
            return self
        def predict(self, X):
            return np.zeros(len(X))

    X, y = np.arange(40.0).reshape(-1, 1), np.arange(40.0)
    BayesSearchCV(Slow(seconds=float(sys.argv[1])), {"a": [1.0, 2.0]}, n_iter=2, cv=2,
                  sampler="random", random_state=0).fit(X, y)
""")


def test_a_search_killed_by_sigkill_leaves_a_directory_the_next_search_removes(tmp_path):
    root = tmp_path / "tmp"
    root.mkdir()
    env = {**os.environ, "TMPDIR": str(root)}
    script = tmp_path / "search.py"
    script.write_text(_SEARCH)
    killed = subprocess.Popen([sys.executable, str(script), "30"], env=env)
    deadline = time.monotonic() + 60
    while not list(root.glob(f"{_PREFIX}{killed.pid}_*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    (left,) = root.glob(f"{_PREFIX}{killed.pid}_*")
    stamp = time.time() - 3600  # as if it had been left an hour ago
    for path in [*left.iterdir(), left]:
        os.utime(path, (stamp, stamp))
    subprocess.run([sys.executable, str(script), "0"], env=env, check=True, timeout=120)
    assert not left.exists()
    assert not list(root.glob(f"{_PREFIX}*"))  # the second search removed its own too
