"""Checkpoints of budget searches are files of the safe format, checked before use.

A search that resumes reads the partial models its checkpoint directory holds.
Those are ``sklearn_hp.persistence`` files: nothing in them runs code, and a
file that is not the expected candidate's model is refused with one warning,
that candidate retraining from scratch.
"""

import hashlib
import json
import os
import pickle
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import Ridge, SGDClassifier
from sklearn.model_selection import check_cv
from sklearn.pipeline import Pipeline

from tests.search.test_hyperband import SPACE, EpochModel

from sklearn_hp.neural_network import MLPClassifier
from sklearn_hp.persistence import load, save
from sklearn_hp.search import HyperbandSearchCV, SuccessiveHalvingSearchCV
from sklearn_hp.search._budget import (
    BudgetedEstimator,
    Checkpoint,
    CheckpointReport,
    candidate_fingerprint,
    data_fingerprint,
    trusted_classes,
)

X = np.random.RandomState(0).normal(size=(40, 3))
Y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * np.random.RandomState(1).normal(size=40)
ROOT = Path(__file__).resolve().parents[2]
JOB = Path(__file__).with_name("_search_job.py")


def _classification():
    rng = np.random.RandomState(0)
    X_ = rng.normal(size=(120, 4))
    return X_, (X_[:, 0] + X_[:, 1] > 0).astype(int)


def _refusals(caught):
    return [str(w.message) for w in caught if "checkpoint file" in str(w.message)]


def _off(caught):
    return [str(w.message) for w in caught if "Checkpoints are off" in str(w.message)]


# ------------------------------------------------------------- what is stored
def test_a_checkpoint_is_a_safe_file_and_a_network_continues_bit_for_bit(tmp_path):
    X_, y = _classification()
    net = MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    wrapper = BudgetedEstimator(net, "max_epochs", "continue", checkpoint_dir=str(tmp_path),
                                run_id="r")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # not converged after 2 epochs
        wrapper.set_params(max_epochs=2).fit(X_, y)
        (path,) = tmp_path.glob("*.skhp")
        assert list(tmp_path.glob("*.pkl")) == []
        record = load(path, trusted=[MLPClassifier, Checkpoint])
        assert type(record) is Checkpoint and record.budget == 2
        assert record.candidate == candidate_fingerprint(net, "max_epochs")
        assert record.data == data_fingerprint(X_, y)
        again = BudgetedEstimator(net, "max_epochs", "continue", checkpoint_dir=str(tmp_path),
                                  run_id="r").set_params(max_epochs=5).fit(X_, y)
        # the same network trained 2 epochs, then 3 more with its optimizer state
        direct = MLPClassifier(hidden_layer_sizes=(8,), random_state=0, max_epochs=2).fit(X_, y)
        direct.set_params(warm_start=True, max_epochs=3).fit(X_, y)
    assert again.resource_spent_ == 3
    for ours, theirs in zip(again.estimator_.weights_ + again.estimator_.biases_,
                            direct.weights_ + direct.biases_):
        np.testing.assert_array_equal(ours, theirs)
    assert CheckpointReport(str(tmp_path), "r").warn() == 0


@pytest.mark.parametrize("estimator, resource, continuation, output", [
    (SGDClassifier(tol=None, random_state=0), "max_iter", "continue", "decision_function"),
    (RandomForestClassifier(random_state=0), "n_estimators", "total", "predict_proba"),
], ids=["sgd-max_iter", "forest-n_estimators"])
def test_scikit_learn_resources_continue_from_a_checkpoint(tmp_path, estimator, resource,
                                                          continuation, output):
    X_, y = _classification()

    def make():
        return BudgetedEstimator(estimator, resource, continuation, checkpoint_dir=str(tmp_path),
                                 run_id="r")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SGD stopped before converging
        make().set_params(**{resource: 3}).fit(X_, y)
        again = make().set_params(**{resource: 8}).fit(X_, y)
        direct = clone(estimator).set_params(**{resource: 3}).fit(X_, y)
        direct.set_params(warm_start=True,
                          **{resource: 5 if continuation == "continue" else 8}).fit(X_, y)
    assert again.resource_spent_ == 5
    np.testing.assert_array_equal(getattr(again.estimator_, output)(X_),
                                  getattr(direct, output)(X_))


def test_trusted_classes_come_from_the_candidate_alone():
    pipe = Pipeline([("model", EpochModel(lr=0.1))])
    assert trusted_classes(pipe)[:2] == [Checkpoint, Pipeline]
    assert EpochModel in trusted_classes(pipe)
    assert trusted_classes(Ridge(alpha=1.0)) == [Checkpoint, Ridge]


def test_a_hyperparameter_fingerprint_survives_the_file(tmp_path):
    # pickle-based hashes differed for a network and its reloaded copy (shared strings)
    net = MLPClassifier(hidden_layer_sizes=(8,), alpha=np.float64(0.01))
    key = candidate_fingerprint(net, "max_epochs")
    save(net, tmp_path / "net.skhp")
    assert candidate_fingerprint(load(tmp_path / "net.skhp"), "max_epochs") == key
    # the budget and warm_start are not part of the candidate; its other settings are
    continued = clone(net).set_params(max_epochs=3, warm_start=True)
    assert candidate_fingerprint(continued, "max_epochs") == key
    assert candidate_fingerprint(clone(net).set_params(alpha=0.02), "max_epochs") != key
    assert candidate_fingerprint(Pipeline([("m", clone(net))]), "m__max_epochs") != key


# ---------------------------------------------------- refused files, one warning
class StopAfter:
    def __init__(self, n):
        self.n = n

    def on_trial_end(self, search, trial):
        return len(search.trials_) >= self.n


def _make(storage, **kw):
    return HyperbandSearchCV(EpochModel(), SPACE, max_resource=9, random_state=0, cv=2,
                             storage=storage, **kw)


def _tamper(directory, kind, tmp_path):
    """Replace every checkpoint in ``directory`` by a file of ``kind``."""
    files = sorted(Path(directory).glob("*.skhp"))
    contents = [f.read_bytes() for f in files]
    marker = tmp_path / "marker"
    for i, path in enumerate(files):
        if kind == "garbage":
            path.write_bytes(os.urandom(300))
        elif kind == "truncated":
            path.write_bytes(contents[i][: len(contents[i]) // 2])
        elif kind == "pickle":
            path.write_bytes(pickle.dumps(_Evil(str(marker))))
        elif kind == "another candidate":
            path.write_bytes(contents[(i + 1) % len(files)])
        elif kind == "hyperparameters":
            save(EpochModel(), path, what="hyperparameters")
        else:
            record = load(path, trusted=[EpochModel, Checkpoint])
            if kind == "another class":
                record.model = Ridge().fit(X, Y)
            else:  # "edited budget"
                record.budget = 0
            save(record, path, trusted=[EpochModel, Checkpoint])
    return files, marker


@pytest.mark.parametrize("kind", ["garbage", "truncated", "pickle", "another candidate",
                                  "hyperparameters", "another class", "edited budget"])
def test_a_tampered_or_foreign_checkpoint_is_refused_with_one_warning(tmp_path, kind):
    db = str(tmp_path / "hb.db")
    full = _make(None).fit(X, Y)
    stopped = _make(db, callbacks=[StopAfter(9)]).fit(X, Y)
    assert stopped.n_trials_ == 9  # the first rung of the first bracket
    files, marker = _tamper(db + ".checkpoints", kind, tmp_path)
    # 9 candidates x 2 splits at 1 epoch, and the refit of the best on all data
    assert len(files) == 19
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resumed = _make(db).fit(X, Y)
    # the 3 promoted candidates read their files for both splits, then retrained;
    # so does the final refit when it is the candidate refitted before the stop
    same_refit = _without_budget(stopped.best_params_) == _without_budget(resumed.best_params_)
    n_refused = 6 + same_refit
    (message,) = _refusals(caught)
    assert message.startswith(f"Refused {n_refused} checkpoint files, so their candidates "
                              "were trained from scratch instead")
    assert sum(str(f) in message for f in files) == 5  # five named, then counted
    assert message.endswith(f"; and {n_refused - 5} more.")
    assert not marker.exists()
    assert resumed.stop_reason_ is None
    assert resumed.cv_results_["params"] == full.cv_results_["params"]
    np.testing.assert_allclose(resumed.cv_results_["mean_test_score"],
                               full.cv_results_["mean_test_score"])
    assert resumed.best_params_ == full.best_params_
    assert resumed.best_estimator_.epochs_trained_ == 9
    # each refused candidate trained its 3 epochs from scratch: 2 x 3 x (3 - 2) more
    assert resumed.resource_spent_ == full.resource_spent_ + 6


def _without_budget(params):
    return {k: v for k, v in params.items() if k != "max_epochs"}


def test_the_warning_names_the_file_and_why(tmp_path):
    wrapper = BudgetedEstimator(EpochModel(lr=0.1), "max_epochs", "continue",
                                checkpoint_dir=str(tmp_path), run_id="r")
    _, path = wrapper._checkpoint(X, Y)
    Path(path).write_bytes(pickle.dumps({"a": 1}))
    wrapper.set_params(max_epochs=4).fit(X, Y)
    assert wrapper.resource_spent_ == 4  # trained from scratch
    report = CheckpointReport(str(tmp_path), "r")
    with pytest.warns(UserWarning) as caught:
        assert report.warn() == 1
    assert str(caught[0].message) == (
        "Refused 1 checkpoint file, so its candidate was trained from scratch instead "
        f"(results are unaffected, only time is lost): {path} (ModelFileError: {path} is a "
        "Python pickle, which is never loaded (it can run any code).).")
    assert report.warn() == 0  # named once
    assert Path(path).read_bytes()[:2] == b"PK"  # replaced by the retrained model


# ----------------------------------------------------------- checkpoints off
class Blob:
    """A learned attribute of a class nobody trusted."""

    def __init__(self, epochs):
        self.epochs = epochs


class KeepsBlob(EpochModel):
    def fit(self, X, y=None):
        super().fit(X, y)
        self.blob_ = Blob(self.epochs_trained_)
        return self


def test_a_model_the_format_cannot_hold_turns_checkpoints_off_with_one_warning(tmp_path):
    # with a storage file the checkpoints are files (a resume reads them)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search = SuccessiveHalvingSearchCV(KeepsBlob(), SPACE, max_resource=9, min_resource=1,
                                           random_state=0, cv=2,
                                           storage=str(tmp_path / "s.db")).fit(X, Y)
    (message,) = _off(caught)
    assert "each candidate is trained from scratch at every budget" in message
    assert "Blob" in message
    assert _refusals(caught) == []
    # nothing was continued: the schedule cost what it costs from scratch
    assert search.resource_spent_ == search.resource_requested_ == 2 * (9 * 1 + 3 * 3 + 9)
    reference = SuccessiveHalvingSearchCV(EpochModel(), SPACE, max_resource=9, min_resource=1,
                                          random_state=0, cv=2).fit(X, Y)
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               reference.cv_results_["mean_test_score"])


class _CountFiles:
    """Callback counting the checkpoint files under ``directory`` as trials end."""

    def __init__(self, directory):
        self.directory = directory
        directory.mkdir()
        self.counts = []

    def on_trial_end(self, search, trial):
        self.counts.append(len(list(self.directory.rglob("*.skhp"))))


def test_a_sequential_search_without_storage_continues_from_memory_without_files(tmp_path):
    # nothing reads its files: not even a model the format cannot hold needs one
    in_memory, on_disk = _CountFiles(tmp_path / "memory"), _CountFiles(tmp_path / "disk")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search = SuccessiveHalvingSearchCV(KeepsBlob(), SPACE, max_resource=9, min_resource=1,
                                           random_state=0, cv=2, callbacks=[in_memory],
                                           checkpoint_dir=str(in_memory.directory)).fit(X, Y)
    assert _off(caught) == [] and _refusals(caught) == []
    # 9 candidates at 1 epoch, 3 continued to 3, 1 continued to 9; 2 splits each
    assert search.resource_requested_ == 2 * (9 * 1 + 3 * 3 + 9)
    assert search.resource_spent_ == 2 * (9 * 1 + 3 * 2 + 6)
    assert len(in_memory.counts) == 13 and max(in_memory.counts) == 0
    reference = SuccessiveHalvingSearchCV(EpochModel(), SPACE, max_resource=9, min_resource=1,
                                          random_state=0, cv=2, callbacks=[on_disk],
                                          storage=str(on_disk.directory / "s.db")).fit(X, Y)
    assert max(on_disk.counts) == 2 * 9  # a file per (candidate, split), continued in place
    assert reference.resource_spent_ == search.resource_spent_
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               reference.cv_results_["mean_test_score"])


def test_a_path_setting_the_file_would_lose_turns_checkpoints_off_before_training(tmp_path):
    pipe = Pipeline([("model", EpochModel())], memory=str(tmp_path / "cache"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search = SuccessiveHalvingSearchCV(pipe, {"model__lr": SPACE["lr"]}, max_resource=9,
                                           min_resource=1, random_state=0, cv=2,
                                           storage=str(tmp_path / "s.db")).fit(X, Y)
    (message,) = _off(caught)
    assert "is not the same candidate" in message and "memory=" in message
    # save's own warning is part of the message, not given apart
    assert "is saved as None" in message
    assert len([w for w in caught if "is saved as None" in str(w.message)]) == 1
    assert search.resource_spent_ == search.resource_requested_


# ------------------------------------------------------------ the attack
class _Evil:
    """Unpickling this creates the file ``marker``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _previous_name(params):
    """The name the pickle-based checkpoints had: sha1 of the pickled parameters."""
    kept = {k: v for k, v in params.items() if k not in ("max_epochs", "warm_start")}
    return hashlib.sha1(pickle.dumps(sorted(kept.items()), protocol=4)).hexdigest()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.slow
def test_a_resume_with_malicious_checkpoints_runs_no_code(tmp_path):
    from tests.search._search_job import DATA, Paced
    from tests.search.test_kill_and_resume import _kill_when, _start, _stored

    db, log = tmp_path / "hyper.db", tmp_path / "fits.log"
    _kill_when(_start("hyperband", db, log, 2), db, count=9)  # the first rung is stored
    directory = Path(str(db) + ".checkpoints")
    written = sorted(directory.glob("*.skhp"))
    assert len(written) >= 6
    marker = tmp_path / "marker"
    evil = pickle.dumps(_Evil(str(marker)))
    import sqlite3

    # the training data of both splits and of the refit
    datas = [data_fingerprint(DATA[0][train], DATA[1][train])
             for train, _ in check_cv(2).split(*DATA)] + [data_fingerprint(*DATA)]
    # every stored candidate wrote a checkpoint: the names give their fingerprints
    keys = {p.name.split("-")[0] for p in written}
    names = {f"{k}-{d}{ext}" for k in keys for d in datas for ext in (".skhp", ".pkl")}
    params = [json.loads(p) for p, in sqlite3.connect(db).execute(
        "SELECT params FROM sklearn_hp_trials")]
    for p in params:  # the names the previous version read
        model = Paced(log=str(log), delay=0.05).set_params(**p)
        names |= {f"{_previous_name(model.get_params())}-{d}.pkl" for d in datas}
    assert {p.name for p in written} <= names
    for name in names:
        (directory / name).write_bytes(evil)
    done = subprocess.run([sys.executable, str(JOB), "hyperband", str(db), str(log), "2"],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["n"] == result["distinct"] == result["n_trials"] == 22
    assert _stored(db) == 22
    # one warning: every file the resume read was refused, and its candidate retrained
    (refused,) = re.findall(r"Refused (\d+) checkpoint files?", done.stderr)
    assert int(refused) >= 1
    assert "is a Python pickle, which is never loaded" in done.stderr


@pytest.mark.parametrize("storage", [False, True])
def test_without_skops_only_checkpoints_in_memory_continue(tmp_path, monkeypatch, storage):
    monkeypatch.setitem(sys.modules, "skops", None)
    monkeypatch.setitem(sys.modules, "skops.io", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search = SuccessiveHalvingSearchCV(
            EpochModel(), SPACE, max_resource=9, min_resource=1, random_state=0, cv=2,
            storage=str(tmp_path / "s.db") if storage else None).fit(X, Y)
    assert search.resource_requested_ == 2 * (9 * 1 + 3 * 3 + 9)
    if storage:  # files, which need skops: off, with one warning naming the extra
        (message,) = _off(caught)
        assert "sklearn_hp[persist]" in message
        assert search.resource_spent_ == search.resource_requested_
    else:
        assert _off(caught) == []
        assert search.resource_spent_ == 2 * (9 * 1 + 3 * 2 + 6)


def test_held_checkpoints_past_the_cap_without_skops_turn_off_with_one_warning(monkeypatch):
    from sklearn_hp.search import _budget
    from sklearn_hp.search._checkpoint_memory import RecentCheckpoints

    monkeypatch.setitem(sys.modules, "skops", None)
    monkeypatch.setitem(sys.modules, "skops.io", None)
    monkeypatch.setattr(_budget, "RECENT", RecentCheckpoints(max_bytes=0))  # all spill
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search = SuccessiveHalvingSearchCV(EpochModel(), SPACE, max_resource=9, min_resource=1,
                                           random_state=0, cv=2).fit(X, Y)
    (message,) = _off(caught)
    assert "sklearn_hp[persist]" in message
    assert search.resource_spent_ == search.resource_requested_
