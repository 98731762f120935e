"""The explicit registry of classes, types and functions a model file may name.

A file names classes by ``"module.QualName"``; ``load`` looks those names up in this
registry and never imports a module the file names (beyond the public scikit-learn or
sklearn_hp package of a registered module, which building the whole registry imports
anyway, e.g. ``sklearn.ensemble`` for ``sklearn.ensemble._forest``). The registry holds

* every estimator ``sklearn.utils.all_estimators()`` lists, and the scikit-learn helper
  types fitted estimators keep (trees, kernels, losses, splitters, ...), found by a walk
  of scikit-learn's modules that, unlike ``all_estimators``, never imports
  ``sklearn.externals`` (whose array namespaces import torch, dask or cupy if installed);
* every class defined in sklearn_hp's public subpackages (estimators, optimizers,
  schedules, transforms, activations, losses, initialisers, layers, callbacks, search
  spaces and samplers), found by walking the subpackages, so new building blocks are
  covered without editing this file;
* numpy scalar types, dtypes, ufuncs and random generators, scipy sparse matrices and
  special functions, and the builtin containers;
* whatever the caller passes as ``trusted=[...]``.
"""

import contextlib
import functools
import importlib
import inspect
import pkgutil
import sys
import warnings

import numpy as np

__all__ = ["TrustedClasses", "name_of"]

#: sklearn_hp subpackages whose modules hold no class a model file needs; the command
#: line runs code when imported and is never walked.
_SKIPPED_SUBPACKAGES = {"cli", "plotting", "testing", "persistence"}

#: scikit-learn modules whose classes are never in a model: tests, vendored code, dataset
#: downloaders. Every other class defined in a scikit-learn module is a helper type a
#: fitted estimator may keep (trees, losses, binners, scorers, neighbour trees, ...).
_SKLEARN_EXCLUDED = ("sklearn.externals", "sklearn.datasets", "sklearn.utils._testing",
                     "sklearn.utils._test_common", "sklearn.utils.estimator_checks",
                     "sklearn.conftest", "sklearn._build_utils", "sklearn.__check_build")

#: Parts of a scikit-learn module name the registry's walk never imports: those
#: ``all_estimators`` skips, and the build helpers.
_UNWALKED_PARTS = {"tests", "externals", "setup", "conftest", "experimental",
                   "estimator_checks", "_build_utils"}

#: The ``sklearn.externals.array_api_compat`` namespaces that import an optional array
#: library (torch, cupy, dask) when it is installed.
_ARRAY_NAMESPACES = tuple(f"sklearn.externals.array_api_compat.{library}"
                          for library in ("torch", "cupy", "dask"))

# skops distrusts histogram gradient boosting's TreePredictor: its node array holds
# indices scikit-learn follows without bounds checks (scikit-learn#34558). It is in this
# registry because ``load`` checks every one of those indices before returning (see
# ``_learned_checks.py``), so HistGradientBoosting models load with no ``trusted=``.

#: Functions an estimator may hold as a hyperparameter or attribute (score functions,
#: pooling functions, kernels), by module. Functions that read or write files are not.
_FUNCTIONS = {
    "numpy": ("mean", "median", "sum", "max", "min", "std", "var", "prod", "average",
              "nanmean", "nanmedian", "nansum", "nanmax", "nanmin", "amax", "amin", "ptp",
              "argmax", "argmin", "clip", "round", "sort", "cumsum", "dot"),
    "sklearn.feature_selection": ("chi2", "f_classif", "f_regression", "r_regression",
                                  "mutual_info_classif", "mutual_info_regression"),
    "sklearn.metrics.pairwise": ("euclidean_distances", "manhattan_distances",
                                 "cosine_distances", "cosine_similarity", "rbf_kernel",
                                 "linear_kernel", "polynomial_kernel", "sigmoid_kernel",
                                 "laplacian_kernel", "chi2_kernel", "additive_chi2_kernel",
                                 "pairwise_distances", "pairwise_kernels"),
    "sklearn.cluster._kmeans": ("_kmeans_single_lloyd", "_kmeans_single_elkan"),
    "scipy._lib.array_api_compat.numpy._aliases": ("asarray",),
}

#: Every public function of these modules (metrics and scorers).
_FUNCTION_MODULES = ("sklearn.metrics",)

#: Helper types from scipy that fitted estimators keep.
_SCIPY_TYPES = ("scipy.interpolate.BSpline", "scipy.stats.qmc.Sobol", "scipy.stats.qmc.Halton",
                "scipy.stats.qmc.LatinHypercube")

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


def _walk_sklearn(package):
    """Import what ``sklearn.utils.all_estimators`` imports under ``package`` (every
    package and every public module) but nothing with a part in :data:`_UNWALKED_PARTS`;
    yield the public modules. ``pkgutil.walk_packages`` would import the packages it
    then skips, and ``sklearn.externals.array_api_compat.torch`` imports torch."""
    for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
        public = "._" not in info.name
        if _UNWALKED_PARTS.intersection(info.name.split(".")) or not (public or info.ispkg):
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # as walk_packages: a package that fails to import is skipped
            continue
        if public:
            yield module
        if info.ispkg:
            yield from _walk_sklearn(module)


class _RefuseArrayNamespaces:
    """Meta path finder refusing :data:`_ARRAY_NAMESPACES`; ``pkgutil.walk_packages``
    skips a package whose import raises ImportError."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name in _ARRAY_NAMESPACES:
            raise ImportError(f"{name} is not imported while walking scikit-learn")
        return None


@contextlib.contextmanager
def array_namespaces_refused():
    """Within, ``sklearn.utils.all_estimators`` (which ``skops.io`` calls when imported)
    skips the array namespaces not yet imported instead of importing torch, cupy or
    dask; they import as usual afterwards."""
    sys.meta_path.insert(0, _RefuseArrayNamespaces)
    try:
        yield
    finally:
        sys.meta_path.remove(_RefuseArrayNamespaces)


def _estimator_classes(modules):
    """The classes ``all_estimators`` lists, taken from the public ``modules``."""
    from sklearn.base import BaseEstimator

    return {cls for module in modules for name, cls in inspect.getmembers(module, inspect.isclass)
            if not name.startswith("_") and name != "BaseEstimator"
            and issubclass(cls, BaseEstimator) and not getattr(cls, "__abstractmethods__", None)}


def _imported_sklearn_classes():
    """The classes defined in the imported scikit-learn modules the registry covers."""
    return [obj for module_name, module in list(sys.modules.items())
            if module is not None and module_name.startswith("sklearn.")
            and _registered_module(module_name)
            for obj in list(vars(module).values())
            if inspect.isclass(obj) and _defined_in(obj, module_name)]


def _sklearn_objects():
    """The estimators ``all_estimators`` lists and every class of the scikit-learn
    modules the walk imports, without importing what the walk skips."""
    import sklearn

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimators = _estimator_classes(list(_walk_sklearn(sklearn)))
    return sorted(estimators, key=name_of) + _imported_sklearn_classes()


def _function_objects():
    objects = []
    for module_name, names in _FUNCTIONS.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # pragma: no cover - a private module moved
            continue
        objects += [getattr(module, name) for name in names if hasattr(module, name)]
    for module_name in _FUNCTION_MODULES:
        module = importlib.import_module(module_name)
        objects += [getattr(module, name) for name in getattr(module, "__all__", ())
                    if inspect.isfunction(getattr(module, name))]
    return objects


def _defined_in(cls, module_name):
    """Whether ``cls`` is defined in ``module_name`` (compiled classes of scikit-learn 1.6
    report the bare extension name, e.g. ``_loss`` for ``sklearn._loss._loss``)."""
    return cls.__module__ == module_name or (
        "." not in cls.__module__ and module_name.endswith(f".{cls.__module__}"))


def _sklearn_hp_objects():
    import sklearn_hp

    objects = []
    prefixes = tuple(f"sklearn_hp.{info.name}" for info in pkgutil.iter_modules(sklearn_hp.__path__)
                     if not info.name.startswith("_") and info.name not in _SKIPPED_SUBPACKAGES)
    for name in prefixes:
        importlib.import_module(name)
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
    objects += [(f"numpy.{name}", _resolve(f"numpy.{name}")) for name in _NUMPY_TYPES]
    objects += sorted(set(np.sctypeDict.values()), key=repr)
    objects += [type(np.dtype(t)) for t in set(np.sctypeDict.values())]
    objects += [obj for obj in vars(np.random).values()
                if inspect.isclass(obj) and issubclass(obj, np.random.BitGenerator)]
    objects += [obj for obj in vars(np).values() if isinstance(obj, np.ufunc)]
    objects += [obj for name, obj in vars(scipy.sparse).items()
                if inspect.isclass(obj) and name.endswith(("_matrix", "_array"))]
    objects += [obj for obj in vars(scipy.special).values() if isinstance(obj, np.ufunc)]
    for name in _SCIPY_TYPES:
        importlib.import_module(name.rpartition(".")[0])
        objects.append(_resolve(name))
    return [obj for obj in objects
            if obj is not None and not (isinstance(obj, tuple) and obj[1] is None)]


def _add_entries(entries, objects):
    special = _special_modules()
    for obj in objects:
        if isinstance(obj, tuple):  # (the name numpy exports it under, the object)
            alias, obj = obj
            names = _names(obj, special) | {alias}
        else:
            names = _names(obj, special)
        for name in names:
            entries.setdefault(name, obj)
    return entries


@functools.lru_cache(maxsize=1)
def _core_entries():
    """numpy, scipy and builtin entries and the listed functions: cheap, built first."""
    return _add_entries({}, _numpy_scipy_objects() + _function_objects())


@functools.lru_cache(maxsize=1)
def _default_entries():
    """The whole registry: imports every scikit-learn module (about a second, once per
    process). Consulted only for a name that no imported module defines."""
    return _add_entries(dict(_core_entries()), _sklearn_objects() + _sklearn_hp_objects())


def _registered_module(module_name):
    """Whether classes defined in module ``module_name`` are registered: scikit-learn's
    outside :data:`_SKLEARN_EXCLUDED` and tests, sklearn_hp's public subpackages."""
    if module_name.startswith("sklearn."):
        return not module_name.startswith(_SKLEARN_EXCLUDED) and ".tests" not in module_name
    parts = module_name.split(".")
    return (len(parts) > 1 and parts[0] == "sklearn_hp" and not parts[1].startswith("_")
            and parts[1] not in _SKIPPED_SUBPACKAGES)


def _imported_class(name):
    """The class called ``name`` if an imported module that the whole registry walks
    defines it at its top level, else None. Nothing is imported: a registered class in
    a module not yet imported is found by building the whole registry."""
    module_name, _, qualname = name.rpartition(".")
    if not _registered_module(module_name):
        return None
    if module_name not in sys.modules:
        _import_public_package(module_name)
    module = sys.modules.get(module_name)
    if module is None:
        return None
    obj = vars(module).get(qualname)
    # scikit-learn < 1.7 builds some Cython classes that call their module by its last
    # part ("_loss" for sklearn._loss._loss): the class is still that module's own.
    own = (module_name, module_name.rpartition(".")[2])
    if inspect.isclass(obj) and obj.__module__ in own and obj.__qualname__ == qualname:
        return obj
    return None


def _import_public_package(module_name):
    """Import the public package that building the whole registry imports anyway for
    ``module_name`` (``sklearn.ensemble`` for ``sklearn.ensemble._forest``,
    ``sklearn_hp.search`` for ``sklearn_hp.search._budget``); never a private module,
    never one outside the two packages, nothing if the package does not exist."""
    parts = module_name.split(".")
    if parts[0] == "sklearn":
        public = ["sklearn"]
        for part in parts[1:]:
            if part.startswith("_") or part in _UNWALKED_PARTS:
                break
            public.append(part)
        target = ".".join(public)
    else:
        target = ".".join(parts[:2])
    if target == "sklearn" or not _registered_module(target):
        return
    try:
        importlib.import_module(target)
    except ImportError:  # no such package: the whole registry decides
        pass


def _special_modules():
    """The imported ``scipy.special`` modules, where skops finds ufuncs by name."""
    return [(name, module) for name, module in list(sys.modules.items())
            if name.startswith("scipy.special") and module is not None]


def _names(obj, special_modules=None):
    """Every name a file may use for ``obj`` (skops names ufuncs by their module)."""
    names = set()
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if module and qualname:
        names.add(f"{module}.{qualname}")
    if isinstance(obj, np.ufunc) and module is None:  # scipy.special: found by lookup
        if special_modules is None:
            special_modules = _special_modules()
        with warnings.catch_warnings():  # deprecated scipy.special namespaces warn
            warnings.simplefilter("ignore")
            names.update(f"{name}.{obj.__name__}" for name, mod in special_modules
                         if getattr(mod, obj.__name__, None) is obj)
    elif isinstance(obj, np.ufunc):
        names.add(f"numpy.{obj.__name__}")
    return names


class TrustedClasses:
    """The classes, types and functions a file may name, by name.

    Looking a name up costs no import and no walk of scikit-learn: numpy, scipy and
    the listed functions are indexed on first use, and a class of scikit-learn or
    sklearn_hp is found in its module if that module is already imported (a model
    being saved, or a file naming classes this process uses, needs nothing more).
    Only a name found neither way builds the whole registry, once per process
    (about a second: it imports every scikit-learn module); the names accepted are
    the same either way.

    Parameters
    ----------
    trusted : iterable of type, function or str, default=()
        Extra entries trusted by the caller: the objects themselves, or names
        ``"module.QualName"`` of objects in modules that are already imported.
    """

    def __init__(self, trusted=()):
        self._entries = {}  # the trusted entries; the defaults are shared and cached
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
        if not isinstance(name, str):
            return None
        obj = self._entries.get(name)
        if obj is None:
            obj = _core_entries().get(name)
        if obj is None:
            obj = _imported_class(name)
        if obj is None:
            obj = _default_entries().get(name)
        return obj

    def __contains__(self, name):
        return self.get(name) is not None

    def knows(self, obj):
        """Whether ``obj`` (a class or function) is registered under its own name."""
        return any(self.get(name) is obj for name in _names(obj))

    def complete(self):
        """Build the whole registry now (once per process) and return ``self``.

        Lookups build it only for a name no imported module defines; call this to
        pay that cost up front (e.g. before measuring what a load takes).
        """
        _default_entries()
        return self

    def __len__(self):
        return len(set(_default_entries()) | set(self._entries))
