"""Checkpoints read back by the process that wrote them skip the file, and only then."""

import os
from unittest import mock

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import SGDClassifier

from sklearn_hp import persistence
from sklearn_hp.persistence import _io
from sklearn_hp.search import _budget
from sklearn_hp.search._budget import (
    Checkpoint,
    RefusedCheckpoint,
    candidate_fingerprint,
    read_checkpoint,
    trusted_classes,
    write_checkpoint,
)
from sklearn_hp.search._checkpoint_memory import RECENT, RecentCheckpoints

X, y = make_classification(200, 5, random_state=0)


def _checkpoint(model, budget):
    return Checkpoint(model, budget, candidate_fingerprint(model, "n_estimators"), "data")


@pytest.fixture
def written(tmp_path):
    model = GradientBoostingClassifier(n_estimators=7, random_state=0).fit(X, y)
    path = str(tmp_path / "c.skhp")
    record = _checkpoint(model, 7)
    write_checkpoint(path, record, trusted_classes(model))
    yield path, record, model
    RECENT.forget(path)


def _read(path, record):
    return read_checkpoint(path, record, "n_estimators", trusted_classes(record.model))


def test_a_checkpoint_read_back_unchanged_comes_from_memory_once(written):
    path, record, model = written
    with mock.patch.object(persistence, "load", side_effect=AssertionError("read the file")):
        copy, budget = _read(path, record)
    assert budget == 7 and copy is not model
    np.testing.assert_array_equal(copy.predict_proba(X), model.predict_proba(X))
    with mock.patch.object(persistence, "load", wraps=persistence.load) as load:
        _read(path, record)  # taken once: the second read parses the file
    assert load.call_count == 1


def test_training_the_writer_s_model_on_does_not_change_the_kept_copy(written):
    path, record, model = written
    model.set_params(n_estimators=20, warm_start=True).fit(X, y)
    copy, _ = _read(path, record)
    assert len(copy.estimators_) == 7


def test_a_file_written_over_is_read_and_checked_not_taken_from_memory(written):
    path, record, _ = written
    with open(path, "wb") as handle:  # the same inode, other bytes
        handle.write(b"\x80\x04not a model")
    with pytest.raises(RefusedCheckpoint):
        _read(path, record)


def test_another_candidate_s_file_under_the_name_is_still_refused(written, tmp_path):
    path, record, _ = written
    other = GradientBoostingClassifier(n_estimators=7, max_depth=2, random_state=0).fit(X, y)
    elsewhere = str(tmp_path / "other.skhp")
    write_checkpoint(elsewhere, _checkpoint(other, 7), trusted_classes(other))
    os.replace(elsewhere, path)  # the kept copy of `elsewhere` no longer names a file
    with pytest.raises(RefusedCheckpoint, match="another candidate"):
        _read(path, record)


def test_only_the_first_checkpoint_of_a_kind_is_checked_at_write(tmp_path):
    _budget._CHECKED_KINDS.clear()
    gb = [GradientBoostingClassifier(n_estimators=3, learning_rate=rate).fit(X, y)
          for rate in (0.1, 0.2)]
    sgd = SGDClassifier(max_iter=5, tol=None).fit(X, y)
    with mock.patch.object(_io, "audit_schema", wraps=_io.audit_schema) as audit:
        for i, model in enumerate([*gb, sgd]):
            write_checkpoint(str(tmp_path / f"{i}.skhp"), _checkpoint(model, 3),
                             trusted_classes(model))
    assert audit.call_count == 2  # the first boosting model's, the SGD model's
    for i in range(3):
        RECENT.forget(str(tmp_path / f"{i}.skhp"))


def test_copies_are_kept_up_to_their_files_bytes_and_dropped_with_their_directory(tmp_path):
    recent = RecentCheckpoints(max_bytes=250)
    paths = []
    for i in range(3):
        paths.append(str(tmp_path / "run" / f"{i}.skhp"))
        os.makedirs(os.path.dirname(paths[-1]), exist_ok=True)
        with open(paths[-1], "wb") as handle:
            handle.write(b"x" * 100)
        recent.keep(paths[-1], {"i": i})
    assert len(recent) == 2  # 300 bytes: the oldest went
    assert recent.take(paths[0]) is None and recent.take(paths[2]) == {"i": 2}
    recent.forget_under(tmp_path / "run")
    assert len(recent) == 0


# ------------------------------------------------------------ held, no file
def test_a_held_checkpoint_writes_no_file_and_is_read_once_from_memory(tmp_path):
    model = GradientBoostingClassifier(n_estimators=7, random_state=0).fit(X, y)
    path, record = str(tmp_path / "held.skhp"), _checkpoint(model, 7)
    write_checkpoint(path, record, trusted_classes(model), in_memory=True)
    assert not os.path.exists(path) and RECENT.holds(path)
    model.set_params(n_estimators=20, warm_start=True).fit(X, y)  # the writer trains on
    with mock.patch.object(persistence, "load", side_effect=AssertionError("read a file")):
        copy, budget = _read(path, record)
    assert budget == 7 and len(copy.estimators_) == 7
    assert not RECENT.holds(path)


def test_a_file_planted_under_a_held_checkpoint_s_name_is_not_read(tmp_path):
    model = GradientBoostingClassifier(n_estimators=3, random_state=0).fit(X, y)
    path, record = str(tmp_path / "held.skhp"), _checkpoint(model, 3)
    write_checkpoint(path, record, trusted_classes(model), in_memory=True)
    with open(path, "wb") as handle:
        handle.write(b"\x80\x04planted")
    with mock.patch.object(persistence, "load", side_effect=AssertionError("read a file")):
        _, budget = _read(path, record)
    assert budget == 3


def test_held_checkpoints_stay_and_one_past_the_cap_is_written_as_a_file(tmp_path):
    recent = RecentCheckpoints(max_bytes=3000)
    record = {"weights": np.zeros(200)}  # 1,600 bytes of buffer, and the pickle's frame
    assert recent.hold(str(tmp_path / "a"), record)
    assert not recent.hold(str(tmp_path / "b"), record)  # the caller writes b's file
    with open(tmp_path / "c", "wb") as handle:
        handle.write(b"x" * 1000)
    recent.keep(str(tmp_path / "c"), {"c": 1})
    with open(tmp_path / "d", "wb") as handle:
        handle.write(b"x" * 1000)
    recent.keep(str(tmp_path / "d"), {"d": 1})  # c's copy goes; the held one stays
    assert recent.holds(str(tmp_path / "a")) and recent.take(str(tmp_path / "c")) is None
    assert recent.take(str(tmp_path / "d")) == {"d": 1}
    np.testing.assert_array_equal(recent.take(str(tmp_path / "a"))["weights"], np.zeros(200))
    assert len(recent) == 0


def test_a_checkpoint_that_cannot_be_measured_is_written_as_a_file(tmp_path):
    model = GradientBoostingClassifier(n_estimators=3, random_state=0).fit(X, y)
    record = _checkpoint(model, 3)
    assert RecentCheckpoints(2**20).hold(str(tmp_path / "a"), record)
    record.model.unpicklable_ = lambda: None
    assert not RecentCheckpoints(2**20).hold(str(tmp_path / "b"), record)


def test_only_fits_in_this_process_hold_checkpoints_in_memory():
    from joblib import parallel_config

    from sklearn_hp.search._workers import fits_in_this_process

    assert fits_in_this_process(None) and fits_in_this_process(1)
    assert not fits_in_this_process(2) and not fits_in_this_process(-1)
    with parallel_config(backend="threading"):
        assert fits_in_this_process(2)
    with parallel_config(n_jobs=2):
        assert not fits_in_this_process(None)


def test_copies_under_a_directory_removed_since_go_when_the_next_is_kept(tmp_path):
    # a joblib worker is not told that the search which wrote them ended
    recent = RecentCheckpoints(max_bytes=2**20)
    finished, running = tmp_path / "finished", tmp_path / "running"
    for directory in (finished, running):
        directory.mkdir()
        (directory / "a.skhp").write_bytes(b"x" * 10)
        recent.keep(str(directory / "a.skhp"), {"in": directory.name})
    assert recent.hold(str(finished / "b.skhp"), {"in": "finished"})
    (finished / "a.skhp").unlink()
    finished.rmdir()
    assert len(recent) == 3
    assert recent.hold(str(running / "b.skhp"), {"in": "running"})
    assert len(recent) == 2 and recent.take(str(running / "a.skhp")) == {"in": "running"}
