"""What ``tune`` prints after the search: results, set vs learned, importance."""

from itertools import zip_longest

import numpy as np

from ..inspection import hyperparameter_importance, summary
from ..inspection._table import format_table

__all__ = ["results_table", "set_vs_learned", "importance_text"]


def _plain(name):
    return name.split("__", 1)[1] if name.startswith("model__") else name


def _value(value):
    return f"{value:.4g}" if isinstance(value, float) else repr(value)


def results_table(search, top=5):
    """The ``top`` candidates: rank, mean ± std test score, mean fit time, settings."""
    results = search.cv_results_
    key = "score" if "mean_test_score" in results else search.refit
    means = np.asarray(results[f"mean_test_{key}"], dtype=float)
    # by rank: budget searches rank the largest budget first, so rank 1 is the saved model
    order = np.argsort(np.asarray(results[f"rank_test_{key}"]), kind="stable")[:top]
    rows = []
    for i in order:
        params = results["params"][i]
        rows.append({
            "rank": int(results[f"rank_test_{key}"][i]),
            "score": f"{means[i]:.4f} ± {results[f'std_test_{key}'][i]:.4f}",
            "fit": f"{results['mean_fit_time'][i]:.2f} s",
            "params": ", ".join(f"{_plain(k)}={_value(v)}" for k, v in params.items()),
        })
    title = (f"Top {len(rows)} of {len(means)} candidates (mean ± std of {search.n_splits_}-fold "
             f"cross-validated {key}"
             + ("; the largest budget ranked first" if "n_resources" in results else "") + "):")
    return title + "\n" + format_table(rows, ("rank", "score", "fit", "params"),
                                       ("rank", "test score", "fit time", "hyperparameters"))


def set_vs_learned(search, fixed=None):
    """Two columns: the best hyperparameters (by whom) beside the learned parameters.

    ``fixed`` lists hyperparameters the user set for this run, shown as set by you.
    """
    table = summary(search)
    setting = [f"{_plain(r['name'])} = {r['value']}  ({r['set_by']})"
               for r in table.hyperparameters
               if r["name"].startswith("model__") and r["set_by"] == "the search"]
    searched = {_plain(name) for name in search.best_params_}
    setting += [f"{name} = {_value(value)}  (you)" for name, value in (fixed or {}).items()
                if name not in searched]
    learned = [f"{r['name']}: {r['value']}" + (f" = {r['n_numbers']:,} numbers"
                                                 if r["n_numbers"] > 1 else "")
               for r in table.learned]
    width = max(len(s) for s in setting + ["hyperparameters (set before training)"]) + 3
    lines = [f"{'Hyperparameters (set before training)':<{width}}Learned parameters "
             f"(found by training, {table.n_learned:,} numbers)"]
    for left, right in zip_longest(setting, learned, fillvalue=""):
        lines.append(f"{left:<{width}}{right}".rstrip())
    return "\n".join(lines)


def importance_text(search):
    """The importance table, or a line saying why there is none."""
    try:
        importance = hyperparameter_importance(search)
    except ValueError as error:
        return f"No hyperparameter importance: {error}"
    for row in importance.rows:
        row["name"] = _plain(row["name"])
    return str(importance)
