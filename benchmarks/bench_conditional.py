"""Conditional spaces: ours-gp on svc_conditional (held out), best loss at 20 and 60 evaluations.

Run from the repository root, one BLAS thread::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python -m benchmarks conditional [SEEDS] [--label TEXT]

Prints, per seed, the best loss (minus 3-fold CV accuracy) after 20 and 60
evaluations and how many of the 60 trials went to each kernel; then the median
and worst seed. The first 20 of a 60-evaluation search are the 20-evaluation search.
The same lines go to ``benchmarks/results/conditional_svc.txt`` as the section
``## TEXT`` (default: the current commit), which replaces a section of that name;
the others stay, so that runs of two versions of the code sit side by side.
"""

import argparse
import re
import subprocess
import warnings
from pathlib import Path

import numpy as np

from benchmarks.bbo.problems import PROBLEMS
from sklearn_hp.search import BayesSearchCV, GPSampler

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {"conditional_svc.txt": "--label LABEL, once per version of the code compared"}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~1 min"

RESULT = Path(__file__).resolve().parent / "results" / "conditional_svc.txt"
HEADER = ("# svc_conditional (held out, half B), ours-gp (GPSampler defaults), best loss = "
          "-(3-fold CV accuracy) after 20 and 60 evaluations;\n# the first 20 trials of the "
          "60-trial search are the 20-trial search. Trials per kernel counted over the 60.")


def _search(problem, n_evals, seed):
    """Losses in evaluation order and the kernel of each trial."""
    X, y = problem.data()
    search = BayesSearchCV(problem.estimator(), problem.space, n_iter=n_evals,
                           sampler=GPSampler(), random_state=seed, **problem.search_kwargs())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    r = search.cv_results_
    return -np.asarray(r["mean_test_score"], dtype=float), [p["kernel"] for p in r["params"]]


def with_section(text, label, lines):
    """``text`` with its section ``## label`` replaced by ``lines`` (or them appended)."""
    head, *sections = [part.strip() for part in re.split(r"(?m)^(?=## )", text or HEADER)]
    section = "\n".join([f"## {label}", *lines])
    titles = [part.splitlines()[0] for part in sections]
    if section.splitlines()[0] in titles:
        sections[titles.index(section.splitlines()[0])] = section
    else:
        sections.append(section)
    return "\n\n".join([head, *sections]) + "\n"


def _commit():
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, cwd=RESULT.parent)
    return f"code {done.stdout.strip()}" if done.returncode == 0 else "current code"


def _say(lines, text):
    print(text, flush=True)
    lines.append(text)


def main(seeds=range(10), n_evals=60, label=None):
    problem = PROBLEMS["svc_conditional"]
    at20, at60, kernels, lines = [], [], [], []
    for seed in seeds:
        losses, used = _search(problem, n_evals, seed)
        at20.append(np.min(losses[:20]))
        at60.append(np.min(losses))
        kernels += used
        counts = {k: used.count(k) for k in ("linear", "rbf", "poly")}
        _say(lines, f"seed {seed}: best@20 {at20[-1]:.4f} best@60 {at60[-1]:.4f} trials {counts}")
    totals = {k: kernels.count(k) for k in ("linear", "rbf", "poly")}
    _say(lines, f"trials per kernel, all seeds: {totals}")
    for name, values in (("20", at20), ("60", at60)):
        _say(lines, f"at {name} evals: median {np.median(values):.4f} worst {np.max(values):.4f} "
             f"mean {np.mean(values):.4f}")
    old = RESULT.read_text() if RESULT.exists() else ""
    RESULT.write_text(with_section(old, label or _commit(), lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seeds", nargs="?", type=int, default=10, help="seeds 0..N-1")
    parser.add_argument("--label", default=None,
                        help="name of this run's section (default: the current commit)")
    args = parser.parse_args()
    main(seeds=range(args.seeds), label=args.label)
