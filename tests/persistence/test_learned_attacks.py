"""Forged learned state is refused at load, naming the attribute, and never kills predict.

The files live in ``tests/persistence/attacks_learned/`` and are written by
``make_learned_attack_files.py`` beside this test: valid models whose learned arrays
were edited and whose checksums were recomputed.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

from sklearn_hp.persistence import ModelFileError, load
from sklearn_hp.persistence._tree_checks import check_sklearn_trees, check_tree_structure

pytest.importorskip("skops")

ATTACKS = Path(__file__).resolve().parent / "attacks_learned"
ROOT = Path(__file__).resolve().parents[2]

#: file -> the words its refusal must contain (the attribute first).
EXPECTED = {
    "tree_child_out_of_range.skhp": r"DecisionTreeClassifier\.tree_: node 0's left child is "
                                    r"1000000000; accepted: a node index in \[0, 17\)",
    "tree_cycle.skhp": r"DecisionTreeClassifier\.tree_: node 2 is the child of 2 nodes; in a "
                       "tree the root has no parent",
    "tree_feature_out_of_range.skhp": r"DecisionTreeClassifier\.tree_: node 0 splits on "
                                      r"feature 7; accepted: a feature index in \[0, 4\)",
    "tree_threshold_nan.skhp": r"DecisionTreeClassifier\.tree_: node 0 has threshold NaN",
    "kd_tree_idx_array.skhp": r"KNeighborsClassifier\._tree: idx_array is not a permutation "
                              r"of range\(150\)",
    "kd_tree_node_data.skhp": r"KNeighborsClassifier\._tree: node_data\[14\] covers indices "
                              r"\[131, 1000000000\); accepted: 0 <= idx_start <= idx_end <= 150",
    "ball_tree_idx_array.skhp": r"KNeighborsClassifier\._tree: idx_array is not a "
                                r"permutation of range\(150\)",
    "ball_tree_node_data.skhp": r"KNeighborsClassifier\._tree: node_data\[14\] covers "
                                r"indices \[\d+, 1000000000\)",
    "hgb_child_out_of_range.skhp": r"HistGradientBoostingClassifier\._predictors\[0\]\[0\]"
                                   r"\.nodes: node 0's left child is 1000000; accepted: a "
                                   r"node index in \[0, 3\)",
    "coef_nan.skhp": r"LinearSVC: coef_ holds NaN or infinity",
    "coef_columns.skhp": r"LinearSVC: coef_ has shape \(3, 5\); its last axis must "
                         r"be n_features_in_=4",
}

#: Files on which predict, without the checks, dies by SIGSEGV (demonstrated below).
CRASHING = ["tree_child_out_of_range.skhp", "kd_tree_idx_array.skhp",
            "kd_tree_node_data.skhp", "ball_tree_idx_array.skhp",
            "ball_tree_node_data.skhp", "hgb_child_out_of_range.skhp"]

_PREDICT = """
import sys
import sklearn_hp.persistence._io as io
from sklearn.datasets import load_iris
if sys.argv[2] == "unchecked":
    io.check_model = lambda *args: None
X, _ = load_iris(return_X_y=True)
try:
    model = io.load(sys.argv[1])
except io.ModelFileError as error:
    print("refused:", error)
    sys.exit(2)
model.predict(X)
print("predicted")
"""


def _no_core_dump():
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _run(args, timeout=120):
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env,
                          preexec_fn=_no_core_dump)


def test_every_fixture_is_covered():
    assert {p.name for p in ATTACKS.iterdir()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_forged_learned_state_is_refused_naming_the_attribute(name):
    with pytest.raises(ModelFileError, match=EXPECTED[name]) as caught:
        load(ATTACKS / name)
    message = str(caught.value)
    assert message.startswith(f"{ATTACKS / name}: ")
    assert "\n" not in message


@pytest.mark.parametrize("name", CRASHING)
def test_predict_in_a_subprocess_is_refused_not_killed(name):
    checked = _run([sys.executable, "-c", _PREDICT, str(ATTACKS / name), "checked"])
    assert checked.returncode == 2, checked.stderr[-2000:]
    assert re.search(EXPECTED[name], checked.stdout)


@pytest.mark.parametrize("name", CRASHING)
def test_without_the_checks_predict_dies_by_a_signal(name):
    # Proves each fixture is really hostile: skipping the checks, predict segfaults.
    unchecked = _run([sys.executable, "-c", _PREDICT, str(ATTACKS / name), "unchecked"])
    assert unchecked.returncode < 0, (unchecked.returncode, unchecked.stdout)


@pytest.mark.parametrize("name", ["tree_child_out_of_range.skhp", "kd_tree_idx_array.skhp"])
def test_cli_predict_refuses_with_exit_code_2(name, tmp_path):
    X, _ = load_iris(return_X_y=True)
    data = tmp_path / "rows.csv"
    np.savetxt(data, X[:10], delimiter=",", header="a,b,c,d", comments="")
    done = _run([sys.executable, "-m", "sklearn_hp", "predict", str(ATTACKS / name),
                 "--data", str(data)])
    assert done.returncode == 2, done.stderr[-2000:]
    assert re.search(EXPECTED[name], done.stderr)
    assert done.stderr.startswith("sklearn-hp predict: error: ")


def test_cycle_out_of_reach_of_the_root_is_found():
    # nodes 3 and 4 are each other's children: every node has one parent, yet nodes
    # 3 to 6 hang in a loop that the root never reaches
    left = np.array([1, -1, -1, 4, 3, -1, -1])
    right = np.array([2, -1, -1, 5, 6, -1, -1])
    with pytest.raises(ModelFileError, match="t: node 3 is not reached from the root: the "
                                             "child indices form a cycle"):
        check_tree_structure(left, right, left == -1, "t")


def test_depth_of_a_chain_and_of_a_balanced_tree():
    n = 1001  # a left chain: node i splits into i + 1 (left) and a leaf on the right
    split = np.arange(0, n - 1, 2)
    left, right = np.full(n, -1), np.full(n, -1)
    left[split], right[split] = split + 2, split + 1
    assert check_tree_structure(left, right, left == -1, "t") == 500
    # the same chain beside a loop out of the root's reach (nodes 1001 and 1002 are
    # each other's children): found by the pointer doubling that takes over from the
    # breadth-first pass on trees deeper than 64 levels
    left, right = np.append(left, [1002, 1001, -1, -1]), np.append(right, [1003, 1004, -1, -1])
    with pytest.raises(ModelFileError, match="t: node 1001 is not reached from the root"):
        check_tree_structure(left, right, left == -1, "t")
    nodes = np.arange(15)
    left = np.where(nodes < 7, 2 * nodes + 1, -1)
    right = np.where(nodes < 7, 2 * nodes + 2, -1)
    assert check_tree_structure(left, right, left == -1, "t") == 3


def test_tree_counts_are_checked_before_its_arrays_are_read():
    X, y = load_iris(return_X_y=True)
    tree = DecisionTreeClassifier(random_state=0).fit(X, y).tree_
    check_sklearn_trees([tree], ["t"])
    real_depth = tree.max_depth
    tree.max_depth = 2  # decision_path sizes its buffer by max_depth
    with pytest.raises(ModelFileError, match=f"t: max_depth=2 but the nodes form a tree of "
                                             f"depth {real_depth}"):
        check_sklearn_trees([tree], ["t"])
    tree.max_depth = real_depth
    tree.node_count = 10**6  # reading 10**6 nodes would leave the array
    with pytest.raises(ModelFileError, match="t: node_count=1000000 but the node array "
                                             "holds 17 nodes"):
        check_sklearn_trees([tree], ["t"])
