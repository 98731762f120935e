"""``tune --time-budget`` bounds the whole command: table, checks, search, outputs, report."""

import re
import subprocess
import sys
import time
from types import SimpleNamespace

import numpy as np
import pytest

from sklearn_hp.cli import _deadline
from sklearn_hp.cli._deadline import CommandBudget

from .conftest import run_cli


def _wall(argv):
    start = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    return time.monotonic() - start, done


@pytest.mark.slow
def test_tune_time_budget_bounds_the_whole_command(tmp_path):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 20))
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
    frame["colour"] = rng.choice(["red", "green", "blue"], 3000)
    frame["y"] = np.where(X[:, 0] + X[:, 1] ** 2 + (frame["colour"] == "red") > 1, "a", "b")
    table = tmp_path / "t.csv"
    frame.to_csv(table, index=False)
    command = [sys.executable, "-m", "sklearn_hp"]
    startup, _ = _wall([*command, "--help"])
    # MLP fits of 30 epochs on 2,000 rows: tenths of a second each, a trial about a second
    wall, done = _wall([*command, "tune", "--data", str(table), "--target", "y", "--search",
                        "random", "--n-iter", "300", "--cv", "3", "--set", "max_epochs=30",
                        "--time-budget", "8"])
    assert done.returncode == 0, done.stderr
    assert wall <= 8 * 1.1 + startup, (wall, startup, done.stdout)
    n = int(re.search(r"Search stopped by --time-budget 8 s after (\d+) candidates; no "
                      r"further candidate was started\.", done.stdout).group(1))
    assert 1 <= n < 300
    spent = re.search(r"--time-budget 8 s counts the whole command: (\d+\.\d) s for the table "
                      r"and the checks, (\d+\.\d) s given to the search \(refit included\), the "
                      r"rest for the outputs and the report; done in (\d+\.\d) s\.", done.stdout)
    before, search, total = map(float, spent.groups())
    assert before + search <= 8 and total <= 8 * 1.1
    assert "Diagnosis" in done.stdout


def _search(n_splits=5, fit=0.3, score=0.02):
    return SimpleNamespace(cv_results_={"mean_fit_time": np.array([fit, 9.0]),
                                        "mean_score_time": np.array([score, 9.0])},
                           n_splits_=n_splits, best_index_=0)


def test_diagnosis_runs_on_the_splits_that_fit_in_what_is_left():
    # each fold: 0.3 s fit + 5 x 0.02 s scoring = 0.4 s; all 5 folds 2.0 s
    full = CommandBudget(60, time.monotonic())
    assert full.plan_diagnosis(_search()) == (5, None)
    short = CommandBudget(8, time.monotonic() - 7.0)  # about 1.0 s left: 2 folds
    folds, line = short.plan_diagnosis(_search())
    assert folds == 2
    assert re.fullmatch(r"\nDiagnosis on 2 of the 5 splits only: all 5 would take ~2\.0 s and "
                        r"--time-budget 8 s leaves (0\.9|1\.0) s\.", line)
    late = CommandBudget(8, time.monotonic() - 7.8)
    folds, line = late.plan_diagnosis(_search())
    assert folds == 0 and line.startswith("\nDiagnosis skipped: all 5 would take ~2.0 s and "
                                          "--time-budget 8 s leaves 0.")
    assert line.endswith("Give --time-budget more time for it.")
    # two workers take two folds at a time: 3 rounds of 0.4 s
    assert CommandBudget(60, 0.0, n_jobs=2).diagnosis_seconds(0.4, 5) == pytest.approx(1.2)


def test_search_budget_keeps_the_outputs_and_the_diagnosis(monkeypatch):
    budget = CommandBudget(100, time.monotonic(), plot=True)
    assert budget.outputs == pytest.approx(0.5 + 1.5 + 0.5 + 0.75)
    search = SimpleNamespace(time_budget=None, set_params=lambda **k: search.__dict__.update(k))
    keeper = budget.begin_search(search, n_splits=5)
    assert search.time_budget == pytest.approx(100 - 3.25, abs=0.1) and budget.note is None
    # a trial whose slowest fold fits in 2 s and scores in 0.1 s (x 5 splits): 2.5 s a fold
    splits = [{"fit_time": 1.0, "score_time": 0.1}, {"fit_time": 2.0, "score_time": 0.1}]
    trial = SimpleNamespace(status="complete", score=0.9, budget=None, splits=splits)
    search.trials_ = [trial]
    assert keeper.on_trial_end(search, trial) is False  # never stops the search
    assert search.time_budget == pytest.approx(100 - 3.25 - 5 * 2.5, abs=0.1)
    # a diagnosis dearer than a quarter of the budget is not kept: it is cut afterwards
    splits[1]["fit_time"] = 10.0
    keeper.on_trial_end(search, trial)
    assert search.time_budget == pytest.approx(100 - 3.25, abs=0.1)


def test_late_search_still_gets_a_quarter_and_says_the_command_runs_over():
    budget = CommandBudget(4, time.monotonic() - 5.0)
    search = SimpleNamespace(time_budget=None, set_params=lambda **k: search.__dict__.update(k))
    budget.begin_search(search, n_splits=2)
    assert search.time_budget == pytest.approx(1.0)
    assert re.fullmatch(r"Loading the table and the checks took 5\.\d s of --time-budget 4 s; "
                        r"the search still gets 1\.0 s \(25% of it\), so the command will run "
                        r"over\.", budget.note)


def test_tune_prints_a_cut_diagnosis(table_csv, monkeypatch):
    train, _ = table_csv
    argv = ["tune", "--data", train, "--target", "species", "--search", "random",
            "--n-iter", 4, "--cv", 3, "--set", "max_epochs=5", "--time-budget", 60]
    # no time left after the search: the diagnosis (and the importance) are skipped
    monkeypatch.setattr(CommandBudget, "left", lambda self: 0.0)
    status, text = run_cli(argv)
    assert status == 0
    assert "\nDiagnosis skipped: all 3 would take ~" in text
    assert "Diagnosis of the best model" not in text
    assert "No hyperparameter importance: skipped: --time-budget 60 s leaves 0.0 s" in text
    # all folds would take 99 s, 50 s are left: the diagnosis runs on all splits but one
    monkeypatch.setattr(CommandBudget, "diagnosis_seconds",
                        lambda self, per_fold, n_splits: 99.0)
    monkeypatch.setattr(CommandBudget, "left", lambda self: 50.0)
    monkeypatch.setattr(_deadline, "IMPORTANCE_SECONDS", 1.0)
    status, text = run_cli(argv)
    assert status == 0
    assert ("\nDiagnosis on 2 of the 3 splits only: all 3 would take ~99.0 s and "
            "--time-budget 60 s leaves 50.0 s.") in text
    assert re.search(r"Diagnosis of the best model \(cross-validated again on 2 of the 3 "
                     r"splits\):\nverdict: ", text)
