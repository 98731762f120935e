"""A search run as a separate process by the kill-and-resume tests.

Usage: ``python _search_job.py {bayes,hyperband} STORAGE LOG N_JOBS [DELAY]``.
Every fit appends ``[k, max_epochs]`` to LOG, so the tests can tell which
trials ran in which process. The result is printed as one JSON line. The
environment variable ``SEARCH_JOB_FIT_SECONDS`` slows every fit further
without changing the estimator's parameters, so a slow run can be resumed by
a fast one (a changed parameter would make the storage refuse the resume).
"""

import json
import os
import sys
import time

import numpy as np

from sklearn_hp.search import BayesSearchCV, HyperbandSearchCV, Real
from tests.search.test_no_lost_trial import Scripted


class Paced(Scripted):
    def fit(self, X, y=None):
        time.sleep(float(os.environ.get("SEARCH_JOB_FIT_SECONDS", "0")))
        return super().fit(X, y)


def make_search(kind, storage, log, n_jobs, delay):
    model = Paced(log=log, delay=delay)
    space = {"k": Real(0.0, 40.0)}
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
