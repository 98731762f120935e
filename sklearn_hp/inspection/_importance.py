"""``hyperparameter_importance``: which searched hyperparameters moved the score.

A random forest (scikit-learn's ``RandomForestRegressor``) is fitted as a surrogate
from the candidates' hyperparameters to their mean test scores, and scikit-learn's
``permutation_importance`` measures how much of the surrogate's explained variance
each hyperparameter carries. Shares are normalised to sum to 1 over the searched
hyperparameters. A forest that explains none of the scores out of bag (R² <= 0)
gives no shares: what it would split among the hyperparameters is noise.
"""

import numbers
import warnings

import numpy as np
from sklearn.ensemble import RandomForestRegressor
from sklearn.inspection import permutation_importance

from ..search import mean_test_scores, search_space
from ._table import Table, format_table

__all__ = ["HyperparameterImportance", "hyperparameter_importance"]

_ABSENT = object()


class HyperparameterImportance(Table):
    """What :func:`hyperparameter_importance` returns.

    Attributes
    ----------
    rows : list of dict
        One per searched hyperparameter, most important first: ``name``,
        ``share`` (of the explained score variation, the shares sum to 1 unless
        every score was equal; NaN when the forest explains nothing), ``std``
        (spread over permutation repeats, same unit) and ``n_values``
        (distinct values tried).
    importances : dict
        ``{name: share}``, most important first.
    metric : str
        The score explained.
    n_candidates : int
        Candidates with a finite score used to fit the surrogate.
    surrogate_r2 : float or None
        Out-of-bag R² of the forest: how much of the score variation the
        hyperparameters explain at all (None with fewer than 10 candidates).
    explains_nothing : bool
        Whether that R² is 0 or below: no shares are given, ``str()`` says so.
    """

    columns = ("name", "share", "std", "n_values")
    headers = ("hyperparameter", "share", "± std", "values tried")

    def __init__(self, rows, metric, n_candidates, surrogate_r2):
        super().__init__(rows)
        self.metric = metric
        self.n_candidates = n_candidates
        self.surrogate_r2 = surrogate_r2

    @property
    def importances(self):
        return {row["name"]: row["share"] for row in self.rows}

    @property
    def explains_nothing(self):
        return self.surrogate_r2 is not None and self.surrogate_r2 <= 0

    def verdict(self):
        """The sentence shown instead of the shares when the forest explains nothing."""
        return (f"The forest explains none of the variation of mean test {self.metric} "
                f"over {self.n_candidates} candidates (out-of-bag R² = "
                f"{self.surrogate_r2:.2f}); no importance shown: the differences between "
                "candidates look like noise to it.")

    def table(self):
        shown = [{**r, "share": f"{r['share']:.1%}", "std": f"{r['std']:.1%}"}
                 for r in self.rows]
        return format_table(shown, self.columns, self.headers)

    def __str__(self):
        if self.explains_nothing:
            return self.verdict()
        fit = (" (fewer than 10: a rough guide)" if self.surrogate_r2 is None else
               f"; the forest explains {self.surrogate_r2:.0%} of it out of bag")
        return (f"Share of the variation of mean test {self.metric} over "
                f"{self.n_candidates} candidates{fit}:\n{self.table()}")


def _encode(values):
    """One feature column: numbers as floats, anything else as category codes."""
    present = [v for v in values if v is not _ABSENT]
    if present and all(isinstance(v, numbers.Real) and not isinstance(v, bool)
                       for v in present):
        column = np.array([np.nan if v is _ABSENT else float(v) for v in values])
        fill = np.nanmin(column) - 1.0 if np.isfinite(column).any() else 0.0
        return np.where(np.isnan(column), fill, column), len(set(present))
    codes = {}
    column = np.array([-1.0 if v is _ABSENT else codes.setdefault(repr(v), len(codes))
                       for v in values], dtype=float)
    return column, len(codes)


def hyperparameter_importance(search, *, metric=None, n_estimators=200, n_repeats=10,
                              random_state=0):
    """Share of the score variation each searched hyperparameter explains.

    Works from ``cv_results_`` of any fitted scikit-learn search: ours,
    ``GridSearchCV``, ``RandomizedSearchCV``, ``HalvingGridSearchCV``,
    ``HalvingRandomSearchCV``. A ``RandomForestRegressor`` maps each candidate's
    hyperparameters to its mean test score, and ``permutation_importance`` on
    that forest gives each hyperparameter's share. Parameters in the candidates
    that were not searched (the budget of ``Halving*`` and Hyperband searches,
    such as ``max_epochs`` or ``n_resources``) enter the forest too, so the budget
    does not pass for an effect of a hyperparameter, but get no share.

    Parameters
    ----------
    search : fitted BaseSearchCV
    metric : str, optional
        Scorer name with multimetric scoring (default: the refit metric).
    n_estimators : int, default=200
        Trees of the surrogate forest.
    n_repeats : int, default=10
        Permutations per hyperparameter.
    random_state : int, RandomState instance or None, default=0

    Returns
    -------
    HyperparameterImportance
        ``str()`` prints the table; ``.importances`` is ``{name: share}``;
        ``.rows`` / ``.to_frame()`` give it as data.

    Raises
    ------
    ValueError
        If the search is not fitted, ``metric`` is unknown, or fewer than 3
        candidates have a finite score.
    """
    scores, metric = mean_test_scores(search, metric)
    names = list(search_space(search))
    params = search.cv_results_["params"]
    extra = sorted({k for p in params for k in p} - set(names))
    columns = [_encode([p.get(name, _ABSENT) for p in params]) for name in names + extra]
    X = np.column_stack([c for c, _ in columns]
                        + ([np.asarray(search.cv_results_["n_resources"], dtype=float)]
                           if "n_resources" in search.cv_results_ else []))
    finite = np.isfinite(scores)
    X, y = X[finite], scores[finite]
    if len(y) < 3:
        raise ValueError(f"hyperparameter_importance needs at least 3 candidates with a "
                         f"finite score; {type(search).__name__} has {len(y)}.")
    share = np.zeros(len(names))
    spread = np.zeros(len(names))
    r2 = None
    if np.ptp(y) > 0:
        forest = RandomForestRegressor(n_estimators=n_estimators, oob_score=len(y) >= 10,
                                       random_state=random_state)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # oob with few samples
            forest.fit(X, y)
        r2 = float(forest.oob_score_) if len(y) >= 10 else None
        result = permutation_importance(forest, X, y, n_repeats=n_repeats,
                                        random_state=random_state)
        mean = np.clip(result.importances_mean[:len(names)], 0.0, None)
        total = mean.sum()
        if r2 is not None and r2 <= 0:  # nothing explained: no shares to split
            share = spread = np.full(len(names), np.nan)
        elif total > 0:
            share = mean / total
            spread = result.importances_std[:len(names)] / total
    rows = [{"name": name, "share": float(s), "std": float(d), "n_values": n}
            for name, s, d, (_, n) in zip(names, share, spread, columns)]
    rows.sort(key=lambda row: -np.nan_to_num(row["share"]))
    return HyperparameterImportance(rows, metric, int(len(y)), r2)
