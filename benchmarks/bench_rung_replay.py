"""Racing inside Hyperband's rungs: the level of each look, replayed on the tuning half.

A rung's race stops a candidate once its first folds show it would not be
promoted: that its full mean would not beat the weakest candidate the rung
promotes (:class:`sklearn_hp.search._racing.FoldRace` with ``rank`` the number
promoted). A false stop is a stopped candidate whose full mean does beat the
weakest candidate the unraced rung promoted; at a bracket's last rung, where
the race is against the best, one whose full mean beats the run's final best.

This script records unraced ``HyperbandSearchCV`` runs (TPE sampler, eta=3,
two iterations) of the tuning half's budget task (``hist_boosting`` of
``bench_racing.py``: HistGradientBoostingClassifier, ``max_iter`` 3 to 100),
then races their fold scores afterwards, rung by rung, a candidate at a time
(its folds in turn, as ``n_jobs=1`` runs them), at several levels per look.
Stopped counts and the time skipped come from the recorded fold order, false
stops from the runs replayed in 20 fold orders. The held-out tasks are never
recorded here.

Usage::

    python benchmarks/bench_rung_replay.py            # record 10 seeds (~5 min), replay
    python benchmarks/bench_rung_replay.py --replay-only   # replay the recorded runs
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks._common import RESULTS, markdown_table, write_result  # noqa: E402
from benchmarks.bench_racing import (  # noqa: E402
    CV,
    TASKS,
    _folds_until_stopped,
    _spread,
    code_version,
)
from sklearn_hp.search import HyperbandSearchCV  # noqa: E402
from sklearn_hp.search._racing import FoldRace  # noqa: E402

#: Files this script writes under benchmarks/results/.
OUTPUTS = {"bench_rung_replay.md": "(no arguments)", "bench_rung_replay.json": "(no arguments)"}
RUN_TIME = "~5 min on the project's 2-core machine (10 seeds); --replay-only seconds"

TASK = "hist_boosting"
ETA = 3
N_ORDERS = 20
#: Levels per look replayed; the first is that of the Bayesian searches' races.
LEVELS = (0.05, 0.02, 0.01, 0.005, 0.001)


def record_run(task, X, y, seed):
    """The rungs of one unraced run: a list of ``{bracket, rung, last, folds, fit_time, model}``."""
    resource, full = task.budget
    space = {name: dim for name, dim in task.space.items() if name != resource}
    search = HyperbandSearchCV(task.make().set_params(**{resource: full}), space,
                               resource=resource, max_resource=full, eta=ETA,
                               n_iterations=2, sampler="tpe", random_state=seed, cv=CV,
                               refit=False).fit(X, y)
    results = search.cv_results_
    rows = []
    for row, params in enumerate(results["params"]):
        rows.append({
            "bracket": int(results["bracket"][row]), "rung": int(results["iter"][row]),
            "last": int(results["n_resources"][row]) == full,
            "folds": [float(results[f"split{f}_test_score"][row])
                      for f in range(CV.get_n_splits())],
            "fit_time": float(results["mean_fit_time"][row]),
            "model": repr(sorted((k, v) for k, v in params.items() if k != resource))})
    return rows


def rungs_of(run):
    """``[(rows, bar, last)]``: each rung's rows in trial order, the mean a stop must not
    beat, and whether the rung is its bracket's last (raced against the best)."""
    groups = {}
    for row in run:
        groups.setdefault((row["bracket"], row["rung"]), []).append(row)
    final_best = max(np.mean(r["folds"]) for r in run if r["last"])
    rungs = []
    for (bracket, rung), rows in groups.items():
        promoted = {r["model"] for r in groups.get((bracket, rung + 1), ())}
        means = [np.mean(r["folds"]) for r in rows if r["model"] in promoted]
        last = rows[0]["last"] or not means
        rungs.append((rows, final_best if last else min(means), last))
    return rungs


def replay_rung(rows, bar, last, level, order):
    """Race one rung's recorded folds; ``(stops, seconds skipped, false stops)``.

    ``stops`` are the folds each stopped candidate ran, ``false stops`` by how much
    the full mean of each stopped candidate that beats ``bar`` beats it.
    """
    n_splits = len(order)
    rank = 1 if last else max(1, len(rows) // ETA)
    race = FoldRace(n_splits, rank=rank, alpha=level)
    stops, seconds, false = [], 0.0, []
    for candidate, row in enumerate(rows):
        scores = np.asarray(row["folds"])[order]
        ran = _folds_until_stopped(race, scores, candidate)
        if ran is None:
            continue
        stops.append(ran)
        seconds += (n_splits - ran) * row["fit_time"]
        if scores.mean() > bar + 1e-12:
            false.append(float(scores.mean() - bar))
    return stops, seconds, false


def replay_rows(runs):
    """One row per level (inner rungs, then last rungs) over the recorded runs."""
    n_splits = CV.get_n_splits()
    orders = [np.random.default_rng(k).permutation(n_splits) for k in range(N_ORDERS)]
    rungs = [rungs_of(run) for run in runs]
    table = []
    for kind in ("inner", "last"):
        for level in LEVELS:
            after, shares, n_rows, false, n_stopped = np.zeros(n_splits - 1, int), [], 0, [], 0
            for run, run_rungs in zip(runs, rungs):
                total = n_splits * sum(r["fit_time"] for r in run)
                saved = 0.0
                for rows, bar, last in run_rungs:
                    if last != (kind == "last"):
                        continue
                    n_rows += len(rows)
                    stops, seconds, _ = replay_rung(rows, bar, last, level, np.arange(n_splits))
                    after += np.bincount(stops, minlength=n_splits)[1:n_splits]
                    saved += seconds
                    for order in orders:
                        stops, _, wrong = replay_rung(rows, bar, last, level, order)
                        n_stopped += len(stops)
                        false += wrong
                shares.append(saved / total)
            worst = f"{max(false):.4f}" if false else "–"
            table.append([kind, f"{level:g}", f"{after.sum()}/{n_rows}",
                          " / ".join(str(a) for a in after), _spread(shares, 2),
                          f"{len(false)}/{n_stopped}", worst])
    return table


HEADER = ["rungs", "level per look", "stopped / candidates", "stopped after 1 / 2 / 3 / 4 folds",
          "fitting time skipped: median (min–max)",
          f"false stops / stops, {N_ORDERS} fold orders", "largest excess over the bar"]


def write_report(recorded):
    runs = recorded["runs"]
    text = "\n".join([
        "# Racing inside Hyperband's rungs: the level per look, replayed on the tuning half", "",
        f"Command: `python benchmarks/bench_rung_replay.py`. Unraced `HyperbandSearchCV` runs "
        f"(TPE sampler, eta={ETA}, two iterations, seeds 0–{len(runs) - 1}, 5-fold CV) of "
        f"`{TASK}` (the tuning half's budget task, {recorded['shape']}); their fold scores "
        "are raced afterwards, rung by rung, a candidate at a time, its folds in turn. "
        "Inner rungs race against the weakest candidate the rung promotes; a bracket's "
        "last rung against its best. A false stop is a stopped candidate whose full mean "
        "beats the weakest candidate the unraced rung promoted (last rungs: the run's "
        "final best); the excess is by how much. The time skipped is a share of the "
        "run's fitting time, all rungs. Load average at the start of each recording: "
        f"{_spread(recorded['loads'])}. Code: commit {recorded['code']}.", "",
        markdown_table(HEADER, replay_rows(runs))])
    write_result("bench_rung_replay.md", text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--replay-only", action="store_true")
    args = parser.parse_args(argv)
    path = RESULTS / "bench_rung_replay.json"
    if not args.replay_only:
        warnings.filterwarnings("ignore")
        task = TASKS[TASK]
        X, y = task.load()
        recorded = {"code": code_version(), "shape": f"{X.shape[0]} × {X.shape[1]}",
                    "loads": [], "runs": []}
        for seed in range(args.seeds):
            recorded["loads"].append(os.getloadavg()[0])
            recorded["runs"].append(record_run(task, X, y, seed))
            print(f"seed {seed}: {len(recorded['runs'][-1])} trials", flush=True)
            path.write_text(json.dumps(recorded) + "\n")
    write_report(json.loads(path.read_text()))



if __name__ == "__main__":
    main()
