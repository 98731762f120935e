"""Search callbacks follow the training callbacks' convention.

Parameters are ``BaseEstimator`` parameters checked when the search begins,
hooks are found on :class:`SearchCallback`, the running search is read through
the read-only ``search.progress_`` and public attributes only, and callbacks
given as ``(name, callback)`` pairs are tunable.
"""

import ast
import dataclasses
import datetime
import io
import math
import re
from pathlib import Path

import pytest
from sklearn.base import clone

import sklearn_hp
from sklearn_hp.cli import _progress
from sklearn_hp.search import (
    DeadlineStopper,
    NoImprovementStopper,
    ProgressSnapshot,
    SearchCallback,
    SearchProgress,
)
from tests.search.test_no_lost_trial import Scripted, X, Y
from tests.search.test_search_callbacks import _bayes


class Snapshots(SearchCallback):
    """Keeps ``search.progress_`` as each hook saw it."""

    def on_search_begin(self, search):
        self.seen = [search.progress_]

    def on_trial_end(self, search, trial):
        self.seen.append(search.progress_)


def test_callback_parameters_are_estimator_parameters():
    stopper = NoImprovementStopper(patience=5)
    assert repr(stopper) == "NoImprovementStopper(patience=5)"
    assert stopper.set_params(min_delta=0.5).get_params() == {"patience": 5, "min_delta": 0.5}
    when = datetime.datetime(2030, 1, 2, 3, 4)
    assert clone(DeadlineStopper(when)).deadline == when  # kept as given
    assert SearchProgress(bar=False).get_params() == {"bar": False, "file": None}


@pytest.mark.parametrize("callback, message", [
    (NoImprovementStopper(patience=0),
     r"'patience' parameter of NoImprovementStopper must be an int in the range \[1, inf\)\. "
     r"Got 0 instead"),
    (NoImprovementStopper(min_delta="0.1"), r"'min_delta' parameter .* Got '0\.1' instead"),
    (DeadlineStopper("tomorrow"), r"'deadline' parameter of DeadlineStopper .* Got 'tomorrow'"),
    (SearchProgress(bar="yes"), r"'bar' parameter of SearchProgress .* Got 'yes' instead"),
])
def test_a_bad_parameter_fails_fit_naming_the_value(tmp_path, callback, message):
    # constructing it raised nothing; the search's fit does, before any trial
    search = _bayes(tmp_path, [SearchProgress(bar=False, file=io.StringIO()), callback])
    with pytest.raises(ValueError, match=message):
        search.fit(X, Y)
    assert not (tmp_path / "fits.log").exists()


def test_end_hooks_run_only_for_callbacks_that_began(tmp_path):
    # SearchProgress after the bad stopper never began: its end hook is not called
    # (it would fail on its missing bar and hide the error)
    search = _bayes(tmp_path, [NoImprovementStopper(patience=-1), SearchProgress(bar=False)])
    with pytest.raises(ValueError, match="Got -1 instead"):
        search.fit(X, Y)


def test_progress_view_counts_trials_and_is_read_only(tmp_path):
    snapshots = Snapshots()
    search = _bayes(tmp_path, [snapshots], n_iter=4).fit(X, Y)
    seen = snapshots.seen
    assert [s.n_trials for s in seen] == [0, 1, 2, 3, 4]
    assert {s.n_planned for s in seen} == {4} and {s.n_resumed for s in seen} == {0}
    assert math.isnan(seen[0].best_score)
    # scores -|k - 17| - 1/9 for k = 0, 1, 2, 3: the best so far is the last one
    assert [round(s.best_score, 3) for s in seen[1:]] == [-17.111, -16.111, -15.111, -14.111]
    assert {s.time_left for s in seen} == {None}  # no time_budget
    with pytest.raises(dataclasses.FrozenInstanceError):
        seen[0].n_trials = 10
    assert isinstance(seen[0], ProgressSnapshot)
    assert not hasattr(search, "progress_")  # only while fit runs


def test_progress_view_after_a_resume_and_under_a_time_budget(tmp_path):
    db = str(tmp_path / "s.db")
    _bayes(tmp_path, None, n_iter=2, storage=db).fit(X, Y)
    snapshots = Snapshots()
    search = _bayes(tmp_path, [snapshots], n_iter=4, storage=db, time_budget=600).fit(X, Y)
    seen = snapshots.seen
    # stored trials join trials_ as the search replays them, before trial 2 runs
    assert [(s.n_trials, s.n_resumed, s.n_planned) for s in seen] == [
        (0, 2, 4), (3, 2, 4), (4, 2, 4)]
    assert seen[1].best_score == max(t.score for t in search.trials_[:3])  # resumed ones too
    assert seen[1].best_score >= search.trials_[1].score  # a stored trial's -16.11
    assert all(0 < s.time_left <= 600 for s in seen)


@pytest.mark.filterwarnings("ignore:One or more of the test scores")
def test_named_search_callbacks_are_tunable(tmp_path):
    search = _bayes(tmp_path, [("stop", NoImprovementStopper(patience=20))], n_iter=30)
    params = search.get_params(deep=True)
    assert params["callbacks__stop__patience"] == 20
    assert params["callbacks__stop"] is search.callbacks[0][1]
    search.set_params(callbacks__stop__patience=3,
                      estimator=Scripted(log=str(tmp_path / "fits.log"), failing=(3, 4, 5)))
    copy = clone(search)
    assert copy.callbacks[0][1] is not search.callbacks[0][1]
    copy.fit(X, Y)
    # trials 3, 4, 5 fail: three trials without improvement stop the search after trial 5
    assert copy.n_trials_ == 6 and copy.stop_reason_ == "callback NoImprovementStopper"
    assert search.callbacks[0][1].get_params()["patience"] == 3


def test_an_object_with_hooks_but_no_base_class_still_works(tmp_path):
    class StopAtTwo:  # the documented promise: any object with on_trial_end
        def on_trial_end(self, search, trial):
            return len(search.trials_) == 2

    search = _bayes(tmp_path, [StopAtTwo()]).fit(X, Y)
    assert search.n_trials_ == 2 and search.stop_reason_ == "callback StopAtTwo"


def _private_reads(path):
    """``(line, text)`` of every ``x._name`` read where ``x`` is not ``self``, and of
    every ``getattr(x, "_name"...)``."""
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
                and not (isinstance(node.value, ast.Call)
                         and getattr(node.value.func, "id", None) == "super")):
            found.append((node.lineno, ast.unparse(node)))
        if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "getattr"
                and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)
                and str(node.args[1].value).startswith("_")):
            found.append((node.lineno, ast.unparse(node)))
    return found


@pytest.mark.parametrize("module", ["search/_callbacks.py", "cli/_progress.py"])
def test_search_callbacks_read_no_private_search_state(module):
    path = Path(sklearn_hp.__file__).parent / module
    assert _private_reads(path) == []
    assert re.findall(r"(?<![\w.])search\._\w+", path.read_text()) == []


def test_each_progress_name_means_one_thing():
    assert _progress.SearchProgress is SearchProgress  # the library's, imported
    assert issubclass(_progress.CommandProgress, SearchProgress)
    assert _progress.CommandProgress.__name__ == "CommandProgress"
