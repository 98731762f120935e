"""Forged learned integers give a clean error (or a working model), never a dead process.

For every estimator that round-trips in ``test_all_estimators.py``, a few integers of
its saved learned state (array items, structured-array fields such as tree nodes, and
integer JSON values such as ``node_count``) are flipped in sign, shifted by the
array's length or set far out of range; each forged file is loaded and every
prediction method called. ``_fuzz_driver.py`` does it in one forked process per
estimator, so a crash kills that process only and is reported with the mutation.
"""

import json
import os
import signal
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

from sklearn_hp.persistence import save

pytest.importorskip("skops")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _fuzz_driver import _report, mutations  # noqa: E402
from _tamper import read_model  # noqa: E402
from test_all_estimators import ESTIMATORS, EXPECTED_FAILURES  # noqa: E402

SEED = 0
#: Mutations per estimator: about 1,600 forged files in all, ~30 s of CPU.
N_MUTATIONS = 8


@pytest.mark.slow
def test_no_forged_learned_integer_kills_the_process(tmp_path):
    names = [name for name, _ in ESTIMATORS if name not in EXPECTED_FAILURES]
    out = tmp_path / "results.json"
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               PYTHONPATH=str(HERE.parents[1]))
    done = subprocess.run(
        [sys.executable, str(HERE / "_fuzz_driver.py"), str(out), str(SEED),
         str(N_MUTATIONS), *names], capture_output=True, text=True, timeout=1200, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())
    assert sorted(r["name"] for r in results) == sorted(names)
    crashed = [f"{r['name']}: {r['signal']} while loading or predicting {r['during']}"
               for r in results if "signal" in r]
    assert not crashed, "\n".join(crashed)
    broken = [f"{r['name']}: {r['error']}" for r in results if "error" in r]
    assert not broken, "\n".join(broken)
    outcomes = [outcome for r in results for _, outcome in r["outcomes"]]
    assert len(outcomes) >= 5 * len(names)  # nearly every estimator holds integers
    assert set(outcomes) <= {"refused", "loaded"} | {
        o for o in outcomes if o.startswith(("load raised ", "predict raised "))}
    by_name = {r["name"]: dict(r["outcomes"]) for r in results}
    tree_refusals = [d for d, o in by_name["DecisionTreeClassifier"].items()
                     if o == "refused" and ".tree_.nodes" in d]
    assert tree_refusals, by_name["DecisionTreeClassifier"]
    assert outcomes.count("refused") >= 200


def test_mutations_are_seeded_and_deterministic(tmp_path):
    X, y = load_iris(return_X_y=True)
    save(DecisionTreeClassifier(random_state=0).fit(X, y), tmp_path / "tree.skhp")
    _, members = read_model(tmp_path / "tree.skhp")

    def forged(seed):
        rng = np.random.default_rng([seed, zlib.crc32(b"DecisionTreeClassifier")])
        return [(d, m) for d, m in mutations(members, rng, 8)]

    first, again, other = forged(0), forged(0), forged(1)
    assert [d for d, _ in first] == [d for d, _ in again]
    assert all(a == b for (_, a), (_, b) in zip(first, again))
    assert [d for d, _ in first] != [d for d, _ in other]
    assert len(first) == 8
    # every forged copy differs from the file in exactly one member
    for _, copy in first:
        assert sum(copy[k] != members[k] for k in members) == 1


def test_a_child_killed_by_a_signal_is_reported_with_its_mutation(tmp_path):
    pid = os.fork()
    if pid == 0:  # the child: record a mutation as started, then die as a segfault would
        try:
            import faulthandler
            import resource

            faulthandler.disable()  # pytest's handler would print a traceback
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            (tmp_path / "progress").write_text(
                json.dumps({"done": "a", "outcome": "refused"}) + "\n"
                + json.dumps({"start": ".tree_.nodes['left_child'] far"}) + "\n")
        finally:
            os.kill(os.getpid(), signal.SIGSEGV)
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    report = _report("X", tmp_path, status)
    assert report == {"name": "X", "outcomes": [("a", "refused")], "signal": "SIGSEGV",
                      "during": ".tree_.nodes['left_child'] far"}
