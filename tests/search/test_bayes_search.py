import numpy as np
import pytest
from scipy.stats import loguniform, randint, uniform
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import RandomizedSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_hp._compat import RUN_SEARCH_TAKES_CALLBACK_CTX
from sklearn_hp.search import BayesSearchCV, Categorical, GPSampler, Integer, Real, TPESampler



class Quadratic(RegressorMixin, BaseEstimator):
    """Scores -f(x, y) for a noiseless quadratic with optimum 0 at (0.3, -0.2)."""

    def __init__(self, x=0.0, y=0.0):
        self.x = x
        self.y = y

    def fit(self, X, y=None):
        self.fitted_ = True
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -((self.x - 0.3) ** 2 + (self.y + 0.2) ** 2)

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
DISTRIBUTIONS = {
    "alpha": loguniform(1e-5, 1e-1),
    "penalty": ["l2", "l1"],
    "max_iter": randint(5, 30),
    "eta0": Real(0.01, 1.0, log=True),
}


def _sgd():
    return SGDClassifier(learning_rate="constant", eta0=0.01, random_state=0)  # 1.6 needs eta0


@pytest.mark.filterwarnings("ignore")
def test_drop_in_replacement_for_randomized_search():
    random = RandomizedSearchCV(_sgd(), DISTRIBUTIONS, n_iter=20,
                                random_state=0).fit(X_IRIS, Y_IRIS)
    bayes = BayesSearchCV(_sgd(), DISTRIBUTIONS, n_iter=20, random_state=0).fit(X_IRIS, Y_IRIS)
    assert sorted(bayes.cv_results_) == sorted(random.cv_results_)
    assert len(bayes.cv_results_["params"]) == 20
    assert bayes.best_score_ >= 0.9
    assert bayes.best_estimator_.get_params()["alpha"] == bayes.best_params_["alpha"]


@pytest.mark.filterwarnings("ignore")
def test_random_sampler_reproduces_randomized_search_candidates():
    random = RandomizedSearchCV(_sgd(), DISTRIBUTIONS, n_iter=12,
                                random_state=3).fit(X_IRIS, Y_IRIS)
    bayes = BayesSearchCV(_sgd(), DISTRIBUTIONS, n_iter=12, sampler="random", batch_size=12,
                          random_state=3).fit(X_IRIS, Y_IRIS)
    assert bayes.cv_results_["params"] == random.cv_results_["params"]
    np.testing.assert_allclose(bayes.cv_results_["mean_test_score"],
                               random.cv_results_["mean_test_score"])


def _warm4(name):
    """The sampler ``name`` with a warm-up of 4 quasi-random points."""
    return {"gp": GPSampler(n_initial_points=4), "tpe": TPESampler(n_initial_points=4),
            "sobol": "sobol"}[name]


@pytest.mark.parametrize("sampler", ["gp", "tpe", "sobol"])
def test_same_random_state_gives_same_candidates(sampler, toy_data):
    space = {"x": Real(-1, 1), "y": Real(-1, 1)}
    runs = [BayesSearchCV(Quadratic(), space, n_iter=9, sampler=_warm4(sampler),
                          random_state=7, cv=2).fit(*toy_data) for _ in range(2)]
    assert runs[0].cv_results_["params"] == runs[1].cv_results_["params"]
    other = BayesSearchCV(Quadratic(), space, n_iter=9, sampler=_warm4(sampler),
                          random_state=8, cv=2).fit(*toy_data)
    assert other.cv_results_["params"] != runs[0].cv_results_["params"]


def test_gp_finds_quadratic_optimum_where_random_search_does_not(toy_data):
    space = {"x": Real(-1, 1), "y": Real(-1, 1)}
    bayes = BayesSearchCV(Quadratic(), space, n_iter=25, random_state=0, cv=2).fit(*toy_data)
    random = BayesSearchCV(Quadratic(), space, n_iter=25, sampler="random", random_state=0,
                           cv=2).fit(*toy_data)
    assert -bayes.best_score_ <= 1e-3
    assert -random.best_score_ > 1e-3
    assert bayes.best_params_["x"] == pytest.approx(0.3, abs=0.03)
    assert bayes.best_params_["y"] == pytest.approx(-0.2, abs=0.03)


def test_tpe_improves_on_its_initial_design(toy_data):
    space = {"x": Real(-1, 1), "y": Real(-1, 1)}
    search = BayesSearchCV(Quadratic(), space, n_iter=40, sampler=TPESampler(n_initial_points=10),
                           random_state=0, cv=2).fit(*toy_data)
    scores = search.cv_results_["mean_test_score"]
    assert scores[10:].max() > scores[:10].max()
    assert -search.best_score_ < 0.01


@pytest.mark.parametrize(
    "params, message",
    [
        ({"n_iter": 0},
         "'n_iter' parameter of BayesSearchCV must be an int in the range \\[1, inf\\). Got 0"),
        ({"sampler": "bogus"}, "'sampler' parameter of BayesSearchCV must be a str among"),
        ({"batch_size": 0}, "'batch_size' parameter"),
    ],
)
def test_invalid_parameters_raise_clear_errors(params, message, toy_data):
    with pytest.raises(ValueError, match=message):
        BayesSearchCV(Quadratic(), {"x": Real(-1, 1)}, **params).fit(*toy_data)


def test_bad_space_raises_at_fit(toy_data):
    with pytest.raises(ValueError, match="low must be strictly smaller than high, got low=1"):
        BayesSearchCV(Quadratic(), {"x": Real(1, 0.5) if False else (lambda: Real(1, 0.5))},
                      n_iter=2)
        Real(1, 0.5)
    with pytest.raises(ValueError, match="'x': 3 is not a valid search dimension"):
        BayesSearchCV(Quadratic(), {"x": 3}, n_iter=2, cv=2).fit(*toy_data)


class Flaky(ClassifierMixin, BaseEstimator):
    """Raises for C > 1 and diverges (predicts constant) for C < 0.01."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        if self.C > 1.0:
            raise ValueError("diverged")
        self.model_ = LogisticRegression(C=self.C).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


@pytest.mark.filterwarnings("ignore")
def test_failing_trials_get_error_score_and_do_not_stop_the_search():
    search = BayesSearchCV(Flaky(), {"C": Real(1e-3, 1e3, log=True)}, n_iter=14,
                           sampler=GPSampler(n_initial_points=6), random_state=0,
                           cv=3).fit(X_IRIS, Y_IRIS)
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 14
    failed = np.array([p["C"] > 1 for p in search.cv_results_["params"]])
    assert failed.any() and np.isnan(scores[failed]).all()
    # the sampler learned to avoid the failing region
    assert failed[6:].mean() < failed[:6].mean() or failed[6:].sum() <= 3
    assert search.best_params_["C"] <= 1.0 and search.best_score_ > 0.9


@pytest.mark.filterwarnings("ignore")
def test_multimetric_optimises_the_refit_metric():
    search = BayesSearchCV(_sgd(), DISTRIBUTIONS, n_iter=8, random_state=0,
                           scoring=["accuracy", "neg_log_loss"], refit="accuracy")
    search.set_params(estimator=SGDClassifier(loss="log_loss", random_state=0))
    search.fit(X_IRIS, Y_IRIS)
    results = search.cv_results_
    assert "mean_test_neg_log_loss" in results and "rank_test_accuracy" in results
    assert search.best_index_ == int(np.nanargmax(results["mean_test_accuracy"]))

    callable_refit = BayesSearchCV(_sgd(), DISTRIBUTIONS, n_iter=6, random_state=0,
                                   scoring={"acc": "accuracy", "bal": "balanced_accuracy"},
                                   refit=lambda r: int(np.argmin(r["rank_test_bal"])))
    callable_refit.fit(X_IRIS, Y_IRIS)
    assert callable_refit.best_index_ == int(np.argmin(callable_refit.cv_results_["rank_test_bal"]))


@pytest.mark.filterwarnings("ignore")
def test_nested_names_inside_pipeline_and_conditional_spaces():
    pipe = Pipeline([("scale", StandardScaler()), ("clf", _sgd())])
    spaces = [
        {"clf__penalty": ["l2"], "clf__alpha": Real(1e-5, 1e-1, log=True)},
        {"clf__penalty": ["elasticnet"], "clf__alpha": Real(1e-5, 1e-1, log=True),
         "clf__l1_ratio": uniform(0, 1)},
    ]
    search = BayesSearchCV(pipe, spaces, n_iter=14, sampler=GPSampler(n_initial_points=4),
                           random_state=0).fit(X_IRIS, Y_IRIS)
    params = search.cv_results_["params"]
    assert len(params) == 14
    assert {p["clf__penalty"] for p in params} == {"l2", "elasticnet"}
    assert all(("clf__l1_ratio" in p) == (p["clf__penalty"] == "elasticnet") for p in params)
    assert search.best_estimator_.named_steps["clf"].alpha == search.best_params_["clf__alpha"]
    assert search.best_score_ > 0.9


def test_warm_start_extends_a_search_without_losing_results(toy_data):
    space = {"x": Real(-1, 1), "y": Real(-1, 1), "z": Integer(1, 3)}
    search = BayesSearchCV(Quadratic(), {k: space[k] for k in ("x", "y")}, n_iter=8,
                           warm_start=True, random_state=0, cv=2).fit(*toy_data)
    first = list(search.cv_results_["params"])
    search.set_params(n_iter=14).fit(*toy_data)
    assert search.cv_results_["params"][:8] == first
    assert len(search.cv_results_["params"]) == 14 and len(search.trials_) == 14
    assert search.best_score_ == pytest.approx(np.max(search.cv_results_["mean_test_score"]))
    with pytest.raises(ValueError, match="already evaluated 14 candidates and n_iter=14"):
        search.fit(*toy_data)
    fresh = search.set_params(warm_start=False, n_iter=3).fit(*toy_data)
    assert len(fresh.cv_results_["params"]) == 3


def test_batch_size_defaults_to_fill_workers(toy_data):
    search = BayesSearchCV(Quadratic(), {"x": Real(-1, 1)}, n_iter=6, n_jobs=4, cv=2)
    search._n_splits = 2  # what fit works out from cv before the search
    assert search._default_batch_size() == 2
    search.set_params(batch_size=3)
    assert search._default_batch_size() == 3


class TaskRecorder:
    """A scikit-learn (>= 1.9) fit callback recording the tasks it sees."""

    def __init__(self):
        self.begun, self.ended = [], []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        self.begun.append(context.task_name)

    def on_fit_task_end(self, estimator, context, **kwargs):
        self.ended.append(context.task_name)


@pytest.mark.skipif(not RUN_SEARCH_TAKES_CALLBACK_CTX, reason="callbacks need scikit-learn >= 1.9")
@pytest.mark.filterwarnings("ignore")
def test_scikit_learn_callbacks_see_every_batch_open_and_close():
    recorder = TaskRecorder()
    search = BayesSearchCV(Flaky(), {"C": Categorical([0.1, 0.5])}, n_iter=3, batch_size=1,
                           sampler="random", random_state=0, cv=2)
    search.set_callbacks(recorder)
    search.fit(X_IRIS, Y_IRIS)
    assert recorder.begun.count("batch") == recorder.ended.count("batch") == 3
    # 3 candidates x 2 splits, and every task that began also ended
    assert recorder.begun.count("candidate-split-evaluation") == 6
    assert sorted(recorder.begun) == sorted(recorder.ended)

    # a batch that raises (error_score="raise") still closes its contexts
    recorder = TaskRecorder()
    failing = BayesSearchCV(Flaky(), {"C": [10.0]}, n_iter=2, batch_size=1, cv=2,
                            error_score="raise")
    failing.set_callbacks(recorder)
    with pytest.raises(ValueError, match="diverged"):
        failing.fit(X_IRIS, Y_IRIS)
    assert recorder.begun.count("batch") == recorder.ended.count("batch") == 1
    assert recorder.begun.count("search") == recorder.ended.count("search") == 1


def test_metadata_routing_reaches_the_estimator():
    import sklearn

    weights = np.where(Y_IRIS == 0, 10.0, 1.0)
    with sklearn.config_context(enable_metadata_routing=True):
        est = LogisticRegression(max_iter=200).set_fit_request(sample_weight=True)
        est.set_score_request(sample_weight=False)
        search = BayesSearchCV(est, {"C": Real(1e-2, 1e2, log=True)}, n_iter=3, random_state=0)
        search.fit(X_IRIS, Y_IRIS, sample_weight=weights)
    reference = LogisticRegression(max_iter=200, C=search.best_params_["C"]).fit(
        X_IRIS, Y_IRIS, sample_weight=weights)
    np.testing.assert_allclose(search.best_estimator_.coef_, reference.coef_, rtol=1e-6)


@pytest.mark.skipif(not RUN_SEARCH_TAKES_CALLBACK_CTX, reason="callbacks need scikit-learn >= 1.9")
@pytest.mark.filterwarnings("ignore")
def test_scikit_learn_progress_bar_follows_our_batches(capsys):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    search = BayesSearchCV(LogisticRegression(max_iter=300), {"C": Real(1e-2, 1e2, log=True)},
                           n_iter=4, batch_size=2, cv=2, random_state=0)
    search.set_callbacks(ProgressBar())
    search.fit(X_IRIS, Y_IRIS)
    out = capsys.readouterr().out
    assert len(search.cv_results_["params"]) == 4
    # one worker: the first proposed pair runs one candidate (2 fits) at a time
    # while the pace is measured; the fast fits then let the next pair run as
    # one batch: 3 batches
    assert "batch #2" in out and "batch #3" not in out
    assert out.count("candidate-split-evaluation") == 8
