"""``tune`` on sklearn_hp's searches: resume from --storage after SIGKILL, --time-budget,
the progress lines of every --search, and the demo with no optional package."""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from sklearn_hp.cli._progress import _spans

from .conftest import run_cli

PROGRESS = re.compile(r"^\[\w+\] trial (\d+)(?:/(\d+))?(?: at budget (\d+))?: "
                      r"score=([^ ,]+)(?: \(\w+\))?, best=([^ ,]+)(?: at budget \d+)?,")


def _progress(text):
    """``(number, total, epochs, score, best)`` of every progress line."""
    rows = []
    for line in text.splitlines():
        match = PROGRESS.match(line)
        if match:
            number, total, epochs, score, best = match.groups()
            rows.append((int(number), total and int(total), epochs and int(epochs),
                         float(score), float(best)))
    return rows


def _stored(path):
    """Trial numbers committed to an SQLite storage (readable while a search writes it)."""
    if not os.path.exists(path):
        return []
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
            return [n for (n,) in conn.execute(
                "SELECT number FROM sklearn_hp_trials ORDER BY number")]
    except sqlite3.OperationalError:  # the tables are not created yet
        return []


@pytest.mark.slow
def test_tune_killed_with_sigkill_resumes_from_storage_without_rerunning(table_csv, tmp_path):
    train, _ = table_csv
    storage = tmp_path / "study.db"
    n_iter = 8
    argv = [sys.executable, "-m", "sklearn_hp", "tune", "--data", str(train), "--target",
            "species", "--search", "bayes", "--n-iter", str(n_iter), "--cv", "2", "--set",
            "max_epochs=60", "--storage", str(storage), "--random-state", "0"]
    first = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while len(_stored(storage)) < 2 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first.poll() is None, "the search ended before it could be killed"
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=60)
    assert first.returncode == -signal.SIGKILL
    kept = _stored(storage)
    # tune races, and a raced search screens: a candidate stopped at its first fold is
    # stored before an earlier one still running, so the kept numbers may have gaps
    assert 2 <= len(kept) < n_iter

    second = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    lines = _progress(second.stdout)
    # only the trials not finished before the kill are run, counted after the kept ones
    assert [row[0] for row in lines] == list(range(len(kept) + 1, n_iter + 1))
    which = _spans(kept)  # "1-2" when the first two were kept, "2, 4" for numbers 1 and 3
    assert f"candidates {which} resumed from the storage (not run again)" in second.stdout
    assert (f"Storage {storage}: {n_iter} candidates, {len(kept)} of them resumed from "
            f"earlier runs, {n_iter - len(kept)} run now.") in second.stdout
    assert f"Top 5 of {n_iter} candidates" in second.stdout
    final = _stored(storage)
    assert len(final) == n_iter and set(kept) <= set(final)

    # a third run finds every trial stored: nothing is fitted again
    status, text = run_cli(argv[3:])
    assert status == 0 and _progress(text) == []
    assert f"{n_iter} candidates, {n_iter} of them resumed from earlier runs, 0 run now" in text


def test_resumed_trial_numbers_read_as_one_based_spans():
    assert _spans([0, 1, 2]) == "1-3"
    assert _spans([1, 3]) == "2, 4"
    assert _spans([0, 1, 2, 4, 6, 7]) == "1-3, 5, 7-8"
    assert _spans([5]) == "6"


def test_time_budget_stops_tune_and_says_so(table_csv, capsys):
    # how many candidates finish in 1.5 s depends on the machine's load: the test holds
    # the command to what it printed, the progress lines, the sentence and the table alike
    train, _ = table_csv
    status, text = run_cli(["tune", "--data", train, "--target", "species", "--search",
                            "random", "--n-iter", 400, "--cv", 2, "--set", "max_epochs=5",
                            "--time-budget", 1.5])
    assert status == 0, capsys.readouterr().err
    done = len(_progress(text))
    assert 1 <= done < 400
    assert [row[0] for row in _progress(text)] == list(range(1, done + 1))
    assert (f"Search stopped by --time-budget 1.5 s after {done} candidates; no further "
            "candidate was started.") in text
    shown = min(5, done)
    assert f"Top {shown} of {done} candidates" in text
    table = text.split(f"Top {shown} of {done} candidates", 1)[1].split("\n\n", 1)[0]
    rows = [line.split() for line in table.splitlines()[3:]]  # after title and header
    ranks = [int(row[0]) for row in rows if row and row[0].isdigit()]
    assert len(ranks) == shown and ranks == sorted(ranks) and 1 <= min(ranks)
    assert max(ranks) <= done


@pytest.mark.parametrize("option", [["--storage", "study.db"], ["--time-budget", "10"]])
def test_grid_refuses_storage_and_time_budget_in_one_line(table_csv, capsys, option):
    train, _ = table_csv
    status, text = run_cli(["tune", "--data", train, "--target", "species", "--search", "grid",
                            *option])
    err = capsys.readouterr().err
    assert status == 2 and text == "" and err.count("\n") == 1
    assert err == (f"sklearn-hp tune: error: {option[0]} is not supported by GridSearchCV; "
                   f"use --search random, bayes or hyperband, or run without {option[0]}.\n")


@pytest.mark.parametrize("search", ["bayes", "random", "hyperband", "grid"])
def test_progress_shows_every_candidate_in_order_with_the_best_so_far(table_csv, search):
    train, _ = table_csv
    status, text = run_cli(["tune", "--data", train, "--target", "species", "--model",
                            "logistic", "--search", search, "--n-iter", 6, "--cv", 2,
                            "--set", "max_epochs=9"])
    assert status == 0
    lines = _progress(text)
    n = int(re.search(r"Top \d+ of (\d+) candidates", text).group(1))
    assert [row[0] for row in lines] == list(range(1, n + 1))  # one line per cv_results_ row
    scores = np.array([row[3] for row in lines])
    if search == "hyperband":  # best= compares like with like: the largest budget so far
        budgets = np.array([row[2] for row in lines])
        top = np.maximum.accumulate(budgets)
        expected = [scores[:i + 1][budgets[:i + 1] == top[i]].max() for i in range(n)]
    else:
        expected = np.maximum.accumulate(scores)
    np.testing.assert_allclose([row[4] for row in lines], expected, atol=1e-4)
    if search == "hyperband":  # 22 trials planned for 9 epochs; each names its epoch budget
        assert {row[1] for row in lines} == {n} and n == 22
        assert {row[2] for row in lines} == {1, 3, 9}
    else:  # grid: 2 penalties x 3 values of alpha (2 x 4 > --n-iter 6)
        assert {row[1] for row in lines} == {n} and n == 6
        assert {row[2] for row in lines} == {None}
    assert "Search stopped" not in text and "Storage" not in text


def test_demo_runs_without_any_optional_package(tmp_path):
    # what `pip install .` gives: no pandas, skops, matplotlib, tqdm or rich
    blocked = ["pandas", "skops", "matplotlib", "tqdm", "rich"]
    code = ("import sys\n"
            "class Absent:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            f"        if name.split('.')[0] in {blocked!r}:\n"
            "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
            "sys.meta_path.insert(0, Absent())\n"
            "from sklearn_hp.cli import main\n"
            "sys.exit(main(['demo', '--n-iter', '3', '--cv', '2', '--max-epochs', '5']))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    assert done.returncode == 0, done.stderr
    accuracy = float(re.search(r"held-out images: ([0-9.]+)", done.stdout).group(1))
    assert accuracy > 0.8  # 3 candidates of 5 epochs already learn the digits
    assert [row[0] for row in _progress(done.stdout)] == [1, 2, 3]
