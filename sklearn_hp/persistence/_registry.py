"""The explicit registry of classes, types and functions a model file may name.

A file names classes by ``"module.QualName"``; ``load`` looks those names up in this
registry and never imports a module the file names. The registry holds

* every estimator ``sklearn.utils.all_estimators()`` lists, and the scikit-learn helper
  types fitted estimators keep (trees, kernels, losses, splitters, ...);
* every class defined in sklearn_hp's public subpackages (estimators, optimizers,
  schedules, transforms, activations, losses, initialisers, layers, callbacks, search
  spaces and samplers), found by walking the subpackages, so new building blocks are
  covered without editing this file;
* numpy scalar types, dtypes, ufuncs and random generators, scipy sparse matrices and
  special functions, and the builtin containers;
* whatever the caller passes as ``trusted=[...]``.
"""

import functools
import importlib
import inspect
import pkgutil
import sys
import warnings

import numpy as np

__all__ = ["Registry", "name_of"]

#: sklearn_hp subpackages whose modules hold no class a model file needs; the command
#: line runs code when imported and is never walked.
_SKIPPED_SUBPACKAGES = {"cli", "plotting", "testing", "persistence"}

#: scikit-learn modules whose public classes are helper types of fitted estimators.
_SKLEARN_HELPER_MODULES = (
    "sklearn.gaussian_process.kernels",
    "sklearn.model_selection._split",
    "sklearn._loss.loss",
    "sklearn._loss.link",
)

#: Further scikit-learn helper types, by name (skipped when a version lacks one).
_SKLEARN_HELPER_TYPES = (
    "sklearn.utils._bunch.Bunch",
    "sklearn.tree._tree.Tree",
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.multiclass._ConstantPredictor",
    "sklearn.compose._column_transformer.make_column_selector",
    "sklearn.preprocessing._function_transformer.FunctionTransformer",
    "sklearn.metrics._scorer._Scorer",
    "sklearn.metrics._scorer._PredictScorer",
    "sklearn.metrics._scorer._ProbaScorer",
    "sklearn.metrics._scorer._ThresholdScorer",
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "sklearn.metrics._dist_metrics.EuclideanDistance32",
    "sklearn.metrics._dist_metrics.ManhattanDistance64",
    "sklearn.metrics._dist_metrics.MinkowskiDistance64",
    "sklearn.neighbors._kd_tree.BinaryTree64",
    "sklearn.neighbors._ball_tree.BinaryTree64",
    "sklearn.svm._classes.SVC",
    "sklearn.utils._param_validation.Interval",
)

_BUILTINS = (bool, int, float, complex, str, bytes, bytearray, list, tuple, dict, set,
             frozenset, slice, type(None))

_NUMPY_TYPES = ("ndarray", "dtype", "ma.MaskedArray", "ma.core.MaskedArray",
                "random.RandomState", "random.Generator", "random.SeedSequence")


def name_of(obj):
    """Return the ``"module.QualName"`` a file uses for a class or function."""
    return f"{obj.__module__}.{obj.__qualname__}"


def _resolve(name):
    """The object called ``name`` in an already imported module, or None (no import)."""
    module_name, _, attr = name.rpartition(".")
    obj = sys.modules.get(module_name)
    while obj is None and "." in module_name:  # nested names, e.g. numpy.ma.core.X
        module_name, _, parent = module_name.rpartition(".")
        attr = f"{parent}.{attr}"
        obj = sys.modules.get(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part, None)
    return obj


def _sklearn_objects():
    from sklearn.utils import all_estimators

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        objects = [cls for _, cls in all_estimators()]
    for module_name in _SKLEARN_HELPER_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # pragma: no cover - absent in some scikit-learn versions
            continue
        objects += [obj for obj in vars(module).values()
                    if inspect.isclass(obj) and obj.__module__ == module_name]
    for name in _SKLEARN_HELPER_TYPES:
        importlib.import_module(name.rpartition(".")[0].split("._")[0])
        obj = _resolve(name)
        if obj is not None:
            objects.append(obj)
    return objects


def _sklearn_hp_objects():
    import sklearn_hp

    objects = []
    for info in pkgutil.iter_modules(sklearn_hp.__path__):
        if info.name.startswith("_") or info.name in _SKIPPED_SUBPACKAGES:
            continue
        importlib.import_module(f"sklearn_hp.{info.name}")
    prefixes = tuple(f"sklearn_hp.{info.name}" for info in pkgutil.iter_modules(sklearn_hp.__path__)
                     if not info.name.startswith("_") and info.name not in _SKIPPED_SUBPACKAGES)
    for module_name, module in list(sys.modules.items()):
        if module is None or not module_name.startswith(prefixes):
            continue
        objects += [obj for obj in vars(module).values()
                    if inspect.isclass(obj) and obj.__module__ == module_name]
    return objects


def _numpy_scipy_objects():
    import scipy.sparse
    import scipy.special

    objects = list(_BUILTINS)
    objects += [_resolve(f"numpy.{name}") for name in _NUMPY_TYPES]
    objects += sorted(set(np.sctypeDict.values()), key=repr)
    objects += [type(np.dtype(t)) for t in set(np.sctypeDict.values())]
    objects += [obj for obj in vars(np.random).values()
                if inspect.isclass(obj) and issubclass(obj, np.random.BitGenerator)]
    objects += [obj for obj in vars(np).values() if isinstance(obj, np.ufunc)]
    objects += [obj for name, obj in vars(scipy.sparse).items()
                if inspect.isclass(obj) and name.endswith(("_matrix", "_array"))]
    objects += [obj for obj in vars(scipy.special).values() if isinstance(obj, np.ufunc)]
    return [obj for obj in objects if obj is not None]


@functools.lru_cache(maxsize=1)
def _default_entries():
    entries = {}
    for obj in _numpy_scipy_objects() + _sklearn_objects() + _sklearn_hp_objects():
        for name in _names(obj):
            entries.setdefault(name, obj)
    return entries


def _names(obj):
    """Every name a file may use for ``obj`` (skops names ufuncs by their module)."""
    names = set()
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if module and qualname:
        names.add(f"{module}.{qualname}")
    if isinstance(obj, np.ufunc):
        names.add(f"numpy.{obj.__name__}")
    return names


class Registry:
    """The classes, types and functions a file may name, by name.

    Parameters
    ----------
    trusted : iterable of type, function or str, default=()
        Extra entries trusted by the caller: the objects themselves, or names
        ``"module.QualName"`` of objects in modules that are already imported.
    """

    def __init__(self, trusted=()):
        self._entries = dict(_default_entries())
        self._extra_names = set()
        for item in trusted or ():
            if isinstance(item, str):
                obj = _resolve(item)
                if obj is None:
                    raise ValueError(
                        f"trusted={item!r} names nothing in an imported module; pass the "
                        "class or function itself (e.g. trusted=[MyEstimator])."
                    )
                self._entries[item] = obj
                self._extra_names.add(item)
            elif callable(item):
                for name in _names(item):
                    self._entries[name] = item
                    self._extra_names.add(name)
            else:
                raise TypeError(
                    f"trusted entries are classes, functions or their names; got {item!r}."
                )

    def get(self, name):
        """The registered object called ``name``, or None."""
        return self._entries.get(name) if isinstance(name, str) else None

    def __contains__(self, name):
        return isinstance(name, str) and name in self._entries

    def knows(self, obj):
        """Whether ``obj`` (a class or function) is registered under its own name."""
        return any(self._entries.get(name) is obj for name in _names(obj))

    def __len__(self):
        return len(self._entries)
