"""Shared helpers for the persistence tests: compare two objects attribute by attribute."""

import numpy as np
import pytest


def _differences(a, b, where, seen, out):
    if len(out) > 5:
        return
    if id(a) in seen:
        return
    seen.add(id(a))
    if type(a) is not type(b):
        out.append(f"{where}: {type(a).__name__} vs {type(b).__name__}")
    elif isinstance(a, np.ndarray):
        if a.dtype != b.dtype or a.shape != b.shape:
            out.append(f"{where}: {a.dtype}{a.shape} vs {b.dtype}{b.shape}")
        elif a.dtype.fields:  # structured (tree nodes): compare fields, not padding bytes
            for field in a.dtype.names:
                _differences(a[field], b[field], f"{where}[{field!r}]", seen, out)
        elif a.dtype == object:
            for i, (x, y) in enumerate(zip(a.ravel(), b.ravel())):
                _differences(x, y, f"{where}[{i}]", seen, out)
        elif a.tobytes() != b.tobytes():
            out.append(f"{where}: array bytes differ")
    elif isinstance(a, (list, tuple)):
        if len(a) != len(b):
            out.append(f"{where}: length {len(a)} vs {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            _differences(x, y, f"{where}[{i}]", seen, out)
    elif isinstance(a, dict):
        if list(a) != list(b):
            out.append(f"{where}: keys {sorted(map(str, a))} vs {sorted(map(str, b))}")
        for key in a:
            if key in b:
                _differences(a[key], b[key], f"{where}[{key!r}]", seen, out)
    elif isinstance(a, float):
        if not (a == b or (a != a and b != b)):
            out.append(f"{where}: {a!r} vs {b!r}")
    elif hasattr(a, "toarray") and hasattr(a, "format"):  # scipy sparse: values, format
        _differences((a.format, a.toarray()), (b.format, b.toarray()), where, seen, out)
    elif isinstance(a, np.random.RandomState):
        _differences(a.get_state(legacy=False), b.get_state(legacy=False), where, seen, out)
    elif isinstance(a, np.random.Generator):
        _differences(a.bit_generator.state, b.bit_generator.state, where, seen, out)
    elif hasattr(a, "__dict__") and not isinstance(a, type) and not callable(a):
        # what the object declares as its state (e.g. without caches it rebuilds)
        state = getattr(a, "__getstate__", None)
        a_state = state() if state is not None else vars(a)
        b_state = b.__getstate__() if state is not None else vars(b)
        _differences(a_state, b_state, where, seen, out)
    elif type(a).__eq__ is object.__eq__ and not callable(a):
        # compiled helper types (trees, losses): compare what they pickle, not identity
        _differences(a.__reduce_ex__(4)[1:], b.__reduce_ex__(4)[1:], where, seen, out)
    elif hasattr(a, "__dict__") and callable(a) and not isinstance(a, type):
        _differences(vars(a), vars(b), where, seen, out)
    else:
        try:
            equal = bool(a == b)
        except Exception:
            equal = repr(a) == repr(b)
        if not equal:
            out.append(f"{where}: {a!r} vs {b!r}")


def differences(a, b):
    """Up to a few paths where ``a`` and ``b`` differ (attributes, arrays bit by bit)."""
    out = []
    _differences(a, b, type(a).__name__, set(), out)
    return out


@pytest.fixture(name="differences")
def differences_fixture():
    """``differences(a, b)``: the paths where two objects differ."""
    return differences


@pytest.fixture
def assert_same():
    """``assert_same(a, b)``: equal classes, attributes and array bytes, recursively."""

    def check(a, b):
        found = differences(a, b)
        assert not found, "\n".join(found)

    return check
