"""The methods compared: ours (GP, TPE), random search, Optuna 5 (TPE, GP), scikit-optimize.

Every runner takes ``(problem, n_evals, seed)`` and returns the losses of its
evaluations in order (``f`` for synthetic problems, minus CV accuracy for real
tasks) and the optimiser's own time in seconds (wall time minus the time spent
evaluating).
"""

import time
import warnings

import numpy as np

from sklearn_hp.search import BayesSearchCV, Categorical, Integer, Real


def _subspaces(problem):
    return problem.space if isinstance(problem.space, list) else [problem.space]


def run_bayes_search(problem, n_evals, seed, sampler):
    """Ours (and random search, which is exactly ``RandomizedSearchCV``'s draws)."""
    X, y = problem.data()
    search = BayesSearchCV(problem.estimator(), problem.space, n_iter=n_evals, sampler=sampler,
                           random_state=seed, **problem.search_kwargs())
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    total = time.perf_counter() - start
    r = search.cv_results_
    n_splits = search.n_splits_
    evaluating = np.sum(r["mean_fit_time"] + r["mean_score_time"]) * n_splits
    losses = -np.asarray(r["mean_test_score"], dtype=float)
    return losses, max(total - evaluating, 0.0)


def _timed_objective(problem):
    spent = [0.0]

    def objective(params):
        start = time.perf_counter()
        value = problem.loss(params)
        spent[0] += time.perf_counter() - start
        return value if np.isfinite(value) else 1e9

    return objective, spent


def _optuna_params(trial, problem):
    subspaces = _subspaces(problem)
    branch = 0
    if len(subspaces) > 1:
        branch = trial.suggest_categorical("__branch", list(range(len(subspaces))))
    params = {}
    for name, dim in subspaces[branch].items():
        if isinstance(dim, (list, tuple)):
            dim = Categorical(list(dim))
        if isinstance(dim, Real):
            params[name] = trial.suggest_float(name, dim.low, dim.high, log=dim.log)
        elif isinstance(dim, Integer):
            params[name] = trial.suggest_int(name, dim.low, dim.high, log=dim.log)
        else:
            labels = [repr(c) for c in dim.choices]
            if len(subspaces) > 1 and len(labels) == 1:
                params[name] = dim.choices[0]
                continue
            params[name] = dim.choices[labels.index(trial.suggest_categorical(name, labels))]
    return params


def run_optuna(problem, n_evals, seed, kind):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = (optuna.samplers.TPESampler(seed=seed) if kind == "tpe"
               else optuna.samplers.GPSampler(seed=seed))
    objective, spent = _timed_objective(problem)
    study = optuna.create_study(sampler=sampler)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study.optimize(lambda t: objective(_optuna_params(t, problem)), n_trials=n_evals)
    total = time.perf_counter() - start
    return np.array([t.value for t in study.trials]), max(total - spent[0], 0.0)


def _skopt_dimensions(problem):
    """Flatten a (conditional) space to skopt dimensions; a branch index picks the dict."""
    from skopt.space import Categorical as SCat
    from skopt.space import Integer as SInt
    from skopt.space import Real as SReal

    subspaces = _subspaces(problem)
    names, dims = [], []
    for sub in subspaces:
        for name, dim in sub.items():
            if name in names:
                continue
            if isinstance(dim, (list, tuple)):
                dim = Categorical(list(dim))
            if isinstance(dim, Real):
                dims.append(SReal(dim.low, dim.high, prior="log-uniform" if dim.log else "uniform"))
            elif isinstance(dim, Integer):
                dims.append(SInt(dim.low, dim.high, prior="log-uniform" if dim.log else "uniform"))
            else:
                dims.append(SCat([repr(c) for c in dim.choices]))
            names.append(name)
    if len(subspaces) > 1:
        names.append("__branch")
        dims.append(SCat([str(i) for i in range(len(subspaces))]))
    return names, dims


def run_skopt(problem, n_evals, seed):
    from skopt import gp_minimize

    names, dims = _skopt_dimensions(problem)
    subspaces = _subspaces(problem)
    objective, spent = _timed_objective(problem)

    def decode(x):
        values = dict(zip(names, x))
        sub = subspaces[int(values.pop("__branch", 0))]
        params = {}
        for name, dim in sub.items():
            if isinstance(dim, (list, tuple)):
                dim = Categorical(list(dim))
            value = values[name]
            if isinstance(dim, Categorical):
                labels = [repr(c) for c in dim.choices]
                value = dim.choices[labels.index(value)] if value in labels else dim.choices[0]
            elif isinstance(dim, Integer):
                value = int(value)
            else:
                value = float(value)
            params[name] = value
        return params

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = gp_minimize(lambda x: objective(decode(x)), dims, n_calls=n_evals,
                             random_state=seed)
    total = time.perf_counter() - start
    return np.asarray(result.func_vals, dtype=float), max(total - spent[0], 0.0)


METHODS = {
    "ours-gp": lambda p, n, s: run_bayes_search(p, n, s, "gp"),
    "ours-tpe": lambda p, n, s: run_bayes_search(p, n, s, "tpe"),
    "random": lambda p, n, s: run_bayes_search(p, n, s, "random"),
    "optuna-tpe": lambda p, n, s: run_optuna(p, n, s, "tpe"),
    "optuna-gp": lambda p, n, s: run_optuna(p, n, s, "gp"),
    "skopt": run_skopt,
}
#: methods whose results depend on this repository's search code
OURS = ("ours-gp", "ours-tpe")
