"""Check decision-tree nodes before scikit-learn's compiled code follows them.

Two compiled structures hold binary trees as arrays of child indices that ``predict``
follows without bounds checks: ``sklearn.tree._tree.Tree`` (decision trees, forests,
gradient boosting, isolation forests) and histogram gradient boosting's
``TreePredictor``. Every check here runs on all the trees of a model at once
(concatenated, vectorised), so a forest of 300 trees costs a few numpy passes, not
300 Python loops.
"""

import numpy as np

from ._archive import fail

__all__ = ["check_tree_structure", "check_sklearn_trees", "check_predictors",
           "check_hist_gradient_boosting"]

_TREE_LEAF = -1
#: Levels walked breadth first before deeper trees switch to pointer doubling.
_BREADTH_FIRST_LEVELS = 64


class _Forest:
    """Several trees' node arrays concatenated, with the way back to (tree, node)."""

    def __init__(self, sizes, wheres):
        self.sizes = np.asarray(sizes, dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)[:-1]]).astype(np.int64)
        self.wheres = wheres
        self.tree_of = np.repeat(np.arange(len(self.sizes)), self.sizes)

    def fail(self, node, message):
        """Fail naming global ``node``'s tree; ``message`` gets the local node index."""
        tree = int(self.tree_of[node])
        fail(self.wheres[tree], message(int(node - self.offsets[tree])))


def _structure(forest, left, right, is_leaf):
    """Check that each tree's children form one tree rooted at its node 0.

    Every split node has two children inside its own tree, every node but a root has
    exactly one parent, and every node is reached from its root (no cycle). A
    vectorised breadth-first pass per level makes this O(n); trees deeper than
    ``_BREADTH_FIRST_LEVELS`` finish by pointer doubling, O(n log depth).

    Returns
    -------
    depths : ndarray of shape (n_trees,)
        Each tree's depth (0 for a lone root).
    """
    if (forest.sizes == 0).any():
        fail(forest.wheres[int(np.argmax(forest.sizes == 0))],
             "the tree has no node; a fitted tree has at least its root.")
    n_nodes = len(is_leaf)
    split = np.flatnonzero(~is_leaf)
    local = np.concatenate([left[split], right[split]]).astype(np.int64, copy=False)
    owners = np.concatenate([split, split])
    trees = forest.tree_of[owners]
    bad = (local < 0) | (local >= forest.sizes[trees])
    if bad.any():
        i = int(np.argmax(bad))
        side = "left" if i < len(split) else "right"
        forest.fail(owners[i], lambda node: f"node {node}'s {side} child is {local[i]}; "
                    f"accepted: a node index in [0, {forest.sizes[trees[i]]}).")
    children = local + forest.offsets[trees]
    is_root = np.zeros(n_nodes, dtype=bool)
    is_root[forest.offsets] = True
    parents = np.bincount(children, minlength=n_nodes)
    bad = parents != ~is_root
    if bad.any():
        count = parents[np.argmax(bad)]
        forest.fail(int(np.argmax(bad)), lambda node: (
            f"node {node} is the child of {count} nodes; in a tree the root has no parent "
            "and every other node exactly one (a cycle or a shared subtree breaks this)."))
    # Breadth first from the roots: with one parent per node, no node is met twice, and
    # a node never met hangs on a cycle. Deep chains finish by pointer doubling.
    gone_left = np.full(n_nodes, -1, dtype=np.int64)
    gone_right = np.full(n_nodes, -1, dtype=np.int64)
    gone_left[split], gone_right[split] = children[:len(split)], children[len(split):]
    depth = np.full(n_nodes, -1, dtype=np.int64)
    frontier, level = forest.offsets, 0
    while frontier.size and level < _BREADTH_FIRST_LEVELS:
        depth[frontier] = level
        below = gone_left[frontier] >= 0
        frontier = np.concatenate([gone_left[frontier[below]], gone_right[frontier[below]]])
        level += 1
    if frontier.size:
        depth = _doubling_depths(forest, children, owners, is_root)
    if (depth < 0).any():
        forest.fail(int(np.argmax(depth < 0)), lambda node: (
            f"node {node} is not reached from the root: the child indices form a cycle."))
    return np.maximum.reduceat(depth, forest.offsets)


def _doubling_depths(forest, children, owners, is_root):
    """Each node's depth by pointer doubling (-1 if it never reaches a root)."""
    up = np.arange(len(is_root))
    up[children] = owners  # each node's parent; a root is its own
    # After k rounds `up` is each node's 2**k-th ancestor (or its root) and `depth`
    # the steps taken; a node on a cycle never reaches a root.
    depth = (~is_root).astype(np.int64)
    for _ in range(int(forest.sizes.max()).bit_length() + 1):
        if is_root[up].all():
            break
        depth = depth + depth[up]
        up = up[up]
    return np.where(is_root[up], depth, -1)


def check_tree_structure(left, right, is_leaf, where):
    """Check that child arrays form one binary tree rooted at node 0; return its depth.

    Parameters
    ----------
    left, right : ndarray of int of shape (n_nodes,)
        Child indices; only those of split nodes are read.
    is_leaf : ndarray of bool of shape (n_nodes,)
    where : str
        Names the tree in error messages.

    Returns
    -------
    depth : int
        The depth of the deepest node (0 for a lone root).
    """
    return int(_structure(_Forest([len(is_leaf)], [where]), left, right, is_leaf)[0])


def _splits(forest, feature, threshold, split, n_features):
    """Split features in ``[0, n_features)`` (per node), split thresholds not NaN."""
    nodes = np.flatnonzero(split)
    feature, limit = feature[nodes], n_features[nodes]
    bad = (feature < 0) | (feature >= limit)
    if bad.any():
        i = int(np.argmax(bad))
        forest.fail(nodes[i], lambda node: f"node {node} splits on feature {feature[i]}; "
                    f"accepted: a feature index in [0, {limit[i]}).")
    # +inf is a real threshold: 'every non-missing value goes left' splits use it
    nan = np.isnan(threshold[nodes])
    if nan.any():
        forest.fail(nodes[int(np.argmax(nan))],
                    lambda node: f"node {node} has threshold NaN; accepted: a number.")


def check_sklearn_trees(trees, wheres):
    """Check ``sklearn.tree._tree.Tree`` objects: counts, children, features, thresholds.

    Parameters
    ----------
    trees : list of sklearn.tree._tree.Tree
    wheres : list of str
        Names each tree in error messages.
    """
    if not trees:
        return
    for tree, where in zip(trees, wheres):
        if not 1 <= tree.node_count == tree.capacity:
            fail(where, f"node_count={tree.node_count} but the node array holds "
                        f"{tree.capacity} nodes; accepted: the same positive number.")
    # __getstate__ wraps node_count records: safe now that it equals the capacity.
    # One field at a time: concatenating whole records is several times slower.
    records = [tree.__getstate__()["nodes"] for tree in trees]
    forest = _Forest([tree.node_count for tree in trees], wheres)
    left, right, feature, threshold = (
        np.concatenate([nodes[name] for nodes in records])
        for name in ("left_child", "right_child", "feature", "threshold"))
    is_leaf = left == _TREE_LEAF
    bad = is_leaf != (right == _TREE_LEAF)
    if bad.any():
        i = int(np.argmax(bad))
        forest.fail(i, lambda node: f"node {node} has children ({left[i]}, {right[i]}); "
                    f"accepted: both {_TREE_LEAF} (a leaf) or both node indices.")
    depths = _structure(forest, left, right, is_leaf)
    claimed = np.array([tree.max_depth for tree in trees])
    if (claimed != depths).any():
        t = int(np.argmax(claimed != depths))
        fail(wheres[t], f"max_depth={claimed[t]} but the nodes form a tree of depth "
                        f"{depths[t]}; scikit-learn sizes buffers by max_depth.")
    n_features = np.repeat([tree.n_features for tree in trees], forest.sizes)
    _splits(forest, feature, threshold, ~is_leaf, n_features)


def _predictor_nodes(predictor, record_dtype, where):
    nodes = getattr(predictor, "nodes", None)
    if not (isinstance(nodes, np.ndarray) and nodes.dtype == record_dtype
            and nodes.ndim == 1):
        fail(where, "nodes is not a 1-d array of scikit-learn's predictor records.")
    return nodes


def check_predictors(predictors, wheres, record_dtype):
    """Check histogram-gradient-boosting ``TreePredictor`` nodes and bitsets.

    Parameters
    ----------
    predictors : list of TreePredictor
    wheres : list of str
        Names each predictor in error messages.
    record_dtype : numpy.dtype
        scikit-learn's ``PREDICTOR_RECORD_DTYPE``.
    """
    if not predictors:
        return
    n_bitsets = []
    for predictor, where in zip(predictors, wheres):
        _predictor_nodes(predictor, record_dtype, where)
        for name in ("raw_left_cat_bitsets", "binned_left_cat_bitsets"):
            bitsets = getattr(predictor, name, None)
            if not (isinstance(bitsets, np.ndarray) and bitsets.ndim == 2
                    and bitsets.shape[1] == 8 and bitsets.dtype == np.uint32):
                fail(where, f"{name} is not an array of shape (n_bitsets, 8) of uint32.")
        n_bitsets.append(min(len(predictor.raw_left_cat_bitsets),
                             len(predictor.binned_left_cat_bitsets)))
    nodes = np.concatenate([predictor.nodes for predictor in predictors])
    forest = _Forest([len(predictor.nodes) for predictor in predictors],
                     [f"{where}.nodes" for where in wheres])
    is_leaf = nodes["is_leaf"] != 0
    _structure(forest, nodes["left"], nodes["right"], is_leaf)
    limit = np.repeat(n_bitsets, forest.sizes)
    bad = (nodes["is_categorical"] != 0) & ~is_leaf & (nodes["bitset_idx"] >= limit)
    if bad.any():
        i = int(np.argmax(bad))
        forest.fail(i, lambda node: f"node {node} uses categorical bitset "
                    f"{nodes['bitset_idx'][i]}; accepted: an index in [0, {limit[i]}).")


def check_hist_gradient_boosting(estimator, where, record_dtype):
    """The predictors of a ``HistGradientBoosting*`` against its features and binner."""
    state = estimator.__dict__
    n_features, predictors = state.get("n_features_in_"), state.get("_predictors")
    if predictors is None or not isinstance(n_features, int):
        return
    # n_features_in_ is checked against an array of the file before anything is sized
    # by it (the binner always holds one flag per feature)
    flags = getattr(state.get("_bin_mapper"), "is_categorical_", None)
    if not (isinstance(flags, np.ndarray) and flags.shape == (n_features,)):
        fail(where, f"_bin_mapper.is_categorical_ has shape {np.shape(flags)}; accepted: "
                    f"({n_features},), one flag per feature (n_features_in_).")
    thresholds = getattr(state["_bin_mapper"], "bin_thresholds_", None)
    if thresholds is not None and len(thresholds) != n_features:
        fail(where, f"_bin_mapper.bin_thresholds_ has {len(thresholds)} entries; "
                    f"accepted: {n_features} (n_features_in_).")
    width = state.get("n_trees_per_iteration_")
    flat, wheres = [], []
    for i, iteration in enumerate(predictors):
        if len(iteration) != width:
            fail(where, f"_predictors[{i}] holds {len(iteration)} predictors; accepted: "
                        f"n_trees_per_iteration_={width}.")
        for k, predictor in enumerate(iteration):
            wheres.append(f"{where}._predictors[{i}][{k}]")
            _predictor_nodes(predictor, record_dtype, wheres[-1])
            flat.append(predictor)
    if not flat:
        return
    nodes = np.concatenate([predictor.nodes for predictor in flat])
    forest = _Forest([len(predictor.nodes) for predictor in flat], wheres)
    split = nodes["is_leaf"] == 0
    _splits(forest, nodes["feature_idx"], nodes["num_threshold"], split,
            np.full(len(nodes), n_features))
    categorical = split & (nodes["is_categorical"] != 0)
    unknown = categorical & ~flags.astype(bool)[np.where(categorical, nodes["feature_idx"],
                                                         0)]
    if unknown.any():
        i = int(np.argmax(unknown))
        forest.fail(i, lambda node: f"node {node} splits on feature "
                    f"{nodes['feature_idx'][i]} as categorical, but the binner holds no "
                    "categories for it.")
    _check_preprocessor(estimator, n_features, where)


def _check_preprocessor(estimator, n_features, where):
    """The column selections of HGB's categorical preprocessor cover every feature once."""
    preprocessor = estimator.__dict__.get("_preprocessor")
    if preprocessor is None:
        return
    selected = np.zeros(n_features, dtype=np.int64)
    for name, _, columns in getattr(preprocessor, "transformers_", ()):
        if name == "remainder" and isinstance(columns, (list, np.ndarray)) \
                and len(columns) == 0:
            continue
        mask = np.zeros(n_features, dtype=bool)
        try:
            mask[np.asarray(columns)] = True
        except (IndexError, ValueError, TypeError):
            fail(where, f"_preprocessor selects columns {columns!r} for {name!r}; "
                        f"accepted: columns of the {n_features} features.")
        selected += mask
    if (selected != 1).any():
        fail(where, f"_preprocessor does not select each of the {n_features} features "
                    "exactly once; predict would read past the encoded columns.")
