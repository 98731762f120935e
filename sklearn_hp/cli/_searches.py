"""Build the search ``tune`` runs, passing only options the search class accepts.

scikit-learn and the search package are imported when a search is built, not
when the module is (``tune --help`` does not need them).
"""

import importlib
import inspect
import math

__all__ = ["SEARCHES", "check_scoring", "grid_from_space", "make_search", "search_class",
           "search_kwargs"]

#: --search name -> (import path of the class, extra fixed arguments)
SEARCHES = {
    "grid": ("sklearn.model_selection.GridSearchCV", {}),
    "random": ("sklearn_hp.search.BayesSearchCV", {"sampler": "random"}),
    "bayes": ("sklearn_hp.search.BayesSearchCV", {"sampler": "gp"}),
    "hyperband": ("sklearn_hp.search.HyperbandSearchCV", {}),
}


def search_class(kind):
    """The search class ``--search kind`` runs (imported on first use)."""
    module_name, _, name = SEARCHES[kind][0].rpartition(".")
    return getattr(importlib.import_module(module_name), name)

#: Options forwarded to a search only when its signature takes them.
_OPTIONAL = {"storage": "--storage", "time_budget": "--time-budget"}


def search_kwargs(search_cls, args):
    """Keyword arguments for ``search_cls`` from ``--storage`` and ``--time-budget``.

    A given option the class does not accept is an error, not silently dropped.
    """
    accepted = inspect.signature(search_cls).parameters
    kwargs = {}
    for name, option in _OPTIONAL.items():
        value = getattr(args, name, None)
        if value is None:
            continue
        if name not in accepted:
            able = [kind for kind in SEARCHES
                    if name in inspect.signature(search_class(kind)).parameters]
            choices = (", ".join(able[:-1]) + " or " if len(able) > 1 else "") + able[-1]
            raise ValueError(f"{option} is not supported by {search_cls.__name__}; use "
                             f"--search {choices}, or run without {option}.")
        kwargs[name] = value
    return kwargs


def check_scoring(name):
    """``--scoring``: one of scikit-learn's scorer names (None keeps the model's score)."""
    if name is None:
        return name
    from sklearn.metrics import get_scorer_names

    if name not in get_scorer_names():
        raise ValueError(f"--scoring {name!r} is unknown; accepted: scikit-learn scorer names "
                         f"such as accuracy, balanced_accuracy, f1_macro, roc_auc, r2, "
                         f"neg_mean_squared_error (all: {len(get_scorer_names())} names).")
    return name


def grid_from_space(space, n_iter):
    """Turn a space into a grid of at most about ``n_iter`` points.

    Categorical dimensions keep their choices; each numeric one gets ``k``
    evenly spaced values (geometric on log scales), the largest ``k`` that
    keeps the grid within ``n_iter``; ``k = 1`` is the middle of the range.
    Categorical choices that alone exceed ``n_iter`` are an error.
    """
    import numpy as np

    from ..search import Categorical, Integer, Real

    fixed = math.prod(len(d.choices) for d in space.values() if isinstance(d, Categorical))
    if fixed > n_iter:
        raise ValueError(f"--search grid: the categorical choices alone make {fixed} "
                         f"candidates, more than --n-iter {n_iter}; raise --n-iter to at "
                         f"least {fixed} or use --search random.")
    numeric = [name for name, d in space.items() if not isinstance(d, Categorical)]
    k = 1
    while numeric and fixed * (k + 1) ** len(numeric) <= n_iter:
        k += 1
    grid = {}
    for name, dim in space.items():
        if isinstance(dim, Categorical):
            grid[name] = list(dim.choices)
        elif isinstance(dim, (Real, Integer)):
            spread = np.geomspace if dim.log else np.linspace
            spaced = spread(dim.low, dim.high, 3)[1:2] if k == 1 else spread(
                dim.low, dim.high, k)
            grid[name] = ([float(v) for v in spaced] if isinstance(dim, Real)
                          else sorted({int(round(v)) for v in spaced}))
        else:
            raise ValueError(f"--search grid needs Real, Integer or Categorical dimensions; "
                             f"{name} is {dim!r}.")
    return grid


def make_search(kind, estimator, space, args, cv=None):
    """Return the unfitted search for ``--search kind``.

    ``cv`` (a splitter) replaces ``args.cv`` folds when given.
    """
    cls, fixed = search_class(kind), SEARCHES[kind][1]
    common = dict(scoring=args.scoring, cv=args.cv if cv is None else cv, n_jobs=args.n_jobs,
                  **search_kwargs(cls, args))
    if kind == "grid":  # evaluated in one batch: verbose=1 announces its size up front
        return cls(estimator, grid_from_space(space, args.n_iter), verbose=1, **common)
    common["racing"] = getattr(args, "racing", True)
    if kind == "hyperband":
        return cls(estimator, space, random_state=args.random_state, **fixed, **common)
    return cls(estimator, space, n_iter=args.n_iter, random_state=args.random_state,
               **fixed, **common)
