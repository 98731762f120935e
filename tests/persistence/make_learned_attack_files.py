"""Write the hostile model files in ``tests/persistence/attacks_learned/`` (run once, committed).

Each file is a valid model file whose learned arrays were edited and whose checksums
were recomputed, as anyone forging a file can. Without ``load``'s checks of learned
state, ``predict`` on the tree and neighbour-tree files dies by a signal (the test
shows it). Run from the repository root::

    PYTHONPATH=. python tests/persistence/make_learned_attack_files.py
"""

import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_iris
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _tamper import edit_array, files_under, read_model, write_model  # noqa: E402

from sklearn_hp.persistence import save  # noqa: E402

HERE = Path(__file__).resolve().parent / "attacks_learned"
FAR = 10**9  # an index far outside any array: following it leaves the process's memory


def _set(field, index, value):
    def edit(array):
        (array[field] if field else array)[index] = value
    return edit


def _forge(name, base, key, position, edit):
    """Write ``name``: ``base`` with the ``position``-th array under ``key`` edited."""
    manifest, members = read_model(base)
    member = files_under(members, key)[position]
    write_model(HERE / name, manifest, edit_array(members, member, edit))
    print("wrote", name)


def _cycle(nodes):
    # the first split node below the root becomes its own left child: samples loop there
    node = 1 + int(np.argmax(nodes["left_child"][1:] != -1))
    nodes["left_child"][node] = node


def main():
    HERE.mkdir(exist_ok=True)
    X, y = load_iris(return_X_y=True)
    bases = {}
    for label, model in (
            ("tree", DecisionTreeClassifier(random_state=0)),
            ("kd_tree", KNeighborsClassifier(algorithm="kd_tree", leaf_size=10)),
            ("ball_tree", KNeighborsClassifier(algorithm="ball_tree", leaf_size=10)),
            ("hgb", HistGradientBoostingClassifier(max_iter=3, random_state=0)),
            ("linear", LinearSVC(max_iter=5000))):  # same hyperparameters on 1.6 to 1.9
        bases[label] = HERE / f"_{label}.skhp"
        save(model.fit(X, y), bases[label])
    # Tree: nodes is the second array of tree_ (after n_classes).
    _forge("tree_child_out_of_range.skhp", bases["tree"], "tree_", 1,
           _set("left_child", 0, FAR))
    _forge("tree_cycle.skhp", bases["tree"], "tree_", 1, _cycle)
    _forge("tree_feature_out_of_range.skhp", bases["tree"], "tree_", 1,
           _set("feature", 0, 7))
    _forge("tree_threshold_nan.skhp", bases["tree"], "tree_", 1,
           _set("threshold", 0, np.nan))
    # KDTree / BallTree state: (data, idx_array, node_data, node_bounds, ...).
    for label in ("kd_tree", "ball_tree"):
        _forge(f"{label}_idx_array.skhp", bases[label], "_tree", 1, _set(None, 0, FAR))
        _forge(f"{label}_node_data.skhp", bases[label], "_tree", 2,
               _set("idx_end", -1, FAR))
    # HGB: the first predictor's nodes.
    _forge("hgb_child_out_of_range.skhp", bases["hgb"], "_predictors", 0,
           _set("left", 0, 10**6))
    _forge("coef_nan.skhp", bases["linear"], "coef_", 0, _set(None, (0, 0), np.nan))
    _forge("coef_columns.skhp", bases["linear"], "coef_", 0,
           lambda coef: np.hstack([coef, coef[:, :1]]))
    for path in bases.values():
        path.unlink()


if __name__ == "__main__":
    main()
