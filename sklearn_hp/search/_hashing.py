"""Descriptions and hashes that are equal for equal settings and equal data.

A search's fingerprint (``_fingerprint.py``) and a checkpoint's keys
(``_budget.py``) are both built from these.
"""

import hashlib
import re

import joblib
import numpy as np

__all__ = ["data_fingerprint", "describe"]

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def describe(value):
    """A JSON-able description of ``value`` that is equal for equal settings.

    Estimators become their class and parameters, frozen ``scipy.stats``
    distributions their name and arguments, arrays their shape and checksum,
    functions their qualified name; other objects their ``repr`` without memory
    addresses.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float, np.integer, np.floating, np.bool_)):
        value = value.item() if hasattr(value, "item") else value
        return value if value == value else "nan"
    if isinstance(value, (list, tuple)):
        return [describe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): describe(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, np.ndarray):
        return {"array": list(value.shape), "sha1": data_fingerprint(value, None)}
    if hasattr(value, "get_params") and not isinstance(value, type):
        return {"class": _qualname(type(value)), "params": describe(value.get_params(deep=False))}
    if hasattr(value, "dist") and hasattr(value, "args") and hasattr(value, "kwds"):
        return {"distribution": getattr(value.dist, "name", _qualname(type(value.dist))),
                "args": describe(value.args), "kwds": describe(value.kwds)}
    if callable(value) and hasattr(value, "__qualname__"):
        return _qualname(value)
    return _ADDRESS.sub("", repr(value))


def _qualname(obj):
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


def data_fingerprint(X, y):
    """Hash of the training data, fast for numpy arrays (no pickling)."""
    if isinstance(X, np.ndarray) and (y is None or isinstance(y, np.ndarray)):
        digest = hashlib.sha1()
        for array in (X, y):
            if array is not None:
                array = np.ascontiguousarray(array)
                digest.update(f"{array.shape}{array.dtype}".encode())
                digest.update(array.view(np.uint8).ravel() if array.dtype != object
                              else joblib.hash(array).encode())
        return digest.hexdigest()
    return joblib.hash((X, y))
