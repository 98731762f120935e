"""Optimiser overhead per trial of BayesSearchCV (GP) against an earlier checkout of it.

The two versions alternate, each in a fresh subprocess, in the same run: the
machine's load weighs on both alike. Hartmann-3 (as in ``bench_search.py``), default
BLAS threads. Usage::

    git archive <rev> sklearn_hp benchmarks | tar -x -C /tmp/old
    python -m benchmarks.bbo.overhead_vs /tmp/old --rounds 3
"""

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np

from .__main__ import RESULTS, ROOT

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {"bbo_overhead_vs_previous.md": "DIR: an earlier checkout (committed: f213e6e)"}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~2 min"

# bench_search's own overhead measurement, present in both checkouts
_CHILD = """
import sys, warnings
import numpy  # loaded before bench_search's thread settings: default BLAS threads
sys.path.insert(0, {root!r})
warnings.simplefilter("ignore")
from benchmarks.bench_search import _overhead_ours
print(1e3 * _overhead_ours({n}))
"""


def ms_per_trial(root, n):
    code = _CHILD.format(root=str(root), n=n)
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                         text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="directory of the earlier checkout")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--trials", type=int, nargs="+", default=[30, 300])
    args = parser.parse_args()
    lines = ["# BayesSearchCV (GP) optimiser overhead: this checkout vs an earlier one", "",
             f"earlier checkout: `{args.old}`; default BLAS threads; Hartmann-3", "",
             "| trials | rounds | earlier ms/trial | ours ms/trial | ratio median [range] |",
             "|---|---|---|---|---|"]
    for n in args.trials:
        rounds = args.rounds if n <= 30 else 1
        old, new = [], []
        for _ in range(rounds):
            old.append(ms_per_trial(Path(args.old), n))
            new.append(ms_per_trial(ROOT, n))
        ratio = np.array(new) / np.array(old)
        lines.append(f"| {n} | {rounds} | {np.median(old):.1f} | {np.median(new):.1f} | "
                     f"{np.median(ratio):.3f} [{ratio.min():.3f}, {ratio.max():.3f}] |")
        print(lines[-1], flush=True)
    (RESULTS / "bbo_overhead_vs_previous.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
