"""The asynchronous trial engine: no batch barrier, reproducible mode, resume with gaps.

Fits here sleep for a duration drawn from their parameters and split, so they
finish in an order unrelated to the order they started, on joblib's threading
backend (the workers share this process, so each fit records when it ran).
"""

import sqlite3
import threading
import time

import numpy as np
import pytest
from joblib import parallel_backend
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import Ridge

from sklearn_hp.search import BayesSearchCV, Categorical, Real

from .test_own_fit import fit_failed_messages

X = np.random.RandomState(0).normal(size=(50, 2))
Y = X[:, 0] + 0.1 * np.random.RandomState(1).normal(size=50)
SPACE = {"x": Real(0.0, 1.0)}


class Sleepy(RegressorMixin, BaseEstimator):
    """Sleeps 10 ms plus up to ``seconds`` in ``fit`` (drawn from ``x`` and the data); its score
    peaks at ``x = 0.3``. Every fit's ``(start, end)`` goes to ``Sleepy.runs``."""

    runs = []
    lock = threading.Lock()

    def __init__(self, x=0.5, seconds=0.08):
        self.x = x
        self.seconds = seconds

    def fit(self, X, y):
        start = time.monotonic()
        draw = np.random.RandomState(int(self.x * 1e6) + len(y) + int(1e3 * X[0, 0]) % 97)
        time.sleep(0.01 + self.seconds * draw.uniform())
        self.mean_ = float(np.mean(y))
        with Sleepy.lock:
            Sleepy.runs.append((start, time.monotonic()))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)

    def score(self, X, y=None):
        return -((self.x - 0.3) ** 2)


def _search(estimator=None, **kwargs):
    settings = dict(n_iter=12, cv=5, random_state=0, sampler="gp", refit=False)
    return BayesSearchCV(estimator or Sleepy(), SPACE, **{**settings, **kwargs})


def _idle_share(runs, n_workers):
    """Share of the worker-seconds left idle between the first fit's start and
    the last fit's start (while there was always a fit to start)."""
    runs = sorted(runs)
    first, last = runs[0][0], runs[-1][0]
    busy = sum(min(end, last) - start for start, end in runs if start < last)
    return 1.0 - busy / (n_workers * (last - first))


def test_a_free_worker_gets_the_next_fit_at_once_with_no_batch_to_wait_for():
    """60 fits of 10-160 ms on 4 threads: asynchronously the workers idle less than
    10 % of the time before the last fit starts; in rounds of one candidate (5
    fits on 4 workers, the next round waiting for the slowest fit) over 25 %.
    (Random proposals: what a model-based sampler's proposals cost is measured
    in ``benchmarks/bench_scale.py``.)"""
    shares = {}
    for batch_size in (None, 1):
        Sleepy.runs = []
        with parallel_backend("threading", n_jobs=4):
            search = _search(batch_size=batch_size, n_jobs=4, sampler="random",
                             estimator=Sleepy(seconds=0.15)).fit(X, Y)
        assert len(Sleepy.runs) == 60 and len(search.cv_results_["params"]) == 12
        shares[batch_size] = _idle_share(Sleepy.runs, 4)
    print("idle share: asynchronous %.3f, rounds of one candidate %.3f" % (
        shares[None], shares[1]))
    assert shares[None] < 0.10
    assert shares[1] > 0.25


@pytest.mark.parametrize("lag", [0, 3])
def test_proposal_lag_gives_the_same_candidates_whatever_the_workers(lag):
    one = _search(proposal_lag=lag, n_jobs=1).fit(X, Y)
    with parallel_backend("threading", n_jobs=4):
        four = _search(proposal_lag=lag, n_jobs=4).fit(X, Y)
    assert four.cv_results_["params"] == one.cv_results_["params"]
    np.testing.assert_array_equal(four.cv_results_["mean_test_score"],
                                  one.cv_results_["mean_test_score"])
    assert [t.number for t in four.trials_] == list(range(12))


def test_a_lag_changes_what_a_proposal_sees():
    """lag=0 is sequential BO; lag=3 proposes trial i knowing trials < i - 3 only."""
    quick = dict(n_jobs=1, estimator=Sleepy(seconds=0.0))
    lag0 = _search(proposal_lag=0, **quick).fit(X, Y).cv_results_["params"]
    lag3 = _search(proposal_lag=3, **quick).fit(X, Y).cv_results_["params"]
    plain = _search(**quick).fit(X, Y).cv_results_["params"]
    assert lag0 == plain  # one worker, no lag: every finished trial is seen
    assert lag3[:5] == lag0[:5]  # the quasi-random design does not look at scores
    assert lag3 != lag0


def test_reproducible_mode_refuses_racing_and_batches():
    for bad in (dict(racing=True), dict(batch_size=2)):
        with pytest.raises(ValueError, match=r"proposal_lag=2 .* needs batch_size=None and "
                                             r"racing=False"):
            _search(proposal_lag=2, **bad).fit(X, Y)


class PlainSampler:
    """A user's sampler whose ``propose`` knows nothing of pending candidates."""

    def __init__(self):
        self.calls = 0

    def propose(self, space, trials, n_candidates, random_state):
        self.calls += 1
        return [{"x": (len(trials) * 0.37 + 0.1 * self.calls) % 1.0}]


def test_a_sampler_without_pending_runs_asynchronously():
    with parallel_backend("threading", n_jobs=3):
        search = _search(sampler=PlainSampler(), n_jobs=3, n_iter=6).fit(X, Y)
    assert len(search.cv_results_["params"]) == 6
    assert search.sampler_.calls == 6


def test_a_resume_takes_the_finished_trials_after_a_gap(tmp_path):
    """An asynchronous run stores trials as they finish, so a crash leaves gaps;
    the resumed search keeps every stored trial and runs only new ones."""
    db = tmp_path / "gaps.db"
    first = _search(n_iter=8, storage=str(db), n_jobs=1).fit(X, Y)
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM sklearn_hp_trials WHERE number IN (3, 5)")  # still running
    conn.commit()
    conn.close()
    Sleepy.runs = []
    resumed = _search(n_iter=10, storage=str(db), n_jobs=1).fit(X, Y)
    assert len(Sleepy.runs) == 4 * 5  # 10 trials: 6 stored, 4 new
    numbers = [t.number for t in resumed.trials_]
    assert numbers == [0, 1, 2, 4, 6, 7, 8, 9, 10, 11]
    kept = [p for k, p in enumerate(first.cv_results_["params"]) if k not in (3, 5)]
    assert resumed.cv_results_["params"][:6] == kept


# ------------------------------------------------------------------ ASHA
class Budgeted(Sleepy):
    """Sleepy with a budget: ``max_epochs``; the score rises with it."""

    def __init__(self, x=0.5, seconds=0.02, max_epochs=9, warm_start=False):
        super().__init__(x=x, seconds=seconds)
        self.max_epochs = max_epochs
        self.warm_start = warm_start

    def score(self, X, y=None):
        return -((self.x - 0.3) ** 2) - 1.0 / self.max_epochs


def _halving(**kwargs):
    from sklearn_hp.search import SuccessiveHalvingSearchCV

    settings = dict(max_resource=9, min_resource=1, eta=3, cv=3, random_state=0,
                    asynchronous=True, refit=False)
    return SuccessiveHalvingSearchCV(Budgeted(), SPACE, **{**settings, **kwargs})


def test_asha_promotes_a_top_third_candidate_of_the_trials_finished_before_it():
    """One worker: trial k of rung r + 1 continues a candidate that ranked in the
    top floor(n / 3) of the n rung-r trials numbered below k, and no candidate is
    promoted twice; the first rung starts all 9 candidates."""
    search = _halving(n_jobs=1).fit(X, Y)
    trials = search.trials_
    assert sum(t.extra["iter"] == 0 for t in trials) == 9
    promoted = set()
    for k, trial in enumerate(trials):
        rung = trial.extra["iter"]
        if rung == 0:
            continue
        below = [t for t in trials[:k] if t.extra["iter"] == rung - 1]
        top = sorted(below, key=lambda t: -t.score)[:len(below) // 3]
        assert trial.params["x"] in [t.params["x"] for t in top], (k, rung)
        assert (rung, trial.params["x"]) not in promoted
        promoted.add((rung, trial.params["x"]))
    counts = np.bincount([t.extra["iter"] for t in trials])
    assert counts[0] == 9 and 3 <= counts[1] <= 4 and 1 <= counts[2] <= 2
    # every trial not continued at the next rung is pruned, the others complete
    for trial in trials:
        continued = (trial.extra["iter"] + 1, trial.params["x"]) in promoted
        last = trial.extra["iter"] == 2
        assert trial.status == ("complete" if continued or last else "pruned")
    assert search.best_params_["max_epochs"] == 9


def test_asha_on_four_threads_keeps_the_synchronous_rung_sizes_and_resumes(tmp_path):
    db = str(tmp_path / "asha.db")
    with parallel_backend("threading", n_jobs=4):
        search = _halving(n_jobs=4, storage=db).fit(X, Y)
    counts = np.bincount(search.cv_results_["iter"])
    assert counts[0] == 9 and counts[1] >= 3 and counts[2] >= 1
    Sleepy.runs = []
    again = _halving(n_jobs=1, storage=db).fit(X, Y)  # a finished search runs nothing
    assert Sleepy.runs == []
    assert again.cv_results_["params"] == search.cv_results_["params"]


def test_asha_refuses_racing():
    with pytest.raises(ValueError, match="asynchronous=True, racing=True"):
        _halving(racing=True).fit(X, Y)


# ------------------------------------------------------- storage interface
class ListStorage:
    """A user's storage: keeps the records, and the thread each was added from."""

    checkpoint_path = None

    def __init__(self):
        self.records, self.threads, self.meta = [], set(), {}

    def open(self, fingerprint, codec):
        return []

    def add(self, record):
        self.records.append(record)
        self.threads.add(threading.current_thread().name)

    def set_status(self, numbers, status):
        for record in self.records:
            if record.number in numbers:
                record.status = status

    def get_meta(self, key, default=None):
        return self.meta.get(key, default)

    def set_meta(self, key, value):
        self.meta[key] = value

    def close(self):
        pass


def test_the_search_process_alone_writes_a_storage_object_as_trials_finish():
    from sklearn_hp.search import MemoryStorage, SQLiteStorage, TrialRecord, TrialStorage

    storage = ListStorage()
    assert isinstance(storage, TrialStorage)
    assert isinstance(MemoryStorage(), TrialStorage)
    assert isinstance(SQLiteStorage("unused.db"), TrialStorage)
    assert not isinstance(object(), TrialStorage)
    with parallel_backend("threading", n_jobs=3):
        search = _search(storage=storage, n_jobs=3, n_iter=9,
                         estimator=Sleepy(seconds=0.05)).fit(X, Y)
    # one record per trial, each committed as it finished, from the search's thread
    assert sorted(r.number for r in storage.records) == list(range(9))
    assert storage.threads == {threading.main_thread().name}
    assert all(isinstance(r, TrialRecord) for r in storage.records)
    finish_times = [r.finished_at for r in storage.records]
    assert finish_times == sorted(finish_times)
    assert [t.number for t in search.trials_] == list(range(9))


def test_a_race_keeps_the_workers_busy_with_other_candidates_folds():
    """Racing hands out a candidate's folds one at a time: while its fold runs, the
    free workers take other candidates' folds, and stopped candidates run no more."""
    Sleepy.runs = []
    with parallel_backend("threading", n_jobs=4):
        search = _search(n_jobs=4, n_iter=30, sampler="random", racing=True,
                         estimator=Sleepy(seconds=0.1)).fit(X, Y)
    run = search.cv_results_["n_splits_run"]
    assert len(Sleepy.runs) == run.sum() < 0.7 * 30 * 5
    assert (run < 5).sum() >= 10
    assert _idle_share(Sleepy.runs, 4) < 0.10


def test_what_a_fit_carries_to_its_worker_does_not_grow_with_the_trials(monkeypatch):
    """Without scikit-learn callbacks no callback task tree is built: were it built,
    each unit would carry the tree of every unit so far (80 bytes more per unit)."""
    import cloudpickle

    from sklearn_hp.search import _async

    sizes, make = {}, _async.AsyncTrials._task

    def measured(self, number, split, params):
        task = make(self, number, split, params)
        sizes[number, split] = len(cloudpickle.dumps(task))
        return task

    monkeypatch.setattr(_async.AsyncTrials, "_task", measured)
    _search(n_iter=40, sampler="random", estimator=Sleepy(seconds=0.0), n_jobs=1).fit(X, Y)
    first, last = sizes[0, 0], sizes[39, 0]
    assert abs(last - first) <= 8, (first, last)  # the parameter's digits may differ


def test_the_failed_fits_of_an_asynchronous_search_give_one_summary_warning():
    # six distinct candidates, all evaluated; the two negative alphas fail their 3 fits each
    alphas = [1.0, -1.0, 0.1, -2.0, 10.0, 0.01]
    search = BayesSearchCV(Ridge(), {"alpha": Categorical(alphas)}, n_iter=6, cv=3,
                           random_state=0, error_score=np.nan)
    failed = fit_failed_messages(search, X, Y)
    assert len(failed) == 1
    assert "\n6 fits failed out of a total of 18.\n" in failed[0]
    # each distinct error once, with its count: alpha=-1's and alpha=-2's
    assert failed[0].count("3 fits failed with the following error") == 2
    assert "Got -1.0 instead" in failed[0] and "Got -2.0 instead" in failed[0]
    statuses = {t.params["alpha"]: t.status for t in search.trials_}
    assert statuses == {a: "failed" if a < 0 else "complete" for a in alphas}
    assert all("Got -2.0 instead" in split["fit_error"] for t in search.trials_
               if t.params["alpha"] == -2.0 for split in t.splits)
