"""Helpers shared by the benchmark scripts: alternating timed runs and table output."""

import statistics
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def alternate(runs, repeats):
    """Time each ``name -> callable`` in turn, ``repeats`` rounds; return name -> (times, value)."""
    timings = {name: [] for name in runs}
    values = {}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            values[name] = run()
            timings[name].append(time.perf_counter() - start)
    return {name: (timings[name], values[name]) for name in runs}


def median(values):
    """Median of a list of numbers."""
    return statistics.median(values)


def markdown_table(header, rows):
    """Return a Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def write_result(name, text):
    """Write ``text`` to ``benchmarks/results/<name>`` and print it."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / name).write_text(text + "\n")
    print(text)
