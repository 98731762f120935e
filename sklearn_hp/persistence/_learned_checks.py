"""Check the learned state that scikit-learn's compiled code follows without bounds checks.

A model file can hold any numbers in its arrays, and its checksums can be forged. Some
learned arrays are indices that compiled code follows blindly at ``predict``: a
decision tree's child and feature indices, a ``KDTree``'s index and node arrays, the
nodes of a histogram-gradient-boosting predictor, libsvm's support-vector counts,
the indices of a sparse matrix. A forged index there reads or writes outside memory
and kills the process. :func:`check_model` checks all of them, and the shapes and
finiteness of the usual learned arrays, before ``load`` returns the estimator: a
forged file is refused with a :class:`ModelFileError` that names the attribute.

The checks run on the objects skops has just built and before anything calls into
them. That is safe because the constructors involved only copy their state: ``Tree``
checks the dtype and shape of its node and value arrays and copies them
(``Tree.__setstate__``), ``KDTree``/``BallTree``/``DistanceMetric`` assign typed
memoryviews (``__setstate__``), ``TreePredictor`` stores its arrays; none follows an
index. The one unchecked number a ``Tree`` keeps, ``node_count``, is compared with the
size of its node array before any of its arrays is read here.

Each compiled structure has one small function (tree nodes in ``_tree_checks.py``,
checked for all the trees of a model at once); :func:`check_model` walks the loaded
object once, calls them, and checks every estimator's hyperparameters on the way.
"""

import numpy as np
from sklearn.base import is_classifier

from ._archive import fail
from ._checks import MAX_N_JOBS, check_settings, is_estimator, walk
from ._tree_checks import check_hist_gradient_boosting, check_predictors, check_sklearn_trees

__all__ = ["check_model"]

#: Learned float arrays (or lists of them) that hold no NaN or infinity in a fitted
#: estimator: weights, biases, coefficients, support vectors.
_FINITE = ("coef_", "intercept_", "coefs_", "intercepts_", "weights_", "biases_",
           "kernels_", "kernel_biases_", "dual_coef_", "_dual_coef_", "_intercept_")
#: Learned arrays whose last axis runs over the input features.
_FEATURE_AXIS = ("coef_", "cluster_centers_", "components_")


def _sklearn_types():
    """The compiled scikit-learn types checked here, imported on first use."""
    from .._compat import compiled_sklearn_types

    types = compiled_sklearn_types()
    binary_trees = {cls: 2 for cls in types.kd_trees}
    binary_trees.update({cls: 1 for cls in types.ball_trees})
    return types.Tree, types.TreePredictor, types.PREDICTOR_RECORD_DTYPE, binary_trees


# -------------------------------------------------------------- neighbour trees
def check_binary_tree(tree, n_bounds, where):
    """Check a ``KDTree`` or ``BallTree``: index permutation, node ranges, shapes.

    Parameters
    ----------
    tree : KDTree or BallTree
    n_bounds : int
        Leading size of ``node_bounds``: 2 (KD tree: lower and upper) or 1 (ball tree:
        centroids).
    where : str
        Names the tree in error messages.
    """
    (data, idx_array, node_data, node_bounds, leaf_size, n_levels, n_nodes,
     *_, metric, sample_weight) = tree.__getstate__()
    if data is None or data.ndim != 2 or min(data.shape) < 1:
        fail(where, f"data has shape {np.shape(data)}; accepted: (n_samples, n_features), "
                    "both at least 1.")
    n_samples, n_features = data.shape
    if idx_array is None or idx_array.shape != (n_samples,) or not _is_permutation(idx_array):
        fail(where, f"idx_array is not a permutation of range({n_samples}) (one index per "
                    "row of data).")
    if leaf_size < 1:
        fail(where, f"leaf_size={leaf_size}; accepted: at least 1.")
    if n_levels < 1 or n_levels > 62 or n_nodes != 2**n_levels - 1:
        fail(where, f"n_levels={n_levels} and n_nodes={n_nodes}; accepted: n_nodes = "
                    "2**n_levels - 1 with n_levels >= 1.")
    if node_data is None or node_data.shape != (n_nodes,):
        fail(where, f"node_data has shape {np.shape(node_data)}; accepted: ({n_nodes},) "
                    "(n_nodes).")
    if node_bounds is None or node_bounds.shape != (n_bounds, n_nodes, n_features):
        fail(where, f"node_bounds has shape {np.shape(node_bounds)}; accepted: "
                    f"{(n_bounds, n_nodes, n_features)}.")
    if sample_weight is not None and sample_weight.shape != (n_samples,):
        fail(where, f"sample_weight has shape {sample_weight.shape}; accepted: "
                    f"({n_samples},).")
    _check_node_data(node_data, n_samples, where)
    _check_metric(metric, n_features, where)


def _is_permutation(indices):
    if indices.dtype.kind not in "iu" or len(indices) == 0:
        return False
    if indices.min() < 0 or indices.max() >= len(indices):
        return False
    return bool((np.bincount(indices, minlength=len(indices)) == 1).all())


def _check_node_data(node_data, n_samples, where):
    """Every node's ``[idx_start, idx_end)`` in range; a split node's children split it."""
    start, end = node_data["idx_start"], node_data["idx_end"]
    bad = (start < 0) | (start > end) | (end > n_samples)
    if bad.any():
        node = int(np.argmax(bad))
        fail(where, f"node_data[{node}] covers indices [{start[node]}, {end[node]}); "
                     f"accepted: 0 <= idx_start <= idx_end <= {n_samples}.")
    if start[0] != 0 or end[0] != n_samples:
        fail(where, f"node_data[0] (the root) covers [{start[0]}, {end[0]}); accepted: "
                     f"[0, {n_samples}).")
    split = np.flatnonzero(node_data["is_leaf"] == 0)
    if (2 * split + 2 >= len(node_data)).any():
        node = int(split[np.argmax(2 * split + 2 >= len(node_data))])
        fail(where, f"node_data[{node}] is not a leaf but its children would be nodes "
                    f"{2 * node + 1} and {2 * node + 2} of {len(node_data)}.")
    left, right = 2 * split + 1, 2 * split + 2
    bad = ((start[left] != start[split]) | (end[left] != start[right])
           | (end[right] != end[split]))
    if bad.any():
        node = int(split[np.argmax(bad)])
        fail(where, f"node_data[{node}]'s children do not split its range "
                    f"[{start[node]}, {end[node]}) in two.")
    if "radius" in node_data.dtype.names and not np.isfinite(node_data["radius"]).all():
        fail(where, "node_data holds a radius that is NaN or infinite.")


def _check_metric(metric, n_features, where):
    """A weighted metric's weights (or matrix) match the data's features."""
    try:
        _, vec, mat, *_ = metric.__getstate__()
    except (AttributeError, TypeError, ValueError):
        fail(where, f"dist_metric is a {type(metric).__name__}, not a distance metric.")
    name = type(metric).__name__
    if name.startswith(("SEuclidean", "WMinkowski")) and vec.shape != (n_features,):
        fail(where, f"the {name} weights have shape {vec.shape}; accepted: "
                    f"({n_features},), one per feature.")
    if name.startswith("Minkowski") and vec.size not in (0, n_features):
        fail(where, f"the {name} weights have shape {vec.shape}; accepted: none or "
                    f"({n_features},).")
    if name.startswith("Mahalanobis") and mat.shape != (n_features, n_features):
        fail(where, f"the {name} matrix has shape {mat.shape}; accepted: "
                    f"({n_features}, {n_features}).")


# ---------------------------------------------------------------------- libsvm
def _check_libsvm(estimator, where):
    """libsvm's support-vector arrays agree with each other (libsvm trusts them)."""
    state = estimator.__dict__
    support, counts = state.get("support_"), state.get("_n_support")
    if not (isinstance(support, np.ndarray) and isinstance(counts, np.ndarray)):
        return
    n_sv = len(support)
    n_train = (state.get("shape_fit_") or (0,))[0]
    if support.ndim != 1 or (n_sv and (support.min() < 0 or support.max() >= n_train)):
        fail(where, f"support_ holds indices outside [0, {n_train}) (the training "
                    "samples, shape_fit_[0]).")
    if counts.ndim != 1 or len(counts) < 2 or (counts < 0).any():
        fail(where, f"_n_support={counts.tolist()}; accepted: counts >= 0, one per class.")
    classification = getattr(estimator, "_impl", None) in ("c_svc", "nu_svc")
    n_class = len(counts) if classification else 2
    total = int(counts.sum()) if classification else int(counts[0])
    if total != n_sv:
        fail(where, f"_n_support={counts.tolist()} counts {total} support vectors but "
                    f"support_ holds {n_sv}.")
    classes = state.get("classes_")
    if classification and classes is not None and len(classes) != n_class:
        fail(where, f"_n_support has {n_class} counts for {len(classes)} classes_.")
    rows, n_pairs = (n_class - 1, n_class * (n_class - 1) // 2) if classification else (1, 1)
    for name, shape in (("_dual_coef_", (rows, n_sv)), ("dual_coef_", (rows, n_sv)),
                        ("_intercept_", (n_pairs,))):
        if name in state and np.shape(state[name]) != shape:
            fail(where, f"{name} has shape {np.shape(state[name])}; accepted: {shape}.")
    for name in ("_probA", "_probB"):
        if name in state and np.shape(state[name]) not in ((0,), (n_pairs,)):
            fail(where, f"{name} has shape {np.shape(state[name])}; accepted: (0,) or "
                        f"({n_pairs},).")
    vectors, n_features = state.get("support_vectors_"), state.get("n_features_in_")
    if vectors is not None and np.prod(np.shape(vectors)) and isinstance(n_features, int) \
            and np.shape(vectors) != (n_sv, n_features) and state.get("kernel") != "precomputed":
        fail(where, f"support_vectors_ has shape {np.shape(vectors)}; accepted: "
                    f"({n_sv}, {n_features}) (support_, n_features_in_).")


# ------------------------------------------------------------ generic learned state
def _arrays(value):
    """The ndarrays of a learned value: itself, or the items of a list or tuple."""
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, np.ndarray)]
    return []


def _check_generic(estimator, where):
    """Finite weights; coefficient shapes that agree with n_features_in_ and classes_."""
    state = estimator.__dict__
    for name in _FINITE:
        for i, array in enumerate(_arrays(state.get(name))):
            if array.dtype.kind in "fc" and not np.isfinite(array).all():
                suffix = f"[{i}]" if not isinstance(state[name], np.ndarray) else ""
                fail(where, f"{name}{suffix} holds NaN or infinity; a fitted estimator's "
                            "weights are finite numbers.")
    threads = state.get("_n_threads")
    if threads is not None and (isinstance(threads, bool) or not isinstance(
            threads, (int, np.integer)) or not 1 <= threads <= MAX_N_JOBS):
        fail(where, f"_n_threads={threads!r} (OpenMP threads kept from fit); accepted: an "
                    f"integer from 1 to {MAX_N_JOBS}.")
    n_features = state.get("n_features_in_")
    if isinstance(n_features, (int, np.integer)) and not isinstance(n_features, bool):
        for name in _FEATURE_AXIS:
            value = state.get(name)
            if isinstance(value, np.ndarray) and value.ndim in (1, 2) \
                    and value.shape[-1] != n_features:
                fail(where, f"{name} has shape {value.shape}; its last axis must be "
                            f"n_features_in_={n_features}.")
    coef, classes = state.get("coef_"), state.get("classes_")
    if isinstance(coef, np.ndarray) and coef.ndim == 2:
        if isinstance(classes, np.ndarray) and classes.ndim == 1 and is_classifier(estimator):
            allowed = {len(classes), 1} if len(classes) == 2 else {len(classes)}
            if coef.shape[0] not in allowed:
                fail(where, f"coef_ has {coef.shape[0]} rows for {len(classes)} classes_; "
                            f"accepted: {sorted(allowed)}.")
        intercept = state.get("intercept_")
        if isinstance(intercept, np.ndarray) and intercept.ndim == 1 \
                and len(intercept) != coef.shape[0]:
            fail(where, f"intercept_ has shape {intercept.shape}; accepted: "
                        f"({coef.shape[0]},), one per row of coef_.")
    labels, n_clusters = state.get("labels_"), state.get("n_clusters_")
    if isinstance(labels, np.ndarray) and isinstance(n_clusters, (int, np.integer)) \
            and labels.size and (labels.min() < 0 or labels.max() >= n_clusters):
        bad = labels.min() if labels.min() < 0 else labels.max()
        fail(where, f"labels_ holds cluster {bad}; accepted: 0 to n_clusters_ - 1 = "
                    f"{n_clusters - 1}.")
    _check_layers(state, "coefs_", "intercepts_", n_features, where)
    if not state.get("kernels_"):  # a network's first dense layer reads its own input
        _check_layers(state, "weights_", "biases_", n_features, where)
    _check_vocabulary(state, where)


def _check_layers(state, weights_name, biases_name, n_features, where):
    """A network's weight matrices chain, each with a bias of its width."""
    weights, biases = state.get(weights_name), state.get(biases_name)
    if not isinstance(weights, list) or not isinstance(biases, list):
        return
    if len(weights) != len(biases):
        fail(where, f"{weights_name} has {len(weights)} layers but {biases_name} "
                    f"{len(biases)}.")
    width = n_features if isinstance(n_features, int) else None
    for i, (weight, bias) in enumerate(zip(weights, biases)):
        if not (isinstance(weight, np.ndarray) and weight.ndim == 2):
            fail(where, f"{weights_name}[{i}] is not a 2-d array.")
        if width is not None and weight.shape[0] != width:
            source = f"{weights_name}[{i - 1}]'s outputs" if i else "n_features_in_"
            fail(where, f"{weights_name}[{i}] has shape {weight.shape}; accepted: "
                        f"({width}, n_units), one row per input ({source}).")
        if np.shape(bias) != (weight.shape[1],):
            fail(where, f"{biases_name}[{i}] has shape {np.shape(bias)}; accepted: "
                        f"({weight.shape[1]},), one per unit of {weights_name}[{i}].")
        width = weight.shape[1]


def _check_vocabulary(state, where):
    """A vectorizer's vocabulary maps to columns 0, 1, ..., n - 1, each once."""
    vocabulary = state.get("vocabulary_")
    if not isinstance(vocabulary, dict):
        return
    columns = list(vocabulary.values())
    if not all(isinstance(c, (int, np.integer)) and not isinstance(c, bool)
               for c in columns) or sorted(columns) != list(range(len(columns))):
        fail(where, f"vocabulary_ does not map its {len(columns)} terms to the columns "
                    f"0..{len(columns) - 1}, each once.")


# ------------------------------------------------------------------- ensembles
def _members(estimators):
    if isinstance(estimators, np.ndarray) and estimators.dtype == object:
        return list(estimators.ravel())
    return list(estimators) if isinstance(estimators, (list, tuple)) else []


def _check_tree_estimator(estimator, tree_type, where):
    """A tree estimator's ``tree_`` has its estimator's numbers of features and outputs."""
    state = estimator.__dict__
    tree = state.get("tree_")
    if not isinstance(tree, tree_type):
        return
    for name, attribute in (("n_features", "n_features_in_"), ("n_outputs", "n_outputs_")):
        if attribute in state and getattr(tree, name) != state[attribute]:
            fail(where, f"tree_.{name}={getattr(tree, name)} but {attribute}="
                        f"{state[attribute]}; they must agree.")


def _check_ensemble(estimator, where):
    """Sub-trees that an ensemble feeds without checking X fit the ensemble's X.

    Forests, gradient boosting and isolation forests pass their validated input to
    their trees' compiled code directly (``check_input=False``).
    """
    from sklearn.ensemble import IsolationForest

    from .._compat import compiled_sklearn_types

    types = compiled_sklearn_types()
    BaseForest, BaseGradientBoosting = types.BaseForest, types.BaseGradientBoosting

    state = estimator.__dict__
    n_features = state.get("n_features_in_")
    if not isinstance(estimator, (BaseForest, BaseGradientBoosting, IsolationForest)) \
            or "estimators_" not in state or not isinstance(n_features, int):
        return
    subsets = state.get("estimators_features_") if isinstance(
        estimator, IsolationForest) else None
    for i, sub in enumerate(_members(state["estimators_"])):
        tree = getattr(sub, "tree_", None)
        width = getattr(tree, "n_features", None)
        limit = n_features if subsets is None else min(n_features, len(subsets[i]))
        if width is None or width > limit or (subsets is None and width != n_features):
            fail(where, f"estimators_ member {i} has a tree of {width} features; "
                        f"accepted: {limit} (n_features_in_"
                        f"{'' if subsets is None else ', estimators_features_'}).")
    if isinstance(estimator, BaseGradientBoosting):
        _check_gradient_boosting(estimator, where)


def _check_gradient_boosting(estimator, where):
    """Gradient boosting writes tree k of each stage into raw-prediction column k."""
    state = estimator.__dict__
    stages, width = state.get("estimators_"), state.get("n_trees_per_iteration_")
    if not (isinstance(stages, np.ndarray) and stages.ndim == 2 and stages.shape[1] == width):
        fail(where, f"estimators_ has shape {np.shape(stages)}; accepted: (n_stages, "
                    f"{width}) (n_trees_per_iteration_).")
    classes = state.get("classes_")
    if classes is not None:
        expected = 1 if len(classes) == 2 else len(classes)
        if width != expected or state.get("n_classes_") != len(classes):
            fail(where, f"n_trees_per_iteration_={width} and n_classes_="
                        f"{state.get('n_classes_')} for {len(classes)} classes_; accepted: "
                        f"{expected} and {len(classes)}.")
        init = state.get("init_")
        prior = getattr(init, "class_prior_", None)
        if prior is not None and np.shape(prior) != (len(classes),):
            fail(where, f"init_.class_prior_ has shape {np.shape(prior)}; accepted: "
                        f"({len(classes)},), one per class.")


def check_model(estimator, where, max_depth):
    """Refuse a loaded model whose hyperparameters or learned state are unsafe.

    One walk of the model checks every estimator's hyperparameters
    (:func:`~._checks.check_settings`) and learned state, and every compiled structure
    in it; the trees of the whole model are checked together at the end.

    Parameters
    ----------
    estimator : object
        A freshly loaded estimator (pipelines and nested estimators included); nothing
        has called into it yet.
    where : str
        The file, for error messages.
    max_depth : int
        Cap on the nesting depth of objects.

    Raises
    ------
    ModelFileError
        Naming the attribute, e.g. ``DecisionTreeClassifier.tree_``, and what is wrong.
    """
    import scipy.sparse
    from scipy.interpolate import BSpline

    tree_type, predictor_type, record_dtype, binary_trees = _sklearn_types()
    found = {tree_type: ([], []), predictor_type: ([], [])}  # checked together below
    for path, obj in walk(estimator, where, max_depth):
        if isinstance(obj, (tree_type, predictor_type)):
            objects, wheres = found[tree_type if isinstance(obj, tree_type)
                                    else predictor_type]
            objects.append(obj)
            wheres.append(f"{where}: {path}")
        elif isinstance(obj, tuple(binary_trees)):
            n_bounds = next(n for cls, n in binary_trees.items() if isinstance(obj, cls))
            check_binary_tree(obj, n_bounds, f"{where}: {path}")
        elif scipy.sparse.issparse(obj):
            _check_sparse(obj, f"{where}: {path}")
        elif isinstance(obj, BSpline):
            _check_bspline(obj, f"{where}: {path}")
        elif is_estimator(obj):
            check_settings(obj, where)
            _check_estimator(obj, f"{where}: {path}", tree_type, record_dtype)
    check_sklearn_trees(*found[tree_type])
    check_predictors(*found[predictor_type], record_dtype)


def _check_estimator(estimator, where, tree_type, record_dtype):
    _check_generic(estimator, where)
    _check_tree_estimator(estimator, tree_type, where)
    _check_ensemble(estimator, where)
    _check_libsvm(estimator, where)
    check_hist_gradient_boosting(estimator, where, record_dtype)


def _check_sparse(matrix, where):
    """Indices and index pointers of a sparse matrix within its shape."""
    check = getattr(matrix, "check_format", None)
    if check is None:
        return
    try:
        check(full_check=True)
    except (ValueError, TypeError, IndexError) as error:
        fail(where, f"the sparse matrix is inconsistent ({error}).")


def _check_bspline(spline, where):
    """Knots, coefficients and degree that scipy's constructor accepts.

    A loaded spline gets its attributes without ``BSpline.__init__``, whose checks
    scipy's compiled evaluation relies on; they are run here.
    """
    from scipy.interpolate import BSpline

    try:
        BSpline(spline.t, spline.c, spline.k, extrapolate=spline.extrapolate)
    except (AttributeError, ValueError, TypeError, IndexError) as error:
        fail(where, f"the spline's knots t, coefficients c and degree k "
                    f"(k={getattr(spline, 'k', None)!r}) are inconsistent ({error}).")
