"""The checkpoint directory of a budget search, and what its workers record in it.

Where the directory lives (:func:`checkpoint_directory`): with a storage file,
next to it (``study.db.checkpoints``), kept after a crash so a resumed search
continues training, removed when the search completes; otherwise a fresh
directory (in ``checkpoint_dir`` or the temporary directory) removed when
``fit`` exits. A directory left by a killed process is removed by the next
budget search that starts, or by :func:`clean_checkpoints`; ``owner.json``
names the process using it.

Besides the checkpoints (see :mod:`sklearn_hp.search._budget`), workers write
small text files the search reads: the ledger of resource units trained
(:func:`read_ledger`), one JSON line per refused checkpoint
(:func:`log_refusal`), and the reason checkpoints were turned off
(:func:`turn_off`). Nothing in the directory is ever unpickled or executed; a
planted ledger or record can at most change a count or a warning's text.
"""

import json
import os
import shutil
import socket
import tempfile
import uuid
import warnings

from .._stacklevel import user_stacklevel
from ._checkpoint_memory import RECENT

__all__ = ["read_ledger", "checkpoint_directory", "clean_checkpoints", "release_checkpoints",
           "checkpoints_off", "turn_off", "log_refusal", "CheckpointReport",
           "warn_checkpoints_off"]

_PREFIX = "sklearn_hp_ckpt_"
_OWNER = "owner.json"
#: Checkpoint directories in use by a search running in this process.
_ACTIVE = set()
#: Refused files named in full in one warning; the others are counted.
_NAMED_IN_WARNING = 5
#: The events file is read up to this size (a file planted to be huge is not read whole).
_MAX_EVENTS_BYTES = 2**20


def _ledger_path(checkpoint_dir, run_id):
    return os.path.join(checkpoint_dir, f"ledger-{run_id}.txt" if run_id else "ledger.txt")


def read_ledger(checkpoint_dir, run_id=None):
    """Total resource trained by the fits of run ``run_id`` in ``checkpoint_dir``."""
    path = _ledger_path(checkpoint_dir, run_id)
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        return int(sum(float(line) for line in f if line.strip()))


def _owner_alive(directory):
    """Whether the process that made a checkpoint directory still runs."""
    try:
        with open(os.path.join(directory, _OWNER)) as f:
            owner = json.load(f)
    except (OSError, ValueError):
        return False
    if owner.get("host") != socket.gethostname():
        return True  # cannot tell: leave other machines' directories alone
    if owner.get("pid") == os.getpid():
        return os.path.abspath(directory) in _ACTIVE
    try:
        pid = int(owner["pid"])
    except (KeyError, ValueError, TypeError):
        return True
    return process_running(pid)


def process_running(pid):
    """Whether a process of id ``pid`` runs on this machine (one of another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def checkpoint_directory(checkpoint_dir=None, storage_path=None):
    """Create the checkpoint directory of one budget search.

    Parameters
    ----------
    checkpoint_dir : str or None
        Parent directory given by the user (``None``: the temporary directory).
    storage_path : str or None
        ``<storage file>.checkpoints`` when the search has a storage file; it
        is reused by a resumed search.

    Returns
    -------
    directory : str
    persistent : bool
        Whether the directory should survive an abnormal exit (for resuming).
    """
    if storage_path is not None and checkpoint_dir is None:
        directory, persistent = storage_path, True
    else:
        parent = checkpoint_dir or tempfile.gettempdir()
        clean_checkpoints(parent)
        directory = os.path.join(parent, f"{_PREFIX}{os.getpid()}_{uuid.uuid4().hex[:8]}")
        persistent = False
    _make_owned(directory)
    _ACTIVE.add(os.path.abspath(directory))
    return directory, persistent


def _make_owned(directory):
    """Create ``directory`` (or take it over) with its owner file, never without it.

    Another process's :func:`clean_checkpoints` removes a checkpoint directory
    whose owner file is missing or half-written; so a new directory is made
    under a name it does not look at and renamed once the owner file is in it,
    and an existing one gets its owner file replaced in one step.
    """
    parent = os.path.dirname(os.path.abspath(directory))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".sklearn_hp_staging_", dir=parent)
    _write_owner(staging)
    try:
        os.rename(staging, directory)
    except OSError:  # it exists: the storage's directory of a resumed search
        shutil.rmtree(staging, ignore_errors=True)
        _write_owner(directory)


def _write_owner(directory):
    tmp = os.path.join(directory, f".{_OWNER}.{uuid.uuid4().hex}")
    with open(tmp, "w") as f:
        json.dump({"host": socket.gethostname(), "pid": os.getpid()}, f)
    os.replace(tmp, os.path.join(directory, _OWNER))


def release_checkpoints(directory, remove):
    """Mark a checkpoint directory unused by this process; remove it if asked."""
    _ACTIVE.discard(os.path.abspath(directory))
    RECENT.forget_under(directory)
    if remove:
        shutil.rmtree(directory, ignore_errors=True)


def clean_checkpoints(path=None):
    """Remove checkpoint directories that no running search owns.

    Budget searches remove their checkpoints when ``fit`` ends; a process
    killed with SIGKILL cannot. Call this after such a crash (budget searches
    also call it when they start).

    Parameters
    ----------
    path : str, path-like or None
        A storage file (its ``.checkpoints`` directory is removed unless its
        search is running), a directory holding checkpoint directories, or
        ``None`` for the temporary directory.

    Returns
    -------
    removed : list of str
        The directories removed.
    """
    path = tempfile.gettempdir() if path is None else os.fspath(path)
    candidates = []
    if os.path.isdir(path + ".checkpoints"):
        candidates.append(path + ".checkpoints")
    elif os.path.isdir(path):
        candidates = [os.path.join(path, name) for name in os.listdir(path)
                      if name.startswith(_PREFIX)]
    removed = []
    for directory in candidates:
        if os.path.isdir(directory) and not _owner_alive(directory):
            shutil.rmtree(directory, ignore_errors=True)
            removed.append(directory)
    return removed


def _events_path(directory, run_id):
    return os.path.join(directory, f"events-{run_id}.jsonl" if run_id else "events.jsonl")


def _off_path(directory, run_id):
    return os.path.join(directory, f"off-{run_id}.txt" if run_id else "off.txt")


def checkpoints_off(directory, run_id):
    """Whether checkpoints of run ``run_id`` were turned off (see :func:`turn_off`)."""
    return os.path.exists(_off_path(directory, run_id))


def turn_off(directory, run_id, reason):
    """Turn checkpoints of run ``run_id`` off for every worker, recording ``reason``."""
    tmp = f"{_off_path(directory, run_id)}.{uuid.uuid4().hex}"
    with open(tmp, "w") as f:
        f.write(reason)
    os.replace(tmp, _off_path(directory, run_id))


def log_refusal(directory, run_id, path, reason):
    """Record, for the search to warn about, that the checkpoint ``path`` was refused."""
    line = json.dumps({"file": os.path.basename(path), "reason": reason})
    with open(_events_path(directory, run_id), "a") as f:
        f.write(line + "\n")


class CheckpointReport:
    """Warns, from the process running the search, about what its workers recorded.

    Workers (other processes, or threads) cannot warn the user themselves; they
    record a refused checkpoint with :func:`log_refusal`, or checkpoints turned
    off with :func:`turn_off`, and the search calls :meth:`warn` when ``fit``
    ends: one warning that checkpoints are off, and one naming the files
    refused (each named once, also if :meth:`warn` is called again).

    Parameters
    ----------
    directory : str
        The checkpoint directory.
    run_id : str
        The run whose records are read.
    off_warned : bool, default=False
        Whether the search already warned that checkpoints are off.
    """

    def __init__(self, directory, run_id, off_warned=False):
        self.directory = directory
        self.run_id = run_id
        self.off_warned = off_warned
        self._offset = 0
        self._named = set()

    def warn(self):
        """Give the warnings due; return the number given."""
        given = 0
        if not self.off_warned and checkpoints_off(self.directory, self.run_id):
            self.off_warned = True
            with open(_off_path(self.directory, self.run_id), errors="replace") as f:
                warn_checkpoints_off(f.read(2000))
            given += 1
        refused = self._new_refusals()
        if refused:
            named = [f"{os.path.join(self.directory, name)} ({reason})"
                     for name, reason in refused[:_NAMED_IN_WARNING]]
            more = len(refused) - len(named)
            warnings.warn(
                f"Refused {len(refused)} checkpoint file{'s' if len(refused) > 1 else ''}, "
                f"so {'their candidates were' if len(refused) > 1 else 'its candidate was'} "
                "trained from scratch instead (results are unaffected, only time is lost): "
                + "; ".join(named) + (f"; and {more} more" if more else "") + ".",
                UserWarning, stacklevel=user_stacklevel(),
            )
            given += 1
        return given

    def _new_refusals(self):
        path = _events_path(self.directory, self.run_id)
        try:
            with open(path, "rb") as f:
                f.seek(self._offset)
                data = f.read(max(0, _MAX_EVENTS_BYTES - self._offset))
        except OSError:
            return []
        end = data.rfind(b"\n") + 1  # a line being written is read next time
        self._offset += end
        refused = []
        for line in data[:end].decode("utf-8", "replace").splitlines():
            try:
                event = json.loads(line)
                name, reason = str(event["file"]), str(event["reason"])
            except (ValueError, KeyError, TypeError):
                continue
            if name not in self._named:
                self._named.add(name)
                refused.append((name, reason))
        return refused


def warn_checkpoints_off(reason):
    """The one warning saying checkpoints (so continued training) are off, and why."""
    warnings.warn(
        "Checkpoints are off for this search, so training is not continued between "
        "rungs: each candidate is trained from scratch at every budget (results are "
        "unaffected, only time is lost). The safe checkpoint format "
        "(sklearn_hp.persistence, which trusts the classes of scikit-learn, sklearn_hp, "
        "numpy and scipy, and those the estimator's hyperparameters hold) cannot hold "
        f"this estimator: {reason}",
        UserWarning, stacklevel=user_stacklevel(),
    )
