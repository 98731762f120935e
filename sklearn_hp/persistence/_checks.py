"""Rules a loaded estimator must pass before ``load`` returns it.

* hyperparameters are validated with the class's own ``_parameter_constraints``;
* settings that make code run later are refused: a ``memory`` cache directory (joblib
  unpickles what it finds there), a search's trial ``storage`` (a file or storage
  object it reads and writes), any path-valued setting (``checkpoint_dir``, ...), a
  ``pre_dispatch`` that joblib would evaluate as Python, and ``n_jobs`` beyond a sane
  number of workers;
* learned state holds data only: no dunder names and nothing that shadows a method or
  property of the class.

:func:`walk` visits every object reachable from a model, once; the checks here, those
of ``_learned_checks`` and the routing requests' restoration all use it.
"""

import inspect
import os
import re

import numpy as np

from .._compat import validate_parameter_constraints
from ._archive import ModelFileError

__all__ = ["check_hyperparameters", "check_settings", "check_state", "check_state_keys",
           "param_names", "check_loaded", "path_settings", "is_path_setting", "walk",
           "is_estimator", "reachable_estimators", "MAX_N_JOBS"]

#: Largest ``abs(n_jobs)`` a loaded file may ask for.
MAX_N_JOBS = 1024
_PATH_NAMES = {"memory", "cachedir", "cache_dir", "location", "path", "filename",
               "directory", "dirname", "log_dir", "logdir", "checkpoint", "checkpoint_dir",
               "output_dir", "save_path"}
_PATH_SUFFIXES = ("_path", "_dir", "_file", "_filename", "_directory")
#: Settings that point at files or storage whatever their value, unless None.
_SET_MEANS_FILES = {"memory", "storage"}
_PRE_DISPATCH = re.compile(r"^\s*(all|\d+|(\d+\s*\*\s*)?n_jobs)\s*$")


def param_names(cls):
    """The hyperparameter names ``cls.__init__`` takes."""
    getter = getattr(cls, "_get_param_names", None)
    if callable(getter):
        return list(getter())
    signature = inspect.signature(cls.__init__)
    return [p.name for p in signature.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]


def _is_path_name(name):
    return name in _PATH_NAMES or name.endswith(_PATH_SUFFIXES)


def is_path_setting(name, value):
    """Whether setting ``name=value`` points at files: a set ``memory`` or ``storage``,
    or a path."""
    return (name in _SET_MEANS_FILES and value is not None) or (
        _is_path_name(name) and isinstance(value, (str, bytes, os.PathLike)))


def check_hyperparameters(cls, params, where):
    """Refuse dangerous or invalid ``params`` of ``cls``; ``where`` names the file."""
    for name, value in params.items():
        if name == "memory" and value is not None:
            raise ModelFileError(
                f"{where}: memory={value!r} is refused: joblib would read cached pickles "
                "from it on the next fit. Only memory=None is loaded; set the cache after "
                "loading if you want one."
            )
        if name == "storage" and value is not None:
            raise ModelFileError(
                f"{where}: storage={value!r} is refused: a search would read and write "
                "trials there on its next fit. Only storage=None is loaded; set it after "
                "loading if you want one."
            )
        if _is_path_name(name) and isinstance(value, (str, bytes, os.PathLike)):
            raise ModelFileError(
                f"{where}: {name}={value!r} is a path; a model file may not point the "
                "estimator at files or directories. Set it after loading."
            )
        if name == "n_jobs" and value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value == 0
                or abs(value) > MAX_N_JOBS):
            raise ModelFileError(
                f"{where}: n_jobs={value!r} is refused; accepted: None or a non-zero "
                f"integer between -{MAX_N_JOBS} and {MAX_N_JOBS}."
            )
        if name == "pre_dispatch" and isinstance(value, str) and not _PRE_DISPATCH.match(value):
            raise ModelFileError(
                f"{where}: pre_dispatch={value!r} is refused: joblib evaluates it as Python. "
                "Accepted: an integer, 'all', or 'k*n_jobs'."
            )
    constraints = getattr(cls, "_parameter_constraints", None)
    if isinstance(constraints, dict):
        try:
            validate_parameter_constraints(
                constraints, {k: v for k, v in params.items() if k in constraints},
                caller_name=cls.__name__,
            )
        except (ValueError, TypeError) as error:
            raise ModelFileError(f"{where}: invalid hyperparameter: {error}") from None


def check_state_keys(cls, keys, where):
    """Refuse learned-state names that are not plain data attributes of ``cls``."""
    for key in keys:
        if not isinstance(key, str) or not key.isidentifier():
            raise ModelFileError(f"{where}: learned attribute name {key!r} is not an "
                                 "identifier; refusing the file.")
        if key.startswith("__") and key.endswith("__"):
            raise ModelFileError(f"{where}: learned attribute {key!r} is a dunder name; "
                                 "a file may only set data attributes.")
        shadowed = _shadowed(cls, key)
        if shadowed is not None:
            raise ModelFileError(
                f"{where}: learned attribute {key!r} would replace the "
                f"{shadowed} {cls.__name__}.{key}; a file may only set data attributes."
            )


def _shadowed(cls, key):
    """The type name of what ``cls.key`` is if it is a method, property or other
    descriptor (what a learned attribute may not replace), else None.

    Looked up in the class's and its metaclass's ``__mro__`` dictionaries, as
    ``inspect.getattr_static`` does, without its generality (a load asks this for
    every learned attribute of every object); either one being a method or a
    descriptor is enough to refuse.
    """
    for owner in (cls, type(cls)):
        for klass in type.__dict__["__mro__"].__get__(owner):
            found = vars(klass).get(key, _MISSING)
            if found is _MISSING:
                continue
            if callable(found) or hasattr(type(found), "__get__"):
                return type(found).__name__
            break
    return None


def check_state(cls, state, params, where):
    """Check a learned-state dict of ``cls``; its names may not repeat hyperparameters."""
    if not isinstance(state, dict):
        raise ModelFileError(f"{where}: learned state is a {type(state).__name__}, "
                             "expected a dict of attributes.")
    check_state_keys(cls, state, where)
    repeated = sorted(set(state) & set(params))
    if repeated:
        raise ModelFileError(f"{where}: learned state repeats the hyperparameter "
                             f"{repeated[0]!r}; refusing the file.")


_MISSING = object()
#: Values with nothing to walk into.
_SCALARS = (str, bytes, int, float, complex, type, type(None), np.generic)
_CONTAINERS = (np.ndarray, list, tuple, dict, set, frozenset)


class _Path:
    """Where an object sits, spelled out only when a check fails: a parent and a step.

    A model of millions of small lists keeps one of these per container walked into,
    not a string per element.
    """

    __slots__ = ("parent", "step")

    def __init__(self, parent, step):
        self.parent, self.step = parent, step

    def __str__(self):
        steps, node = [], self
        while node is not None:
            steps.append(node.step)
            node = node.parent
        return "".join(reversed(steps))


def _holds_objects(value):
    """Whether ``value`` (an array or a container) holds more than numbers and strings."""
    if isinstance(value, np.ndarray):
        return value.dtype.hasobject
    items = value.values() if isinstance(value, dict) else value
    return not all(isinstance(item, _SCALARS) for item in items)


def _steps(value):
    """``(step, child)`` of ``value``'s children, steps as written in a path."""
    if isinstance(value, np.ndarray):
        for index, child in np.ndenumerate(value):
            yield f"[{', '.join(map(str, index))}]", child
    elif isinstance(value, dict):
        for key, child in value.items():
            yield f"[{key!r}]", child
    elif isinstance(value, (list, tuple)):
        for i, child in enumerate(value):
            yield f"[{i}]", child
    elif isinstance(value, (set, frozenset)):
        for child in value:
            yield "{...}", child
    elif inspect.ismethod(value):
        yield ".__self__", value.__self__
    elif hasattr(value, "__dict__"):
        for key, child in vars(value).items():
            yield f".{key}", child


def walk(root, where, max_depth):
    """Yield ``(path, obj)`` for every object reachable from ``root``, parents first.

    ``path`` is a :class:`_Path` (``str(path)`` spells it). Numbers, strings, arrays
    of numbers and containers holding only those are not yielded (no check reads
    them) and cost nothing: one iterator per level of nesting is kept, and an
    object's path is made when the object is reached.

    Raises
    ------
    ModelFileError
        If objects nest more than ``max_depth`` deep.
    """
    seen = set()
    stack = [(_Path(None, type(root).__name__), iter((("", root),)))]
    while stack:
        parent, children = stack[-1]
        step, value = next(children, (None, _MISSING))
        if value is _MISSING:
            stack.pop()
            continue
        if isinstance(value, _SCALARS) or id(value) in seen or (
                isinstance(value, _CONTAINERS) and not _holds_objects(value)):
            continue
        seen.add(id(value))
        if len(stack) > max_depth:
            raise ModelFileError(f"{where}: objects nest more than max_depth={max_depth} "
                                 "deep; refusing the file.")
        path = parent if step == "" else _Path(parent, step)
        yield path, value
        stack.append((path, _steps(value)))


def is_estimator(value):
    """Whether ``value`` is an object with ``get_params`` (an estimator, a kernel, ...)."""
    return hasattr(value, "__dict__") and callable(getattr(type(value), "get_params", None))


def reachable_estimators(obj, where, max_depth):
    """Yield every object with ``get_params`` reachable from ``obj`` (sub-estimators too)."""
    return (value for _, value in walk(obj, where, max_depth) if is_estimator(value))


def path_settings(estimator):
    """``(name, value)`` of each set ``memory`` or path-valued setting of ``estimator``."""
    names = set(param_names(type(estimator)))
    return [(name, value) for name, value in vars(estimator).items()
            if name in names and is_path_setting(name, value)]


def check_settings(estimator, where):
    """Check the hyperparameters of one loaded ``estimator``; ``where`` names the file."""
    try:
        params = estimator.get_params(deep=False)
    except Exception as error:  # a broken object: refuse it, name it
        raise ModelFileError(f"{where}: {type(estimator).__name__} cannot report "
                             f"its hyperparameters ({error}).") from None
    check_hyperparameters(type(estimator), params, f"{where}: {type(estimator).__name__}")


def check_loaded(obj, where, max_depth):
    """Check the hyperparameters of every estimator reachable from ``obj``."""
    for estimator in reachable_estimators(obj, where, max_depth):
        check_settings(estimator, where)
