"""Walk a model's parts (pipeline steps, column transformers, wrapped estimators) and list
every learned array of each, arrays held in lists one by one."""

from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import NotFittedError

from ._split import learned_parameters
from ._summary import _estimator_items, _is_estimator, _is_tree, _numbers, _tree_numbers

__all__ = ["Part", "LearnedArray", "final_estimator", "model_parts"]


@dataclass
class LearnedArray:
    """One learned attribute of a part, or one entry of a list of them.

    Attributes
    ----------
    name : str
        ``coef_``, or ``weights_[0]`` for an entry of a list.
    description : str
        ``shape (64, 100), dtype float64``, ``2 arrays``, a value...
    n_numbers : int
        Learned numbers it holds (0 for what is not numbers, such as category names).
    entry : bool
        Whether it is an entry of the list named just before it.
    """

    name: str
    description: str
    n_numbers: int
    entry: bool = False


@dataclass
class Part:
    """One estimator of a model: the model itself, a pipeline step, a wrapped estimator.

    Attributes
    ----------
    path : str
        Its name as ``set_params`` spells it (``preprocess__numeric``); ``""`` for
        the model itself.
    estimator : estimator object
    depth : int
        0 for the model, 1 for its steps, 2 for their steps...
    columns : list or None
        The input columns a ``ColumnTransformer`` gives it.
    hyperparameters : dict
        ``get_params(deep=False)`` without the values shown as parts of their own.
    learned : list of LearnedArray
        Empty when the part is not fitted (or is a container such as a Pipeline).
    fitted : bool
    """

    path: str
    estimator: object
    depth: int
    columns: object = None
    hyperparameters: dict = field(default_factory=dict)
    learned: list = field(default_factory=list)
    fitted: bool = False

    @property
    def n_numbers(self):
        """Learned numbers of this part alone (not of its sub-parts)."""
        return sum(a.n_numbers for a in self.learned if not a.entry)


def final_estimator(estimator):
    """The estimator that makes the predictions: a ``Pipeline``'s last step, followed
    into a ``TransformedTargetRegressor``'s (fitted) regressor, however nested."""
    while True:
        steps = getattr(estimator, "steps", None)
        if steps:
            estimator = steps[-1][1]
        elif hasattr(estimator, "regressor") and hasattr(estimator, "transformer"):
            estimator = getattr(estimator, "regressor_", estimator.regressor)
        else:
            return estimator


def _learned_or_none(estimator):
    try:
        return learned_parameters(estimator)
    except (NotFittedError, TypeError):
        return None


def _children(estimator, learned):
    """``[(name, estimator, columns)]`` inside ``estimator``, and the attributes they use."""
    steps = _estimator_items(getattr(estimator, "steps", None))
    if steps is not None:
        return [(n, s, None) for n, s in steps if _is_estimator(s)], {"steps"}
    children, used = [], set()
    if learned:  # fitted: the fitted copies (regressor_, transformers_, best_estimator_)
        sources = learned.items()
    else:  # not fitted: the estimators given as hyperparameters
        sources = estimator.get_params(deep=False).items()
    for attribute, value in sources:
        if _is_estimator(value):
            if not learned or _learned_or_none(value) is not None:  # not a template
                children.append((attribute.rstrip("_"), value, None))
            used.add(attribute)
            continue
        items = _estimator_items(value)
        if items is not None and any(_is_estimator(s) for _, s in items):
            for item in value:
                if _is_estimator(item[1]):
                    children.append((item[0], item[1], item[2] if len(item) > 2 else None))
            used.add(attribute)
    return children, used


def _describe(name, value):
    """The :class:`LearnedArray` rows of one learned attribute (None: not numbers)."""
    if _is_tree(value):
        return [LearnedArray(name, f"tree of {value.node_count} nodes", _tree_numbers(value))]
    if isinstance(value, (list, tuple)) and value and all(map(_is_estimator, value)):
        kinds = " / ".join(sorted({type(v).__name__ for v in value}))
        count = sum(_count(v) for v in value)
        return [LearnedArray(name, f"{len(value)} fitted {kinds}", count)]
    if isinstance(value, np.ndarray):
        text = f"shape {value.shape}, dtype {value.dtype}"
        if value.dtype.kind in "OUS" and value.size <= 8:  # category names: show them
            text += f": {_brief(value.tolist())}"
        return [LearnedArray(name, text, _numbers(value) or 0)]
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, (int, float, np.number)) for v in value):  # plain numbers
            return [LearnedArray(name, _brief(value), _numbers(value) or 0)]
        described = [_describe(f"{name}[{i}]", v) for i, v in enumerate(value)]
        if not value or not all(described):  # empty, or holds what is not numbers
            return [LearnedArray(name, _brief(value), _numbers(value) or 0)]
        entries = [row for rows in described for row in rows]
        for row in entries:
            row.entry = True
        total = sum(rows[0].n_numbers for rows in described)
        arrays = "1 array" if len(value) == 1 else f"{len(value)} arrays"
        return [LearnedArray(name, f"{arrays}, {total:,} numbers", total),
                *entries]
    count = _numbers(value)
    if count is None:
        return []
    return [LearnedArray(name, _brief(value), count)]


def _brief(value):
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _count(estimator):
    """Learned numbers of ``estimator`` and every part inside it."""
    return sum(part.n_numbers for part in model_parts(estimator))


def model_parts(estimator):
    """Return the :class:`Part` of ``estimator`` and of every estimator inside it.

    Parents come before their children, in the order the model applies them:
    a ``Pipeline``'s steps, a ``ColumnTransformer``'s transformers (with their
    columns), a ``TransformedTargetRegressor``'s regressor and transformer, a
    fitted search's best estimator. A fitted model lists its fitted parts; an
    unfitted one the estimators it was given.

    Parameters
    ----------
    estimator : estimator object

    Returns
    -------
    list of Part
    """
    parts = []
    _walk(estimator, "", 0, None, parts)
    return parts


def _walk(estimator, path, depth, columns, parts):
    learned = _learned_or_none(estimator)
    children, used = _children(estimator, learned)
    hidden = used | {name.rstrip("_") for name in used}
    hyper = {k: v for k, v in estimator.get_params(deep=False).items()
             if k not in hidden and not _is_estimator(v)
             and not (_estimator_items(v) and any(_is_estimator(s) for _, s in
                                                  _estimator_items(v)))}
    rows = [row for name, value in (learned or {}).items() if name not in used
            for row in _describe(name, value)]
    part = Part(path, estimator, depth, columns, hyper, rows, learned is not None)
    parts.append(part)
    for name, child, child_columns in children:
        _walk(child, f"{path}__{name}" if path else name, depth + 1, child_columns, parts)
