"""What ``tune`` prints after the search: results, set vs learned, importance."""

import math
import numbers
from itertools import zip_longest

import numpy as np

from ..inspection import format_table, hyperparameter_importance, summary
from ..search import is_log_dimension, search_space
from ._models import plain_name as _plain

__all__ = ["bound_warnings", "diagnosis_text", "importance_text", "results_table",
           "set_vs_learned"]

#: Share of a range (on its search scale) next to a bound that counts as "at" it.
EDGE = 0.05


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
    return "\n".join([title, format_table(rows, ("rank", "score", "fit", "params"),
                                          ("rank", "test score", "fit time", "hyperparameters")),
                      *bound_warnings(search)])


def racing_text(search):
    """One line on what fold racing stopped and saved (empty without racing)."""
    if not getattr(search, "racing", False):
        return ""
    from ..search import racing_summary

    stopped, total, skipped, seconds = racing_summary(search.trials_, search.n_splits_)
    return (f"Racing stopped {stopped} of {total} candidates before their last fold "
            f"(a paired test against the best so far on the same folds): {skipped} of "
            f"{total * search.n_splits_} fits skipped, about {seconds:.1f} s of fitting "
            f"saved (--no-racing runs every fold).")


def _range(spec):
    """``(low, high, log, integer, grid)`` of a numeric search domain, or None.

    Our ``Real``/``Integer``, scipy distributions with finite support, and lists
    of at least three numbers (a grid, whose ends are its bounds).
    """
    if hasattr(spec, "low") and hasattr(spec, "high"):
        return float(spec.low), float(spec.high), is_log_dimension(spec), \
            isinstance(spec.low, numbers.Integral), False
    if hasattr(spec, "support") and hasattr(spec, "dist"):
        low, high = (float(b) for b in spec.support())
        if math.isfinite(low) and math.isfinite(high):
            return low, high, is_log_dimension(spec), False, False
        return None
    if isinstance(spec, (list, tuple, np.ndarray)):
        values = list(spec)
        if len(set(map(repr, values))) >= 3 and all(
                isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values):
            low, high = float(min(values)), float(max(values))
            integer = all(isinstance(v, numbers.Integral) for v in values)
            return low, high, low > 0 and high / low >= 100, integer, True
    return None


def _position(value, low, high, log):
    """Where ``value`` sits in ``[low, high]``: 0 at low, 1 at high (log scale if log)."""
    if log:
        value, low, high = math.log(value), math.log(low), math.log(high)
    return (value - low) / (high - low)


def _widened(low, high, log, integer, side):
    """The range one step wider on ``side``; a range from 0 is not widened below it."""
    if log:
        return (low / 10, high) if side == "lower" else (low, high * 10)
    step = (high - low) / 2
    if integer:
        step = max(1, round(step))
    if side == "lower":
        return (max(0, low - step) if low >= 0 else low - step), high
    return low, high + step


def _number(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def bound_warnings(search):
    """Lines warning that the best candidate sits at a bound of a searched range.

    A numeric hyperparameter whose best value lies within ``EDGE`` of its
    range's width (on the search's scale) from a bound, or at an end of a grid,
    may do better beyond it: the line names it, the bound and a wider range for
    ``--space``. A range that cannot widen that way (a lower bound of 0 on a
    linear scale: dropout, a penalty) gets no warning there.
    """
    best = getattr(search, "best_params_", None) or {}
    lines = []
    for name, specs in search_space(search).items():
        value = best.get(name)
        if len(specs) != 1 or not isinstance(value, numbers.Real) or isinstance(value, bool):
            continue
        bounds = _range(specs[0])
        if bounds is None or not bounds[0] < bounds[1]:
            continue
        low, high, log, integer, grid = bounds
        if grid:  # a grid's ends
            side = "lower" if value == low else "upper" if value == high else None
        else:
            where = _position(value, low, high, log)
            side = "lower" if where <= EDGE else "upper" if where >= 1 - EDGE else None
        if side is None:
            continue
        wider = _widened(low, high, log, integer, side)
        if wider == (low, high):
            continue
        if integer:
            low, high, wider = int(low), int(high), tuple(int(v) for v in wider)
        plain = _plain(name)
        scale = ", log = true" if log else ""
        lines.append(
            f"Warning: {plain}={_number(value)} is at the {side} bound of its range "
            f"[{_number(low)}, {_number(high)}]; better values may lie beyond it: widen it "
            f"with --space (e.g. {plain} = {{low = {_number(wider[0])}, high = "
            f"{_number(wider[1])}{scale}}}).")
    return lines


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


def diagnosis_text(diagnosis):
    """``str(diagnosis)`` with its hyperparameter names as ``--set`` takes them."""
    text = str(diagnosis)
    for name, _, _ in diagnosis.advice:
        text = text.replace(f" {name}:", f" {_plain(name)}:")
    return text


def importance_text(search, importance=None):
    """The importance table, or a line saying why there is none.

    ``importance`` is the search's, already computed (or the ValueError saying
    why there is none); computed here when None.
    """
    if importance is None:
        try:
            importance = hyperparameter_importance(search)
        except ValueError as error:
            importance = error
    if isinstance(importance, ValueError):
        return f"No hyperparameter importance: {importance}"
    for row in importance.rows:
        row["name"] = _plain(row["name"])
    return str(importance)
