"""What makes two searches the same search, and how their parameters are written down.

A storage records the fingerprint of the search that filled it: the estimator's
class and parameters, the search space, cv, scoring, the settings that shape the
sequence of candidates, and the data's shape and checksum. Resuming compares
the fingerprints part by part, so the error names what changed.
"""

import numpy as np

from ._hashing import data_fingerprint, describe
from ._space import Categorical

__all__ = ["search_fingerprint", "ParamCodec"]


def search_fingerprint(search, X, y, settings):
    """The fingerprint of ``search`` fitted on ``(X, y)``.

    Parameters
    ----------
    search : BaseSearchCV
    X, y : array-like
    settings : dict
        Search-specific settings that shape the candidate sequence.

    Returns
    -------
    dict
        ``search``, ``estimator``, ``search_spaces``, ``cv``, ``scoring``,
        ``settings`` and ``data`` entries.
    """
    return {
        "search": type(search).__name__,
        "estimator": describe(search.estimator),
        "search_spaces": describe(search.search_spaces),
        "cv": describe(search.cv),
        "scoring": describe(search.scoring),
        "settings": describe({**settings, "return_train_score": search.return_train_score,
                              "error_score": search.error_score}),
        "data": {"X_shape": list(np.shape(X)), "y_shape": None if y is None else list(np.shape(y)),
                 "sha1": data_fingerprint(X, y)},
    }


class ParamCodec:
    """Turn parameter dicts into JSON values and back.

    Numbers, strings, ``None`` and booleans are written as they are, tuples as
    ``{"__tuple__": [...]}``; anything else (an estimator, a function) must be
    one of the space's choices for that name and is written as its position,
    ``{"__choice__": i}``.

    Parameters
    ----------
    space : SearchSpace
        The search's parsed space (parsed once per fit, by the search).
    """

    def __init__(self, space):
        self.choices = {}
        for sub in space.subspaces:
            for name, dim in zip(sub.names, sub.dimensions):
                if isinstance(dim, Categorical):
                    self.choices.setdefault(name, []).extend(dim.choices)

    def encode(self, params):
        return {name: self._encode(name, value) for name, value in params.items()}

    def decode(self, params):
        return {name: self._decode(name, value) for name, value in params.items()}

    def _encode(self, name, value):
        if value is None or isinstance(value, (bool, str, int, float)):
            return value
        if isinstance(value, (np.integer, np.floating, np.bool_)):
            return value.item()
        if isinstance(value, tuple):
            return {"__tuple__": [self._encode(name, v) for v in value]}
        if isinstance(value, list):
            return [self._encode(name, v) for v in value]
        for i, choice in enumerate(self.choices.get(name, [])):
            if choice is value:
                return {"__choice__": i}
        raise ValueError(
            f"Cannot store parameter {name}={value!r}: accepted values are numbers, "
            f"strings, None, tuples and lists of them, or one of the space's choices "
            f"for {name!r}."
        )

    def _decode(self, name, value):
        if isinstance(value, list):
            return [self._decode(name, v) for v in value]
        if isinstance(value, dict) and "__tuple__" in value:
            return tuple(self._decode(name, v) for v in value["__tuple__"])
        if isinstance(value, dict) and "__choice__" in value:
            return self.choices[name][value["__choice__"]]
        return value
