"""Search-level callbacks: stoppers, progress display, and the hook order."""

import dataclasses
import datetime
import io
import time
from unittest import mock

import numpy as np
import pytest
import scipy.optimize

from sklearn_hp.search import (
    BayesSearchCV,
    DeadlineStopper,
    HyperbandSearchCV,
    NoImprovementStopper,
    ProgressSnapshot,
    SearchCallback,
    SearchProgress,
    TrialRecord,
)
from tests.search.test_no_lost_trial import SPACE, InOrder, Scripted, X, Y


def _bayes(tmp_path, callbacks, n_iter=12, **kw):
    return BayesSearchCV(Scripted(log=str(tmp_path / "fits.log")), SPACE, n_iter=n_iter,
                         batch_size=1, sampler=InOrder(), cv=2, callbacks=callbacks,
                         refit=False, **kw)


class Hooks(SearchCallback):
    def __init__(self):
        self.calls = []

    def on_search_begin(self, search):
        self.calls.append(("begin", len(search.trials_)))

    def on_trial_end(self, search, trial):
        self.calls.append(("trial", trial.number, trial.status, len(search.trials_)))

    def on_search_end(self, search):
        self.calls.append(("end", len(search.trials_)))


def test_hooks_see_every_new_trial_in_order(tmp_path):
    hooks = Hooks()
    _bayes(tmp_path, [hooks], n_iter=3).fit(X, Y)
    assert hooks.calls == [("begin", 0), ("trial", 0, "complete", 1), ("trial", 1, "complete", 2),
                           ("trial", 2, "complete", 3), ("end", 3)]
    # resuming: stored trials are not shown again; the end hook runs after an error too
    db = str(tmp_path / "s.db")
    _bayes(tmp_path, None, n_iter=2, storage=db).fit(X, Y)
    hooks = Hooks()
    _bayes(tmp_path, [hooks], n_iter=3, storage=db).fit(X, Y)
    assert hooks.calls == [("begin", 0), ("trial", 2, "complete", 3), ("end", 3)]


@pytest.mark.filterwarnings("ignore:One or more of the test scores")
def test_no_improvement_stopper_counts_trials_since_the_best(tmp_path):
    # k = 0, 1, 2, ... improves until 17; from there a constant model never improves
    search = _bayes(tmp_path, [NoImprovementStopper(patience=3)], n_iter=30)
    search.set_params(estimator=Scripted(log=str(tmp_path / "fits.log"), failing=(3, 4, 5)))
    search.fit(X, Y)
    # trials 3, 4, 5 fail (no improvement): the search stops after trial 5
    assert search.n_trials_ == 6
    assert search.stop_reason_ == "callback NoImprovementStopper"
    bad = NoImprovementStopper(patience=0)  # checked when the search begins
    with pytest.raises(ValueError, match=r"'patience' parameter of NoImprovementStopper must "
                                         r"be an int in the range \[1, inf\)\. Got 0 instead"):
        _bayes(tmp_path, [bad]).fit(X, Y)


def test_deadline_stopper(tmp_path):
    past = DeadlineStopper(datetime.datetime.now() - datetime.timedelta(seconds=1))
    search = _bayes(tmp_path, [past]).fit(X, Y)
    assert search.n_trials_ == 1 and search.stop_reason_ == "callback DeadlineStopper"
    future = DeadlineStopper(time.time() + 3600)
    assert _bayes(tmp_path, [future]).fit(X, Y).n_trials_ == 12
    bad = DeadlineStopper("tomorrow")  # checked when the search begins
    with pytest.raises(ValueError, match="'deadline' parameter of DeadlineStopper must be an "
                                         "instance of 'datetime.datetime' or .* Got 'tomorrow'"):
        _bayes(tmp_path, [bad]).fit(X, Y)


def test_progress_lines_show_trials_best_score_and_time_left(tmp_path):
    out = io.StringIO()
    _bayes(tmp_path, [SearchProgress(bar=False, file=out)], n_iter=4).fit(X, Y)
    lines = out.getvalue().splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("[BayesSearchCV] trial 1/4: score=-17.11 (complete), best=-17.11")
    assert "best=-14.11" in lines[3] and "left ~" in lines[3]

    out = io.StringIO()
    HyperbandSearchCV(Scripted(log=str(tmp_path / "f.log")), SPACE, max_resource=9, cv=2,
                      random_state=0, time_budget=60, refit=False,
                      callbacks=[SearchProgress(bar=False, file=out)]).fit(X, Y)
    lines = out.getvalue().splitlines()
    assert len(lines) == 22 and lines[-1].startswith("[HyperbandSearchCV] trial 22/22 at budget 9:")
    # bracket s=2: 9 candidates at 1 epoch, 3 at 3, 1 at 9; then s=1: 5 at 3, 1 at 9; s=0: 3 at 9
    budgets = [int(line.split(" at budget ")[1].split(":")[0]) for line in lines]
    assert budgets == [1] * 9 + [3] * 3 + [9] + [3] * 5 + [9] + [9] * 3

    # resumed from storage: the count goes on from the stored trials
    db = str(tmp_path / "s.db")
    _bayes(tmp_path, None, n_iter=2, storage=db).fit(X, Y)
    out = io.StringIO()
    _bayes(tmp_path, [SearchProgress(bar=False, file=out)], n_iter=4, storage=db).fit(X, Y)
    assert [line.split(":")[0] for line in out.getvalue().splitlines()] == [
        "[BayesSearchCV] trial 3/4", "[BayesSearchCV] trial 4/4"]


class _Snapshots:
    """A stand-in search whose ``progress_`` is the snapshot set last."""

    def __init__(self, **fields):
        self.progress_ = ProgressSnapshot(n_trials=0, n_resumed=0, best_score=np.nan,
                                          time_left=None, **fields)


def test_time_left_of_a_budget_search_fits_a_cost_per_trial_and_per_unit_of_budget():
    # a bracket of 9 candidates at budget 1, 3 at 3, 1 at 9: 13 trials, budget 27;
    # each trial costs 0.5 s + 0.5 s per unit of budget
    out = io.StringIO()
    progress, search = SearchProgress(bar=False, file=out), _Snapshots(
        n_planned=13, planned_budget=27.0, budget_done=0.0)
    progress.on_search_begin(search)
    elapsed, done_budget = 0.0, 0.0
    for number, budget in enumerate([1] * 9 + [3] * 3):
        elapsed += 0.5 + 0.5 * budget
        done_budget += budget
        search.progress_ = dataclasses.replace(search.progress_, n_trials=number + 1,
                                               budget_done=done_budget)
        progress._start = time.monotonic() - elapsed
        progress.on_trial_end(search, TrialRecord(number, {}, 0.5, "complete", [],
                                                  extra={"n_resources": budget}))
        if number == 8:
            # one budget so far: a fixed cost per trial (4 trials x 1 s) or a cost
            # per unit of budget (18 units x 1 s) cannot be told apart yet
            assert out.getvalue().splitlines()[-1].endswith("left ~4-18s")
    # two budgets: 0.5 s for the last trial plus 9 units x 0.5 s
    assert out.getvalue().splitlines()[-1].endswith("left ~5s")
    # a search without budgets keeps the pace per trial: 4 of 13 trials left
    out = io.StringIO()
    progress, search = SearchProgress(bar=False, file=out), _Snapshots(n_planned=13)
    progress.on_search_begin(search)
    for done in range(1, 10):
        progress._start = time.monotonic() - done
        progress.on_trial_end(search, TrialRecord(done - 1, {}, 0.5, "complete", []))
    assert out.getvalue().splitlines()[-1].endswith("left ~4s")


def test_the_pace_of_a_long_budget_search_comes_from_at_most_500_trials():
    # 1,200 trials alternating budgets 1 and 3 at 0.5 s + 0.5 s per unit: the fit
    # reads 500 of them, evenly spread, and still finds both costs
    progress = SearchProgress(bar=False, file=io.StringIO())
    progress._begin("search", 1300, 0)
    trials = budget = seconds = 0.0
    for k in range(1200):
        b = 1 if k % 2 else 3
        trials, budget, seconds = trials + 1, budget + b, seconds + 0.5 + 0.5 * b
        progress._stamps.append((trials, budget, seconds))
    progress._budgets = {1, 3}
    rows, nnls = [], scipy.optimize.nnls

    def counting_nnls(A, b):
        rows.append(len(A))
        return nnls(A, b)

    with mock.patch("scipy.optimize.nnls", counting_nnls):
        pace = progress._fitted_pace()
    np.testing.assert_allclose(pace, [0.5, 0.5], rtol=1e-9)
    assert rows == [400]  # every third of 1,200


def test_a_budget_search_plans_the_budget_it_trains(tmp_path):
    # the snapshot's planned budget is what the finished search's trials add up to
    seen = []

    class Watch(SearchCallback):
        def on_trial_end(self, search, trial):
            seen.append(search.progress_)

    search = HyperbandSearchCV(Scripted(log=str(tmp_path / "f.log")), SPACE, max_resource=9,
                               cv=2, random_state=0, refit=False, callbacks=[Watch()]).fit(X, Y)
    assert seen[0].planned_budget == seen[-1].planned_budget == 9 + 9 + 9 + 15 + 9 + 27
    assert seen[-1].budget_done == sum(t.budget for t in search.trials_) == 78
    assert [s.budget_done for s in seen[:3]] == [1, 2, 3]


def test_progress_bar_uses_tqdm(tmp_path):
    pytest.importorskip("tqdm")
    out = io.StringIO()
    _bayes(tmp_path, [SearchProgress(file=out)], n_iter=3).fit(X, Y)
    text = out.getvalue()
    assert "3/3" in text and "best=" in text


def test_verbose_prints_one_line_per_trial(tmp_path, capsys):
    _bayes(tmp_path, None, n_iter=3, verbose=1).fit(X, Y)
    err = capsys.readouterr().err
    assert err.count("[BayesSearchCV] trial ") == 3


def test_search_parameters_for_callers(tmp_path):
    """storage, time_budget and callbacks are plain keyword arguments everywhere."""
    from sklearn_hp.search import SuccessiveHalvingSearchCV

    for cls in (BayesSearchCV, HyperbandSearchCV, SuccessiveHalvingSearchCV):
        params = cls(Scripted(), SPACE).get_params()
        assert params["storage"] is None and params["time_budget"] is None
        assert params["callbacks"] is None
    with pytest.raises(ValueError, match="'time_budget' parameter of BayesSearchCV must be"):
        _bayes(tmp_path, None, time_budget=0).fit(X, Y)
    with pytest.raises(ValueError, match="'storage' parameter of BayesSearchCV must be"):
        _bayes(tmp_path, None, storage=3).fit(X, Y)
    assert np.isfinite(_bayes(tmp_path, [], n_iter=2).fit(X, Y).best_score_)
