"""Hyperparameters as readable JSON: the "set by you" half of a model file.

An estimator (or any object with ``get_params``, such as an optimizer, a schedule or
a kernel) becomes ``{"class": "module.QualName", "params": {...}}``. Values JSON has
no word for are tagged: ``{"__tuple__": [...]}``, ``{"__type__": "numpy.float64"}``,
``{"__dtype__": "<f8"}``, ``{"__slice__": [start, stop, step]}``,
``{"__scalar__": 1.5, "dtype": "<f4"}``, ``{"__float__": "nan"}``,
``{"__ndarray__": [...], "dtype": "<i8", "shape": [2]}``, ``{"__dict__": [[k, v], ...]}``
for keys that are not strings, ``{"__object__": "module.QualName", "attributes": {...}}``
for an object its class re-creates from its attributes (a splitter, a column
selector). In a model file, a value none of these fit (a function, a random generator,
an object array) is kept with the learned parameters and referenced as
``{"__value__": index}``.
"""

import math

import numpy as np

from ._archive import ModelFileError, UntrustedClassError, iter_dicts
from ._checks import check_hyperparameters, check_state, is_path_setting, param_names
from ._registry import name_of

__all__ = ["Encoder", "decode_tree", "node_classes"]

_TAGS = ("__tuple__", "__dict__", "__type__", "__dtype__", "__slice__", "__scalar__",
         "__float__", "__ndarray__", "__object__", "__value__")
#: Arrays written inline in a hyperparameters-only file, at most this many items.
_MAX_INLINE_ITEMS = 10_000


def _is_node(value):
    return (not isinstance(value, type) and callable(getattr(value, "get_params", None))
            and callable(getattr(type(value), "get_params", None)))


def _is_plain_object(value):
    """An object rebuilt by its class called with its attributes (``KFold(n_splits=3)``,
    ``make_column_selector(dtype_include="number")``)."""
    if isinstance(value, type) or not hasattr(value, "__dict__") or not vars(value):
        return False
    return set(vars(value)) <= set(param_names(type(value)))


def _simple_dtype(dtype):
    return dtype.fields is None and not dtype.hasobject and dtype.subdtype is None


class Encoder:
    """Encode an estimator's hyperparameters to JSON-able data.

    Parameters
    ----------
    keep_values : bool
        Whether values JSON cannot hold go to ``self.values`` (a model file) rather
        than raising ``TypeError`` (a hyperparameters-only file).
    on_path : callable
        Called with ``(where, value)`` for a set ``memory`` or a path-valued setting;
        returns the value to save.
    """

    def __init__(self, keep_values, on_path):
        self.keep_values = keep_values
        self.on_path = on_path
        self.nodes = []     # objects with get_params, in the order of their "id"
        self.values = []    # values kept with the learned parameters

    def node(self, obj, where):
        """Encode one object with ``get_params`` (recursively)."""
        params = obj.get_params(deep=False)
        params = {name: self.on_path(f"{where}.{name}", value)
                  if is_path_setting(name, value) else value for name, value in params.items()}
        check_hyperparameters(type(obj), params, where)
        encoded = {name: self.encode(value, f"{where}.{name}") for name, value in params.items()}
        tree = {"class": name_of(type(obj)), "params": encoded}
        if self.keep_values:
            tree["id"] = len(self.nodes)
            self.nodes.append(obj)
        return tree

    def encode(self, value, where):
        """Return the JSON-able form of ``value``; ``where`` names it in errors."""
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, float) and type(value) is float:
            return value if math.isfinite(value) else {"__float__": repr(value)}
        if isinstance(value, int) and type(value) is int:
            return value
        if isinstance(value, np.generic) and _simple_dtype(value.dtype) and isinstance(
                value, (np.number, np.bool_, np.str_)):
            return {"__scalar__": self.encode(value.item(), where), "dtype": value.dtype.str}
        if isinstance(value, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if type(value) is tuple:
            return {"__tuple__": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
        if type(value) is dict:
            if all(isinstance(k, str) and not k.startswith("__") for k in value):
                return {k: self.encode(v, f"{where}[{k!r}]") for k, v in value.items()}
            return {"__dict__": [[self.encode(k, where), self.encode(v, f"{where}[{k!r}]")]
                                 for k, v in value.items()]}
        if type(value) is slice:
            return {"__slice__": [self.encode(v, where)
                                  for v in (value.start, value.stop, value.step)]}
        if isinstance(value, np.dtype) and _simple_dtype(value):
            return {"__dtype__": value.str}
        if isinstance(value, type) and value.__module__ in ("builtins", "numpy"):
            return {"__type__": name_of(value)}
        if _is_node(value):
            return self.node(value, where)
        if not self.keep_values and _is_plain_object(value):
            return {"__object__": name_of(type(value)),
                    "attributes": self.encode(dict(vars(value)), where)}
        if (not self.keep_values and isinstance(value, np.ndarray)
                and _simple_dtype(value.dtype) and value.size <= _MAX_INLINE_ITEMS):
            return {"__ndarray__": self.encode(value.tolist(), where),
                    "dtype": value.dtype.str, "shape": list(value.shape)}
        if self.keep_values:
            self.values.append(value)
            return {"__value__": len(self.values) - 1}
        raise TypeError(
            f"Cannot write {where}={value!r} as JSON hyperparameters: only numbers, "
            "strings, None, lists, tuples, dicts, numpy scalars, dtypes and types, slices, "
            "small arrays and objects with get_params are; save the whole model instead "
            "(what='model')."
        )


def decode_tree(tree, context):
    """Rebuild the estimator a tree encodes.

    ``context`` gives ``registry``, ``where`` (the file, for errors), ``max_depth``,
    ``states`` (learned state per node id, or None) and ``values``.
    """
    if not (isinstance(tree, dict) and "class" in tree and "params" in tree):
        _fail(context, "it holds no estimator (no 'class' and 'params').")
    return _decode(tree, context, 0)


def _fail(context, message):
    raise ModelFileError(f"{context.where}: {message}")


def _decode(data, context, depth):
    if depth > context.max_depth:
        _fail(context, f"estimators nest more than max_depth={context.max_depth} deep.")
    if data is None or isinstance(data, (bool, str, int, float)):
        return data
    if isinstance(data, list):
        return [_decode(v, context, depth + 1) for v in data]
    if not isinstance(data, dict):
        _fail(context, f"unexpected hyperparameter value {data!r}.")
    if "class" in data and "params" in data:
        return _decode_node(data, context, depth)
    tag = next((key for key in _TAGS if key in data), None)
    if tag is None:
        return {k: _decode(v, context, depth + 1) for k, v in data.items()}
    content = data[tag]
    try:
        return _decode_tagged(tag, content, data, context, depth)
    except (TypeError, ValueError, IndexError, KeyError, OverflowError) as error:
        if isinstance(error, ModelFileError):
            raise
        _fail(context, f"invalid {tag} value {content!r} ({error}).")


def _decode_tagged(tag, content, data, context, depth):
    if tag == "__tuple__":
        return tuple(_decode(v, context, depth + 1) for v in content)
    if tag == "__dict__":
        return {_decode(k, context, depth + 1): _decode(v, context, depth + 1)
                for k, v in content}
    if tag == "__slice__":
        start, stop, step = (_decode(v, context, depth + 1) for v in content)
        return slice(start, stop, step)
    if tag == "__float__":
        if content not in ("nan", "inf", "-inf"):
            raise ValueError("expected 'nan', 'inf' or '-inf'")
        return float(content)
    if tag == "__dtype__":
        return _dtype(content, context)
    if tag == "__scalar__":
        return _dtype(data["dtype"], context).type(_decode(content, context, depth + 1))
    if tag == "__ndarray__":
        shape = tuple(int(n) for n in data["shape"])
        if math.prod(shape) > _MAX_INLINE_ITEMS:
            raise ValueError(f"inline arrays hold at most {_MAX_INLINE_ITEMS} items")
        array = np.array(content, dtype=_dtype(data["dtype"], context))
        return array.reshape(shape)
    if tag == "__object__":
        return _decode_object(content, data["attributes"], context, depth)
    if tag == "__type__":
        obj = context.registry.get(content)
        if not isinstance(obj, type):
            raise UntrustedClassError(context.where, content)
        return obj
    if context.values is None or isinstance(content, bool) or not isinstance(content, int):
        raise ValueError("this file keeps no such value")
    return context.values[content]


def _decode_object(name, attributes, context, depth):
    cls = context.registry.get(name)
    if not isinstance(cls, type) or not isinstance(attributes, dict):
        raise UntrustedClassError(context.where, name)
    return _construct(cls, name, attributes, context, depth)[0]


def _construct(cls, name, arguments, context, depth):
    """``(cls(**arguments), arguments)``, the arguments decoded and checked first."""
    unknown = sorted(set(arguments) - set(param_names(cls)))
    if unknown:
        word = "hyperparameter" if callable(getattr(cls, "get_params", None)) else "argument"
        _fail(context, f"{name} takes no {word} {unknown[0]!r}; accepted: "
                       f"{sorted(param_names(cls))}.")
    arguments = {k: _decode(v, context, depth + 1) for k, v in arguments.items()}
    check_hyperparameters(cls, arguments, f"{context.where}: {name}")
    return cls(**arguments), arguments


def _dtype(text, context):
    if not isinstance(text, str) or len(text) > 8 or text.lstrip("<>|=")[:1] not in set(
            "biufcmMUSV?"):
        _fail(context, f"dtype {text!r} is not a plain numeric or string dtype.")
    dtype = np.dtype(text)
    if not _simple_dtype(dtype):
        _fail(context, f"dtype {text!r} is not a plain numeric or string dtype.")
    return dtype


def _decode_node(data, context, depth):
    name = data["class"]
    cls = context.registry.get(name)
    if not (isinstance(cls, type) and callable(getattr(cls, "get_params", None))):
        raise UntrustedClassError(context.where, name)
    if not isinstance(data["params"], dict):
        _fail(context, f"{name} has params {data['params']!r}; expected an object.")
    estimator, params = _construct(cls, name, data["params"], context, depth)
    node_id = data.get("id")
    if context.states is not None and node_id is not None:
        if isinstance(node_id, bool) or not isinstance(node_id, int) or not (
                0 <= node_id < len(context.states)):
            _fail(context, f"{name} refers to learned state {node_id!r}, which the file "
                           "does not hold.")
        state = context.states[node_id]
        if state:
            check_state(cls, state, set(params), f"{context.where}: {name}")
            if hasattr(estimator, "__setstate__"):
                estimator.__setstate__(dict(state))
            else:
                vars(estimator).update(state)
    return estimator


def node_classes(tree, registry, where):
    """The classes of a tree's nodes, in the order of their ``id``; nothing is built."""
    found = {}
    for data in iter_dicts(tree):
        if "class" in data and "params" in data and "id" in data:
            cls = registry.get(data["class"])
            if not isinstance(cls, type):
                raise UntrustedClassError(where, data["class"])
            found[data["id"]] = cls
    ids = list(found)
    if any(isinstance(i, bool) or not isinstance(i, int) for i in ids) or set(ids) != set(
            range(len(ids))):
        raise ModelFileError(f"{where}: the estimator ids {ids!r} are not 0, 1, 2, ...; "
                             "the file is damaged.")
    return [found[i] for i in range(len(found))]
