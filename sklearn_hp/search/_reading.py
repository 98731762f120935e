"""Read any scikit-learn search: its space, its dimensions and its mean test scores.

These work on ``GridSearchCV``, ``RandomizedSearchCV``, the ``Halving*`` searches
and sklearn_hp's own; the inspection tools, the plots and the command line read
searches through them.
"""

import numpy as np

__all__ = ["describe_dimension", "is_log_dimension", "is_search", "mean_test_scores",
           "search_space"]

#: Attributes that hold the space, by search class family.
_SPACE_ATTRIBUTES = ("search_spaces", "param_distributions", "param_grid")


def is_search(estimator):
    """Whether ``estimator`` is a search: fitted (``cv_results_``) or holding a space."""
    return hasattr(estimator, "cv_results_") or any(
        hasattr(estimator, a) for a in _SPACE_ATTRIBUTES)


def search_space(search):
    """Return ``{name: [spec, ...]}``: every searched hyperparameter and its domains.

    A conditional space (a list of dicts) may give one name several domains.

    Parameters
    ----------
    search : BaseSearchCV
        ``GridSearchCV``, ``RandomizedSearchCV``, the ``Halving*`` searches or
        ours; any object with one of ``search_spaces``, ``param_distributions``
        or ``param_grid``.
    """
    for attribute in _SPACE_ATTRIBUTES:
        spec = getattr(search, attribute, None)
        if spec is not None:
            break
    else:
        raise ValueError(
            f"{type(search).__name__} has none of {list(_SPACE_ATTRIBUTES)}: "
            "pass a scikit-learn search (GridSearchCV, RandomizedSearchCV, BayesSearchCV...)."
        )
    space = {}
    for part in [spec] if isinstance(spec, dict) else list(spec):
        for name, dimension in part.items():
            space.setdefault(name, []).append(dimension)
    return space


def _frozen_name(spec):
    dist = getattr(spec, "dist", None)
    return getattr(dist, "name", None)


def describe_dimension(spec):
    """Return a short text for one domain: ``Real(0.0001, 0.1, log=True)``, ``[1, 2]``..."""
    name = _frozen_name(spec)
    if name is not None:
        args = ", ".join(f"{a:g}" if isinstance(a, float) else repr(a)
                         for a in getattr(spec, "args", ()))
        return f"{name}({args})"
    if isinstance(spec, np.ndarray):
        spec = spec.tolist()
    return repr(spec)


def is_log_dimension(spec):
    """Whether the domain is searched on a log scale (``log=True`` or ``loguniform``)."""
    if getattr(spec, "log", False) is True:
        return True
    return _frozen_name(spec) in ("loguniform", "reciprocal")


def mean_test_scores(search, metric=None):
    """Return ``(scores, metric)``: each candidate's mean test score, in evaluation order.

    Parameters
    ----------
    search : fitted BaseSearchCV
    metric : str, optional
        Scorer name with multimetric scoring (default: the refit metric, or
        "score" with a single metric).
    """
    results = getattr(search, "cv_results_", None)
    if results is None:
        raise ValueError(f"{type(search).__name__} has no cv_results_: fit the search first.")
    if metric is None:
        metric = search.refit if isinstance(search.refit, str) else "score"
    key = f"mean_test_{metric}"
    if key not in results:
        accepted = [k[len("mean_test_"):] for k in results if k.startswith("mean_test_")]
        raise ValueError(f"metric={metric!r} is not in cv_results_; accepted: {accepted}.")
    return np.asarray(results[key], dtype=float), metric
