"""Helpers shared by the benchmark scripts: alternating timed runs and table output."""

import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from threadpoolctl import threadpool_limits

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


#: The two BLAS settings every speed benchmark reports: what a user's process gets
#: (None: leave the machine's default) and one thread.
THREAD_SETTINGS = (("default", None), ("1", 1))


@contextmanager
def blas_threads(limit):
    """Run with at most ``limit`` BLAS threads (None: the default), PyTorch's too."""
    torch = sys.modules.get("torch")
    before = torch.get_num_threads() if torch is not None else None
    with threadpool_limits(limits=limit, user_api="blas"):
        if torch is not None and limit is not None:
            torch.set_num_threads(limit)
        try:
            yield
        finally:
            if torch is not None:
                torch.set_num_threads(before)


def alternate_threads(runs, repeats, settings=THREAD_SETTINGS):
    """Like :func:`alternate`, each round running every ``runs`` under every thread setting.

    Returns ``(setting_name, run_name) -> (times, last value)``.
    """
    timings, values = {}, {}
    for _ in range(repeats):
        for setting, limit in settings:
            with blas_threads(limit):
                for name, run in runs.items():
                    start = time.perf_counter()
                    values[setting, name] = run()
                    timings.setdefault((setting, name), []).append(time.perf_counter() - start)
    return {key: (timings[key], values[key]) for key in timings}


def ratio_cell(numerator, denominator):
    """Per-round ratios ``numerator[i] / denominator[i]``: "**median** (min–max)"."""
    ratios = [a / b for a, b in zip(numerator, denominator)]
    return f"**{median(ratios):.2f}** ({min(ratios):.2f}–{max(ratios):.2f})"


def blas_description():
    """Which BLAS libraries are loaded and their default thread counts, and the load."""
    import os

    from threadpoolctl import threadpool_info

    pools = [
        f"{info['internal_api']} {info.get('version') or ''} ({Path(info['filepath']).name}, "
        f"{info['num_threads']} threads)"
        for info in threadpool_info()
    ]
    torch = sys.modules.get("torch")
    if torch is not None:
        pools.append(f"torch {torch.__version__} ({torch.get_num_threads()} threads)")
    return (f"Thread pools: {'; '.join(pools)}. Load average at start: "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (shared machine).")


def write_report(name, title, description, threads, header, rows):
    """Write a benchmark's Markdown report: title, description, thread pools and table."""
    write_result(name, "\n".join(
        [f"# {title}", "", description, "", threads, "", markdown_table(header, rows)]
    ))
