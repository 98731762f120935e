"""Checkpoints this process wrote, kept in memory so that reading one back skips the file.

A budget search writes every (candidate, split) model it will continue as a file
(:mod:`sklearn_hp.search._budget`) and reads it back at the next rung. When the
worker that reads it is the one that wrote it (``n_jobs=1``, threads, or the same
joblib worker) the read takes the copy kept here instead of parsing and checking
the file again. A copy is only used while the file is the one written: same
inode, size and modification time; a file replaced or changed since is read and
checked as any other. The copies are kept by recency up to a total of their files'
sizes, and those under a directory are dropped when it is removed.

When every fit of a search runs in this process and nothing will resume from its
files (no storage), a checkpoint need not be a file at all: :meth:`RecentCheckpoints.hold`
keeps it in memory only. Held checkpoints are never dropped for newer ones; one
that would pass the cap is written as a file instead. Their size is what pickling
them would write, counted without keeping the bytes (nothing is ever unpickled).
"""

import copy
import os
import pickle
import threading
from collections import OrderedDict

__all__ = ["RecentCheckpoints", "RECENT", "approximate_size"]

#: Identity of a checkpoint held in memory only: no file stands for it.
_HELD = "held"


class _Counter:
    """A file that counts the bytes written to it and keeps none."""

    def __init__(self):
        self.written = 0

    def write(self, data):
        self.written += len(data)


def approximate_size(record):
    """Bytes ``record`` takes in memory, as pickling it would write them, or None.

    Arrays are counted by their buffers, which are not copied (pickle protocol 5,
    out of band); None when ``record`` cannot be pickled.
    """
    counter, buffers = _Counter(), []
    try:
        pickle.Pickler(counter, protocol=5,
                       buffer_callback=lambda b: buffers.append(b.raw().nbytes)).dump(record)
    except Exception:  # a lambda, a lock, ...: the caller writes a file instead
        return None
    return counter.written + sum(buffers)


def _identity(path):
    """What tells a file apart from one written over it, or None when it is gone."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


class RecentCheckpoints:
    """Copies of the checkpoints written by this process, by path.

    Parameters
    ----------
    max_bytes : int
        Most bytes of checkpoint files whose copies are kept; the least recently
        written are dropped first.
    """

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self._kept = OrderedDict()  # path -> (identity, record)
        self._bytes = 0
        self._held_bytes = 0
        self._directories = set()
        self._lock = threading.Lock()

    def keep(self, path, record):
        """Keep a copy of ``record``, just written to ``path``."""
        identity = _identity(path)
        if identity is None or identity[1] > self.max_bytes - self._held_bytes:
            self.forget(path)
            return
        self._store(path, identity, record)

    def hold(self, path, record):
        """Keep ``record`` as the checkpoint of ``path`` without a file.

        Returns
        -------
        bool
            False when it cannot be held (its size unknown, or the held ones
            would pass ``max_bytes``): the caller writes the file then.
        """
        size = approximate_size(record)
        with self._lock:
            held = self._kept.get(path)
            room = self.max_bytes - self._held_bytes
            if held is not None and held[0][0] == _HELD:
                room += held[0][1]
            if size is None or size > room:
                return False
        self._store(path, (_HELD, size), record)
        return True

    def holds(self, path):
        """Whether ``path``'s checkpoint is held in memory only."""
        kept = self._kept.get(path)
        return kept is not None and kept[0][0] == _HELD

    def take(self, path):
        """The record written to ``path`` if the file is still that one (else None).

        A held checkpoint is returned whatever the file system holds under its
        name. A copy is taken once: the next write of the path keeps a new one.
        """
        identity = _identity(path)
        with self._lock:
            kept = self._kept.get(path)
            self._drop(path)
        if kept is None or (kept[0][0] != _HELD and kept[0] != identity):
            return None
        return kept[1]

    def forget(self, path):
        """Drop the copy of ``path``, if any."""
        with self._lock:
            self._drop(path)

    def forget_under(self, directory):
        """Drop the copies of every file under ``directory``."""
        prefix = os.path.join(os.path.abspath(directory), "")
        with self._lock:
            for path in [p for p in self._kept if os.path.abspath(p).startswith(prefix)]:
                self._drop(path)

    def _forget_removed_directories(self, path):
        """Drop the copies under directories removed since (a finished search's).

        The search removes its directory from the process that runs it; a worker
        process learns of it here, when it next keeps a copy.
        """
        directory = os.path.dirname(os.path.abspath(path))
        with self._lock:
            known = list(self._directories)
            self._directories.add(directory)
        for gone in [d for d in known if d != directory and not os.path.isdir(d)]:
            self.forget_under(gone)
            with self._lock:
                self._directories.discard(gone)

    def __len__(self):
        return len(self._kept)

    def _store(self, path, identity, record):
        """Keep a copy of ``record`` for ``path`` (``identity[1]``: its bytes)."""
        self._forget_removed_directories(path)
        kept = copy.deepcopy(record)  # the caller goes on using (and training) its own
        with self._lock:
            self._drop(path)
            self._kept[path] = (identity, kept)
            self._bytes += identity[1]
            if identity[0] == _HELD:
                self._held_bytes += identity[1]
            self._make_room()

    def _make_room(self):
        """Drop the oldest copies of files until all fit; held ones stay."""
        for path in list(self._kept):
            if self._bytes <= self.max_bytes:
                return
            if self._kept[path][0][0] != _HELD:
                self._drop(path)

    def _drop(self, path):
        kept = self._kept.pop(path, None)
        if kept is None:
            return
        self._bytes -= kept[0][1]
        if kept[0][0] == _HELD:
            self._held_bytes -= kept[0][1]


#: This process's copies: 128 MiB of checkpoint files at most.
RECENT = RecentCheckpoints(128 * 2**20)
