"""A search run as a separate process by the kill-and-resume tests.

Usage: ``python _search_job.py {bayes,hyperband} STORAGE LOG N_JOBS [DELAY]``.
Every fit appends ``[x, max_epochs]`` to LOG, so the tests can tell which
trials ran in which process. The result is printed as one JSON line.
"""

import json
import sys
import time

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

from sklearn_hp.search import BayesSearchCV, HyperbandSearchCV, Real


class SlowModel(RegressorMixin, BaseEstimator):
    """Sleeps ``delay`` per fit; scores best at x=0.3 and with more epochs."""

    def __init__(self, x=0.0, max_epochs=9, warm_start=False, log=None, delay=0.05):
        self.x = x
        self.max_epochs = max_epochs
        self.warm_start = warm_start
        self.log = log
        self.delay = delay

    def fit(self, X, y=None):
        with open(self.log, "a") as f:
            f.write(json.dumps([self.x, self.max_epochs]) + "\n")
        time.sleep(self.delay)
        if not (self.warm_start and hasattr(self, "epochs_")):
            self.epochs_ = 0
        self.epochs_ += self.max_epochs
        return self

    def partial_fit(self, X, y=None):
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -((self.x - 0.3) ** 2) - 1.0 / (1 + self.epochs_)


def make_search(kind, storage, log, n_jobs, delay):
    model = SlowModel(log=log, delay=delay)
    space = {"x": Real(-1.0, 1.0)}
    if kind == "bayes":
        return BayesSearchCV(model, space, n_iter=12, random_state=0, cv=2, storage=storage,
                             n_jobs=n_jobs, batch_size=2)
    return HyperbandSearchCV(model, space, max_resource=9, eta=3, random_state=0, cv=2,
                             storage=storage, n_jobs=n_jobs)


DATA = (np.arange(40.0).reshape(20, 2), np.arange(20.0))

if __name__ == "__main__":
    kind, storage, log, n_jobs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    delay = float(sys.argv[5]) if len(sys.argv) > 5 else 0.05
    search = make_search(kind, storage, log, n_jobs, delay).fit(*DATA)
    print(json.dumps({"n": len(search.cv_results_["params"]),
                      "distinct": len({json.dumps(p, sort_keys=True)
                                       for p in search.cv_results_["params"]}),
                      "best": search.best_params_, "n_trials": search.n_trials_}))
