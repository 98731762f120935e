"""Callbacks given as ``(name, callback)`` pairs: their parameters become the owner's.

``MLPClassifier(callbacks=[("early", EarlyStopping(patience=5))])`` has the
parameters ``callbacks__early`` (the callback) and ``callbacks__early__patience``
(its parameters), so ``set_params``, ``clone`` and every search can tune them,
as they tune a pipeline's steps. Callbacks in a plain list work as before but
have no such names; a list may mix both.
"""

from sklearn.base import clone

__all__ = ["NamedCallbacksMixin", "callback_objects", "cloned_callbacks"]

_PREFIX = "callbacks__"


def _is_named(item):
    return isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)


def _named(callbacks):
    """The ``(name, callback)`` pairs among ``callbacks`` (plain items left out).

    A value that is not a list or tuple has none: ``get_params`` and
    ``set_params`` must not raise on it (``fit`` reports the bad value).
    """
    if not isinstance(callbacks, (list, tuple)):
        return []
    return [item for item in callbacks if _is_named(item)]


def _check_names(callbacks):
    names = [name for name, _ in _named(callbacks)]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"Names of callbacks must be unique; {repeated} appear more than once.")
    malformed = [name for name in names if not name or "__" in name]
    if malformed:
        raise ValueError(f"Names of callbacks must be non-empty and without '__', got "
                         f"{malformed}.")


def callback_objects(callbacks):
    """The callback objects of ``callbacks``, in order, with the pairs' names dropped.

    Raises ``ValueError`` when two pairs share a name, or a name is empty or
    holds ``"__"`` (which would make its parameters ambiguous).
    """
    _check_names(callbacks)
    return [item[1] if _is_named(item) else item for item in (callbacks or ())]


def cloned_callbacks(callbacks):
    """Unfitted copies of :func:`callback_objects`, what a fit trains with."""
    return [clone(callback) for callback in callback_objects(callbacks)]


class NamedCallbacksMixin:
    """``get_params``/``set_params`` that reach into the owner's named ``callbacks``.

    Put it before ``BaseEstimator`` in the bases of a class with a ``callbacks``
    parameter.
    """

    def get_params(self, deep=True):
        """Parameters of this object; with ``deep``, also ``callbacks__<name>`` and
        ``callbacks__<name>__<param>`` for each ``(name, callback)`` pair."""
        params = super().get_params(deep=deep)
        if deep:
            for name, callback in _named(params.get("callbacks")):
                params[_PREFIX + name] = callback
                if hasattr(callback, "get_params"):
                    for key, value in callback.get_params(deep=True).items():
                        params[f"{_PREFIX}{name}__{key}"] = value
        return params

    def set_params(self, **params):
        """Set parameters; ``callbacks__<name>`` replaces a named callback and
        ``callbacks__<name>__<param>`` sets one of its parameters (after
        ``callbacks`` itself, when both are given)."""
        nested = {key: params.pop(key) for key in list(params) if key.startswith(_PREFIX)}
        super().set_params(**params)
        if nested:
            self._set_callback_params(nested)
        return self

    def _set_callback_params(self, nested):
        callbacks = list(self.callbacks or ())
        where = {item[0]: i for i, item in enumerate(callbacks) if _is_named(item)}
        inner, replaced = {}, False
        for key, value in nested.items():
            name, _, param = key[len(_PREFIX):].partition("__")
            if name not in where:
                raise ValueError(
                    f"Invalid parameter {key!r} for {type(self).__name__}: no callback is "
                    f"named {name!r} (named callbacks: {sorted(where)}). Give callbacks as "
                    "(name, callback) pairs to tune them as callbacks__<name>__<param>.")
            if param:
                inner.setdefault(name, {})[param] = value
            else:
                callbacks[where[name]], replaced = (name, value), True
        if replaced:
            self.callbacks = type(self.callbacks)(callbacks)
        for name, values in inner.items():
            callbacks[where[name]][1].set_params(**values)
