"""No lost trial: failures are recorded once, interrupts keep what finished."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import FitFailedWarning

from sklearn_hp.exceptions import DivergenceError
from sklearn_hp.search import (
    BayesSearchCV,
    HyperbandSearchCV,
    RandomSampler,
    SuccessiveHalvingSearchCV,
    clean_checkpoints,
)

X = np.arange(60.0).reshape(30, 2)
Y = np.arange(30.0)


class Scripted(RegressorMixin, BaseEstimator):
    """Candidate ``k`` raises if in ``failing``, diverges if in ``diverging``.

    Every fit appends ``[k, epochs trained in total]`` to the file ``log`` and
    sleeps ``delay`` seconds; training to ``interrupt_at`` epochs in total raises
    ``KeyboardInterrupt``. The score peaks at ``k = 17`` and grows with the epochs.
    """

    def __init__(self, k=0, max_epochs=9, warm_start=False, failing=(), diverging=(),
                 interrupt_at=None, log=None, delay=0.0):
        self.k = k
        self.delay = delay
        self.max_epochs = max_epochs
        self.warm_start = warm_start
        self.failing = failing
        self.diverging = diverging
        self.interrupt_at = interrupt_at
        self.log = log

    def fit(self, X, y=None):
        done = self.epochs_ if self.warm_start and hasattr(self, "epochs_") else 0
        with open(self.log, "a") as f:
            f.write(json.dumps([self.k, done + self.max_epochs]) + "\n")
        time.sleep(self.delay)
        if done + self.max_epochs == self.interrupt_at:
            raise KeyboardInterrupt
        if self.k in self.failing:
            raise ValueError(f"candidate {self.k} fails")
        if self.k in self.diverging:
            raise DivergenceError(f"candidate {self.k} diverged")
        self.epochs_ = done + self.max_epochs
        return self

    def partial_fit(self, X, y=None):
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -abs(self.k - 17) - 1.0 / self.epochs_


class Recorded(RandomSampler):
    """Random candidates ``{"k": ...}``, remembering every proposal."""

    def __init__(self):
        self.proposed = []

    def propose(self, space, trials, n_candidates, random_state):
        out = super().propose(space, trials, n_candidates, random_state)
        self.proposed.extend(out)
        return out


class InOrder(Recorded):
    """Proposes ``{"k": 0}``, ``{"k": 1}``, ... in order."""

    def propose(self, space, trials, n_candidates, random_state):
        start = len(self.proposed)
        out = [{"k": k} for k in range(start, start + n_candidates)]
        self.proposed.extend(out)
        return out


def _fits(log):
    if not os.path.exists(log):
        return []
    return [tuple(json.loads(line)) for line in Path(log).read_text().splitlines()]


SPACE = {"k": list(range(40))}


@pytest.mark.filterwarnings("ignore")
def test_failures_diverging_and_a_failed_batch_are_recorded_once(tmp_path):
    log = str(tmp_path / "fits.log")
    raising = (1, 4, 7, 11, 15, 18)  # 30 % of 20, outside the failing batch
    batch = (12, 13, 14)  # the fifth batch of 3 fails entirely
    model = Scripted(failing=raising + batch, diverging=(5,), log=log)
    search = BayesSearchCV(model, SPACE, n_iter=20, batch_size=3, sampler=InOrder(), cv=3,
                           refit=False).fit(X, Y)
    results = search.cv_results_
    assert [p["k"] for p in results["params"]] == list(range(20))
    # every candidate was fitted exactly once per split: 20 x 3 fits, none twice
    fits = _fits(log)
    assert len(fits) == 60 and sorted(k for k, _ in fits) == sorted(list(range(20)) * 3)
    scores = results["mean_test_score"]
    bad = sorted(raising + batch + (5,))
    assert np.flatnonzero(np.isnan(scores)).tolist() == bad
    statuses = [t.status for t in search.trials_]
    assert [k for k, s in enumerate(statuses) if s == "failed"] == sorted(raising + batch)
    assert [k for k, s in enumerate(statuses) if s == "diverged"] == [5]
    assert statuses.count("complete") == 20 - len(bad)
    assert search.best_params_ == {"k": 17}
    # a trial of the batch where every fit failed keeps its own error, not its neighbours'
    assert "candidate 13 fails" in search.trials_[13].fit_error
    assert "candidate 12" not in search.trials_[13].fit_error


@pytest.mark.filterwarnings("ignore")
def test_a_batch_failing_for_mixed_reasons_gives_each_trial_its_own_status(tmp_path):
    # The first proposed three runs as [0], [1, 2] while the pace is measured:
    # 1 raises and 2 diverges, so the whole batch fails; each trial keeps its own
    # fits' errors and is failed or diverged by them. The next three runs as one
    # batch in which every fit diverges.
    model = Scripted(failing=(1,), diverging=(2, 3, 4, 5), log=str(tmp_path / "fits.log"))
    search = BayesSearchCV(model, SPACE, n_iter=6, batch_size=3, sampler=InOrder(), cv=2,
                           refit=False).fit(X, Y)
    statuses = {t.number: t.status for t in search.trials_ if t.status != "complete"}
    assert statuses == {1: "failed", 2: "diverged", 3: "diverged", 4: "diverged",
                        5: "diverged"}
    assert "candidate 1 fails" in search.trials_[1].fit_error
    assert "candidate 2" not in search.trials_[1].fit_error
    assert "candidate 2 diverged" in search.trials_[2].fit_error
    assert "candidate 1" not in search.trials_[2].fit_error
    assert len(_fits(str(tmp_path / "fits.log"))) == 6 * 2  # every fit ran once


def test_error_score_raise_still_raises(tmp_path):
    model = Scripted(failing=(2,), log=str(tmp_path / "fits.log"))
    with pytest.raises(ValueError, match="candidate 2 fails"):
        BayesSearchCV(model, SPACE, n_iter=5, batch_size=1, sampler=InOrder(), cv=2,
                      error_score="raise").fit(X, Y)


@pytest.mark.filterwarnings("ignore")
def test_ten_failing_candidates_in_a_row_cost_ten_candidates(tmp_path):
    log = str(tmp_path / "fits.log")
    model = Scripted(failing=tuple(range(10)), log=log)
    search = BayesSearchCV(model, SPACE, n_iter=12, batch_size=1, sampler=InOrder(), cv=3,
                           refit=False).fit(X, Y)
    assert len(_fits(log)) == 12 * 3  # 10 failing + 2 good candidates, 3 splits each
    assert np.isnan(search.cv_results_["mean_test_score"][:10]).all()
    assert search.best_params_ == {"k": 11}


def test_all_candidates_failing_raises_after_recording_them(tmp_path):
    model = Scripted(failing=tuple(range(40)), log=str(tmp_path / "fits.log"))
    search = BayesSearchCV(model, SPACE, n_iter=4, batch_size=2, sampler=InOrder(), cv=2)
    # one warning for the whole search, counting every failed fit; then the error
    with pytest.warns(FitFailedWarning, match="8 fits failed out of a total of 8") as caught, \
            pytest.raises(ValueError, match="All fits of all 4 evaluated candidates failed"):
        search.fit(X, Y)
    assert sum(issubclass(w.category, FitFailedWarning) for w in caught) == 1
    assert len(_fits(str(tmp_path / "fits.log"))) == 8


def _budget_search(kind, model, n_jobs):
    common = dict(max_resource=9, eta=3, cv=2, n_jobs=n_jobs, random_state=0,
                  sampler=Recorded(), refit=False)
    if kind == "halving":
        return SuccessiveHalvingSearchCV(model, SPACE, min_resource=1, **common)
    return HyperbandSearchCV(model, SPACE, **common)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("kind, n_jobs", [
    ("bayes", 1), ("halving", 1), ("hyperband", 1), ("bayes", 2), ("halving", 2),
    pytest.param("hyperband", 2, marks=pytest.mark.slow)])
def test_every_proposed_candidate_is_in_cv_results_exactly_once(kind, n_jobs, tmp_path):
    log = str(tmp_path / "fits.log")
    # a third of the space fails, including whole first rungs of small brackets
    model = Scripted(failing=tuple(range(0, 40, 3)), diverging=(8,), log=log)
    if kind == "bayes":
        search = BayesSearchCV(model, SPACE, n_iter=10, batch_size=2, sampler=Recorded(),
                               random_state=0, cv=2, n_jobs=n_jobs, refit=False).fit(X, Y)
        expected = [p for p in search.sampler_.proposed]
        rows = search.cv_results_["params"]
        assert rows == expected and len(rows) == 10
    else:
        search = _budget_search(kind, model, n_jobs).fit(X, Y)
        rows = search.cv_results_["params"]
        first = [dict(p) for p, rung in zip(rows, search.cv_results_["iter"]) if rung == 0]
        assert [p.pop("max_epochs") for p in first] == [
            b for b, rung in zip(search.cv_results_["n_resources"], search.cv_results_["iter"])
            if rung == 0]
        assert sorted(map(str, first)) == sorted(map(str, search.sampler_.proposed))
    # each (candidate, budget) row once, and each one fitted once per split
    keys = [json.dumps(p, sort_keys=True) for p in rows]
    assert len(set(keys)) == len(keys)
    fits = _fits(log)
    assert len(fits) == 2 * len(rows)


@pytest.mark.filterwarnings("ignore")
def test_keyboard_interrupt_in_hyperband_keeps_finished_rungs(tmp_path):
    log, db = str(tmp_path / "fits.log"), str(tmp_path / "hb.db")
    model = Scripted(interrupt_at=9, log=log)
    search = HyperbandSearchCV(model, SPACE, max_resource=9, eta=3, cv=2, random_state=0,
                               storage=db)
    search.fit(X, Y)  # the interrupt comes at the first 9-epoch rung of bracket 0
    assert search.stop_reason_ == "KeyboardInterrupt"
    results = search.cv_results_
    assert list(results["iter"]) == [0] * 9 + [1] * 3
    assert np.isfinite(results["mean_test_score"]).all()
    # best among the largest budget reached, refitted
    assert results["n_resources"][search.best_index_] == 3
    assert search.best_estimator_.epochs_ == 3
    assert search.best_params_ == results["params"][search.best_index_]
    import sqlite3

    assert sqlite3.connect(db).execute(
        "SELECT COUNT(*) FROM sklearn_hp_trials").fetchone()[0] == 12
    # partial models are kept for the resume, then removed by the documented call
    assert os.path.isdir(db + ".checkpoints")
    assert clean_checkpoints(db) == [db + ".checkpoints"]
    assert not os.path.exists(db + ".checkpoints")


def test_keyboard_interrupt_before_any_trial_propagates(tmp_path):
    model = Scripted(interrupt_at=1, log=str(tmp_path / "fits.log"))
    with pytest.raises(KeyboardInterrupt):
        HyperbandSearchCV(model, SPACE, max_resource=9, cv=2).fit(X, Y)


def test_clean_checkpoints_removes_only_dead_owners(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    import socket

    for name, pid in (("sklearn_hp_ckpt_dead", int(dead)), ("sklearn_hp_ckpt_live", os.getppid())):
        (tmp_path / name).mkdir()
        (tmp_path / name / "owner.json").write_text(
            json.dumps({"host": socket.gethostname(), "pid": pid}))
        (tmp_path / name / "model.pkl").write_bytes(b"x")
    (tmp_path / "unrelated").mkdir()
    assert clean_checkpoints(tmp_path) == [str(tmp_path / "sklearn_hp_ckpt_dead")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sklearn_hp_ckpt_live", "unrelated"]


def test_clear_errors_for_unfrozen_distributions_and_the_resource_in_the_space(tmp_path):
    from scipy import stats

    with pytest.raises(ValueError, match="'alpha': 'loguniform' is an unfrozen scipy.stats"):
        BayesSearchCV(Scripted(), {"alpha": stats.loguniform}, n_iter=2).fit(X, Y)
    with pytest.raises(ValueError, match="'max_epochs' is in search_spaces, but "
                                         "HyperbandSearchCV sets it itself"):
        HyperbandSearchCV(Scripted(), {"k": [1, 2], "max_epochs": [3, 9]}).fit(X, Y)


def test_time_budget_stops_within_one_trial(tmp_path):
    class Slow(Scripted):
        def fit(self, X, y=None):
            time.sleep(0.25)  # 2 splits: about 0.5 s per trial
            return super().fit(X, y)

    start = time.time()
    search = BayesSearchCV(Slow(log=str(tmp_path / "fits.log")), SPACE, n_iter=40,
                           batch_size=1, sampler=InOrder(), cv=2, time_budget=2,
                           refit=False).fit(X, Y)
    assert search.stop_reason_ == "time_budget"
    assert 2 <= search.n_trials_ < 40
    starts = [t.finished_at - t.duration - start for t in search.trials_]
    # no trial started after the budget; the last one ended within one trial of it
    assert max(starts) < 2.0
    last = search.trials_[-1]
    assert last.finished_at - start < 2.0 + last.duration + 0.5


@pytest.mark.filterwarnings("ignore")
def test_a_failed_first_batch_with_several_metrics(tmp_path):
    model = Scripted(failing=(0, 1), log=str(tmp_path / "fits.log"))
    search = BayesSearchCV(model, SPACE, n_iter=4, batch_size=2, sampler=InOrder(), cv=2,
                           scoring=["r2", "neg_mean_absolute_error"],
                           refit="neg_mean_absolute_error").fit(X, Y)
    results = search.cv_results_
    for metric in ("r2", "neg_mean_absolute_error"):
        assert np.isnan(results[f"mean_test_{metric}"][:2]).all()
        assert np.isfinite(results[f"mean_test_{metric}"][2:]).all()
    # predictions do not depend on k: the first finished candidate wins the tie
    assert search.best_index_ == 2 and np.isfinite(search.best_score_)


@pytest.mark.filterwarnings("ignore")
def test_time_budget_in_hyperband_stops_between_small_batches(tmp_path):
    model = Scripted(log=str(tmp_path / "fits.log"), delay=0.1)  # 0.2 s per trial
    start = time.time()
    search = HyperbandSearchCV(model, SPACE, max_resource=9, cv=2, random_state=0,
                               time_budget=2.0, refit=False).fit(X, Y)
    assert search.stop_reason_ == "time_budget"
    # 2 s leaves room for several 0.2 s trials even on a loaded machine (at 1 s, the
    # first trial's set-up alone could take most of it)
    assert 2 <= search.n_trials_ < 22
    # the first rung (9 candidates) was cut into batches of one: none started late
    assert max(t.finished_at - t.duration - start for t in search.trials_) < 2.0
