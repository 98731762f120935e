"""benchmarks/bench_rung_replay.py: a rung's replayed race and what counts as a false stop."""

import numpy as np

from benchmarks import bench_rung_replay as r

BAR_FOLDS = [0.90, 0.80, 0.85, 0.95, 0.90]


def _row(bracket, rung, gap, model, last=False, noise=0.0, seed=0):
    jitter = np.random.default_rng(seed).normal(0, noise, 5) if noise else np.zeros(5)
    return {"bracket": bracket, "rung": rung, "last": last, "fit_time": 1.0, "model": model,
            "folds": list(np.array(BAR_FOLDS) - gap + jitter)}


def _run():
    """Bracket 0: 9 candidates at rung 0 (3 promoted), then those 3 at the last rung."""
    gaps = [0.0, 0.004, 0.008, 0.010, 0.012, 0.15, 0.16, 0.17, 0.18]
    rung0 = [_row(0, 0, g, f"m{i}", noise=0.003, seed=i) for i, g in enumerate(gaps)]
    rung1 = [_row(0, 1, g, f"m{i}", last=True, noise=0.003, seed=10 + i)
             for i, g in enumerate(gaps[:3])]
    return rung0 + rung1


def test_rungs_are_judged_against_the_weakest_promoted_and_the_last_against_the_best():
    run = _run()
    (rows0, bar0, last0), (rows1, bar1, last1) = r.rungs_of(run)
    assert (len(rows0), last0, len(rows1), last1) == (9, False, 3, True)
    assert bar0 == min(np.mean(row["folds"]) for row in rows0[:3])
    assert bar1 == max(np.mean(row["folds"]) for row in rows1)


def test_the_replay_stops_the_hopeless_after_one_fold_and_counts_no_false_stop():
    rows, bar, last = r.rungs_of(_run())[0]
    stops, seconds, false = r.replay_rung(rows, bar, last, 0.05, np.arange(5))
    # the four candidates 0.15 below stop at their first fold, the close ones run on;
    # each skipped fit is priced at its candidate's fit time, 1 s here
    assert stops[-4:] == [1, 1, 1, 1] and seconds == sum(5 - ran for ran in stops) >= 16
    assert false == []


def test_a_stop_above_the_promoted_bar_is_counted_false_with_its_excess():
    rows, bar, last = r.rungs_of(_run())[0]
    # pretend the rung promoted a candidate far below: every stop beats that bar
    stops, _, false = r.replay_rung(rows, bar - 0.5, last, 0.05, np.arange(5))
    assert len(false) == len(stops) >= 4
    assert min(false) > 0.5 - 0.2
