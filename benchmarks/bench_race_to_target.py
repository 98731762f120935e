"""Racing the GP's candidates on the way to the target, replayed on the tuning half.

``bench_racing.py`` finds that racing saves the GP little: raced / unraced 0.8 to
1.0 of the time held out, against about half with random candidates. This script
asks why, on the tuning half only. It records unraced ``BayesSearchCV`` runs with
the default GP sampler that stop once a complete trial reaches the task's target
(the median best of ``RandomizedSearchCV`` with 60 candidates, from
``bench_racing_tuning.json`` and ``bench_racing_hist_boosting.json``), then races
their fold scores afterwards, a candidate at a time against the complete trials
before it, in several fold orders, under several rules (level per look, floor of
the pooled spread). For each rule it gives the share of the run's fits the race
leaves, beside that of a *perfect* race (every fold of a trial that beats the best
before it, one fold of every other: the least any race can leave on that
trajectory), and the stops that were wrong: a stopped candidate whose full mean
beats the best complete trial before it (it would have become the incumbent), and
one whose full mean reaches the target (the run would have ended there).

Usage::

    python benchmarks/bench_race_to_target.py                # record 30 seeds (~12 min), replay
    python benchmarks/bench_race_to_target.py --replay-only  # replay the recorded runs
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
    _spread,
    code_version,
    perfect_race_share,
    race_in_turn,
    reached,
    unraced_folds,
)

#: Files this script writes under benchmarks/results/.
OUTPUTS = {"bench_race_to_target.md": "(no arguments)",
           "bench_race_to_target.json": "(no arguments)"}
RUN_TIME = "~12 min on the project's 2-core machine (30 seeds); --replay-only ~1 min"

#: The tuning half's tasks and the results file holding each one's target.
TARGET_FILES = {"svc_digits": "bench_racing_tuning.json",
                "logistic_pipeline": "bench_racing_tuning.json",
                "hist_boosting": "bench_racing_hist_boosting.json"}
CAP = 120  # candidates at most, as in bench_racing
N_ORDERS = 10
#: Rules replayed: label -> (level per look, floor of the pooled spread).
RULES = {"5 %, floor 0.25 (before)": (0.05, 0.25), "5 %, floor 0.5 (now)": (0.05, 0.5),
         "5 %, floor 0.75": (0.05, 0.75), "10 %, floor 0.25": (0.1, 0.25),
         "20 %, floor 0.25": (0.2, 0.25)}


def replay_run(folds, target, level, floor):
    """Race one run's ``folds`` (candidates × folds, in a fold order) under a rule.

    Returns ``(fits kept, stops, stops beating the best before them, stops
    reaching the target)``.
    """
    kept, stops, beat, reaching = 0, 0, 0, 0
    for k, ran, beats in race_in_turn(folds, alpha=level, floor=floor):
        if ran is None:
            kept += folds.shape[1]
            continue
        kept += ran
        stops += 1
        beat += beats
        reaching += reached(folds[k].mean(), target)
    return kept, stops, beat, reaching


def replay_rows(recorded):
    """Rows per task and rule, over the recorded runs in ``N_ORDERS`` fold orders."""
    orders = [np.random.default_rng(k).permutation(CV.get_n_splits()) for k in range(N_ORDERS)]
    rows = []
    for task, runs in recorded["runs"].items():
        target = recorded["targets"][task]
        runs = [np.array(folds) for folds in runs]
        perfect = [perfect_race_share(folds.mean(1), target, folds.shape[1]) for folds in runs]
        for label, (level, floor) in RULES.items():
            shares, totals = [], np.zeros(3, dtype=int)
            for folds in runs:
                for order in orders:
                    kept, *counts = replay_run(folds[:, order], target, level, floor)
                    shares.append(kept / folds.size)
                    totals += counts
            stops, beat, reaching = totals
            rows.append([task, label, _spread(shares, 2), _spread(perfect, 2), stops,
                         f"{beat} ({beat / stops:.1%})", reaching])
    return rows


HEADER = ["task", "rule: level per look, spread floor", "fits kept: median (min–max)",
          "a perfect race's", f"stops, {N_ORDERS} fold orders", "stops beating the best before",
          "stops reaching the target"]


def write_report(recorded):
    runs = recorded["runs"]
    n_seeds = len(next(iter(runs.values())))
    text = "\n".join([
        "# Racing the GP's candidates on the way to the target (tuning half, replayed)", "",
        f"Command: `python benchmarks/bench_race_to_target.py`. Unraced `BayesSearchCV` runs "
        f"(GP sampler, seeds 0–{n_seeds - 1}, 5-fold CV, at most {CAP} candidates) stopping "
        "once a complete trial reaches the task's target; their fold scores are raced "
        f"afterwards in {N_ORDERS} fold orders, a candidate at a time against the complete "
        "trials before it. Fits kept: the share of the run's fits the race leaves (median "
        "and range over runs and orders); a perfect race's: every fold of a trial that "
        "beats the best before it, one fold of every other, in the recorded order. A stop "
        "beating the best before it would have become the incumbent; one reaching the "
        "target would have ended the run. Targets: "
        + ", ".join(f"{t} {v:.4f}" for t, v in recorded["targets"].items())
        + f". Load average at the start of each recording: {_spread(recorded['loads'])}. "
        f"Code: commit {recorded['code']}.", "",
        markdown_table(HEADER, replay_rows(recorded))])
    write_result("bench_race_to_target.md", text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--replay-only", action="store_true")
    args = parser.parse_args(argv)
    path = RESULTS / "bench_race_to_target.json"
    if not args.replay_only:
        warnings.filterwarnings("ignore")
        recorded = {"code": code_version(), "loads": [], "targets": {}, "runs": {}}
        for name, source in TARGET_FILES.items():
            target = json.loads((RESULTS / source).read_text())["targets"][name]["target"]
            recorded["targets"][name] = target
            task = TASKS[name]
            X, y = task.load()
            for seed in range(args.seeds):
                recorded["loads"].append(os.getloadavg()[0])
                folds, _ = unraced_folds(task, X, y, seed, "gp", n_iter=CAP, target=target)
                recorded["runs"].setdefault(name, []).append(folds.tolist())
                print(f"{name} seed {seed}: {len(folds)} trials", flush=True)
                path.write_text(json.dumps(recorded) + "\n")
    write_report(json.loads(path.read_text()))


if __name__ == "__main__":
    main()
