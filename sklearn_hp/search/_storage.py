"""Trial storage: where a search's finished trials live, so a search can resume.

One trial type, :class:`TrialRecord`, is what the storage keeps, what the
search callbacks and ``trials_`` show and what the samplers read (they use its
``params`` and ``score``). One storage interface, :class:`TrialStorage`, is what
the search writes through. A finished trial is committed the moment it
finishes (asynchronous searches) or its batch returns (synchronous rounds,
which are short: :func:`~sklearn_hp.search._search_base.batch_limit`), one
transaction per trial, so a kill loses little. ``storage=None`` keeps the
trials in memory (:class:`MemoryStorage`); a path gives an SQLite file through
the standard library's ``sqlite3`` in WAL mode (:class:`SQLiteStorage`); any
object with the methods of :class:`TrialStorage` works too. Only the search's
own process writes (the workers never see the storage), the sampler reads the
search's copy, and nothing else touches the file.
"""

import json
import math
import os
import socket
import sqlite3
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

__all__ = [
    "STATUSES",
    "MemoryStorage",
    "SQLiteStorage",
    "StorageError",
    "TrialRecord",
    "TrialStorage",
    "make_storage",
]

#: What became of a trial: ``complete`` (scored), ``failed`` (a fit raised, or
#: killed its worker process), ``diverged`` (training diverged or gave a
#: non-finite score), ``pruned`` (a budget search did not promote it to the
#: next rung), ``cancelled`` (still running when the time budget ran out: not
#: finished, so not in ``cv_results_``, and run again by a resumed search).
#: A resumed search runs ``failed`` trials again only with ``retry_failed=True``.
STATUSES = ("complete", "failed", "diverged", "pruned", "cancelled")

_FORMAT = "sklearn_hp.trials"
_VERSION = 1


class StorageError(ValueError):
    """A storage that cannot be used: corrupt, locked, foreign or another search's."""


@dataclass
class TrialRecord:
    """One finished trial, as stored.

    Attributes
    ----------
    number : int
        Position in the order the search proposed its candidates (from 0).
    params : dict
        The candidate, as given to ``set_params``.
    score : float
        Mean test score of the optimised metric (``nan`` when it failed).
    status : str
        One of :data:`STATUSES`.
    splits : list of dict
        scikit-learn's per-split results: ``test_scores``, ``fit_time``,
        ``score_time``, ``n_test_samples``, ``fit_error`` (and ``train_scores``).
    extra : dict
        Extra ``cv_results_`` columns (``iter``, ``n_resources``, ``bracket`` for
        budget searches).
    finished_at : float
        POSIX time the trial was recorded.
    """

    number: int
    params: dict
    score: float
    status: str
    splits: list
    extra: dict = field(default_factory=dict)
    finished_at: float = math.nan

    @property
    def rung(self):
        """Rung of a budget search (``None`` for other searches)."""
        return self.extra.get("iter")

    @property
    def budget(self):
        """Resource given to the trial by a budget search (``None`` otherwise)."""
        return self.extra.get("n_resources")

    @property
    def bracket(self):
        """Hyperband bracket (``None`` for other searches)."""
        return self.extra.get("bracket")

    @property
    def duration(self):
        """Seconds spent fitting and scoring, summed over splits (``nan`` if unknown)."""
        return float(sum(s["fit_time"] + s["score_time"] for s in self.splits))

    @property
    def fit_error(self):
        """The first error message of a failed fit, or ``None``."""
        return next((s["fit_error"] for s in self.splits if s.get("fit_error")), None)


@runtime_checkable
class TrialStorage(Protocol):
    """What a search writes its trials through (``storage=`` takes any such object).

    A storage may also have a ``checkpoint_path`` attribute: the directory
    where budget searches keep their partial models (``None``: a temporary one).
    """

    def open(self, fingerprint, codec):
        """Check ``fingerprint`` (a dict naming the search) against the stored one and
        return the stored :class:`TrialRecord` list, by number; ``codec`` decodes
        stored parameters."""

    def add(self, record):
        """Commit one finished :class:`TrialRecord` (replacing one of the same number)."""

    def set_status(self, numbers, status):
        """Set the status of the stored trials ``numbers``."""

    def get_meta(self, key, default=None):
        """A value stored with the trials (e.g. ``resource_spent``)."""

    def set_meta(self, key, value):
        """Store a JSON value with the trials."""

    def close(self):
        """Release the storage (the search's ``fit`` ended)."""


class MemoryStorage:
    """Trials kept in memory; what ``storage=None`` uses (a :class:`TrialStorage`)."""

    #: Directory next to the storage where budget searches keep checkpoints
    #: (``None``: a temporary one, removed when the search ends).
    checkpoint_path = None

    def __init__(self):
        self._trials = {}
        self._meta = {}

    def open(self, fingerprint, codec=None):
        _check_fingerprint(self._meta.get("fingerprint"), fingerprint, "the storage in memory")
        self._meta["fingerprint"] = fingerprint
        return [self._trials[k] for k in sorted(self._trials)]

    def add(self, record):
        self._trials[record.number] = record

    def set_status(self, numbers, status):
        for number in numbers:
            self._trials[number].status = status

    def get_meta(self, key, default=None):
        return self._meta.get(key, default)

    def set_meta(self, key, value):
        self._meta[key] = value

    def close(self):
        pass


_SCHEMA = """
CREATE TABLE sklearn_hp_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sklearn_hp_trials (
    number INTEGER PRIMARY KEY,
    params TEXT NOT NULL,
    score REAL,
    status TEXT NOT NULL,
    bracket INTEGER,
    rung INTEGER,
    budget INTEGER,
    splits TEXT NOT NULL,
    extra TEXT NOT NULL,
    finished_at REAL
);
"""


class SQLiteStorage:
    """Trials in an SQLite file (standard library ``sqlite3``, WAL journal).

    One file holds one search. Each finished trial is one transaction; a
    process killed mid-search loses only the batch that was running
    (``synchronous=NORMAL``: commits survive a killed process; a power cut may
    lose the last ones). The file
    records the search's fingerprint (estimator, space, cv, scoring, data) and
    refuses to resume a different search into it. While a search runs, the file
    is leased to its process: a second process is refused until the first ends
    (or dies).

    Parameters
    ----------
    path : str or path-like
        The database file; created when missing.
    timeout : float, default=10.0
        Seconds to wait for a lock held by another connection before giving up.

    Notes
    -----
    Parameter values are stored as JSON; values JSON cannot hold (estimators,
    functions) are stored as their position among the space's choices, so the
    same space is needed to read them back (which the fingerprint enforces).
    """

    def __init__(self, path, timeout=10.0):
        self.path = os.fspath(path)
        self.timeout = timeout
        self._conn = None
        self.codec = None  # set by the search: encodes parameter values

    @property
    def checkpoint_path(self):
        """Directory where budget searches keep partial models between rungs."""
        return self.path + ".checkpoints"

    def __repr__(self):
        return f"SQLiteStorage({self.path!r})"

    # ---------------------------------------------------------------- opening
    def _connect(self):
        try:
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            # a commit survives the process being killed; only a power cut can lose
            # the last trials (an fsync per trial would cost ~10 ms)
            conn.execute("PRAGMA synchronous=NORMAL")
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.OperationalError as error:
            if _is_lock_error(error):
                raise self._locked(error) from error
            raise StorageError(
                f"Cannot open the trial storage {self.path!r}: {error}. Accepted: a "
                f"path to a writable SQLite file (created when missing)."
            ) from error
        except sqlite3.DatabaseError as error:
            raise StorageError(
                f"The trial storage {self.path!r} is not a readable SQLite database "
                f"({error}); it is corrupt or another kind of file. Give a new path, or "
                f"the file a search with storage= wrote."
            ) from error
        if mode.lower() != "wal":
            conn.close()
            raise StorageError(
                f"The trial storage {self.path!r} could not switch to WAL journaling "
                f"(got {mode!r}); put it on a local or shared file system with locking."
            )
        return conn, tables

    def _locked(self, error):
        return StorageError(
            f"The trial storage {self.path!r} is locked by another process (waited "
            f"{self.timeout} s): {error}. Wait for it to finish or use another file."
        )

    def open(self, fingerprint, codec):
        """Open (or create) the file, check its fingerprint, return its trials.

        ``codec`` turns parameter dicts into JSON values and back.
        """
        self.codec = codec
        conn, tables = self._connect()
        self._conn = conn
        try:
            if not tables:
                conn.executescript("BEGIN IMMEDIATE;" + _SCHEMA)
                for key, value in (("format", _FORMAT), ("version", _VERSION),
                                   ("fingerprint", fingerprint)):
                    conn.execute("INSERT INTO sklearn_hp_meta VALUES (?, ?)",
                                 (key, json.dumps(value)))
                self._write("COMMIT")
            elif "sklearn_hp_meta" not in tables or "sklearn_hp_trials" not in tables:
                raise StorageError(
                    f"{self.path!r} is an SQLite database of something else (tables: "
                    f"{sorted(tables)}), not a sklearn_hp trial storage; give a new path."
                )
            meta = dict(conn.execute("SELECT key, value FROM sklearn_hp_meta"))
            fmt = json.loads(meta.get("format", "null"))
            version = json.loads(meta.get("version", "null"))
            if fmt != _FORMAT or version != _VERSION:
                raise StorageError(
                    f"{self.path!r} has format {fmt!r} version {version!r}; this "
                    f"sklearn_hp reads {_FORMAT!r} version {_VERSION}."
                )
            _check_fingerprint(json.loads(meta["fingerprint"]), fingerprint, repr(self.path))
            self._take_lease(meta.get("owner"))
            return self._load()
        except BaseException:
            self.close()
            raise

    def _take_lease(self, owner):
        if owner is not None:
            host, pid = json.loads(owner)
            if host == socket.gethostname() and pid != os.getpid() and _alive(pid):
                raise StorageError(
                    f"The trial storage {self.path!r} is in use by process {pid} on "
                    f"{host}; one search at a time writes a storage. Wait for it, or "
                    f"use another file."
                )
        self.set_meta("owner", [socket.gethostname(), os.getpid()])
        self._leased = True

    def _load(self):
        rows = self._conn.execute(
            "SELECT number, params, score, status, splits, extra, finished_at "
            "FROM sklearn_hp_trials ORDER BY number").fetchall()
        records = []
        for number, params, score, status, splits, extra, finished in rows:
            records.append(TrialRecord(
                number=number, params=self.codec.decode(json.loads(params)),
                score=math.nan if score is None else score, status=status,
                splits=json.loads(splits), extra=json.loads(extra),
                finished_at=math.nan if finished is None else finished))
        return records

    # ---------------------------------------------------------------- writing
    def _write(self, sql, args=()):
        try:
            return self._conn.execute(sql, args)
        except sqlite3.OperationalError as error:
            if _is_lock_error(error):
                raise self._locked(error) from error
            raise StorageError(
                f"Writing to the trial storage {self.path!r} failed: {error}."
            ) from error

    def add(self, record):
        """Commit one finished trial (its own transaction)."""
        self._write("BEGIN IMMEDIATE")
        self._write(
            "INSERT OR REPLACE INTO sklearn_hp_trials VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record.number, json.dumps(self.codec.encode(record.params)),
             record.score if math.isfinite(record.score) else None, record.status,
             record.bracket, record.rung, record.budget, json.dumps(record.splits),
             json.dumps(record.extra), record.finished_at))
        self._write("COMMIT")

    def set_status(self, numbers, status):
        """Change the status of stored trials (e.g. to ``pruned``)."""
        self._write("BEGIN IMMEDIATE")
        self._conn.executemany("UPDATE sklearn_hp_trials SET status=? WHERE number=?",
                               [(status, int(n)) for n in numbers])
        self._write("COMMIT")

    def get_meta(self, key, default=None):
        row = self._conn.execute("SELECT value FROM sklearn_hp_meta WHERE key=?",
                                 (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def set_meta(self, key, value):
        self._write("INSERT OR REPLACE INTO sklearn_hp_meta VALUES (?, ?)",
                    (key, json.dumps(value)))

    def close(self):
        """Release the lease and close the connection."""
        if self._conn is None:
            return
        if getattr(self, "_leased", False):  # never release another process's lease
            try:
                self._conn.execute("DELETE FROM sklearn_hp_meta WHERE key='owner'")
            except sqlite3.Error:
                pass
            self._leased = False
        self._conn.close()
        self._conn = None


def _is_lock_error(error):
    return "locked" in str(error) or "busy" in str(error)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _check_fingerprint(stored, current, where):
    """Raise naming every part of ``current`` that differs from ``stored``."""
    if stored is None:
        return
    keys = sorted(set(stored) | set(current))
    differ = [k for k in keys if stored.get(k) != current.get(k)]
    if not differ:
        return
    details = "; ".join(
        f"{k}: stored {_short(stored.get(k))}, now {_short(current.get(k))}" for k in differ)
    raise StorageError(
        f"The trial storage {where} holds a different search; {', '.join(differ)} "
        f"differ ({details}). Resume with the same estimator, space, cv, scoring and "
        f"data, or give a new storage."
    )


def _short(value, limit=160):
    text = json.dumps(value, sort_keys=True, default=repr)
    return text if len(text) <= limit else text[:limit] + "..."


def make_storage(storage):
    """The storage object a search uses for ``storage=``.

    Parameters
    ----------
    storage : None, str, path-like or storage object
        ``None``: :class:`MemoryStorage`; a path: :class:`SQLiteStorage`; an
        object with ``open``, ``add``, ``set_status``, ``get_meta``, ``set_meta``
        and ``close`` methods is used as is.

    Returns
    -------
    storage object
    """
    if storage is None:
        return MemoryStorage()
    if isinstance(storage, (str, os.PathLike)):
        if not os.fspath(storage):
            raise ValueError(
                "storage='' is not a file name; give a path such as 'study.db', a "
                "storage object, or None to keep trials in memory."
            )
        return SQLiteStorage(storage)
    if not isinstance(storage, TrialStorage):
        needed = ("open", "add", "set_status", "get_meta", "set_meta", "close")
        missing = [m for m in needed if not callable(getattr(storage, m, None))]
        raise ValueError(
            f"storage must be None, a path to an SQLite file or a storage object with "
            f"methods {list(needed)}; got {storage!r}, which lacks {missing}."
        )
    return storage
