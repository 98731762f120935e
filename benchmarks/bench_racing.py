"""Fold racing: time to reach random search's median best, raced and not, against peers.

For each task, ``RandomizedSearchCV`` with 60 candidates runs once per seed; the
*target* is the median of its best 5-fold CV accuracy over the seeds. Every other
search then runs on the same data, space and folds (``StratifiedKFold(5)``, the
splits of ``cv=5``), one fit at a time (``n_jobs=1``), ``refit=False``:

* ours, ``BayesSearchCV`` with ``sampler="random"`` and with the default GP sampler,
  each with ``racing=True`` and without, stopped by a search callback as soon as
  its best *complete* trial reaches the target (at most ``--cap`` candidates);
* on the tasks with a budget (the ensembles' ``n_estimators``, the MLP's
  ``max_epochs``), ours ``HyperbandSearchCV`` with the TPE sampler (BOHB-like), raced
  and not, its defaults otherwise (eta=3), the budget left out of its space; only a
  trial at the full budget reaches the target;
* ``RandomizedSearchCV`` (60 candidates, its whole run: that is when it has its best);
* ``HalvingRandomSearchCV`` (``sklearn.experimental``, 60 candidates, resource
  ``n_samples``, factor 3; its whole run);
* an Optuna study (TPE) with its ``WilcoxonPruner``: the objective fits the folds
  in turn, reports each fold's score as a step and asks ``trial.should_prune()``;
  the study stops when a complete trial reaches the target (at most ``--cap``).

Per task, seed and BLAS thread setting (the default, and one thread through
threadpoolctl) it records the wall time (for the searches stopping at the target:
until the trial that reached it), the load average (``os.getloadavg()``) when the
run started, the best score and the fits run. For the comparison at the same wall
time, our raced runs at the first thread setting run on past the target until the
later of HalvingRandomSearchCV's and Optuna's end on that seed (they run first).
The tables give the median time over seeds, the ratios raced/unraced, ours/RandomizedSearchCV,
ours/HalvingRandomSearchCV and ours/Optuna (median and range over seeds, paired by
seed), each beside the load of its runs, and the false-stop rate: the share of the
candidates a race stopped whose full 5-fold mean (the skipped folds fitted
afterwards, default threads only) beats the run's final best; in Hyperband's
rungs, that would have been promoted (above the weakest candidate its rung
promoted).

Tasks (at least 1,500 rows each) come in two halves. The benchmark's own settings
(cap, spaces, peers' settings) and any later change of racing's defaults may be
chosen looking at the *tuning* half only: ``svc_digits`` (SVC kernel, C, gamma on
digits), ``logistic_pipeline`` (scaling, SelectKBest and LogisticRegression on
generated data) and ``hist_boosting`` (HistGradientBoostingClassifier, ``max_iter``
its budget; added later, to choose the level of rung races on). The *held-out*
half is reported separately: ``gradient_boosting`` (GradientBoostingClassifier,
its size among the hyperparameters), ``random_forest``, ``mlp_digits`` (our
MLPClassifier) and ``pca_svc`` (scaling, PCA and an SVC on generated data: a task
without a budget; added later, after racing's constants were chosen). Racing's
constants (level 5 % per look, spread pooled from the 5 complete trials nearest
the bar, its floor) were chosen on the tuning half only: its unraced fold scores
replayed through the rule; the rung races' level (0.5 %) on ``hist_boosting``'s
(``bench_rung_replay.py``).

The full run is valid only on a quiet machine (load average below the core count);
``bench_racing_provisional.md`` was run under load, with fewer seeds, and says so.

Usage::

    python benchmarks/bench_racing.py            # full: 5 tasks, 5 seeds, both thread settings
    python benchmarks/bench_racing.py --smoke    # seconds: one task, 2 seeds, 10 candidates
    python benchmarks/bench_racing.py --tasks svc_digits --seeds 3 --output NAME
    python benchmarks/bench_racing.py --report benchmarks/results/bench_racing.json  # .md only
    python benchmarks/bench_racing.py --replay   # the rule's constants, tuning half only
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import shlex  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits, make_classification  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.ensemble import (  # noqa: E402
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.experimental import enable_halving_search_cv  # noqa: E402,F401
from sklearn.feature_selection import SelectKBest  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    HalvingRandomSearchCV,
    RandomizedSearchCV,
    StratifiedKFold,
)
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from benchmarks._common import (  # noqa: E402
    RESULTS,
    THREAD_SETTINGS,
    blas_description,
    blas_threads,
    markdown_table,
    ratio_cell,
    write_result,
)
from sklearn_hp.neural_network import MLPClassifier  # noqa: E402
from sklearn_hp.search import (  # noqa: E402
    BayesSearchCV,
    HyperbandSearchCV,
    Integer,
    Real,
    SearchCallback,
)

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {
    "bench_racing.md": "--report bench_racing_ensembles.json bench_racing_forest.json "
                       "bench_racing_boosting.json bench_racing_mlp.json "
                       "bench_racing_pca_svc.json (the held-out half: each task from the "
                       "last of these runs holding it, each of those run alone on a quiet "
                       "machine, our searches on 5 more seeds with --extra-seeds 5; the "
                       "tuning half in bench_racing_tuning and bench_racing_hist_boosting)",
    "bench_racing.json": "--report bench_racing_ensembles.json bench_racing_forest.json "
                         "bench_racing_boosting.json bench_racing_mlp.json "
                         "bench_racing_pca_svc.json",
    "bench_racing_boosting.md": "--max-load 2 --tasks gradient_boosting "
                                "--output bench_racing_boosting",
    "bench_racing_boosting.json": "--max-load 2 --tasks gradient_boosting "
                                  "--output bench_racing_boosting",
    "bench_racing_forest.md": "--max-load 2 --tasks random_forest --output bench_racing_forest",
    "bench_racing_forest.json": "--max-load 2 --tasks random_forest --output bench_racing_forest",
    "bench_racing_forest_before_twins.md": "the forest's run, its Hyperband rows rerun with "
                                           "--rerun at 3332b9c (before twins; an A/B)",
    "bench_racing_forest_before_twins.json": "the forest's run, its Hyperband rows rerun with "
                                             "--rerun at 3332b9c (before twins; an A/B)",
    "bench_racing_ensembles.md": "--max-load 4 --tasks gradient_boosting random_forest "
                                 "--output bench_racing_ensembles",
    "bench_racing_ensembles.json": "--max-load 4 --tasks gradient_boosting random_forest "
                                   "--output bench_racing_ensembles",
    "bench_racing_pca_svc.md": "--max-load 2 --tasks pca_svc --output bench_racing_pca_svc",
    "bench_racing_pca_svc.json": "--max-load 2 --tasks pca_svc --output bench_racing_pca_svc",
    "bench_racing_mlp.md": "--max-load 2 --tasks mlp_digits --output bench_racing_mlp",
    "bench_racing_mlp.json": "--max-load 2 --tasks mlp_digits --output bench_racing_mlp",
    "bench_racing_hist_boosting.md": "--max-load 2 --tasks hist_boosting "
                                     "--output bench_racing_hist_boosting",
    "bench_racing_hist_boosting.json": "--max-load 2 --tasks hist_boosting "
                                       "--output bench_racing_hist_boosting",
    "bench_racing_tuning.md": "--max-load 4 --tasks svc_digits logistic_pipeline "
                              "--output bench_racing_tuning",
    "bench_racing_tuning.json": "--max-load 4 --tasks svc_digits logistic_pipeline "
                                "--output bench_racing_tuning",
    "bench_racing_provisional.md": "--seeds 3 --output bench_racing_provisional (under load)",
    "bench_racing_provisional.json": "--seeds 3 --output bench_racing_provisional (under load)",
    "bench_racing_smoke.md": "--smoke",
    "bench_racing_smoke.json": "--smoke",
    "bench_racing_replay.md": "--replay",
}
#: Rough run time on the project's 2-core machine.
RUN_TIME = ("~1.5 h for the held-out half and ~25 min for the tuning half at load 2-4 (5 seeds x "
            "2 thread settings); --replay ~5 min; --smoke ~10 s")

CV = StratifiedKFold(5)  # what cv=5 gives a classifier, as an object every peer takes
N_RANDOM = 60  # RandomizedSearchCV's candidates, whose median best is the target


def reached(score, target):
    """Whether ``score`` reaches ``target`` (up to the rounding of a mean of folds)."""
    return target is not None and score >= target - 1e-9

# ---------------------------------------------------------------------- tasks


@dataclass(frozen=True)
class Task:
    """An estimator, its space (Real, Integer or lists) and its data."""

    name: str
    half: str
    make: object
    space: dict
    load: object
    budget: tuple = None  # (resource, its full value) for the budget searches, or None


def _digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def _generated(seed, n_features, n_informative):
    return make_classification(1500, n_features, n_informative=n_informative, n_redundant=2,
                               flip_y=0.05, class_sep=0.8, random_state=seed)


TASKS = {task.name: task for task in [
    Task("svc_digits", "tuning", lambda: SVC(max_iter=20000),
         {"kernel": ["linear", "rbf", "poly", "sigmoid"], "C": Real(1e-2, 1e3, log=True),
          "gamma": Real(1e-4, 1e0, log=True)}, _digits),
    Task("logistic_pipeline", "tuning",
         lambda: Pipeline([("scale", StandardScaler()), ("select", SelectKBest()),
                           ("clf", LogisticRegression(solver="liblinear"))]),
         {"select__k": Integer(2, 30), "clf__C": Real(1e-4, 1e2, log=True),
          "clf__penalty": ["l1", "l2"], "clf__class_weight": [None, "balanced"]},
         lambda: _generated(0, 30, 8)),
    Task("hist_boosting", "tuning",
         lambda: HistGradientBoostingClassifier(early_stopping=False, random_state=0),
         {"max_iter": Integer(10, 100, log=True), "learning_rate": Real(1e-2, 1.0, log=True),
          "max_leaf_nodes": Integer(4, 64, log=True),
          "min_samples_leaf": Integer(5, 100, log=True),
          "l2_regularization": Real(1e-6, 10.0, log=True)},
         lambda: _generated(3, 12, 6), ("max_iter", 100)),
    Task("gradient_boosting", "held-out", lambda: GradientBoostingClassifier(random_state=0),
         {"n_estimators": Integer(10, 100, log=True), "learning_rate": Real(1e-2, 1.0, log=True),
          "max_depth": Integer(1, 4), "subsample": Real(0.5, 1.0)},
         lambda: _generated(1, 8, 5), ("n_estimators", 100)),
    Task("random_forest", "held-out", lambda: RandomForestClassifier(random_state=0),
         {"n_estimators": Integer(10, 100, log=True), "max_features": Real(0.1, 1.0),
          "min_samples_leaf": Integer(1, 30, log=True), "criterion": ["gini", "entropy"]},
         lambda: _generated(2, 10, 6), ("n_estimators", 100)),
    Task("pca_svc", "held-out",
         lambda: Pipeline([("scale", StandardScaler()), ("pca", PCA(random_state=0)),
                           ("svc", SVC(max_iter=20000))]),
         {"pca__n_components": Integer(2, 20), "svc__C": Real(1e-2, 1e3, log=True),
          "svc__gamma": Real(1e-4, 1e0, log=True), "svc__class_weight": [None, "balanced"]},
         lambda: _generated(4, 20, 8)),
    Task("mlp_digits", "held-out",
         lambda: MLPClassifier(max_epochs=10, tol=None, random_state=0),
         {"hidden_layer_sizes": [(32,), (64,), (128,)],
          "learning_rate": Real(1e-4, 1e-1, log=True), "alpha": Real(1e-6, 1e-1, log=True),
          "dropout": [0.0, 0.1, 0.3], "activation": ["relu", "tanh", "gelu"]}, _digits,
         ("max_epochs", 10)),
]}

# ------------------------------------------------------------------- searches


class StopAtScore(SearchCallback):
    """Stop the search once a complete trial scores ``target`` or more.

    Only trials at the full budget count (in a budget search, those of the largest
    ``max_resource_``). With ``run_until`` (seconds since the search began) the
    search runs on after reaching the target until that time has passed. With
    ``max_candidates`` it stops once that many candidates have started (a budget
    search's trials in the first rung of their bracket, where the search stops at
    the end of that rung's batch; every trial of others).
    ``stamps_`` lists ``(time.perf_counter(), score)`` of every counted trial.
    """

    def __init__(self, target=0.0, run_until=None, max_candidates=None):
        self.target = target
        self.run_until = run_until
        self.max_candidates = max_candidates

    def on_search_begin(self, search):
        self.stamps_, self.began_, self.reached_ = [], time.perf_counter(), False
        self.n_candidates_ = 0

    def on_trial_end(self, search, trial):
        self.n_candidates_ += trial.rung in (None, 0)
        if self.max_candidates is not None and self.n_candidates_ >= self.max_candidates:
            return True
        full = getattr(search, "max_resource_", None)
        if trial.status != "complete" or trial.budget not in (None, full):
            return False
        self.stamps_.append((time.perf_counter(), trial.score))
        self.reached_ = self.reached_ or reached(trial.score, self.target)
        ran = time.perf_counter() - self.began_
        return self.reached_ and (self.run_until is None or ran >= self.run_until)


#: Before each timed run, wait (at most ``max_wait`` seconds, untimed) until the
#: 1-minute load average is below ``max_load`` (None: do not wait); ``--max-load``.
QUIET = {"max_load": None, "max_wait": 120.0}


def wait_for_quiet():
    """Sleep until the load average is below ``QUIET["max_load"]`` or the wait is over."""
    if QUIET["max_load"] is None:
        return
    deadline = time.monotonic() + QUIET["max_wait"]
    while os.getloadavg()[0] >= QUIET["max_load"] and time.monotonic() < deadline:
        time.sleep(5)


def _timed(run):
    """``run()``'s result, with the wall seconds and the load average at its start."""
    wait_for_quiet()
    load = os.getloadavg()[0]
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start, load


def _since_start(stamps, seconds):
    """``[[seconds since the run began, score]]`` of the ``(perf_counter, score)`` stamps
    of a run that took ``seconds`` and has just ended."""
    start = time.perf_counter() - seconds
    return [[round(stamp - start, 3), float(score)] for stamp, score in stamps]


def time_to_target(complete, seconds, target):
    """Seconds until the first of ``complete`` (``[[seconds, score]]``) reaching
    ``target``; the run's whole ``seconds`` when none does."""
    return next((stamp for stamp, score in complete if reached(score, target)), seconds)


#: Hyperband's iterations at most (17 to 50 candidates each at eta=3 with 10 to 100
#: as the budget); the run stops at ``--cap`` candidates, as the others do.
HYPERBAND_ITERATIONS = 50


def _our_search(task, kind, sampler, racing, seed, cap, callback):
    """``BayesSearchCV``, or ``HyperbandSearchCV`` on the task's budget."""
    common = {"sampler": sampler, "random_state": seed, "cv": CV, "refit": False,
              "racing": racing, "callbacks": [callback]}
    if kind == "bayes":
        return BayesSearchCV(task.make(), task.space, n_iter=cap, **common)
    resource, full = task.budget
    space = {name: dim for name, dim in task.space.items() if name != resource}
    return HyperbandSearchCV(task.make().set_params(**{resource: full}), space,
                             resource=resource, max_resource=full,
                             n_iterations=HYPERBAND_ITERATIONS, **common)


def run_ours(task, X, y, seed, method, target, cap, run_until=None):
    """Ours until its best complete trial reaches ``target`` (and ``run_until`` seconds
    have passed, when given); a run record whose ``seconds`` are those to the target."""
    kind, sampler, racing = OURS[method]
    stopper = StopAtScore(target, run_until, max_candidates=cap)
    search = _our_search(task, kind, sampler, racing, seed, cap, stopper)
    search, ran_seconds, load = _timed(lambda: search.fit(X, y))
    complete = _since_start(stopper.stamps_, ran_seconds)
    runs = np.asarray(search.cv_results_["n_splits_run"] if racing else
                      [CV.get_n_splits()] * len(search.cv_results_["params"]))
    best = float(search.best_score_)
    record = {"seconds": time_to_target(complete, ran_seconds, target),
              "ran_seconds": ran_seconds, "run_until": run_until, "load": load, "best": best,
              "reached": reached(best, target), "n_trials": len(runs),
              "n_fits": int(runs.sum()), "complete": complete}
    if racing and kind == "bayes":
        record["stopped"] = [(search.cv_results_["params"][i], _folds_run(search.cv_results_, i),
                              None) for i in np.flatnonzero(runs < CV.get_n_splits())]
    elif racing:
        record["stopped"] = rung_stops(search)
    return record


def rung_stops(search):
    """``(params, {fold: score}, bar)`` of each candidate a budget search's rungs stopped.

    A rung's race stops a candidate that would not be promoted, so its ``bar`` is
    the mean score of the weakest candidate its rung promoted; ``None`` (the run's
    final best is the bar) at a rung that promoted none: a bracket's last, or one
    the run stopped before promoting from.
    """
    results = search.cv_results_
    runs = np.asarray(results["n_splits_run"])

    def model(row):  # the candidate without its budget
        params = results["params"][row]
        return repr(sorted((k, v) for k, v in params.items() if k != search.resource))

    rungs = {}
    for row in range(len(runs)):
        rungs.setdefault((int(results["bracket"][row]), int(results["iter"][row])), []).append(row)
    stopped = []
    for (bracket, rung), rows in rungs.items():
        continued = {model(row) for row in rungs.get((bracket, rung + 1), ())}
        promoted = [results["mean_test_score"][row] for row in rows if model(row) in continued]
        bar = float(min(promoted)) if promoted else None
        stopped += [(results["params"][row], _folds_run(results, row), bar)
                    for row in rows if runs[row] < CV.get_n_splits()]
    return stopped


def _folds_run(results, row):
    """``{fold: score}`` of the folds a raced candidate ran."""
    scores = {f: results[f"split{f}_test_score"][row] for f in range(CV.get_n_splits())}
    return {f: float(s) for f, s in scores.items() if np.isfinite(s)}


def run_random(task, X, y, seed, target, n_candidates=N_RANDOM):
    """RandomizedSearchCV with ``n_candidates``, its whole run."""
    search = RandomizedSearchCV(task.make(), task.space, n_iter=n_candidates, cv=CV,
                                random_state=seed, refit=False)
    search, seconds, load = _timed(lambda: search.fit(X, y))
    best = float(search.best_score_)
    return {"seconds": seconds, "load": load, "best": best,
            "reached": reached(best, target),
            "n_trials": n_candidates, "n_fits": n_candidates * CV.get_n_splits()}


def run_halving(task, X, y, seed, target, n_candidates):
    """HalvingRandomSearchCV over ``n_candidates`` (resource n_samples), its whole run."""
    search = HalvingRandomSearchCV(task.make(), task.space, n_candidates=n_candidates, cv=CV,
                                   random_state=seed, refit=False)
    search, seconds, load = _timed(lambda: search.fit(X, y))
    best = float(search.best_score_)
    return {"seconds": seconds, "load": load, "best": best, "reached": reached(best, target),
            "n_trials": len(search.cv_results_["params"]),
            "n_fits": len(search.cv_results_["params"]) * CV.get_n_splits()}


def _fold_score(model, X, y, train, test):
    """Accuracy of ``model`` fitted on ``train``, on ``test`` (NaN when the fit fails)."""
    try:
        return float(clone(model).fit(X[train], y[train]).score(X[test], y[test]))
    except Exception:  # a failed fit scores NaN, as error_score=np.nan does in the searches
        return float("nan")


def _suggest(trial, name, dimension):
    """One parameter drawn by an Optuna trial (a list: by the position of its choice)."""
    if isinstance(dimension, Real):
        return trial.suggest_float(name, dimension.low, dimension.high, log=dimension.log)
    if isinstance(dimension, Integer):
        return trial.suggest_int(name, dimension.low, dimension.high, log=dimension.log)
    return dimension[trial.suggest_categorical(name, list(range(len(dimension))))]


def _optuna_objective(task, X, y, params_of):
    """The objective: each fold's accuracy reported as a step, pruned by the pruner."""
    import optuna

    splits = list(CV.split(X, y))

    def objective(trial):
        params = {name: _suggest(trial, name, dim) for name, dim in task.space.items()}
        params_of[trial.number] = params
        model = task.make().set_params(**params)
        scores = []
        for step, (train, test) in enumerate(splits):
            scores.append(_fold_score(model, X, y, train, test))
            trial.report(scores[-1], step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return float(np.mean(scores))

    return objective


def run_optuna(task, X, y, seed, target, cap):
    """An Optuna TPE study with WilcoxonPruner, stopped once a trial reaches ``target``."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize",
                                sampler=optuna.samplers.TPESampler(seed=seed),
                                pruner=optuna.pruners.WilcoxonPruner())

    stamps, params_of = [], {}

    def stop_at_target(study, trial):
        if trial.state == optuna.trial.TrialState.COMPLETE:
            stamps.append((time.perf_counter(), trial.value))
            if reached(trial.value, target):
                study.stop()

    objective = _optuna_objective(task, X, y, params_of)
    _, ran_seconds, load = _timed(lambda: study.optimize(
        objective, n_trials=cap, callbacks=[stop_at_target], catch=(Exception,)))
    complete_times = _since_start(stamps, ran_seconds)
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    best = max((t.value for t in complete), default=float("nan"))
    pruned = [t for t in study.trials if t.state == optuna.trial.TrialState.PRUNED]
    return {"seconds": time_to_target(complete_times, ran_seconds, target),
            "ran_seconds": ran_seconds, "load": load, "best": best,
            "reached": reached(best, target),
            "n_trials": len(study.trials),
            "n_fits": sum(len(t.intermediate_values) for t in study.trials),
            "complete": complete_times,
            "stopped": [(params_of[t.number], dict(t.intermediate_values), None)
                        for t in pruned]}


def false_stops(task, X, y, record):
    """Replace a run's ``stopped`` candidates by counts: stopped, false stops, worst margin.

    A false stop is a stopped candidate whose full 5-fold mean (its skipped folds
    fitted now) beats its bar: the run's final best, or for a candidate stopped in
    a budget search's rung, the weakest candidate the rung promoted (its folds
    fitted from scratch at the rung's budget; see :func:`rung_stops`).
    """
    splits = list(CV.split(X, y))
    margins = []
    for params, ran, bar in record.pop("stopped", []):
        model = task.make().set_params(**params)
        scores = [ran[f] if f in ran else _fold_score(model, X, y, *splits[f])
                  for f in range(len(splits))]
        margins.append(float(np.mean(scores)) - (record["best"] if bar is None else bar))
    record["n_stopped"] = len(margins)
    record["n_false_stops"] = sum(m > 0 for m in margins)
    record["closest_stop"] = max(margins, default=None)
    return record

# ---------------------------------------------------------------------- runs

#: Ours, raced and not: label -> (search, sampler, racing). The Hyperband ones
#: (TPE inside, BOHB-like) run on the tasks with a budget only.
OURS = {"ours random raced": ("bayes", "random", True), "ours random": ("bayes", "random", False),
        "ours GP raced": ("bayes", "gp", True), "ours GP": ("bayes", "gp", False),
        "ours Hyperband raced": ("hyperband", "tpe", True),
        "ours Hyperband": ("hyperband", "tpe", False)}
PEERS = ("RandomizedSearchCV", "HalvingRandomSearchCV", "Optuna WilcoxonPruner")
#: The peers ours' raced runs run on to, at the first thread setting, for the
#: comparison at the same wall time (each ends on its own: its whole run, or the target).
SAME_TIME_PEERS = PEERS[1:]


def our_methods(task):
    """Our searches that run on ``task``."""
    return [label for label, (kind, _, _) in OURS.items()
            if kind == "bayes" or task.budget is not None]


def _peer_runs(task, X, y, seed, target, cap, n_random):
    """``label -> callable`` of the peers but RandomizedSearchCV."""
    return {"HalvingRandomSearchCV": lambda: run_halving(task, X, y, seed, target, n_random),
            "Optuna WilcoxonPruner": lambda: run_optuna(task, X, y, seed, target, cap)}


def _print(record):
    print(f"{record['task']:<18} {record['threads']:>7} seed {record['seed']} "
          f"{record['method']:<22} {record['seconds']:7.1f} s  best {record['best']:.4f} "
          f"{'reached' if record['reached'] else 'not reached':<11} {record['n_trials']:>4} "
          f"trials {record['n_fits']:>4} fits  load {record['load']:.1f}", flush=True)


def bench_task(task, seeds, settings, cap, n_random, save):
    """Every search on ``task``: the target, then one record per (seed, setting, search).

    RandomizedSearchCV runs first for every seed (its median best is the target),
    then the others, seed by seed, each thread setting in turn. The false stops
    are counted on the first setting's runs. ``save(target, records)`` is called
    after every record.
    """
    X, y = task.load()
    tag = {"task": task.name, "half": task.half}
    records = []
    for seed in seeds:
        for setting, limit in settings:
            with blas_threads(limit):
                record = run_random(task, X, y, seed, None, n_random)
            records.append({**tag, "threads": setting, "seed": seed,
                            "method": "RandomizedSearchCV", **record})
    target = float(np.median([r["best"] for r in records if r["threads"] == settings[0][0]]))
    for record in records:
        record["reached"] = reached(record["best"], target)
        _print(record)
    print(f"{task.name}: target {target:.4f} (median best of RandomizedSearchCV, "
          f"{n_random} candidates)", flush=True)
    for seed in seeds:
        for setting, limit in settings:
            first = setting == settings[0][0]
            peer_end = {}
            runs = {**_peer_runs(task, X, y, seed, target, cap, n_random),
                    **{method: (lambda m=method: run_ours(
                        task, X, y, seed, m, target, cap,
                        max(peer_end.values()) if first and m.endswith("raced") else None))
                       for method in our_methods(task)}}
            for method, run in runs.items():
                record = _run_recorded(run, limit, first, task, X, y)
                if method in SAME_TIME_PEERS:
                    peer_end[method] = _peer_end(record)
                records.append({**tag, "threads": setting, "seed": seed, "method": method,
                                **record})
                _print(records[-1])
                save(target, records)
    return target, records


def _run_recorded(run, limit, count_false_stops, task, X, y):
    """``run()`` under ``limit`` BLAS threads, its stopped candidates' false stops
    counted when ``count_false_stops`` (then the list of them dropped)."""
    with blas_threads(limit):
        record = run()
        if count_false_stops and "stopped" in record:
            false_stops(task, X, y, record)
        record.pop("stopped", None)
    return record


def rerun_methods(report, task, methods, settings, cap, save, seeds=None):
    """Run ``methods`` of ours on ``task`` again, replacing their records in ``report``.

    The target and the peers' runs are the report's: a raced run at the first
    thread setting runs on to the end of that seed's peers as recorded there.
    ``seeds``: the report's by default; on seeds beyond them, which have no
    peers' runs, a raced run stops at the target. Only the records of these
    seeds are replaced. ``save(records)`` is called after every record.
    """
    X, y = task.load()
    target = report["targets"][task.name]["target"]
    seeds = report["seeds"] if seeds is None else seeds
    records = [r for r in report["records"] if r["task"] != task.name
               or r["method"] not in methods or r["seed"] not in seeds]
    for seed in seeds:
        for setting, limit in settings:
            first = setting == settings[0][0]
            peer_end = [_peer_end(r) for peer in SAME_TIME_PEERS
                        for r in _select(records, task=task.name, seed=seed, threads=setting,
                                         method=peer).values()]
            for method in methods:
                run_until = (max(peer_end) if peer_end and first and method.endswith("raced")
                             else None)
                record = _run_recorded(
                    lambda m=method: run_ours(task, X, y, seed, m, target, cap, run_until),
                    limit, first, task, X, y)
                records.append({"task": task.name, "half": task.half, "threads": setting,
                                "seed": seed, "method": method, **record})
                _print(records[-1])
                save(records)
    return records


# ------------------------------------------------- replay of the rule (tuning half)

#: Racing's constants replayed: label -> (ALPHA, NEAREST); a NEAREST above any
#: trial count pools every complete trial, as the rule did before.
RULES = {"1 %, every trial (before)": (0.01, 10 ** 6), "5 %, every trial": (0.05, 10 ** 6),
         "1 %, 5 nearest": (0.01, 5), "5 %, 3 nearest": (0.05, 3),
         "5 %, 5 nearest (now)": (0.05, 5)}
N_ORDERS = 20  # fold orders each recorded run is replayed in


def unraced_folds(task, X, y, seed, sampler, n_iter=60, target=None):
    """Fold scores (candidates x folds, in trial order) and fit times of an unraced search
    (stopping once a complete trial reaches ``target``, when given)."""
    callbacks = [] if target is None else [StopAtScore(target, max_candidates=n_iter)]
    search = BayesSearchCV(task.make(), task.space, n_iter=n_iter, sampler=sampler,
                           random_state=seed, cv=CV, refit=False,
                           callbacks=callbacks).fit(X, y)
    results = search.cv_results_
    folds = np.array([results[f"split{f}_test_score"] for f in range(CV.get_n_splits())]).T
    return folds, np.asarray(results["mean_fit_time"])


def replay(folds, fit_times, rule):
    """Race recorded fold scores one candidate at a time, folds in turn, as ``n_jobs=1`` does.

    Returns the folds run by each stopped candidate, the share of fitting time
    skipped, and how many stopped candidates' full means beat the bar then.
    """
    stops, skipped, beat_bar = [], 0.0, 0
    for k, ran, beats in race_in_turn(folds, alpha=rule[0], nearest=rule[1]):
        if ran is not None:
            stops.append(ran)
            skipped += (folds.shape[1] - ran) * fit_times[k]
            beat_bar += beats
    return stops, skipped / (len(folds[0]) * np.nansum(fit_times)), beat_bar


def race_in_turn(folds, **rule):
    """Race recorded fold scores one candidate at a time, folds in turn, as ``n_jobs=1`` does.

    Each candidate (a row of ``folds``, all finite; others are left out) races
    the complete candidates before it under ``rule`` (``FoldRace``'s ``alpha``,
    ``nearest`` and ``floor``; its defaults where left out). Yields ``(row, folds
    run before the stop or None, whether its full mean beats the best complete
    candidate before it)``.
    """
    from sklearn_hp.search._racing import FoldRace

    complete = []
    for k, scores in enumerate(folds):
        if not np.isfinite(scores).all():
            continue
        ran = _folds_until_stopped(FoldRace(len(scores), complete, **rule), scores)
        if ran is None:
            complete.append(scores)
            yield k, None, False
        else:
            yield k, ran, scores.mean() > max(c.mean() for c in complete) + 1e-12


def _folds_until_stopped(race, scores, candidate=0):
    """How many of ``scores`` a race saw before it stopped their ``candidate`` (None: never)."""
    for fold, score in enumerate(scores):
        race.observe(candidate, fold, {"test_scores": score})
        if race.is_stopped(candidate):
            return fold + 1
    return None


def replay_rows(recorded):
    """Rows per tuning task, sampler and rule, over the runs and fold orders recorded."""
    orders = [np.random.default_rng(k).permutation(CV.get_n_splits()) for k in range(N_ORDERS)]
    rows = []
    for (task, sampler), runs in recorded.items():
        for label, rule in RULES.items():
            first = [replay(folds, times, rule) for folds, times in runs]
            shuffled = [replay(folds[:, order], times, rule)
                        for folds, times in runs for order in orders]
            after = np.bincount([f for stops, _, _ in first for f in stops], minlength=5)[1:5]
            stopped = sum(len(stops) for stops, _, _ in shuffled)
            rows.append([task, sampler, label, f"{sum(after)}/{sum(len(f) for f, _ in runs)}",
                         " / ".join(str(a) for a in after),
                         _spread([skip for _, skip, _ in first], 2),
                         f"{sum(b for _, _, b in shuffled)}/{stopped}"])
    return rows


REPLAY_HEADER = ["task", "sampler", "rule: level per look, spread pooled from",
                 "stopped / candidates", "stopped after 1 / 2 / 3 / 4 folds",
                 "fitting time skipped: median (min–max)",
                 f"stops beating the bar, {N_ORDERS} fold orders"]


def run_replay(seeds):
    """Record the tuning half's unraced searches, replay the rules, write the report."""
    recorded, loads = {}, []
    for task in (t for t in TASKS.values() if t.half == "tuning"):
        X, y = task.load()
        for sampler in ("random", "gp"):
            loads.append(os.getloadavg()[0])
            recorded[task.name, sampler] = [unraced_folds(task, X, y, seed, sampler)
                                            for seed in seeds]
    text = "\n".join([
        "# Fold racing: the rule's constants replayed on the tuning half", "",
        f"Command: `python benchmarks/bench_racing.py --replay`. Unraced `BayesSearchCV` runs "
        f"(60 candidates, seeds 0–{len(seeds) - 1}, 5-fold CV) of the tuning half only; their "
        "fold scores are raced afterwards, a candidate at a time, its folds in turn, against "
        "the complete trials before it. Stopped counts come from the recorded fold order, "
        f"the stops beating the bar (a stopped candidate whose full mean beats the best "
        f"complete trial before it) from the runs replayed in {N_ORDERS} fold orders. The "
        f"time skipped is a share of the run's fitting time. Load average at the start of "
        f"each recording: {_spread(loads)}. Code: commit {code_version()}.", "",
        markdown_table(REPLAY_HEADER, replay_rows(recorded))])
    write_result("bench_racing_replay.md", text)

# -------------------------------------------------------------------- report


def _select(records, **where):
    """``{seed: record}`` of the records matching every ``where`` field."""
    return {r["seed"]: r for r in records if all(r[k] == v for k, v in where.items())}


def _spread(values, digits=1):
    """``median (min–max)`` of a list of numbers."""
    return (f"{np.median(values):.{digits}f} ({min(values):.{digits}f}–"
            f"{max(values):.{digits}f})")


def _ratio(ours, peer):
    """Per-seed time ratios of two ``{seed: record}`` (seeds both have), as a cell."""
    seeds = sorted(set(ours) & set(peer))
    if not seeds:
        return "–"
    return ratio_cell([ours[s]["seconds"] for s in seeds], [peer[s]["seconds"] for s in seeds])


def ratio_rows(records, half):
    """Rows of the ratio table: raced ours against its unraced twin and the peers."""
    rows = []
    for task in dict.fromkeys(r["task"] for r in records if r["half"] == half):
        for setting in dict.fromkeys(r["threads"] for r in records if r["task"] == task):
            mine = [r for r in records if r["task"] == task and r["threads"] == setting]
            for label in OURS:
                raced = _select(mine, method=label)
                if not label.endswith("raced") or not raced:
                    continue
                unraced = _select(mine, method=label.removesuffix(" raced"))
                peers = [_select(mine, method=peer) for peer in PEERS]
                loads = [r["load"] for group in (raced, unraced, *peers) for r in group.values()]
                rows.append([task, setting, label, _ratio(raced, unraced),
                             *(_ratio(raced, peer) for peer in peers),
                             f"{sum(r['reached'] for r in raced.values())}/{len(raced)}",
                             _spread(loads)])
    return rows


def _best_at(record, seconds):
    """A run's best complete score ``seconds`` after it began (NaN before its first)."""
    scores = [score for stamp, score in record["complete"] if stamp <= seconds]
    return max(scores) if scores else float("nan")


def _gap_cell(gaps):
    """``median (min to max), k/n ≥ 0`` of score gaps; NaN (ours had no complete trial
    yet) counts below zero and apart from the median and range."""
    scored = [g for g in gaps if np.isfinite(g)]
    if not scored:
        return "–" if not gaps else f"0/{len(gaps)} ≥ 0 ({len(gaps)} with no trial yet)"
    cell = (f"{np.median(scored):+.4f} ({min(scored):+.4f} to {max(scored):+.4f}), "
            f"{sum(g >= -1e-9 for g in scored)}/{len(gaps)} ≥ 0")
    missing = len(gaps) - len(scored)
    return cell + (f" ({missing} with no trial yet)" if missing else "")


def _peer_end(record):
    """Seconds from a run's start to its end (not to the target)."""
    return record.get("ran_seconds", record["seconds"])


def same_time_rows(records):
    """Rows of the same-wall-time table: ours' best when a peer ended, minus the peer's.

    Only our runs that ran on until the peers' end (``run_until`` set) count: one
    that stopped at the target has no best at a later time.
    """
    rows = []
    for task, setting in dict.fromkeys((r["task"], r["threads"]) for r in records):
        mine = [r for r in records if r["task"] == task and r["threads"] == setting]
        for label in [m for m in OURS if m.endswith("raced")]:
            raced = {s: r for s, r in _select(mine, method=label).items()
                     if r.get("run_until") is not None}
            cells = []
            for peer in [_select(mine, method=p) for p in SAME_TIME_PEERS]:
                seeds = sorted(set(raced) & set(peer))
                cells.append(_gap_cell([_best_at(raced[s], _peer_end(peer[s])) - peer[s]["best"]
                                        for s in seeds]))
            if raced:
                rows.append([task, setting, label, *cells])
    return rows


def time_rows(records):
    """Rows of the time table: per task, setting and search, median seconds over seeds."""
    rows = []
    keys = dict.fromkeys((r["task"], r["threads"], r["method"]) for r in records)
    for task, setting, method in keys:
        runs = list(_select(records, task=task, threads=setting, method=method).values())
        rows.append([task, setting, method, _spread([r["seconds"] for r in runs]),
                     f"{np.median([r['best'] for r in runs]):.4f}",
                     f"{sum(r['reached'] for r in runs)}/{len(runs)}",
                     f"{np.median([r['n_trials'] for r in runs]):.0f}",
                     f"{np.median([r['n_fits'] for r in runs]):.0f}",
                     _spread([r["load"] for r in runs])])
    return rows


def false_stop_rows(records):
    """Rows of the false-stop table, per task and pruning search, then all tasks."""
    counted = [r for r in records if "n_stopped" in r]
    rows = []
    for task in [*dict.fromkeys(r["task"] for r in counted), None]:
        for method in dict.fromkeys(r["method"] for r in counted):
            runs = [r for r in counted if r["method"] == method and task in (None, r["task"])]
            if not runs:  # a search the task does not run (Hyperband without a budget)
                continue
            stopped = sum(r["n_stopped"] for r in runs)
            false = sum(r["n_false_stops"] for r in runs)
            closest = [r["closest_stop"] for r in runs if r["closest_stop"] is not None]
            trials = sum(r["n_trials"] for r in runs)
            rows.append([task or "**all tasks**", method, f"{stopped}/{trials}", false,
                         f"{false / stopped:.1%}" if stopped else "–",
                         f"{max(closest):+.4f}" if closest else "–"])
    return rows


def perfect_race_share(scores, target, n_splits):
    """Fits a perfect race would leave of an unraced run, as a share of the run's fits.

    ``scores`` are the run's trials' means in order, taken up to the first reaching
    ``target``. A perfect race knows every full mean: it runs all
    ``n_splits`` folds of a trial that beats the best before it (the first trial
    included) and stops every other one after its first fold. On the same
    trajectory, no race can leave fewer fits.
    """
    best, kept, n = -math.inf, 0, 0
    for score in scores:
        n += 1
        kept += n_splits if score > best else 1
        best = max(best, score)
        if reached(score, target):
            break
    return kept / (n_splits * n) if n else float("nan")


def floor_rows(records, targets):
    """Rows of the perfect-race table: per task and unraced Bayes search, at the first
    thread setting (its trials are the other setting's)."""
    rows, n_splits = [], CV.get_n_splits()
    for task in dict.fromkeys(r["task"] for r in records):
        first = next(r["threads"] for r in records if r["task"] == task)
        for label, (kind, _, racing) in OURS.items():
            runs = _select(records, task=task, threads=first, method=label)
            if kind != "bayes" or racing or not runs:
                continue
            target = targets[task]["target"]
            shares = [perfect_race_share([score for _, score in r["complete"]], target, n_splits)
                      for r in runs.values()]
            raced = _select(records, task=task, threads=first, method=label + " raced")
            seeds = sorted(set(raced) & set(runs))
            rows.append([task, targets[task]["half"], label, _spread(shares, 2),
                         ratio_cell([raced[s]["seconds"] for s in seeds],
                                    [runs[s]["seconds"] for s in seeds]) if seeds else "–"])
    return rows


RATIO_HEADER = ["task", "BLAS threads", "ours (raced)", "raced / unraced",
                "ours / RandomizedSearchCV", "ours / Halving", "ours / Optuna",
                "ours reached", "load (runs of the row)"]
TIME_HEADER = ["task", "BLAS threads", "search", "seconds: median (min–max)", "best (median)",
               "reached target", "trials", "fits", "load"]
SAME_TIME_HEADER = ["task", "BLAS threads", "ours (raced)", "vs HalvingRandomSearchCV",
                    "vs Optuna"]
FLOOR_HEADER = ["task", "half", "unraced search", "perfect race: share of its fits left",
                "raced / unraced seconds"]
STOP_HEADER = ["task", "search", "stopped / candidates", "false stops", "false-stop rate",
               "closest: full mean − final best"]


def _extra_seed_lines(report):
    """Which searches ran on seeds beyond the peers' (``--extra-seeds``), per task."""
    peers = set(report["seeds"])
    extra = {}
    for r in report["records"]:
        if r["seed"] not in peers:
            extra.setdefault(r["task"], {}).setdefault(r["method"], set()).add(r["seed"])
    if not extra:
        return []
    parts = [f"{task}: {', '.join(methods)} (seeds {min(min(s) for s in methods.values())}–"
             f"{max(max(s) for s in methods.values())})" for task, methods in extra.items()]
    return ["More seeds than the peers' for " + "; ".join(parts) + ". Their medians, raced / "
            "unraced ratios and counts of runs reaching the target take every seed; the ratios "
            "to the peers and the same-wall-time comparison only the seeds the peers ran.", ""]


def report_text(report):
    """The Markdown report of a (possibly partial) run."""
    records, loads = report["records"], [r["load"] for r in report["records"]]
    lines = [
        "# Fold racing: time to reach RandomizedSearchCV's median best (5-fold CV)", "",
        f"Command: `python benchmarks/bench_racing.py {report['args']}`. "
        f"{len(report['seeds'])} seeds, at most {report['cap']} candidates for the searches "
        f"that stop at the target, n_jobs=1. {report['threads_info']} Load average at the "
        f"start of each run: {_spread(loads) if loads else '–'}. Code: commit "
        f"{report.get('code', 'unknown')}.", "",
    ]
    if report.get("note"):
        lines += [f"**{report['note']}**", ""]
    lines += _extra_seed_lines(report)
    lines += ["Target per task: the median over seeds of RandomizedSearchCV's best with "
              f"{report['n_random']} candidates.", "",
              markdown_table(["task", "half", "rows × features", "target"],
                             [[t, v["half"], v["shape"], f"{v['target']:.4f}"]
                              for t, v in report["targets"].items()]), ""]
    lines += ["Ratios of wall times (median and range over seeds, paired by seed; below 1: "
              "ours is faster). RandomizedSearchCV and HalvingRandomSearchCV count their whole "
              "run; ours and Optuna count the time until a complete trial reaches the target "
              "(at the full budget for Hyperband; a run that never does counts its time at "
              "the cap). Hyperband (TPE sampler, eta=3, the task's size or epochs as the "
              "budget, which it leaves out of the space) runs on the tasks with a budget.", ""]
    for half in ("tuning", "held-out"):
        rows = ratio_rows(records, half)
        if rows:
            lines += [f"## {half.capitalize()} half", "", markdown_table(RATIO_HEADER, rows), ""]
    lines += ["## What a perfect race could save", "",
              "On each unraced run's own trials up to the target: a perfect race runs every "
              "fold of a trial that beats the best before it and stops every other after one "
              "fold. Its share of the run's fits (median and range over seeds) is the least "
              "time racing can leave on that trajectory, up to fit times; a search whose "
              "trials mostly improve on the best leaves racing little to stop. Beside it, "
              "the raced / unraced time of the table above (first thread setting).", "",
              markdown_table(FLOOR_HEADER, floor_rows(records, report["targets"])), ""]
    lines += ["## At the same wall time", "",
              "Ours' best complete score when the peer's run ended, minus the peer's best "
              "(median and range over seeds; seeds where ours is at least as good). At the "
              "first thread setting our raced runs do not stop at the target: they run on "
              "until the later of HalvingRandomSearchCV's and Optuna's end on that seed "
              "(Optuna's run ends at the target), so both sides have had the same time. "
              "A seed where ours had no complete trial yet counts as worse and is left out "
              "of the median and range.", "",
              markdown_table(SAME_TIME_HEADER, same_time_rows(records)), ""]
    lines += ["## Every search: wall time to the target", "",
              "Best, trials and fits are those at the run's end: for our raced runs at the "
              "first thread setting, which ran on past the target, they count the run-on.", "",
              markdown_table(TIME_HEADER, time_rows(records)), "",
              "## False stops", "",
              "A stopped candidate whose full 5-fold mean (skipped folds fitted afterwards) "
              "beats the run's final best; runs at the first thread setting. For Hyperband, "
              "a candidate stopped in a rung whose full mean at that rung's budget beats the "
              "weakest candidate the rung promoted (it would have been promoted; at a rung "
              "that promoted none, the run's final best); its skipped folds are fitted from "
              "scratch at that budget.", "",
              markdown_table(STOP_HEADER, false_stop_rows(records))]
    return "\n".join(lines)


def code_version():
    """The commit the package's code comes from, and whether it had uncommitted changes."""
    def git(*args):
        done = subprocess.run(["git", *args], cwd=Path(__file__).resolve().parents[1],
                              capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" with uncommitted changes" if git("status", "--porcelain", "sklearn_hp")
                     else "")


def merge_reports(reports):
    """One report of several runs (their commands joined).

    A task a later run holds replaces that task of the earlier runs (its targets and
    every record); the command line says which.
    """
    merged = {**reports[0], "targets": {}, "records": []}
    commands = []
    for report in reports:
        replaced = sorted(set(report["targets"]) & set(merged["targets"]))
        merged["records"] = [r for r in merged["records"] if r["task"] not in replaced]
        merged["records"] += report["records"]
        merged["targets"].update(report["targets"])
        commands.append(report["args"] + (f" (replacing the {', '.join(replaced)} runs above)"
                                          if replaced else ""))
    merged["args"] = "` and `python benchmarks/bench_racing.py ".join(commands)
    merged["code"] = ", ".join(dict.fromkeys(r.get("code", "unknown") for r in reports))
    return merged


def write_report(report, stem):
    """Write ``<stem>.json`` and ``<stem>.md`` under benchmarks/results/."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=1) + "\n")
    (RESULTS / f"{stem}.md").write_text(report_text(report) + "\n")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    parser.add_argument("--cap", type=int, default=120,
                        help="most candidates of a search stopping at the target")
    parser.add_argument("--n-random", type=int, default=N_RANDOM,
                        help="RandomizedSearchCV's candidates (the target's)")
    parser.add_argument("--threads", nargs="+", default=[s for s, _ in THREAD_SETTINGS],
                        choices=[s for s, _ in THREAD_SETTINGS])
    parser.add_argument("--smoke", action="store_true",
                        help="logistic_pipeline, 2 seeds, 10 candidates, cap 20")
    parser.add_argument("--max-load", type=float, default=None,
                        help="before each run, wait (untimed, at most 2 min) until the "
                             "1-minute load average is below this")
    parser.add_argument("--note", default=None, help="a line printed in bold in the report")
    parser.add_argument("--output", default=None, help="results file stem")
    parser.add_argument("--replay", action="store_true",
                        help="replay racing's constants on the tuning half's fold scores")
    parser.add_argument("--rerun", nargs="+", default=None, metavar="METHOD",
                        choices=list(OURS),
                        help="run only these searches of ours again on --tasks, against "
                             "the target and peers of the results file --output names, "
                             "replacing their records there")
    parser.add_argument("--extra-seeds", type=int, default=0, metavar="K",
                        help="with --rerun: run those searches on K seeds after the "
                             "results file's instead, keeping their records (no peers "
                             "there: the ratios to the peers stay on the file's seeds)")
    parser.add_argument("--report", nargs="+", default=None, metavar="JSON",
                        help="only rewrite the .md beside this results file; with several, "
                             "merge them into --output (runs of different tasks)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.tasks, args.seeds, args.n_random, args.cap = ["logistic_pipeline"], 2, 10, 20
    args.output = args.output or ("bench_racing_smoke" if args.smoke else "bench_racing")
    return args


def _shown_args(argv):
    """The command-line arguments as the report shows them (the note stands apart)."""
    shown = list(argv)
    if "--note" in shown:
        del shown[shown.index("--note"):shown.index("--note") + 2]
    return shlex.join(shown)


def _rerun(args, settings, argv):
    """``--rerun``: some of our searches again, in the results file ``--output``."""
    report = json.loads((RESULTS / f"{args.output}.json").read_text())
    report["args"] += f"`, then `python benchmarks/bench_racing.py {_shown_args(argv)}"
    first = max(report["seeds"]) + 1
    extra = list(range(first, first + args.extra_seeds)) if args.extra_seeds else None
    how = f"run on seeds {first}–{first + args.extra_seeds - 1}" if extra else "rerun"
    report["code"] += f"; {', '.join(args.rerun)} {how} at {code_version()}"
    for name in args.tasks:
        def save(records):
            report["records"] = records
            write_report(report, args.output)

        rerun_methods(report, TASKS[name], args.rerun, settings, report["cap"], save, extra)
    print(report_text(report))


def main(argv=None):
    args = parse_args(argv)
    if args.replay:
        run_replay(range(args.seeds))
        return
    if args.report:
        reports = [json.loads(Path(path).read_text()) for path in args.report]
        if len(reports) == 1:
            Path(args.report[0]).with_suffix(".md").write_text(report_text(reports[0]) + "\n")
        else:
            write_report(merge_reports(reports), args.output)
        return
    warnings.filterwarnings("ignore")  # convergence warnings of every search alike
    QUIET["max_load"] = args.max_load
    settings = [s for s in THREAD_SETTINGS if s[0] in args.threads]
    if args.rerun:
        _rerun(args, settings, sys.argv[1:] if argv is None else argv)
        return
    report = {"args": _shown_args(sys.argv[1:] if argv is None else argv), "note": args.note,
              "seeds": list(range(args.seeds)), "cap": args.cap, "n_random": args.n_random,
              "threads_info": blas_description(), "code": code_version(), "targets": {},
              "records": []}
    for name in args.tasks:
        task = TASKS[name]
        X, _ = task.load()
        done = list(report["records"])

        def save(target, records, task=task, shape=X.shape, done=done):
            report["targets"][task.name] = {"half": task.half, "target": target,
                                            "shape": f"{shape[0]} × {shape[1]}"}
            report["records"] = done + records
            write_report(report, args.output)

        bench_task(task, report["seeds"], settings, args.cap, args.n_random, save)
    print(report_text(report))


if __name__ == "__main__":
    main()
