"""``summary``: one table of what you set, what the search chose and what training learned."""

import numbers

import numpy as np
from sklearn.exceptions import NotFittedError

from ..search import describe_dimension, is_search, search_space
from ._split import learned_parameters
from ._table import Table, format_table

__all__ = ["Summary", "summary"]

_WIDTH = 48


def _is_estimator(value):
    return hasattr(value, "get_params") and not isinstance(value, type)


def _estimator_items(value):
    """``[(name, estimator)]`` when ``value`` is a list like ``Pipeline.steps``, else None."""
    if not isinstance(value, (list, tuple)) or not value:
        return None
    if all(isinstance(item, tuple) and len(item) >= 2 and isinstance(item[0], str)
           for item in value):
        return [(item[0], item[1]) for item in value]
    return None


def _short(value):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return f"{value:.4g}"
    text = repr(value)
    return text if len(text) <= _WIDTH else text[:_WIDTH - 3] + "..."


def _hyperparameter_rows(estimator, prefix, chosen):
    """Rows of ``get_params(deep=False)``, recursing into nested estimators."""
    rows = []
    for name, value in estimator.get_params(deep=False).items():
        full = prefix + name
        items = _estimator_items(value)
        if items is not None and any(_is_estimator(step) for _, step in items):
            for step_name, step in items:
                if _is_estimator(step):
                    rows += _hyperparameter_rows(step, f"{prefix}{step_name}__", chosen)
            continue
        rows.append({"name": full, "kind": "hyperparameter",
                     "set_by": "the search" if full in chosen else "you",
                     "value": _short(value), "n_numbers": None})
        if _is_estimator(value):
            rows += _hyperparameter_rows(value, full + "__", chosen)
    return rows


def _numbers(value):
    """Count of numeric entries in an array, number or list of them (None if not numeric)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Number):
        return 1
    if isinstance(value, np.ndarray):
        return int(value.size) if value.dtype.kind in "biufc" else 0
    if isinstance(value, (list, tuple)) and value:
        counts = [_numbers(v) for v in value]
        return None if any(c is None for c in counts) else sum(counts)
    return None


def _shape_text(value):
    if isinstance(value, np.ndarray):
        return f"shape {value.shape}"
    if isinstance(value, (list, tuple)):
        return f"{len(value)} arrays: " + ", ".join(str(np.shape(v)) for v in value)
    return _short(value)


def _learned_rows(estimator, prefix):
    """Rows of the learned attributes, recursing into fitted sub-estimators."""
    steps = _estimator_items(getattr(estimator, "steps", None))
    if steps is not None:  # a Pipeline holds no numbers of its own
        return [row for name, step in steps if _is_estimator(step)
                for row in _learned_rows(step, f"{prefix}{name}__")]
    try:
        learned = learned_parameters(estimator)
    except (NotFittedError, TypeError):
        return []
    rows = []
    for name, value in learned.items():
        items = _estimator_items(value)
        if _is_estimator(value):  # a fitted part: regressor_ -> model__regressor__coef_
            rows += _learned_rows(value, f"{prefix}{name.rstrip('_')}__")
        elif items is not None:
            for step_name, step in items:
                if _is_estimator(step):
                    rows += _learned_rows(step, f"{prefix}{step_name}__")
        elif isinstance(value, (list, tuple)) and value and all(map(_is_estimator, value)):
            kinds = sorted({type(step).__name__ for step in value})
            count = sum(r["n_numbers"] for step in value for r in _learned_rows(step, ""))
            rows.append(_learned_row(prefix + name,
                                     f"{len(value)} fitted {' / '.join(kinds)}", count))
        elif _is_tree(value):
            rows.append(_learned_row(prefix + name, f"tree of {value.node_count} nodes",
                                     _tree_numbers(value)))
        else:
            count = _numbers(value)
            if count is not None and not (isinstance(value, (list, tuple)) and not value):
                rows.append(_learned_row(prefix + name, _shape_text(value), count))
    return rows


def _learned_row(name, value, count):
    return {"name": name, "kind": "learned parameter", "set_by": "training",
            "value": value, "n_numbers": int(count)}


def _is_tree(value):
    """A fitted ``sklearn.tree._tree.Tree`` (held by decision trees as ``tree_``)."""
    return all(hasattr(value, a) for a in ("node_count", "threshold", "feature", "value"))


def _tree_numbers(tree):
    """Split features and thresholds, child links and leaf values of a tree."""
    return int(sum(np.size(getattr(tree, a)) for a in
                   ("feature", "threshold", "children_left", "children_right", "value")))


class Summary(Table):
    """What :func:`summary` returns: rows as data, ``str()`` as a table.

    Attributes
    ----------
    rows : list of dict
        One per hyperparameter and learned parameter, with keys ``name``,
        ``kind`` ("hyperparameter" or "learned parameter"), ``set_by`` ("you",
        "the search" or "training"), ``value`` (the value, or the shape of
        learned arrays) and ``n_numbers`` (learned numbers; None for
        hyperparameters).
    searched : list of dict
        On a search, one row per searched hyperparameter: ``name``, ``space``
        (what it was searched over) and ``chosen`` (the best candidate's value).
    n_learned : int
        Total count of learned numbers.
    title : str
    """

    columns = ("name", "kind", "set_by", "value", "n_numbers")
    headers = ("name", "kind", "set by", "value or shape", "numbers")

    def __init__(self, rows, searched=(), title=""):
        super().__init__(rows)
        self.searched = list(searched)
        self.title = title
        self.n_learned = int(sum(r["n_numbers"] for r in self.rows if r["n_numbers"]))

    @property
    def hyperparameters(self):
        """Rows of kind "hyperparameter"."""
        return [r for r in self.rows if r["kind"] == "hyperparameter"]

    @property
    def learned(self):
        """Rows of kind "learned parameter"."""
        return [r for r in self.rows if r["kind"] == "learned parameter"]

    def table(self):
        shown = [{**r, "n_numbers": "" if r["n_numbers"] is None else f"{r['n_numbers']:,}"}
                 for r in self.rows]
        return format_table(shown, self.columns, self.headers)

    def __str__(self):
        lines = [self.title, self.table()] if self.title else [self.table()]
        if self.searched:
            lines += ["", format_table(self.searched, ("name", "space", "chosen"),
                                       ("searched hyperparameter", "searched over", "chosen"))]
        return "\n".join(lines)


def summary(estimator):
    """Tabulate what was set, what a search chose and what training learned.

    Parameters
    ----------
    estimator : estimator, Pipeline or fitted search
        Any scikit-learn estimator (fitted or not), a ``Pipeline`` (steps and
        ``ColumnTransformer`` parts are walked, names are ``step__param``), or a
        fitted search (``GridSearchCV``, ``RandomizedSearchCV``, ``Halving*``,
        ``BayesSearchCV``, ``HyperbandSearchCV``...), whose best estimator is
        summarised with the searched hyperparameters marked "set by the search".

    Returns
    -------
    Summary
        ``str()`` prints the table; ``.rows`` (list of dicts) and
        ``.to_frame()`` (pandas) give it as data; ``.searched`` lists the searched
        hyperparameters, their domains and the chosen values.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_hp import LogisticClassifier
    >>> from sklearn_hp.inspection import summary
    >>> table = summary(LogisticClassifier(max_epochs=5).fit(*load_iris(return_X_y=True)))
    >>> table.n_learned  # coef_ (3 x 4), intercept_ (3), threshold_...
    15
    """
    if not is_search(estimator):
        rows = _hyperparameter_rows(estimator, "", {}) + _learned_rows(estimator, "")
        return Summary(rows, title=f"{type(estimator).__name__}")
    if not hasattr(estimator, "cv_results_"):
        raise NotFittedError(f"{type(estimator).__name__} is not fitted: call fit first.")
    chosen = getattr(estimator, "best_params_", {})
    best = getattr(estimator, "best_estimator_", estimator.estimator)
    space = search_space(estimator)
    searched = [{"name": name,
                 "space": " or ".join(describe_dimension(s) for s in specs),
                 "chosen": _short(chosen.get(name, "(not in the best candidate)"))}
                for name, specs in space.items()]
    rows = _hyperparameter_rows(best, "", chosen) + _learned_rows(best, "")
    n_candidates = len(estimator.cv_results_["params"])
    title = (f"{type(estimator).__name__}: best of {n_candidates} candidates, "
             f"{type(best).__name__}")
    if hasattr(estimator, "best_score_"):
        title += f" (best mean test score {estimator.best_score_:.4f})"
    return Summary(rows, searched, title)
