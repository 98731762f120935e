"""The COCO report, regenerated from the run cache alone.

A cell is (suite, function, dim, budget); its value for a method is the median
over instances and seeds of ``log10(f_best - f_opt + 1e-8)`` (lower is better,
-8 means solved), taken over the (instance, seed) runs that every method shown
has, so that all methods are compared on the same runs; the tables of a (suite,
dimension, half) show the methods that have runs there, and name those that have none.
"""

import statistics
from collections import defaultdict

import numpy as np

from .._common import markdown_table
from .methods import OURS, PEERS
from .problems import GROUPS, is_held_out
from .run import MULTIPLES

HALVES = (("held out: even-numbered functions", True),
          ("used to choose defaults: odd-numbered functions", False))


def precision(regret):
    """``log10(regret + 1e-8)``."""
    return float(np.log10(regret + 1e-8))


def shared_precisions(runs, methods):
    """``{(suite, function, dim, multiple): {method: [precision, ...]}}`` over shared runs.

    Only the (instance, seed) runs that every method in ``methods`` has count, in
    the same order for every method.
    """
    by_cell = defaultdict(dict)
    for record in runs.values():
        if record["method"] in methods:
            cell = (record["suite"], record["function"], record["dim"])
            by_cell[cell][record["method"], record["instance"], record["seed"]] = record
    out = {}
    for (suite, function, dim), found in by_cell.items():
        shared = sorted(set.intersection(*[{(i, s) for (m, i, s) in found if m == method}
                                           for method in methods]))
        for multiple in (MULTIPLES if shared else ()):
            out[suite, function, dim, multiple] = {
                m: [precision(found[m, i, s]["regret"][str(multiple)]) for i, s in shared]
                for m in methods}
    return out


def medians_of(precisions):
    """``{method: median}`` of a cell's (or a pool of cells') precisions."""
    return {m: statistics.median(values) for m, values in precisions.items()}


def winners(medians, tolerance=1e-9):
    """The methods whose median is within ``tolerance`` of the lowest."""
    low = min(medians.values())
    return {m for m, value in medians.items() if value <= low + tolerance}


def win_table(values, suite, held_out, methods):
    """Cells won per (dim, budget), and ours-gp against the best peer and random."""
    peers = [p for p in PEERS if p in methods]
    against = ["ours-gp ≤ best peer", "ours-gp > random"]
    compared = "ours-gp" in methods and "random" in methods and peers
    header = ["dim", "budget", "cells", *methods, *(against if compared else [])]
    counts = defaultdict(lambda: defaultdict(int))
    for (s, function, dim, multiple), precisions in values.items():
        if s != suite or is_held_out(function) != held_out:
            continue
        medians = medians_of(precisions)
        tally = counts[dim, multiple]
        tally["cells"] += 1
        for method in winners(medians):
            tally[method] += 1
        if compared:
            gp, best_peer = medians["ours-gp"], min(medians[p] for p in peers)
            tally[against[0]] += gp <= best_peer + 1e-9
            tally[against[1]] += gp > medians["random"] + 1e-9
    rows = [[dim, f"{multiple}·d", *(counts[dim, multiple][c] for c in header[2:])]
            for dim, multiple in sorted(counts)]
    return markdown_table(header, rows) if rows else "(no complete cell yet)"


def group_table(values, suite, dim, held_out, methods):
    """Median over (function, instance, seed) of each group's runs, per budget."""
    rows = []
    for multiple in MULTIPLES:
        for group, members in GROUPS.items():
            cells = [values[suite, f, dim, multiple] for f in members
                     if is_held_out(f) == held_out and (suite, f, dim, multiple) in values]
            if cells:
                pooled = {m: [v for cell in cells for v in cell[m]] for m in methods}
                rows.append([f"{multiple}·d", group, len(cells), len(pooled[methods[0]]),
                             *_marked(medians_of(pooled))])
    header = ["budget", "group", "functions", "runs", *methods]
    return markdown_table(header, rows) if rows else ""


def _marked(medians):
    best = winners(medians)
    return [f"**{v:.2f}**" if m in best else f"{v:.2f}" for m, v in medians.items()]


def function_table(values, suite, dim, held_out, methods, multiple=MULTIPLES[-1]):
    """Each function's cell at one budget (the winner in bold) and its run count."""
    rows = []
    for (s, function, d, m), precisions in sorted(values.items()):
        if (s, d, m) == (suite, dim, multiple) and is_held_out(function) == held_out:
            rows.append([f"f{function}", len(precisions[methods[0]]),
                         *_marked(medians_of(precisions))])
    return markdown_table(["function", "runs", *methods], rows) if rows else ""


def overhead_table(runs, methods):
    """Median optimiser seconds per trial (ms), per (suite, dim), with the load seen."""
    per = defaultdict(list)
    for r in runs.values():
        per[r["suite"], r["dim"], r["method"]].append(
            (1000 * r["optimiser_seconds"] / max(r["n_evals"], 1), r["load"]))
    rows = []
    for suite, dim in sorted({(s, d) for s, d, m in per if m in methods}):
        loads = [load for m in methods for _, load in per.get((suite, dim, m), [])]
        cells = [f"{statistics.median(ms for ms, _ in per[suite, dim, m]):.1f}"
                 if per.get((suite, dim, m)) else "–" for m in methods]
        rows.append([suite, dim, 50 * dim, *cells,
                     f"{min(loads):.1f}–{max(loads):.1f}"])
    return markdown_table(["suite", "dim", "trials", *methods, "load average seen"], rows)


INTRO = """# COCO: `bbob` and `bbob-mixint`

Regenerated from `benchmarks/results/coco/cache.jsonl` by
`python -m benchmarks.coco --report-only`. Each value is the median over instances and
seeds of log10(f_best − f_opt + 1e-8) (lower is better; −8.00 means solved to 1e-8),
over the runs every method shown has (the tables of a dimension in each half show the
methods that have runs there and name those that have none). Each run evaluates 50·d
points on the box of the problem ([−5, 5]^d for `bbob`); the 10·d and 20·d budgets are
read off the same run's best-so-far, not run separately. Bold: the best method of the
row (ties all bold).
A cell is (function, dimension, budget); a method wins a cell when its median is the
lowest (ties count for each). f_opt is `cocoex.BareProblem(...).best_value()`, for
`bbob-mixint` times COCO's scaling factor of the function (`MIXINT_SCALE`).

Split, fixed before any default was chosen on these suites: the **even-numbered
functions are held out**, the odd-numbered ones may be used to choose defaults (the
same for `bbob-mixint`). The held-out half is shown first.

Methods: {methods}."""

OVERHEAD_NOTE = """## Optimiser overhead per trial

Median over runs of the optimiser's own time (wall time minus function time) divided
by the run's trials, in ms. **Not valid as speed figures**: measured at `nice -n 19` on
a shared 2-core machine under the load average shown (other work running), so they
mostly measure the machine's load; they are to be rerun on a quiet machine."""


def describe_methods(runs, methods):
    """The methods, the peers' versions and the hashes of our search code behind the runs."""
    by = defaultdict(set)
    for r in runs.values():
        if r["method"] in methods:
            by["ours: search code" if r["method"] in OURS else r["method"]].add(r["by"])
    return ", ".join(methods) + "".join(f"; {who} {', '.join(sorted(what))}"
                                        for who, what in sorted(by.items()))


def _missing(methods, shown):
    """A line naming the methods without runs in these tables (or nothing)."""
    absent = [m for m in methods if m not in shown]
    return f"\n\nNot run here: {', '.join(absent)}." if absent else ""


def tables_by_dim(runs, suite, methods, held_out):
    """``{dim: (shown methods, shared precisions)}`` of one half of ``suite``.

    A dimension's tables in a half show the methods with runs there (a slow peer
    may lag behind, or have run one half only).
    """
    by_dim = {}
    for dim in sorted({r["dim"] for r in runs.values() if r["suite"] == suite}):
        in_half = {k: r for k, r in runs.items() if (r["suite"], r["dim"]) == (suite, dim)
                   and is_held_out(r["function"]) == held_out}
        shown = [m for m in methods if any(r["method"] == m for r in in_half.values())]
        values = shared_precisions(in_half, shown) if shown else {}
        if values:
            by_dim[dim] = shown, values
    return by_dim


def render(runs, methods):
    """The whole report (Markdown) from ``runs`` (the cache's ``{key: record}``)."""
    methods = [m for m in methods if any(r["method"] == m for r in runs.values())]
    lines = [INTRO.format(methods=describe_methods(runs, methods))]
    for suite in ("bbob", "bbob-mixint"):
        if not any(r["suite"] == suite for r in runs.values()):
            continue
        for title, held_out in HALVES:
            lines += [f"\n## `{suite}`, {title}", "", "Cells won (ties count for each):"]
            dims = tables_by_dim(runs, suite, methods, held_out)
            for shown, values in dims.values():
                lines += ["", win_table(values, suite, held_out, shown) + _missing(methods, shown)]
            if not dims:
                lines += ["", "(no complete cell yet)"]
            for dim, (shown, values) in dims.items():
                lines += [f"\n### `{suite}` {dim}-D, {title.split(':')[0]}: by group", "",
                          group_table(values, suite, dim, held_out, shown) +
                          _missing(methods, shown), "",
                          f"Per function at {MULTIPLES[-1]}·d:", "",
                          function_table(values, suite, dim, held_out, shown)]
    if runs:
        lines += ["", OVERHEAD_NOTE, "", overhead_table(runs, methods)]
    return "\n".join(lines)
