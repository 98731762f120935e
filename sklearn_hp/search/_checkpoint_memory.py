"""Checkpoints this process wrote, kept in memory so that reading one back skips the file.

A budget search writes every (candidate, split) model it will continue as a file
(:mod:`sklearn_hp.search._budget`) and reads it back at the next rung. When the
worker that reads it is the one that wrote it (``n_jobs=1``, threads, or the same
joblib worker) the read takes the copy kept here instead of parsing and checking
the file again. A copy is only used while the file is the one written: same
inode, size and modification time; a file replaced or changed since is read and
checked as any other. The copies are kept by recency up to a total of their files'
sizes, and those under a directory are dropped when it is removed.
"""

import copy
import os
import threading
from collections import OrderedDict

__all__ = ["RecentCheckpoints", "RECENT"]


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
        self._lock = threading.Lock()

    def keep(self, path, record):
        """Keep a copy of ``record``, just written to ``path``."""
        identity = _identity(path)
        if identity is None or identity[1] > self.max_bytes:
            self.forget(path)
            return
        kept = copy.deepcopy(record)  # the caller goes on using (and training) its own
        with self._lock:
            self._drop(path)
            self._kept[path] = (identity, kept)
            self._bytes += identity[1]
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._kept)))

    def take(self, path):
        """The record written to ``path`` if the file is still that one (else None).

        A copy is taken once: the next write of the path keeps a new one.
        """
        identity = _identity(path)
        with self._lock:
            kept = self._kept.get(path)
            self._drop(path)
        if kept is None or kept[0] != identity:
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

    def __len__(self):
        return len(self._kept)

    def _drop(self, path):
        kept = self._kept.pop(path, None)
        if kept is not None:
            self._bytes -= kept[0][1]


#: This process's copies: 128 MiB of checkpoint files at most.
RECENT = RecentCheckpoints(128 * 2**20)
