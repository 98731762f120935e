"""Scale of a long search: per-trial overhead with storage, memory, worker utilisation.

Three parts, printed as tables and written to ``benchmarks/results/bench_scale*``:

1. **Optimiser + storage overhead per trial** of ``BayesSearchCV`` with
   ``storage="*.db"`` on a cheap estimator (Branin as the score, instant fits,
   2-fold CV), against Optuna with its SQLite (RDB) storage on the same
   objective (Optuna's GPSampler takes 1-2 s per trial here, too slow for 500
   trials, so the peer is its TPE sampler). Per trial we time the sampler's
   ``propose``, the storage commit, and the whole loop minus fitting/scoring
   (what a user waits for besides the model). Medians over trials 1-30 and
   over the last 30 trials; both with the machine's default BLAS threads and
   with one thread (threadpoolctl), idle and while another process keeps one
   core busy. The runs alternate (ours, peer,
   ours, ...) in one process.
2. **Peak memory**: the process's resident memory after 30 trials and at the
   end of the longest run (flat means the trial records do not pile up).
3. **Worker utilisation** on a ``dask.distributed`` ``LocalCluster`` with 2 and
   4 single-thread workers, for ``BayesSearchCV`` and ``HyperbandSearchCV`` with
   fits of uneven length (sleeps of 0.02 to 0.3 s): busy worker-seconds over
   available worker-seconds during the search. What limits it: scikit-learn's
   ``evaluate_candidates`` waits for the whole batch (a Bayes batch, a Hyperband
   rung) before the next starts, so workers idle while the slowest fit runs.

Usage::

    python benchmarks/bench_scale.py                  # ~2-3 min: 100 trials, 1 round
    python benchmarks/bench_scale.py --trials 500 --no-peer --parts overhead
    python benchmarks/bench_scale.py --parts overhead --rounds 2
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.base import BaseEstimator, RegressorMixin  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

from benchmarks._common import markdown_table, median, write_result  # noqa: E402
from sklearn_hp.search import (  # noqa: E402
    BayesSearchCV,
    GPSampler,
    HyperbandSearchCV,
    Real,
    SQLiteStorage,
    TPESampler,
)

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {
    "bench_scale_overhead_100.md": "",
    "bench_scale_overhead_100.json": "",
    "bench_scale_utilisation.md": "",
}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~3 min"

X_DUMMY, Y_DUMMY = np.zeros((20, 1)), np.zeros(20)


def branin(x, y):
    return ((y - 5.1 / (4 * np.pi**2) * x**2 + 5 / np.pi * x - 6) ** 2
            + 10 * (1 - 1 / (8 * np.pi)) * np.cos(x) + 10)


class Branin(RegressorMixin, BaseEstimator):
    """Instant fit; the score is ``-branin(x, y)``."""

    def __init__(self, x=0.0, y=0.0):
        self.x = x
        self.y = y

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -branin(self.x, self.y)


SPACE = {"x": Real(-5.0, 10.0), "y": Real(0.0, 15.0)}


def _timed(sampler_class):
    """A subclass of ``sampler_class`` recording the time of each ``propose``."""

    def propose(self, space, trials, n_candidates, random_state):
        start = time.perf_counter()
        out = sampler_class.propose(self, space, trials, n_candidates, random_state)
        self.__dict__.setdefault("times", []).append(time.perf_counter() - start)
        return out

    return type(f"Timed{sampler_class.__name__}", (sampler_class,), {"propose": propose})


TIMED = {"gp": _timed(GPSampler), "tpe": _timed(TPESampler)}


class TimedStorage(SQLiteStorage):
    """SQLiteStorage recording the time of each commit."""

    def add(self, record):
        start = time.perf_counter()
        super().add(record)
        self.__dict__.setdefault("times", []).append(time.perf_counter() - start)


class Clock:
    """Search callback: wall time and resident memory at each finished trial."""

    def __init__(self):
        self.ends, self.rss = [], []

    def on_search_begin(self, search):
        self.start = time.perf_counter()

    def on_trial_end(self, search, trial):
        self.ends.append(time.perf_counter())
        self.rss.append(_rss_mb())


def _rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run_ours(n_trials, directory, sampler):
    storage = TimedStorage(os.path.join(directory, f"ours-{time.time_ns()}.db"))
    clock = Clock()
    search = BayesSearchCV(Branin(), SPACE, n_iter=n_trials, batch_size=1, cv=2,
                           sampler=TIMED[sampler](), random_state=0, storage=storage,
                           callbacks=[clock], refit=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X_DUMMY, Y_DUMMY)
    walls = np.diff([clock.start] + clock.ends)
    model = np.array([t.duration for t in search.trials_])
    return {"loop": walls - model, "propose": np.array(search.sampler_.times),
            "storage": np.array(storage.times), "rss": clock.rss}


def run_optuna(n_trials, directory):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    url = f"sqlite:///{os.path.join(directory, f'optuna-{time.time_ns()}.db')}"
    study = optuna.create_study(direction="maximize", storage=url,
                                sampler=optuna.samplers.TPESampler(seed=0))
    walls, model = [], []
    for _ in range(n_trials):
        start = time.perf_counter()
        trial = study.ask()
        x, y = trial.suggest_float("x", -5.0, 10.0), trial.suggest_float("y", 0.0, 15.0)
        t0 = time.perf_counter()
        value = -branin(x, y)
        model.append(time.perf_counter() - t0)
        study.tell(trial, value)
        walls.append(time.perf_counter() - start)
    return {"loop": np.array(walls) - np.array(model)}


@contextlib.contextmanager
def busy_core(on):
    """Keep one core busy in another process while the block runs."""
    if not on:
        yield
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()


def part_overhead(args):
    rows, raw = [], {}
    tail = slice(-30, None)
    with tempfile.TemporaryDirectory() as directory:
        for busy in (False, True):
            for threads in ("default", "1"):
                limit = (threadpool_limits(1, "blas") if threads == "1"
                         else contextlib.nullcontext())
                results = {"ours GP": [], "ours TPE": [], "optuna TPE": []}
                with busy_core(busy), limit:
                    for _ in range(args.rounds):  # alternate ours and the peer
                        results["ours GP"].append(run_ours(args.trials, directory, "gp"))
                        results["ours TPE"].append(run_ours(args.trials, directory, "tpe"))
                        if not args.no_peer:
                            results["optuna TPE"].append(run_optuna(args.trials, directory))
                condition = f"{'busy' if busy else 'idle'}, {threads} BLAS threads"
                for name, runs in results.items():
                    if not runs:
                        continue
                    ms = {part: [1e3 * median(r[part][:30]) for r in runs]
                          for part in runs[0] if part != "rss"}
                    late = {part: [1e3 * median(r[part][tail]) for r in runs]
                            for part in runs[0] if part != "rss"}
                    rows.append([condition, name]
                                + [f"{median(ms['loop']):.1f}", f"{median(late['loop']):.1f}"]
                                + [f"{median(ms[p]):.1f} / {median(late[p]):.1f}"
                                   if p in ms else "-" for p in ("propose", "storage")])
                    raw[f"{condition}|{name}"] = {
                        "loop_ms_first30": ms["loop"], "loop_ms_last30": late["loop"],
                        **({"rss_mb_at30": [r["rss"][29] for r in runs],
                            "rss_mb_end": [r["rss"][-1] for r in runs]}
                           if name.startswith("ours") else {})}
                print(markdown_table(["condition", "search", "overhead ms/trial (1-30)",
                                      f"overhead ms/trial (last 30 of {args.trials})",
                                      "propose ms (1-30 / last 30)",
                                      "storage commit ms (1-30 / last 30)"], rows[-3:]),
                      flush=True)
    header = ["condition", "search", "overhead ms/trial (1-30)",
              f"overhead ms/trial (last 30 of {args.trials})", "propose ms (1-30 / last 30)",
              "storage commit ms (1-30 / last 30)"]
    memory = [[*k.split("|"), f"{median(v['rss_mb_at30']):.0f}",
               f"{median(v['rss_mb_end']):.0f}"] for k, v in raw.items() if "rss_mb_end" in v]
    text = ("## Optimiser + storage overhead per trial (median ms; ours: BayesSearchCV + "
            "SQLite storage, the whole loop minus fit/score, i.e. also scikit-learn's CV "
            "machinery; optuna: TPESampler + RDB SQLite storage, ask/tell minus objective)"
            f"\n\n{markdown_table(header, rows)}\n\n"
            f"## Resident memory (MB) after 30 trials and after {args.trials}\n\n"
            + markdown_table(["condition", "search", "after 30", f"after {args.trials}"],
                             memory)
            + f"\n\nBLAS: {_blas()}; rounds: {args.rounds}; busy = another process spinning "
              "on one core.")
    write_result(f"bench_scale_overhead_{args.trials}.md", text)
    (Path(__file__).parent / "results" / f"bench_scale_overhead_{args.trials}.json").write_text(
        json.dumps(raw, indent=1))


def _blas():
    return ", ".join(f"{i['internal_api']} {i['num_threads']} threads" for i in threadpool_info()
                     if i["user_api"] == "blas")


class Uneven(Branin):
    """Sleeps 0.02 to 0.3 s depending on ``x``; appends (start, end) of each fit to ``log``.

    It has ``warm_start`` but no ``partial_fit``, so Hyperband gives it the total
    budget at each rung.
    """

    def __init__(self, x=0.0, max_epochs=9, warm_start=False, log=None):
        self.x = x
        self.max_epochs = max_epochs
        self.warm_start = warm_start
        self.log = log

    def fit(self, X, y=None):
        start = time.time()
        time.sleep(0.02 + 0.28 * abs(np.sin(7 * self.x)) * self.max_epochs / 9)
        with open(self.log, "a") as f:
            f.write(f"{start} {time.time()}\n")
        return self

    def score(self, X, y=None):
        return -abs(self.x - 0.3)


def part_utilisation(args):
    import joblib
    from distributed import Client, LocalCluster

    rows = []
    with tempfile.TemporaryDirectory() as directory:
        for n_workers in (2, 4):
            with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                              dashboard_address=":0") as cluster, Client(cluster):
                for name in ("BayesSearchCV", "HyperbandSearchCV"):
                    log = os.path.join(directory, f"{name}-{n_workers}.log")
                    model, space = Uneven(log=log), {"x": Real(0.0, 1.0)}
                    if name == "BayesSearchCV":
                        search = BayesSearchCV(model, space, n_iter=8 * n_workers, cv=2,
                                               batch_size=n_workers, random_state=0,
                                               refit=False)
                    else:
                        search = HyperbandSearchCV(model, space, max_resource=9, cv=2,
                                                   random_state=0, refit=False)
                    start = time.time()
                    with joblib.parallel_backend("dask"), warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        search.fit(X_DUMMY, Y_DUMMY)
                    wall = time.time() - start
                    spans = np.loadtxt(log, ndmin=2)
                    busy = float(np.sum(spans[:, 1] - spans[:, 0]))
                    rows.append([name, n_workers, len(spans), f"{wall:.1f}", f"{busy:.1f}",
                                 f"{busy / (n_workers * wall):.0%}"])
                    print(rows[-1], flush=True)
    text = ("## Worker utilisation on a dask LocalCluster (single-thread workers, fits of "
            "0.02-0.3 s)\n\n"
            + markdown_table(["search", "workers", "fits", "wall s", "busy worker-s",
                              "utilisation"], rows)
            + "\n\nUtilisation = busy worker-seconds / (workers x wall). A batch (Bayes) or "
              "rung (Hyperband) must finish before the next is proposed, so workers wait "
              "for the slowest fit of each batch; small late rungs leave most workers idle.")
    write_result("bench_scale_utilisation.md", text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--parts", nargs="+", default=["overhead", "utilisation"])
    parser.add_argument("--no-peer", action="store_true", help="skip Optuna")
    args = parser.parse_args()
    if "overhead" in args.parts:
        part_overhead(args)
    if "utilisation" in args.parts:
        part_utilisation(args)


if __name__ == "__main__":
    main()
