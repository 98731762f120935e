"""`sklearn-hp demo` wall time: one BLAS thread per fit vs the library's thread policy.

Runs the demo (its defaults) in a fresh process per round, alternating
``--blas-threads 1`` and ``--blas-threads auto`` (sklearn_hp's policy: one thread
for fits of small matrices, the process's threads for large ones); prints each run, the
median ratio and its range, and writes ``results/demo_blas_threads.md``.

Usage::

    python benchmarks/bench_demo_threads.py [--rounds 2]
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from benchmarks._common import markdown_table, median, write_result  # noqa: E402

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {"demo_blas_threads.md": ""}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~1 min"

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {"--blas-threads 1": ["--blas-threads", "1"],
            "library policy": ["--blas-threads", "auto"]}


def run_demo(options):
    """``(wall seconds, test accuracy)`` of one demo run in a new process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sklearn_hp", "demo", *options],
                          capture_output=True, text=True, env=env, check=True)
    seconds = time.perf_counter() - start
    return seconds, float(re.search(r"held-out images: ([0-9.]+)", done.stdout).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    times = {name: [] for name in SETTINGS}
    rows = []
    for round_ in range(1, args.rounds + 1):
        for name, options in SETTINGS.items():
            seconds, accuracy = run_demo(options)
            times[name].append(seconds)
            rows.append((round_, name, f"{seconds:.1f} s", f"{accuracy:.4f}"))
            print(*rows[-1], flush=True)
    ratios = [p / o for p, o in zip(times["library policy"], times["--blas-threads 1"])]
    text = "\n".join([
        "# `sklearn-hp demo`: `--blas-threads 1` vs the library's thread policy", "",
        f"Demo defaults, {args.rounds} rounds alternating, one process per run, "
        f"{os.cpu_count()} cores, load average {load:.1f} at the start.", "",
        markdown_table(["round", "setting", "wall time", "test accuracy"], rows), "",
        f"Median wall time: `--blas-threads 1` {median(times['--blas-threads 1']):.1f} s, "
        f"library policy {median(times['library policy']):.1f} s; policy / one thread "
        f"median {median(ratios):.2f} (range {min(ratios):.2f}-{max(ratios):.2f}).",
    ])
    write_result("demo_blas_threads.md", text)


if __name__ == "__main__":
    main()
