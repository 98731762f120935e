"""A cache of finished runs: one JSON line per run, appended as each run ends.

Each line holds a run's key fields (named by the cache) and its results. A run
interrupted half-way leaves nothing; the last line of a key wins. ``compact``
rewrites the file sorted by key, one line per key, so that a committed cache
changes by the runs a session added.
"""

import json
from pathlib import Path


class RunCache:
    """Runs keyed by the values of ``key_fields``, in the JSON-lines file ``path``."""

    def __init__(self, path, key_fields):
        self.path, self.key_fields = Path(path), tuple(key_fields)

    def key(self, record):
        """The key tuple of ``record`` (a dict holding at least the key fields)."""
        return tuple(record[name] for name in self.key_fields)

    def runs(self):
        """``{key: record}`` of every run in the file (empty when there is none)."""
        if not self.path.exists():
            return {}
        records = (json.loads(line) for line in self.path.read_text().splitlines() if line)
        return {self.key(record): record for record in records}

    def add(self, record):
        """Append ``record`` (a JSON-able dict with the key fields) as one line."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a") as stream:
            stream.write(json.dumps(record, sort_keys=True) + "\n")

    def compact(self):
        """Rewrite the file with one line per key, sorted by key."""
        runs = self.runs()
        lines = [json.dumps(runs[key], sort_keys=True) for key in sorted(runs)]
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text("".join(line + "\n" for line in lines))
        temporary.replace(self.path)

