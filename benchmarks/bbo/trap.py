"""The category trap: does a search find the best choice when it looks worst at first?

Space: ``kind`` in {a, b, c} and two reals in [0, 1]. ``a`` and ``b`` are broad bowls
peaking at 0.8 and 0.6; ``c`` holds the optimum 1.0 in a bowl of curvature
``steepness`` (or a Gaussian bump of width ``width``), so it is the worst choice on
average. A seed "finds it" when its best trial is a ``c`` scoring above 0.8.
Prints and writes the hit rate at 20 trials of random search, the GP (with and
without its least-tried-category proposals) and TPE (with and without them).

Run ``python -m benchmarks.bbo.trap [--seeds 20]``.
"""

import argparse

import numpy as np

from sklearn_hp.search import (Categorical, GPSampler, RandomSampler, Real, SearchSpace,
                               TPESampler, Trial)

from .__main__ import RESULTS

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {"bbo_trap.md": ""}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~1 min"

SPACE = SearchSpace({"kind": Categorical(["a", "b", "c"]), "x": Real(0, 1), "y": Real(0, 1)})
PEAKS = {"a": (0.8, (0.3, 0.3)), "b": (0.6, (0.7, 0.7)), "c": (1.0, (0.8, 0.2))}


def make_score(steepness=None, width=None):
    """The trap's score function: bowl of ``steepness`` or bump of ``width`` for ``c``."""
    def score(params):
        top, centre = PEAKS[params["kind"]]
        d2 = (params["x"] - centre[0]) ** 2 + (params["y"] - centre[1]) ** 2
        if params["kind"] != "c":
            return top - d2
        if width is not None:
            return 1.3 * np.exp(-d2 / (2 * width**2)) - 0.3
        return top - steepness * d2
    return score


def hit_rate(make_sampler, score, seeds, n_trials=20):
    hits = 0
    for seed in seeds:
        sampler, rng, trials = make_sampler(), np.random.RandomState(seed), []
        while len(trials) < n_trials:
            trials.extend(Trial(p, score(p)) for p in sampler.propose(SPACE, trials, 1, rng))
        best = max(trials, key=lambda t: t.score)
        hits += best.params["kind"] == "c" and best.score > 0.8
    return hits


def main(n_seeds=20):
    samplers = {"random": RandomSampler, "ours gp": GPSampler,
                "ours gp, no least-tried proposals": lambda: GPSampler(explore_every=None),
                "ours tpe": TPESampler,
                "ours tpe, no least-tried proposals": lambda: TPESampler(explore_every=None)}
    traps = {"bowl, steepness 3": make_score(steepness=3.0),
             "bowl, steepness 6": make_score(steepness=6.0),
             "bump, width 0.25": make_score(width=0.25)}
    lines = ["# The category trap: seeds (of %d) whose 20 trials find the best choice" % n_seeds,
             "", "| trap | " + " | ".join(samplers) + " |", "|---|" + "---|" * len(samplers)]
    for name, score in traps.items():
        cells = [str(hit_rate(make, score, range(n_seeds))) for make in samplers.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    (RESULTS / "bbo_trap.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds 0..N-1")
    main(parser.parse_args().seeds)
