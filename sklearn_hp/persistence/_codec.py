"""Turn estimators into JSON plus named arrays, and back, without pickle.

Only classes from the packages in ``TRUSTED_PACKAGES`` are ever rebuilt, and only
through their ``__init__`` with the saved hyperparameters; arrays are plain numeric
or string arrays, read with ``allow_pickle=False``.
"""

import importlib
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator

__all__ = ["Encoder", "decode", "TRUSTED_PACKAGES"]

#: Top-level packages whose estimator classes ``load`` may rebuild.
TRUSTED_PACKAGES = ("sklearn_hp", "sklearn")


class Encoder:
    """Encode values to JSON-able data, collecting arrays in ``self.arrays``."""

    def __init__(self):
        self.arrays = {}

    def encode(self, value, where):
        """Return the JSON-able form of ``value``; ``where`` names it in errors."""
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, (Integral, Real)) and not isinstance(value, np.ndarray):
            return value.item() if isinstance(value, np.generic) else value
        if isinstance(value, np.ndarray):
            return self._encode_array(value, where)
        if isinstance(value, (list, tuple)):
            items = [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
            return {"__tuple__" if isinstance(value, tuple) else "__list__": items}
        if isinstance(value, dict):
            return {"__dict__": [[self.encode(k, where), self.encode(v, f"{where}[{k!r}]")]
                                 for k, v in value.items()]}
        if isinstance(value, BaseEstimator):
            return self.encode_estimator(value, where)
        raise TypeError(
            f"Cannot save {where}={value!r}: only numbers, strings, None, lists, tuples, "
            "dicts, numpy arrays and scikit-learn style estimators are saved safely "
            "(a function, for example, is not)."
        )

    def encode_estimator(self, estimator, where):
        """Encode an estimator's class, hyperparameters and learned attributes."""
        cls = type(estimator)
        _check_trusted(cls.__module__, cls.__name__)
        params = {name: self.encode(value, f"{where}.{name}")
                  for name, value in estimator.get_params(deep=False).items()}
        state = {}
        for name, value in vars(estimator).items():
            if name in params or name.endswith("__") or not _is_plain(value):
                continue
            if name.endswith("_") or name.startswith("_"):
                state[name] = self.encode(value, f"{where}.{name}")
        return {"__estimator__": f"{cls.__module__}.{cls.__qualname__}",
                "params": params, "state": state}

    def _encode_array(self, array, where):
        if array.dtype == object:
            try:
                items = [self.encode(v, where) for v in array.ravel().tolist()]
            except TypeError:
                raise TypeError(f"Cannot save {where}: an object array of {array.dtype}.")
            return {"__object_array__": items, "shape": list(array.shape)}
        key = f"a{len(self.arrays)}"
        self.arrays[key] = array
        return {"__array__": key}


def _is_plain(value):
    """Whether ``value`` is data (not a live helper object such as a random generator)."""
    if isinstance(value, (list, tuple)):
        return all(_is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_is_plain(v) for v in value.values())
    return value is None or isinstance(value, (bool, str, Integral, Real, np.ndarray,
                                               np.generic, BaseEstimator))


def decode(data, arrays):
    """Rebuild a value encoded by :class:`Encoder`."""
    if not isinstance(data, dict):
        return data
    if "__array__" in data:
        return arrays[data["__array__"]]
    if "__object_array__" in data:
        flat = np.empty(len(data["__object_array__"]), dtype=object)
        flat[:] = [decode(v, arrays) for v in data["__object_array__"]]
        return flat.reshape(data["shape"])
    if "__list__" in data:
        return [decode(v, arrays) for v in data["__list__"]]
    if "__tuple__" in data:
        return tuple(decode(v, arrays) for v in data["__tuple__"])
    if "__dict__" in data:
        return {decode(k, arrays): decode(v, arrays) for k, v in data["__dict__"]}
    if "__estimator__" in data:
        return _decode_estimator(data, arrays)
    raise ValueError(f"Unrecognised saved value {sorted(data)}; the file is damaged.")


def _decode_estimator(data, arrays):
    module_name, _, class_name = data["__estimator__"].rpartition(".")
    _check_trusted(module_name, class_name)
    cls = getattr(importlib.import_module(module_name), class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, BaseEstimator)):
        raise ValueError(f"{data['__estimator__']} is not an estimator class; refusing to load.")
    estimator = cls(**{k: decode(v, arrays) for k, v in data["params"].items()})
    for name, value in data["state"].items():
        setattr(estimator, name, decode(value, arrays))
    if hasattr(estimator, "_prepare_model") and hasattr(estimator, "loss_curve_"):
        estimator._prepare_model()
    return estimator


def _check_trusted(module_name, class_name):
    if module_name.split(".")[0] not in TRUSTED_PACKAGES:
        raise ValueError(
            f"Refusing {module_name}.{class_name}: only classes from {list(TRUSTED_PACKAGES)} "
            "are saved and loaded."
        )
