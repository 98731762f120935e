"""benchmarks/bench_racing.py: what counts as reaching the target, and when."""

import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier

from benchmarks import bench_racing as b
from sklearn_hp.search import BayesSearchCV, HyperbandSearchCV, Integer, Real


@pytest.fixture(scope="module")
def data():
    return make_classification(120, 5, random_state=0)


def test_a_budget_search_counts_only_trials_at_the_full_budget(data):
    stopper = b.StopAtScore(target=0.0)
    search = HyperbandSearchCV(GradientBoostingClassifier(n_estimators=9, random_state=0),
                               {"learning_rate": Real(0.05, 0.5, log=True)},
                               resource="n_estimators", max_resource=9, min_resource=1,
                               random_state=0, cv=3, refit=False, callbacks=[stopper])
    search.fit(*data)
    # every score reaches 0.0: the first trial at 9 estimators stops the search,
    # after the lower rungs of its bracket ran
    assert len(stopper.stamps_) == 1
    budgets = [trial.budget for trial in search.trials_]
    assert budgets[-1] == 9 and budgets.count(9) == 1 and min(budgets) == 1


@pytest.mark.parametrize("run_until, n_trials", [(None, 1), (1e9, 6)])
def test_a_run_told_to_run_on_does_not_stop_at_the_target(data, run_until, n_trials):
    stopper = b.StopAtScore(target=0.0, run_until=run_until)
    search = BayesSearchCV(GradientBoostingClassifier(n_estimators=5, random_state=0),
                           {"learning_rate": Real(0.05, 0.5, log=True)}, n_iter=6,
                           sampler="random", random_state=0, cv=3, refit=False,
                           callbacks=[stopper]).fit(*data)
    assert len(search.trials_) == len(stopper.stamps_) == n_trials


def test_time_to_target_is_that_of_the_first_trial_reaching_it():
    complete = [[1.0, 0.80], [2.5, 0.91], [4.0, 0.95]]
    assert b.time_to_target(complete, 9.0, 0.90) == 2.5
    assert b.time_to_target(complete, 9.0, 0.99) == 9.0  # never reached: the whole run


def test_a_perfect_race_keeps_every_fold_of_improving_trials_only():
    # improving: 0.50 (the first), 0.60, 0.70 (reaches the target, the last counted);
    # 0.40 and the tie at 0.60 stop after one fold; the trial after the target is not counted
    scores = [0.50, 0.40, 0.60, 0.60, 0.70, 0.99]
    assert b.perfect_race_share(scores, 0.70, 5) == pytest.approx((3 * 5 + 2) / 25)
    # a run that never reaches the target counts every trial: 1 improving, 3 stopped
    assert b.perfect_race_share(scores[:1] + [0.1] * 3, 0.9, 5) == pytest.approx(8 / 20)


def test_floor_rows_pair_each_unraced_search_with_its_raced_twin():
    records = [_record("ours GP", s, seconds=4.0, complete=[[1, 0.5], [2, 0.4], [3, 0.9]])
               for s in (0, 1)]
    records += [_record("ours GP raced", s, seconds=2.0 + s) for s in (0, 1)]
    records += [_record("ours Hyperband", 0, seconds=1.0, complete=[[1, 0.9]])]
    (row,) = b.floor_rows(records, {"t": {"half": "held-out", "target": 0.9}})
    assert row[:3] == ["t", "held-out", "ours GP"]
    assert row[3] == "0.73 (0.73–0.73)"  # (5 + 1 + 5) / 15
    assert row[4] == "**0.62** (0.50–0.75)"


def _record(method, seed, **fields):
    return {"task": "t", "half": "held-out", "threads": "default", "seed": seed,
            "method": method, "load": 0.5, **fields}


def test_same_time_rows_compare_runs_that_ran_on_at_the_peers_end():
    records = [
        _record("HalvingRandomSearchCV", 0, seconds=10.0, best=0.85),
        _record("Optuna WilcoxonPruner", 0, seconds=3.0, ran_seconds=3.0, best=0.90),
        # ran on to 10 s: best 0.88 at 3 s, 0.92 at 10 s
        _record("ours GP raced", 0, seconds=2.0, run_until=10.0, best=0.92,
                complete=[[2.0, 0.88], [9.0, 0.92], [11.0, 0.95]]),
        # stopped at the target: no best at a later time, left out
        _record("ours random raced", 0, seconds=2.0, run_until=None, best=0.9,
                complete=[[2.0, 0.9]]),
    ]
    (row,) = b.same_time_rows(records)
    assert row[:3] == ["t", "default", "ours GP raced"]
    assert row[3].startswith("+0.0700") and row[3].endswith("1/1 ≥ 0")
    assert row[4].startswith("-0.0200") and row[4].endswith("0/1 ≥ 0")


def test_reports_merge_and_a_later_run_of_a_task_replaces_the_earlier():
    def report(tasks, code, target=0.9):
        return {"args": f"--tasks {' '.join(tasks)}", "code": code,
                "targets": {task: {"target": target} for task in tasks},
                "records": [_record("ours GP", 0, task=task) for task in tasks]}

    merged = b.merge_reports([report(["a"], "c1"), report(["b"], "c1")])
    assert list(merged["targets"]) == ["a", "b"] and len(merged["records"]) == 2
    assert merged["code"] == "c1"
    assert merged["args"].count("--tasks") == 2
    merged = b.merge_reports([report(["a", "b"], "c1"), report(["b"], "c2", target=0.8),
                              report(["c"], "c3")])
    assert sorted(merged["targets"]) == ["a", "b", "c"]
    assert merged["targets"]["b"]["target"] == 0.8
    assert sorted(r["task"] for r in merged["records"]) == ["a", "b", "c"]
    assert "--tasks b (replacing the b runs above)` and `" in merged["args"]
    assert merged["code"] == "c1, c2, c3"


def test_a_budget_search_stops_once_the_cap_of_candidates_started(data):
    stopper = b.StopAtScore(target=2.0, max_candidates=5)  # a target no score reaches
    search = HyperbandSearchCV(GradientBoostingClassifier(n_estimators=9, random_state=0),
                               {"learning_rate": Real(0.05, 0.5, log=True)},
                               resource="n_estimators", max_resource=9, min_resource=1,
                               n_iterations=10, random_state=0, cv=3, refit=False,
                               callbacks=[stopper])
    search.fit(*data)
    # a rung runs as one batch: the search stops at the end of the first rung,
    # of 9 candidates, instead of running 10 iterations
    assert [trial.rung for trial in search.trials_].count(0) == 9
    assert search.stop_reason_ is not None


def test_a_rerun_replaces_only_its_methods_and_runs_on_to_the_recorded_peers(monkeypatch):
    calls = []

    def fake_run(task, X, y, seed, method, target, cap, run_until=None):
        calls.append((seed, method, target, run_until))
        return {"seconds": 1.0, "best": 0.9, "load": 0.1, "reached": True, "n_trials": 3,
                "n_fits": 9}

    monkeypatch.setattr(b, "run_ours", fake_run)
    task = b.TASKS["logistic_pipeline"]
    records = [_record("RandomizedSearchCV", 0, task=task.name),
               _record("HalvingRandomSearchCV", 0, task=task.name, seconds=7.0),
               _record("Optuna WilcoxonPruner", 0, task=task.name, seconds=2.0,
                       ran_seconds=9.0),
               _record("ours GP raced", 0, task=task.name, seconds=5.0),
               _record("ours GP", 0, task=task.name, seconds=8.0)]
    report = {"seeds": [0], "targets": {task.name: {"target": 0.8}}, "records": records}
    saved = []
    out = b.rerun_methods(report, task, ["ours GP raced"], [("default", None), ("1", 1)],
                          10, saved.append)
    # the raced run at the first setting runs on to the later peer end: 9 s
    assert calls == [(0, "ours GP raced", 0.8, 9.0), (0, "ours GP raced", 0.8, None)]
    assert [r["method"] for r in out] == ["RandomizedSearchCV", "HalvingRandomSearchCV",
                                         "Optuna WilcoxonPruner", "ours GP", "ours GP raced",
                                         "ours GP raced"]
    assert [r["seconds"] for r in out if r["method"] == "ours GP raced"] == [1.0, 1.0]
    assert len(saved) == 2


def test_extra_seeds_keep_the_recorded_runs_and_stop_at_the_target(monkeypatch):
    calls = []

    def fake_run(task, X, y, seed, method, target, cap, run_until=None):
        calls.append((seed, method, run_until))
        return {"seconds": 2.0, "best": 0.9, "load": 0.1, "reached": True, "n_trials": 3,
                "n_fits": 9, "complete": [[2.0, 0.9]]}

    monkeypatch.setattr(b, "run_ours", fake_run)
    task = b.TASKS["logistic_pipeline"]
    done = {"task": task.name, "half": "tuning", "best": 0.9, "reached": True, "n_trials": 3,
            "n_fits": 9, "complete": [[5.0, 0.9]]}
    records = [_record("RandomizedSearchCV", 0, seconds=10.0, **done),
               _record("Optuna WilcoxonPruner", 0, seconds=2.0, **done),
               _record("ours GP raced", 0, seconds=5.0, **done),
               _record("ours GP", 0, seconds=8.0, **done)]
    report = {"seeds": [0], "records": records, "args": "", "cap": 10, "n_random": 60,
              "threads_info": "",
              "targets": {task.name: {"target": 0.8, "half": "tuning", "shape": "1 × 1"}}}
    out = b.rerun_methods(report, task, ["ours GP raced", "ours GP"], [("default", None)],
                          10, lambda records: None, seeds=[1, 2])
    # no peers on seeds 1 and 2: nothing to run on to
    assert calls == [(1, "ours GP raced", None), (1, "ours GP", None),
                     (2, "ours GP raced", None), (2, "ours GP", None)]
    assert out[:4] == records
    assert sorted(r["seed"] for r in out if r["method"] == "ours GP raced") == [0, 1, 2]
    report["records"] = out
    text = b.report_text(report)
    assert "More seeds than the peers' for logistic_pipeline: ours GP raced, ours GP (seeds 1–2)" \
        in text
    # raced / unraced over the three seeds (5/8, 2/2, 2/2), ours / Optuna on seed 0 alone (5/2)
    row = next(line for line in text.splitlines() if "| ours GP raced | **" in line)
    assert "**1.00** (0.62–1.00)" in row and "**2.50**" in row


def test_a_rung_stop_is_judged_against_the_weakest_candidate_its_rung_promoted():
    X, y = make_classification(500, 8, n_informative=4, flip_y=0.05, random_state=1)
    search = HyperbandSearchCV(GradientBoostingClassifier(n_estimators=27, random_state=0),
                               {"learning_rate": Real(0.001, 1.0, log=True),
                                "max_depth": Integer(1, 4), "subsample": Real(0.5, 1.0)},
                               resource="n_estimators", max_resource=27, min_resource=3,
                               random_state=0, cv=b.CV, refit=False, racing=True).fit(X, y)
    results = search.cv_results_
    n_run = list(results["n_splits_run"])
    stops = b.rung_stops(search)
    assert len(stops) == sum(n < 5 for n in n_run) > 0
    rung_of = {}
    for row, params in enumerate(results["params"]):
        rung_of.setdefault((results["bracket"][row], results["iter"][row]), []).append(row)
    for params, ran, bar in stops:
        row = results["params"].index(params)
        assert len(ran) == n_run[row] < 5
        rung = (results["bracket"][row], results["iter"][row])
        nxt = [results["params"][r]["learning_rate"]
               for r in rung_of.get((rung[0], rung[1] + 1), [])]
        promoted = [results["mean_test_score"][r] for r in rung_of[rung]
                    if results["params"][r]["learning_rate"] in nxt]  # distinct rates
        assert bar == (min(promoted) if promoted else None)
    assert any(bar is not None for _, _, bar in stops)
    # the false stops are counted against those bars (skipped folds fitted at the rung's budget)
    record = {"best": 2.0, "stopped": stops}
    task = b.Task("toy", "tuning", lambda: GradientBoostingClassifier(random_state=0), {},
                  lambda: (X, y))
    b.false_stops(task, X, y, record)
    assert record["n_stopped"] == len(stops) and 0 <= record["n_false_stops"] <= len(stops)
    assert record["closest_stop"] > -1.0  # margins against bars near 0.9, not the best of 2.0
