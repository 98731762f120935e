"""Scale of a long search: per-trial overhead with storage, memory, worker utilisation.

Four parts, printed as tables and written to ``benchmarks/results/bench_scale*``:

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
3. **Worker utilisation on a simulated cluster**: an in-process Dask
   ``LocalCluster`` of W = 16 and 64 single-thread workers, fits sleeping a
   lognormal time (sigma 0.8, the same for the same parameters and split), 5-fold
   CV: ``BayesSearchCV`` asynchronous (the default) against rounds of
   ``batch_size=ceil(W/5)`` (the former default), and ``HyperbandSearchCV``
   (epochs as the resource) with synchronous rungs against asynchronous
   successive halving over enough iterations for about as many trials per
   worker, beside targets of 90 % (Bayes, 16
   workers), 85 % (Bayes, 64) and 80 % (Hyperband, 16). Busy worker-seconds (the
   fits' own clocks) over W x wall, the sampler's share of the wall time, and the
   utilisation the same fits would reach with no time lost between them. The
   searches are the entries of ``SIMULATED``: another variant is one more entry.
4. **Worker utilisation on real processes**: scikit-learn's ``MLPClassifier`` on
   digits on a 2-process Dask ``LocalCluster`` and on Ray with 2 CPUs,
   asynchronous against ``batch_size=1`` (busy = the splits' fit and score times).

Both utilisation parts print the BLAS threads and the load average beside each
figure, and run a figure again when the load was above ``--rerun-above`` at its
start and has come down since.

Usage::

    nice -n 5 python benchmarks/bench_scale.py         # ~3 min + ~15 min (utilisation)
    python benchmarks/bench_scale.py --parts utilisation --utilisation processes
    python benchmarks/bench_scale.py --parts utilisation --workers 4 --median 0.1  # quick
    python benchmarks/bench_scale.py --trials 500 --no-peer --parts overhead
    python benchmarks/bench_scale.py --parts overhead --rounds 2
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import argparse  # noqa: E402
import contextlib  # noqa: E402
import dataclasses  # noqa: E402
import functools  # noqa: E402
import heapq  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
import zlib  # noqa: E402

import joblib  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.base import BaseEstimator, RegressorMixin  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

from benchmarks._common import markdown_table, median, write_result  # noqa: E402
from sklearn_hp.search import (  # noqa: E402
    BayesSearchCV,
    Categorical,
    GPSampler,
    HyperbandSearchCV,
    RandomSampler,
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
    "bench_scale_utilisation.json": "",
    # the longer asynchronous searches: 30 trials per worker, where the end of the
    # run (the last fits, with nothing left to start) weighs less
    "bench_scale_utilisation_long.md": (
        "--parts utilisation --utilisation cluster --trials-per-worker 30 "
        "--searches BayesSearchCV --output bench_scale_utilisation_long"),
    "bench_scale_utilisation_long.json": (
        "--parts utilisation --utilisation cluster --trials-per-worker 30 "
        "--searches BayesSearchCV --output bench_scale_utilisation_long"),
}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~3 min (overhead) + ~15 min (utilisation: its 64-worker search alone ~5 min)"

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

    def propose(self, space, trials, n_candidates, random_state, pending=()):
        start = time.perf_counter()
        out = sampler_class.propose(self, space, trials, n_candidates, random_state, pending)
        self.__dict__.setdefault("times", []).append(time.perf_counter() - start)
        return out

    return type(f"Timed{sampler_class.__name__}", (sampler_class,), {"propose": propose})


TIMED = {"gp": _timed(GPSampler), "tpe": _timed(TPESampler),
         "random": _timed(RandomSampler)}


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


# ----------------------------------------------------------------- utilisation
#: Spread (sigma of the log) of a simulated fit's duration, and the epochs of a full
#: fit (whose median duration is ``--median`` seconds; fewer epochs, shorter).
SIGMA, FULL_EPOCHS = 0.8, 81
#: Trials per worker of an asynchronous search, and rounds of a synchronous one
#: (its rounds are alike: their number does not change its utilisation).
TRIALS_PER_WORKER, ROUNDS = 10, 10
_trials_per_worker = TRIALS_PER_WORKER  # set from the command line
#: (start, end, thread) of every ``SleepyFit`` fit in this process: the workers of
#: an in-process Dask cluster are its threads, one each.
FIT_LOG = []
#: Utilisation a search should reach, by (search, workers).
ASHA = "HyperbandSearchCV, asynchronous=True, n_iterations=ceil(10 W / 69)"
TARGETS = {("BayesSearchCV", 16): 0.90, ("BayesSearchCV", 64): 0.85,
           ("HyperbandSearchCV", 16): 0.80, (ASHA, 16): 0.80}
#: Trials of one Hyperband iteration (max_resource=81, eta=3: brackets of 27, 12, 6
#: and 4 candidates, 69 trials); an asynchronous search runs enough iterations for
#: about as many trials per worker as the asynchronous BayesSearchCV.
HYPERBAND_TRIALS = 69
X_SPLITS, Y_SPLITS = np.arange(50.0)[:, None], np.zeros(50)  # 5 folds of 10 rows
SLEEPY_SPACE = {"x": Real(-5.0, 10.0), "y": Real(0.0, 15.0), "a": Real(1e-3, 1.0, log=True)}
MLP_SPACE = {"hidden_layer_sizes": Categorical([(16,), (32,), (64,)]),
             "alpha": Real(1e-5, 1e-1, log=True),
             "learning_rate_init": Real(1e-4, 1e-1, log=True)}


class SleepyFit(Branin):
    """A fit sleeping a lognormal time, the same for the same parameters and split.

    The median is ``median`` seconds for ``FULL_EPOCHS`` epochs, proportionally
    less for fewer; with ``warm_start`` only the epochs added since the last fit
    are slept (Hyperband gives an estimator with ``warm_start`` and no
    ``partial_fit`` the new total). Each fit's (start, end, thread) goes to ``FIT_LOG``.
    """

    def __init__(self, x=0.0, y=0.0, a=0.1, max_epochs=FULL_EPOCHS, warm_start=False,
                 median=1.0):
        self.x = x
        self.y = y
        self.a = a
        self.max_epochs = max_epochs
        self.warm_start = warm_start
        self.median = median

    def fit(self, X, y=None):
        done = getattr(self, "epochs_done_", 0) if self.warm_start else 0
        key = f"{self.x!r} {self.y!r} {self.a!r} {done} {int(X[:, 0].sum())}"  # sum: the split
        z = np.random.default_rng(zlib.crc32(key.encode())).standard_normal()
        start = time.monotonic()
        time.sleep(self.median * max(self.max_epochs - done, 0) / FULL_EPOCHS
                   * np.exp(SIGMA * z))
        _log_fit(start, time.monotonic())
        self.epochs_done_ = self.max_epochs
        return self

    def score(self, X, y=None):
        return -branin(self.x, self.y) - (np.log10(self.a) + 1.5) ** 2 - 10 / self.epochs_done_


def _log_fit(start, end):
    """Append to this module's ``FIT_LOG``, found through ``sys.modules`` (Dask
    pickles a task's estimator; a class pickled by value would take a list of its own
    along)."""
    sys.modules[__name__].FIT_LOG.append((start, end, threading.get_ident()))


@dataclasses.dataclass(frozen=True)
class Variant:
    """A search of the utilisation tables: ``make(workers, estimator, sampler)``."""

    name: str  # with TARGETS' searches, their key
    sampler: str  # the key of TIMED
    make: object
    median: str = "median"  # the option giving a full fit's median seconds


def _bayes(workers, estimator, sampler, **settings):
    return BayesSearchCV(estimator, SLEEPY_SPACE, cv=5, sampler=sampler, random_state=0,
                         refit=False, **settings)


def _bayes_async(workers, estimator, sampler):
    return _bayes(workers, estimator, sampler, n_iter=_trials_per_worker * workers)


def _bayes_rounds(workers, estimator, sampler):
    size = math.ceil(workers / 5)
    return _bayes(workers, estimator, sampler, n_iter=ROUNDS * size, batch_size=size)


def _hyperband(workers, estimator, sampler, **settings):
    return HyperbandSearchCV(estimator, SLEEPY_SPACE, max_resource=FULL_EPOCHS, cv=5,
                             sampler=sampler, random_state=0, refit=False, **settings)


def _asha(workers, estimator, sampler):
    iterations = math.ceil(_trials_per_worker * workers / HYPERBAND_TRIALS)
    return _hyperband(workers, estimator, sampler, asynchronous=True, n_iterations=iterations)


def _mlp(workers, estimator, sampler, **settings):
    settings = {"n_iter": 20, "cv": 5, "random_state": 0, "refit": False, **settings}
    return BayesSearchCV(estimator, MLP_SPACE, sampler=sampler, **settings)


#: The searches on the simulated cluster, compared with the first at each size.
SIMULATED = [
    Variant("BayesSearchCV", "gp", _bayes_async),
    Variant("BayesSearchCV, batch_size=ceil(W/5)", "gp", _bayes_rounds),
    Variant("HyperbandSearchCV", "random", _hyperband, median="hyperband_median"),
    Variant(ASHA, "random", _asha, median="hyperband_median"),
    Variant(ASHA + ", full fit of --median s", "random", _asha),
]
#: The searches on real processes, compared with the first on each backend.
REAL = [
    Variant("BayesSearchCV", "gp", _mlp),
    Variant("BayesSearchCV, batch_size=1", "gp",
            functools.partial(_mlp, batch_size=1)),
]


def greedy_bound(spans, workers):
    """Utilisation of the same fits handed, in the order they started, to the first
    free of ``workers`` workers with no time lost between fits: what is left is the
    drain at the end, when the last fits run and no other fit is left to start."""
    durations = (spans[:, 1] - spans[:, 0])[np.argsort(spans[:, 0])]
    free = [0.0] * workers
    for duration in durations:
        heapq.heapreplace(free, free[0] + duration)
    return float(durations.sum() / (workers * max(free)))


def _fit_quietly(search, X, y):
    """Fit ``search``; return the wall time in seconds."""
    start = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    return time.monotonic() - start


def _record(variant, workers, search, wall, busy, **more):
    times = np.array(getattr(search.sampler_, "times", [np.nan]))
    return {"search": variant.name, "workers": workers,
            "trials": len(search.trials_),
            "fits": sum(len(t.splits) for t in search.trials_),
            "wall_s": wall, "busy_s": busy, "utilisation": busy / (workers * wall),
            "trials_per_min": 60 * len(search.trials_) / wall,
            "propose_s": float(np.sum(times)), "proposals": len(times),
            "propose_ms_median": 1e3 * float(np.median(times)),
            "propose_ms_max": 1e3 * float(np.max(times)), **more}


def run_simulated(variant, workers, median):
    """One search on the in-process cluster; busy time from the fits' own clocks.

    ``median``: seconds of a full fit (median)."""
    FIT_LOG.clear()
    search = variant.make(workers, SleepyFit(median=median), TIMED[variant.sampler]())
    start = time.monotonic()
    wall = _fit_quietly(search, X_SPLITS, Y_SPLITS)
    spans = np.array(FIT_LOG, dtype=float)
    return _record(variant, workers, search, wall, float(np.sum(spans[:, 1] - spans[:, 0])),
                   fits_logged=len(spans), no_wait_bound=greedy_bound(spans, workers),
                   **idle_time(spans, workers, start, wall))


def idle_time(spans, workers, start, wall):
    """Where the idle worker-seconds went, as shares of W x wall: before each worker's
    first fit (a worker that ran none counts whole), between its fits, after its last;
    and the median gap between two fits of a worker (ms)."""
    before, between, after, gaps = 0.0, 0.0, 0.0, []
    threads = np.unique(spans[:, 2])
    for thread in threads:
        mine = spans[spans[:, 2] == thread]
        mine = mine[np.argsort(mine[:, 0])]
        gaps.extend(mine[1:, 0] - mine[:-1, 1])
        before += mine[0, 0] - start
        after += start + wall - mine[-1, 1]
    before += (workers - len(threads)) * wall
    between = float(np.sum(gaps))
    total = workers * wall
    return {"idle_before": before / total, "idle_between": between / total,
            "idle_after": after / total,
            "gap_ms_median": 1e3 * float(np.median(gaps)) if gaps else float("nan")}


def run_real(variant, workers, data):
    """One search of scikit-learn's MLP; busy time = the fit and score times of its
    splits, as the workers measured them (``cv_results_``)."""
    from sklearn.neural_network import MLPClassifier

    search = variant.make(workers, MLPClassifier(max_iter=30, random_state=0),
                          TIMED[variant.sampler]())
    wall = _fit_quietly(search, *data)
    results = search.cv_results_
    busy = search.n_splits_ * float(np.nansum(results["mean_fit_time"]
                                              + results["mean_score_time"]))
    return _record(variant, workers, search, wall, busy)


def measured(run, rerun_above):
    """``run()``'s record with the 1-minute load average at its start and end; run
    again, once, when the load at its start was above ``rerun_above`` and has come
    down since, the record of the less loaded start kept (the other's load in
    ``other_load_start``)."""
    records = []
    while len(records) < 2:
        load = os.getloadavg()[0]
        record = run()
        record.update(load_start=load, load_end=os.getloadavg()[0])
        records.append(record)
        print({k: round(v, 3) if isinstance(v, float) else v for k, v in record.items()},
              flush=True)
        if load <= rerun_above or os.getloadavg()[0] > rerun_above:
            break
    kept = min(records, key=lambda r: r["load_start"])
    kept["other_load_start"] = [r["load_start"] for r in records if r is not kept]
    return kept


#: Dask settings of the simulated cluster: its workers' own monitoring (a profiler
#: sampling every 10 ms, a GIL monitor, event-loop ticks every 20 ms, per worker) runs
#: in the driver's process here, not on machines of its own as in a real cluster.
QUIET_WORKERS = {"distributed.worker.profile.enabled": False,
                 "distributed.admin.system-monitor.gil.enabled": False,
                 "distributed.admin.system-monitor.interval": "5s",
                 "distributed.admin.tick.interval": "1s"}


def part_cluster(args, records):
    """Part 3: the searches on an in-process Dask cluster of single-thread workers."""
    import dask
    from distributed import Client, LocalCluster

    for workers in args.workers:
        # memory_limit=0: in-process workers each see the whole process's memory, and
        # 64 workers would each be allowed 1/64 of the machine's (and pause)
        with (dask.config.set(QUIET_WORKERS),
              LocalCluster(n_workers=workers, threads_per_worker=1, processes=False,
                           memory_limit=0, dashboard_address=":0") as cluster,
              Client(cluster), joblib.parallel_backend("dask")):
            for variant in SIMULATED:
                if args.searches and variant.name not in args.searches:
                    continue
                run = functools.partial(run_simulated, variant, workers,
                                        getattr(args, variant.median))
                records.append({"part": "cluster", "backend": "dask threads",
                                **measured(run, args.rerun_above)})


def _worker_blas():
    import numpy  # noqa: F401  (BLAS loaded as in a fit)
    import scipy.linalg  # noqa: F401

    return _blas()


@contextlib.contextmanager
def dask_processes():
    """A 2-process Dask cluster as joblib's backend; yields its workers' BLAS threads."""
    from distributed import Client, LocalCluster

    with (LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                       dashboard_address=":0") as cluster,
          Client(cluster) as client, joblib.parallel_backend("dask")):
        yield "; ".join(sorted(set(client.run(_worker_blas).values())))


@contextlib.contextmanager
def ray_cpus():
    """Ray on 2 CPUs as joblib's backend; yields a worker's BLAS threads."""
    import ray
    from ray.util.joblib import register_ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        register_ray()
        blas = ray.get(ray.remote(_worker_blas).remote())
        with joblib.parallel_backend("ray"):
            yield blas
    finally:
        ray.shutdown()


#: The real backends: name -> context manager yielding the workers' BLAS threads.
BACKENDS = {"Dask LocalCluster, 2 processes": dask_processes, "Ray, num_cpus=2": ray_cpus}


def part_processes(args, records):
    """Part 4: scikit-learn's MLP on digits, 2 worker processes of each backend."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    data = (X / 16.0, y)
    for backend, start in BACKENDS.items():
        with start() as worker_blas:
            _fit_quietly(_mlp(2, _small_mlp(), "random", n_iter=2), *data)  # warm-up
            for variant in REAL:
                run = functools.partial(run_real, variant, 2, data)
                records.append({"part": "processes", "backend": backend,
                                "worker_blas": worker_blas, **measured(run, args.rerun_above)})


def _small_mlp():
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(hidden_layer_sizes=(8,), max_iter=5)


def _load_cell(record):
    cell = f"{record['load_start']:.1f} / {record['load_end']:.1f}"
    if record["other_load_start"]:
        cell += f" (other run: {record['other_load_start'][0]:.1f})"
    return cell


def _versus(record, records, key):
    """``record[key]`` over that of the first search of its part, backend and size."""
    first = next(r for r in records if all(r[k] == record[k]
                                           for k in ("part", "backend", "workers")))
    return f"{record[key] / first[key]:.2f}"


def _target_cell(record):
    target = TARGETS.get((record["search"], record["workers"]))
    if target is None:
        return "-"
    return f"≥ {target:.0%}: {'met' if record['utilisation'] >= target else 'missed'}"


def _common_cells(record):
    return [f"{record['trials']} ({record['fits']})", f"{record['wall_s']:.1f}",
            f"{record['busy_s']:.1f}", f"{record['utilisation']:.1%}"]


def _proposer_cells(record):
    return [f"{record['propose_s'] / record['wall_s']:.1%}",
            f"{record['propose_ms_median']:.0f} / {record['propose_ms_max']:.0f}"]


def cluster_table(records):
    rows = [[r["search"], r["workers"], *_common_cells(r), _target_cell(r),
             _versus(r, records, "utilisation"), _versus(r, records, "trials_per_min"),
             f"{r['propose_s'] / r['wall_s']:.1%}", _load_cell(r)]
            for r in records if r["part"] == "cluster"]
    return markdown_table(
        ["search", "workers W", "trials (fits)", "wall s", "busy worker-s", "utilisation",
         "target", "utilisation / first's", "trials per minute / first's",
         "proposer's share of wall", "load 1-min start / end"], rows)


def idle_table(records):
    rows = [[r["search"], r["workers"], f"{r['utilisation']:.1%}",
             f"{r['no_wait_bound']:.1%}",
             *(f"{r[k]:.1%}" for k in ("idle_before", "idle_between", "idle_after")),
             f"{r['gap_ms_median']:.0f}",
             f"{r['propose_ms_median']:.0f} / {r['propose_ms_max']:.0f}"]
            for r in records if r["part"] == "cluster"]
    return markdown_table(
        ["search", "workers W", "utilisation", "no-wait bound", "idle before a worker's "
         "first fit", "idle between its fits", "idle after its last fit",
         "median gap between a worker's fits, ms", "propose ms median / max"], rows)


def processes_table(records):
    rows = [[r["backend"], r["search"], *_common_cells(r), _versus(r, records, "wall_s"),
             *_proposer_cells(r), r["worker_blas"], _load_cell(r)]
            for r in records if r["part"] == "processes"]
    return markdown_table(
        ["backend", "search", "trials (fits)", "wall s", "busy worker-s", "utilisation",
         "wall / first's", "proposer's share of wall", "propose ms median / max",
         "workers' BLAS", "load 1-min start / end"], rows)


def _descriptions(args):
    return {
        "common": (
            "Utilisation = busy worker-seconds / (W workers x wall), wall = the search's "
            "`fit`, from its call to its return (no refit). Proposer's share = the time spent "
            "in the sampler's `propose` (a subclass timing each call) over the wall; propose "
            "ms per call (a round's call proposes the whole round). "
            f"Driver: {_blas()} (the default threads), niceness {os.nice(0)}. Load: 1-minute "
            f"load average at each run's start and end, {os.cpu_count()} cores shared with "
            f"other jobs; a run that started above {args.rerun_above:g} was run again, once, "
            "if the load had come down by its end, the less loaded start kept."),
        "cluster": (
            "In-process Dask `LocalCluster(processes=False, n_workers=W, "
            "threads_per_worker=1, memory_limit=0)`, the workers' own monitoring turned "
            "down (`QUIET_WORKERS`: no profiler, no GIL monitor, ticks every second; it "
            "would run in the driver's process here). The driver's CPU work for each fit "
            "(pickling the task, Dask's bookkeeping, recording the result) shares this "
            "process and 2 cores with the simulated workers. Each fit sleeps a lognormal "
            "time (sigma "
            f"{SIGMA}, median {args.median:g} s for a full fit), drawn from a generator "
            "seeded by the parameters and the split, so a fit lasts as long in every "
            "search; 5-fold CV. `BayesSearchCV` (GP sampler, its default settings): "
            f"asynchronous, {args.trials_per_worker} x W trials; and in {ROUNDS} rounds of "
            "`batch_size=ceil(W/5)` candidates (the former default, `ceil(n_jobs / "
            "n_splits)`), rounds being alike, so compare trials per minute. "
            f"`HyperbandSearchCV(max_resource={FULL_EPOCHS}, eta=3)` (random sampler): "
            f"a fit of e epochs sleeps e/{FULL_EPOCHS} of a full fit's time, continued "
            "between rungs (only the added epochs are slept); a full fit's median is "
            f"{args.hyperband_median:g} s, so the first rung's 3-epoch fits last "
            f"{1e3 * args.hyperband_median * 3 / FULL_EPOCHS:.0f} ms (median). The "
            "synchronous search runs one iteration (iterations run one after the other, so "
            f"more do not change its utilisation); the asynchronous one "
            f"ceil({args.trials_per_worker} W / {HYPERBAND_TRIALS}) iterations, about "
            f"{args.trials_per_worker} trials per worker, the next iteration's first rungs "
            "filling the workers while the last rungs of the one before run. Its last row "
            f"gives a full fit {args.median:g} s, as Bayes's: first-rung fits of "
            f"{1e3 * args.median * 3 / FULL_EPOCHS:.0f} ms, which the about 10 ms of CPU "
            "each fit costs besides its sleep (the checkpoint of the partial model, the "
            "task, the driver's bookkeeping), here on 2 cores shared by all W simulated "
            "workers and the driver, do not leave idle. Busy = the sum of the sleeps "
            "(start and end of each fit, recorded by the estimator). No-wait bound: the "
            "utilisation of the same fits handed, in the order they started, to the first "
            "free worker with no time lost between them: what only the drain at the end, "
            "when no fit is left to start, costs. \"/ first's\": over the first search's at "
            "the same W."),
        "processes": (
            "`LocalCluster(n_workers=2, threads_per_worker=1)` (processes) and Ray "
            "(`ray.init(num_cpus=2)`, `joblib.parallel_backend(\"ray\")`), after a warm-up "
            "search on each. scikit-learn's `MLPClassifier(max_iter=30)` on digits (pixels / "
            "16), 20 trials x 5 folds, GP sampler; space: `hidden_layer_sizes` (16,), (32,) "
            "or (64,), `alpha` 1e-5 to 1e-1 and `learning_rate_init` 1e-4 to 1e-1 (log). "
            "Busy = the sum over trials and splits of fit_time + score_time as the workers "
            "measured them (`cv_results_`: 5 x (mean_fit_time + mean_score_time)), which "
            "leaves out sending the estimator and its results. Workers' BLAS: the thread "
            "pools a worker process loads."),
    }


def write_utilisation(records, args):
    """Write ``bench_scale_utilisation.md`` (the tables) and ``.json`` (every record)."""
    text = _descriptions(args)
    miscounted = [f"{r['search']} at W={r['workers']}: {r['fits_logged']} fits ran, "
                  f"{r['fits']} recorded" for r in records
                  if r["part"] == "cluster" and r["fits_logged"] != r["fits"]]
    real = [r for r in records if r["part"] != "cluster"]
    write_result(f"{args.output}.md", "\n\n".join([
        "# Worker utilisation", text["common"],
        "## A simulated cluster: fits of lognormal length on W worker threads",
        text["cluster"], cluster_table(records),
        "Where the idle time went (shares of W x wall), beside the no-wait bound:",
        idle_table(records),
        "Fits that ran = fits recorded in every run." if not miscounted else
        "Fits that ran and fits recorded differ: " + "; ".join(miscounted) + ".",
        *(["## Real processes: 2 workers", text["processes"], processes_table(records)]
          if real else [])]))
    (Path(__file__).parent / "results" / f"{args.output}.json").write_text(
        json.dumps(records, indent=1))


def _kept_records(args):
    """The last run's records of the parts not run now (``--utilisation`` names a
    subset), so running one part again keeps the other's tables."""
    path = Path(__file__).parent / "results" / f"{args.output}.json"
    if not path.exists():
        return []
    return [r for r in json.loads(path.read_text()) if r["part"] not in args.utilisation]


def part_utilisation(args):
    if args.report_only:
        results = Path(__file__).parent / "results" / f"{args.output}.json"
        write_utilisation(json.loads(results.read_text()), args)
        return
    records = _kept_records(args)
    if "cluster" in args.utilisation:
        part_cluster(args, records)
    if "processes" in args.utilisation:
        part_processes(args, records)
    write_utilisation(records, args)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--parts", nargs="+", default=["overhead", "utilisation"])
    parser.add_argument("--no-peer", action="store_true", help="skip Optuna")
    parser.add_argument("--utilisation", nargs="+", default=["cluster", "processes"],
                        help="parts of the utilisation benchmark to run (the tables of "
                             "the others are kept from the last run)")
    parser.add_argument("--workers", nargs="+", type=int, default=[16, 64],
                        help="sizes of the simulated cluster")
    parser.add_argument("--median", type=float, default=0.8,
                        help="median seconds of a simulated full fit")
    parser.add_argument("--hyperband-median", type=float, default=3.0,
                        help="median seconds of a simulated full (81-epoch) fit in the "
                             "Hyperband searches")
    parser.add_argument("--report-only", action="store_true",
                        help="write bench_scale_utilisation.md from its .json again")
    parser.add_argument("--trials-per-worker", type=int, default=TRIALS_PER_WORKER,
                        help="trials of the asynchronous BayesSearchCV per worker")
    parser.add_argument("--searches", nargs="+", default=None,
                        help="names of the simulated searches to run (default: all)")
    parser.add_argument("--output", default="bench_scale_utilisation",
                        help="name of the utilisation results files, without extension")
    parser.add_argument("--rerun-above", type=float, default=4.0,
                        help="run a utilisation figure again when the load starts above")
    args = parser.parse_args()
    global _trials_per_worker
    _trials_per_worker = args.trials_per_worker
    if "overhead" in args.parts:
        part_overhead(args)
    if "utilisation" in args.parts:
        part_utilisation(args)


if __name__ == "__main__":
    # run as the importable module: Dask then pickles the simulated estimator by
    # reference, as it would a library's, not its whole class with every fit
    from benchmarks import bench_scale

    bench_scale.main()
