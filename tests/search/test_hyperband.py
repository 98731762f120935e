import json
import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import RandomizedSearchCV

from sklearn_hp.persistence import load, save
from sklearn_hp.search import HyperbandSearchCV, Real, SuccessiveHalvingSearchCV
from sklearn_hp.search._budget import BudgetedEstimator, resolve_continuation


class EpochModel(RegressorMixin, BaseEstimator):
    """Follows the epoch contract: ``max_epochs``, ``warm_start``, ``partial_fit``.

    Its score improves with the epochs trained and peaks at ``lr=0.1``. Every
    epoch run is added to the class-level ``epochs_run`` list (n_jobs=1 only).
    """

    epochs_run = []

    def __init__(self, lr=0.01, max_epochs=27, warm_start=False, random_state=None):
        self.lr = lr
        self.max_epochs = max_epochs
        self.warm_start = warm_start
        self.random_state = random_state

    def fit(self, X, y=None):
        if not (self.warm_start and hasattr(self, "epochs_trained_")):
            self.epochs_trained_ = 0
        for _ in range(self.max_epochs):
            self.partial_fit(X, y)
        self.n_iter_ = self.max_epochs
        return self

    def partial_fit(self, X, y=None):
        self.epochs_trained_ = getattr(self, "epochs_trained_", 0) + 1
        EpochModel.epochs_run.append(1)
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        quality = 1.0 - np.exp(-self.epochs_trained_ / 8.0)
        return quality - (np.log10(self.lr) + 1.0) ** 2


SPACE = {"lr": Real(1e-4, 1.0, log=True)}


def _count_epochs(search, data):
    EpochModel.epochs_run.clear()
    search.fit(*data)
    return len(EpochModel.epochs_run)


def test_hyperband_spends_fewer_epochs_than_random_search(toy_data):
    hyperband = HyperbandSearchCV(EpochModel(), SPACE, max_resource=27, eta=3,
                                  random_state=0, cv=3, refit=False)
    hyperband_epochs = _count_epochs(hyperband, toy_data)
    n_candidates = int(np.sum(hyperband.cv_results_["iter"] == 0))
    random = RandomizedSearchCV(EpochModel(max_epochs=27), SPACE, n_iter=n_candidates,
                                random_state=0, cv=3, refit=False)
    random_epochs = _count_epochs(random, toy_data)
    assert n_candidates == 27 + 12 + 6 + 4  # brackets s=3..0 for 27/1 and eta=3
    assert random_epochs == n_candidates * 3 * 27
    assert hyperband_epochs == hyperband.resource_spent_
    assert hyperband_epochs < random_epochs / 3
    # continuing saves the epochs of lower rungs compared with retraining
    assert hyperband.resource_spent_ < hyperband.resource_requested_
    best = hyperband.best_index_
    assert hyperband.cv_results_["n_resources"][best] == 27
    assert hyperband.best_params_["max_epochs"] == 27


def test_best_estimator_is_unwrapped_and_trained_for_the_full_budget(toy_data):
    search = HyperbandSearchCV(EpochModel(), SPACE, max_resource=9, random_state=0, cv=2)
    search.fit(*toy_data)
    assert type(search.best_estimator_) is EpochModel
    assert search.best_estimator_.epochs_trained_ == 9
    assert abs(np.log10(search.best_params_["lr"]) + 1) < 0.6


def test_successive_halving_rungs_and_columns(toy_data):
    search = SuccessiveHalvingSearchCV(EpochModel(), SPACE, max_resource=27, min_resource=3,
                                       random_state=0, cv=2).fit(*toy_data)
    results = search.cv_results_
    assert np.bincount(results["iter"]).tolist() == [9, 3, 1]
    assert sorted(set(results["n_resources"])) == [3, 9, 27]
    assert list(results["param_max_epochs"][:9]) == [3] * 9
    for key in ("mean_test_score", "rank_test_score", "params", "mean_fit_time", "bracket"):
        assert key in results
    # the 3 promoted candidates are the best 3 of the first rung
    first = np.argsort(-results["mean_test_score"][:9])[:3]
    promoted = [results["params"][9 + i]["lr"] for i in range(3)]
    assert sorted(promoted) == sorted(results["params"][i]["lr"] for i in first)
    # epochs: 9*3 + 3*(9-3) + 1*(27-9) per split
    assert search.resource_spent_ == 2 * (27 + 18 + 18)


@pytest.fixture
def clean_by_another_process(monkeypatch):
    """At the worst moment (a search writing its owner file), run clean_checkpoints
    in another process, as any budget search starting elsewhere does.

    This interleaving, left to chance under load, used to remove the live
    directory: the test sharing checkpoints between workers failed at random.
    """
    dump, parents = json.dump, []

    def dump_after_a_clean(obj, f, *args, **kwargs):
        if isinstance(obj, dict) and set(obj) == {"host", "pid"}:
            parents.append(os.path.dirname(os.path.dirname(os.path.abspath(f.name))))
            subprocess.run([sys.executable, "-c", "import sys; from sklearn_hp.search import "
                            "clean_checkpoints; clean_checkpoints(sys.argv[1])", parents[-1]],
                           check=True, timeout=120,
                           env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
        return dump(obj, f, *args, **kwargs)

    monkeypatch.setattr(json, "dump", dump_after_a_clean)
    return parents


@pytest.mark.slow
def test_parallel_workers_share_checkpoints(clean_by_another_process):
    X, y = load_digits(return_X_y=True)
    X, y = X[:400] / 16, y[:400]
    space = {"alpha": loguniform(1e-5, 1e-1), "eta0": loguniform(1e-3, 1e-1)}

    def make(n_jobs):
        return SuccessiveHalvingSearchCV(
            SGDClassifier(learning_rate="constant", tol=None, random_state=0), space,
            resource="max_iter", max_resource=9, min_resource=1, eta=3, random_state=0,
            cv=2, n_jobs=n_jobs)

    serial, parallel = make(1).fit(X, y), make(2).fit(X, y)
    np.testing.assert_allclose(serial.cv_results_["mean_test_score"],
                               parallel.cv_results_["mean_test_score"])
    assert serial.resource_spent_ == parallel.resource_spent_ == 2 * (9 + 3 * 2 + 6)
    assert serial.resource_spent_ < serial.resource_requested_
    assert len(clean_by_another_process) == 2  # one clean raced each search's start


def test_total_budget_continuation_for_ensembles():
    X, y = load_digits(return_X_y=True)
    X, y = X[:300], y[:300]
    assert resolve_continuation(RandomForestClassifier(), "n_estimators") == "total"
    assert resolve_continuation(SGDClassifier(), "max_iter") == "continue"
    assert resolve_continuation(RandomForestClassifier(), "max_depth", "restart") == "restart"
    search = SuccessiveHalvingSearchCV(RandomForestClassifier(random_state=0),
                                       {"max_features": [0.2, 0.5, 1.0]}, n_candidates=3,
                                       resource="n_estimators", max_resource=12,
                                       min_resource=4, random_state=0, cv=2).fit(X, y)
    # 3 forests of 4 trees, one grown to 12 (8 more trees), per split
    assert search.resource_spent_ == 2 * (3 * 4 + 8)
    assert search.best_estimator_.n_estimators == 12


def test_n_samples_resource_subsamples_training_splits():
    X, y = load_digits(return_X_y=True)
    search = SuccessiveHalvingSearchCV(SGDClassifier(random_state=0), {"alpha": [1e-4, 1e-3, 1e-2]},
                                       resource="n_samples", min_resource=130, n_candidates=3,
                                       random_state=0, cv=3).fit(X, y)
    assert search.max_resource_ == 1198
    assert sorted(set(search.cv_results_["n_resources"])) == [130, 390, 1198]
    assert search.best_score_ > 0.85


def test_budget_errors_are_clear(toy_data):
    with pytest.raises(ValueError, match="has no 'max_epochs' parameter; pass resource="):
        HyperbandSearchCV(SGDClassifier(), {"alpha": [1e-3]}).fit(*toy_data)
    with pytest.raises(ValueError, match="resource='epochs' is not a parameter of SGDClassifier"):
        HyperbandSearchCV(SGDClassifier(), {"alpha": [1e-3]}, resource="epochs").fit(*toy_data)
    with pytest.raises(ValueError, match="min_resource=30 is larger than max_resource=27"):
        HyperbandSearchCV(EpochModel(), SPACE, min_resource=30, cv=2).fit(*toy_data)
    with pytest.raises(ValueError, match="'eta' parameter of HyperbandSearchCV must be"):
        HyperbandSearchCV(EpochModel(), SPACE, eta=1).fit(*toy_data)


def test_budgeted_estimator_forwards_params_and_predictions(toy_data, tmp_path):
    wrapper = BudgetedEstimator(EpochModel(), "max_epochs", "continue",
                                checkpoint_dir=str(tmp_path))
    wrapper.set_params(lr=0.1, max_epochs=4).fit(*toy_data)
    assert wrapper.estimator.lr == 0.1 and wrapper.budget == 4
    assert wrapper.estimator_.epochs_trained_ == 4 and wrapper.resource_spent_ == 4
    again = BudgetedEstimator(EpochModel(), "max_epochs", "continue", checkpoint_dir=str(tmp_path))
    again.set_params(lr=0.1, max_epochs=10).fit(*toy_data)
    assert again.estimator_.epochs_trained_ == 10 and again.resource_spent_ == 6
    assert again.predict(toy_data[0]).shape == (30,)


@pytest.mark.parametrize("sampler", ["tpe", "gp"])
def test_model_based_candidates_bohb_like(sampler, toy_data):
    search = HyperbandSearchCV(EpochModel(), SPACE, max_resource=27, sampler=sampler,
                               random_state=0, cv=2).fit(*toy_data)
    assert search.cv_results_["n_resources"][search.best_index_] == 27
    assert abs(np.log10(search.best_params_["lr"]) + 1) < 0.3


def test_metadata_routing_through_the_budget_wrapper():
    import sklearn

    X, y = load_digits(return_X_y=True)
    X, y = X[:300] / 16, y[:300]
    weights = np.linspace(0.5, 2.0, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        est = SGDClassifier(random_state=0, tol=None).set_fit_request(sample_weight=True)
        est.set_score_request(sample_weight=False)
        search = SuccessiveHalvingSearchCV(est, {"alpha": [1e-4, 1e-3, 1e-2]}, resource="max_iter",
                                           max_resource=9, min_resource=3, n_candidates=3,
                                           random_state=0, cv=2).fit(X, y, sample_weight=weights)
    reference = SGDClassifier(random_state=0, tol=None, alpha=search.best_params_["alpha"],
                              max_iter=9).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(search.best_estimator_.coef_, reference.coef_)


def test_nested_resource_inside_a_pipeline(toy_data):
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = Pipeline([("scale", StandardScaler()), ("model", EpochModel())])
    search = SuccessiveHalvingSearchCV(pipe, {"model__lr": Real(1e-3, 1.0, log=True)},
                                       max_resource=9, min_resource=1, random_state=0, cv=2)
    search.fit(*toy_data)
    assert sorted(set(search.cv_results_["param_model__max_epochs"])) == [1, 3, 9]
    assert resolve_continuation(pipe, "model__max_epochs") == "continue"
    assert search.best_params_["model__max_epochs"] == 9
    # 9 candidates x 1 epoch, 3 continued by 2, 1 continued by 6, on 2 splits
    assert search.resource_spent_ == 2 * (9 + 6 + 6)
    assert search.best_estimator_.named_steps["model"].epochs_trained_ == 9


@pytest.mark.parametrize("scoring", [None, "accuracy", ["accuracy", "balanced_accuracy"]])
@pytest.mark.parametrize("search_cls", [HyperbandSearchCV, SuccessiveHalvingSearchCV])
def test_fitted_search_keeps_a_plain_scorer_and_no_checkpoint_path(search_cls, scoring,
                                                                   tmp_path):
    X, y = load_digits(return_X_y=True)
    X, y = X[:300] / 16, y[:300]
    search = search_cls(SGDClassifier(random_state=0), {"alpha": Real(1e-5, 1e-1, log=True)},
                        resource="max_iter", max_resource=9, cv=2, random_state=0,
                        scoring=scoring, refit="accuracy" if scoring else True).fit(X, y)
    # a scorer string used to fail every fit: the wrapper's methods were named "method"
    assert np.isfinite(search.cv_results_["mean_test_accuracy" if isinstance(scoring, list)
                                          else "mean_test_score"]).all()
    accuracy = np.mean(search.best_estimator_.predict(X) == y)
    scorer = search.scorer_["accuracy"] if isinstance(scoring, list) else search.scorer_
    assert scorer(search.best_estimator_, X, y) == search.score(X, y) == accuracy
    # neither the wrapper nor its (removed) checkpoint directory stays in the search
    assert "sklearn_hp_ckpt_" not in repr(vars(search))
    for data in (pickle.dumps(search), *_members(search, tmp_path / "search.skhp")):
        assert b"sklearn_hp_ckpt_" not in data and b"BudgetedEstimator" not in data
    assert load(tmp_path / "search.skhp").score(X, y) == accuracy


def _members(estimator, path):
    """Every (uncompressed) file of ``estimator`` saved with sklearn_hp.persistence."""
    save(estimator, path)
    with zipfile.ZipFile(path) as archive:
        return [archive.read(name) for name in archive.namelist()]
