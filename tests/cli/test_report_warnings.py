"""What ``tune`` reports: bound warnings, clean names, and honest progress lines."""

import re
import time
from types import SimpleNamespace

import pytest
from scipy.stats import loguniform

from sklearn_hp.cli._progress import CommandProgress
from sklearn_hp.cli._report import bound_warnings
from sklearn_hp.search import Categorical, Integer, Real

from .conftest import run_cli


def _search(space, best):
    return SimpleNamespace(search_spaces=space, best_params_=best)


def test_best_at_the_lower_bound_of_a_log_range_names_it_and_a_wider_range():
    space = {"model__regressor__alpha": Real(1e-6, 1.0, log=True),
             "model__regressor__penalty": Categorical(["l2", "l1"])}
    (line,) = bound_warnings(_search(space, {"model__regressor__alpha": 1.2e-6,
                                             "model__regressor__penalty": "l2"}))
    assert line == ("Warning: alpha=1.2e-06 is at the lower bound of its range [1e-06, 1]; "
                    "better values may lie beyond it: widen it with --space (e.g. alpha = "
                    "{low = 1e-07, high = 1, log = true}).")


@pytest.mark.parametrize("dimension, value, expected", [
    (Real(1e-4, 3e-2, log=True), 2.9e-2, "learning_rate=0.029 is at the upper bound of its "
                                         "range [0.0001, 0.03]"),
    (Integer(8, 64), 64, "learning_rate=64 is at the upper bound of its range [8, 64]; "
                         "better values may lie beyond it: widen it with --space (e.g. "
                         "learning_rate = {low = 8, high = 92})"),
    (Real(0.1, 0.5), 0.1, "lower bound of its range [0.1, 0.5]; better values may lie beyond "
                          "it: widen it with --space (e.g. learning_rate = {low = 0, high = "
                          "0.5})"),
    (loguniform(1e-3, 1.0), 1.05e-3, "learning_rate=0.00105 is at the lower bound of its "
                                     "range [0.001, 1]"),
    ([1e-4, 1e-3, 1e-2], 1e-2, "learning_rate=0.01 is at the upper bound of its range "
                               "[0.0001, 0.01]; better values may lie beyond it: widen it "
                               "with --space (e.g. learning_rate = {low = 0.0001, high = 0.1, "
                               "log = true})"),
])
def test_bounds_of_every_kind_of_range(dimension, value, expected):
    (line,) = bound_warnings(_search({"model__learning_rate": dimension},
                                     {"model__learning_rate": value}))
    assert expected in line


@pytest.mark.parametrize("dimension, value", [
    (Real(1e-6, 1.0, log=True), 1e-5),    # a sixth of the log range from the bound
    (Real(0.0, 0.5), 0.0),                # dropout 0 cannot go lower
    ([1e-4, 1e-3, 1e-2], 1e-3),           # the middle of a grid
    (Categorical([1, 2, 3]), 1),          # choices have no bounds
    ([0.1, 0.5], 0.1),                    # two values: both ends, nothing inside
])
def test_no_warning_inside_a_range_or_where_it_cannot_widen(dimension, value):
    assert bound_warnings(_search({"model__dropout": dimension},
                                  {"model__dropout": value})) == []


def test_tune_warns_when_the_best_grid_point_is_the_end_of_the_range(tmp_path):
    space = tmp_path / "space.json"
    space.write_text('{"alpha": {"low": 1.0, "high": 100.0, "log": true}}')
    status, text = run_cli(["tune", "--data", "breast_cancer", "--model", "logistic",
                            "--search", "grid", "--n-iter", 3, "--cv", 2, "--space", space])
    assert status == 0
    assert ("Warning: alpha=1 is at the lower bound of its range [1, 100]; better values may "
            "lie beyond it: widen it with --space (e.g. alpha = {low = 0.1, high = 100, "
            "log = true}).") in text


def test_regression_report_shows_names_as_set_takes_them():
    status, text = run_cli(["tune", "--data", "diabetes", "--model", "linear", "--n-iter", 4,
                            "--cv", 2, "--search", "random", "--set", "max_epochs=30"])
    assert status == 0
    report = text[text.index("Top 4 of 4"):]
    assert "regressor__alpha" not in report and "model__regressor__alpha" not in report
    assert re.search(r"^1 .*alpha=", report, re.MULTILINE)
    assert re.search(r"^alpha = \S+  \(the search\)", report, re.MULTILINE)
    assert "max_epochs = 30  (you)" in report
    assert "model__regressor__coef_: shape (10,)" in report  # learned: where they live
    advice = re.findall(r"^  (?:increase|decrease|set to True) (\S+): ", report, re.MULTILINE)
    assert all("__" not in name for name in advice), advice


def _progress(total):
    lines = []
    progress = CommandProgress(lines.append)
    progress._begin("Search", total, 0)
    return progress, lines


def test_best_in_a_budget_search_is_the_best_at_the_largest_budget_so_far():
    progress, lines = _progress(5)
    for score, budget in ((0.9, 1), (0.5, 3), (0.95, 1), (0.6, 3), (float("nan"), 9)):
        progress._advance(score, budget=budget)
    best = [re.search(r"best=(\S+) at budget (\d+)", line).groups() for line in lines]
    assert best == [("0.9", "1"), ("0.5", "3"), ("0.5", "3"), ("0.6", "3"), ("nan", "9")]


def test_time_left_is_planned_trials_times_pace_capped_by_the_budget_never_negative():
    progress, lines = _progress(10)
    progress._advance(0.5)
    progress._start = time.monotonic() - 20.0  # 2 trials in 20 s: 10 s a trial
    progress._advance(0.6)
    assert lines[-1].endswith("left ~80s")  # 8 planned trials left
    progress._advance(0.7, left=30.0)  # a time budget with 30 s left caps it
    assert lines[-1].endswith("left ~30s")
    progress._advance(0.7, left=-1.0)  # the budget is spent: nothing is left, not -1 s
    assert lines[-1].endswith("left ~0s")
    unplanned, lines = _progress(None)
    unplanned._advance(0.1)
    assert lines[-1].endswith("left ~?") and "best=0.1," in lines[-1]


def test_hyperband_progress_lines_of_the_cli(capsys):
    status, text = run_cli(["tune", "--data", "iris", "--model", "logistic", "--search",
                            "hyperband", "--cv", 2, "--set", "max_epochs=9"])
    assert status == 0, capsys.readouterr().err
    top, best_at_top = 0, float("-inf")
    trials = [line for line in text.splitlines() if " trial " in line]
    assert trials
    for line in trials:
        budget, score = re.search(r"at budget (\d+): score=(\S+)", line).groups()
        if int(budget) > top:
            top, best_at_top = int(budget), float("-inf")
        if int(budget) == top:
            best_at_top = max(best_at_top, float(score))
        assert f"best={best_at_top:.4g} at budget {top}," in line
        assert not re.search(r"left ~-", line)


def test_best_after_a_resume_counts_the_trials_the_storage_resumed(tmp_path):
    from sklearn_hp.search import BayesSearchCV
    from tests.search.test_no_lost_trial import SPACE, InOrder, Scripted, X, Y

    def search(n_iter, callbacks=None):
        return BayesSearchCV(Scripted(log=str(tmp_path / "fits.log")), SPACE, n_iter=n_iter,
                             batch_size=1, sampler=InOrder(), cv=2, refit=False,
                             storage=str(tmp_path / "s.db"), callbacks=callbacks)

    first = search(6).fit(X, Y)
    best_stored = max(t.score for t in first.trials_)
    lines = []
    resumed = search(8, [CommandProgress(lines.append)]).fit(X, Y)
    new = [t.score for t in resumed.trials_[6:]]
    assert max(new) < best_stored  # the new trials alone would show a lower best
    assert lines[0] == "candidates 1-6 resumed from the storage (not run again)"
    assert [f"best={best_stored:.4g}," in line for line in lines[1:]] == [True, True]
