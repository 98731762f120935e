"""One JSON-lines file of results per suite, keyed by (problem, method, seed).

Each line is a result with its key: ``{"problem": ..., "method": ..., "seed": ...,
...}``. Saving appends one line (a single ``write``, so parallel workers appending
to the same file do not interleave); the last line of a key wins, as an overwrite
would. :meth:`ResultStore.compact` rewrites the file with one line per key in a
stable order, so that a committed store changes by the results a run added.
"""

import json
import os
from pathlib import Path

_KEY = ("problem", "method", "seed")


def _line(key, result):
    return json.dumps({**dict(zip(_KEY, key)), **result}, separators=(",", ":"))


class ResultStore:
    """Results of (problem, method, seed) runs in the JSON-lines file ``path``."""

    def __init__(self, path):
        self.path = Path(path)
        self._stamp, self._results = None, {}

    def _read(self):
        """``{key: result}`` from the file, read again only when it changed."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            results = {}
            for line in self.path.read_text().splitlines():
                if line.strip():
                    record = json.loads(line)
                    key = tuple(record.pop(name) for name in _KEY)
                    results[key] = record
            self._stamp, self._results = stamp, results
        return self._results

    def load(self, problem, method, seed):
        """The stored result (a dict), or None."""
        result = self._read().get((problem, method, seed))
        return None if result is None else dict(result)

    def save(self, problem, method, seed, result):
        """Append ``result`` (a JSON-able dict) under its key."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = _line((problem, method, seed), result)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)

    def compact(self):
        """Rewrite the file: one line per key, sorted by key."""
        results = self._read()
        if not results:
            return
        lines = [_line(key, results[key]) for key in sorted(results)]
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text("\n".join(lines) + "\n")
        os.replace(temporary, self.path)
