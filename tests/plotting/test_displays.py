"""The displays draw the numbers they are given, in scikit-learn's Display conventions."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from scipy.stats import loguniform  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sklearn_hp import LogisticClassifier  # noqa: E402
from sklearn_hp.inspection import hyperparameter_importance  # noqa: E402
from sklearn_hp.plotting import (  # noqa: E402
    HyperparameterImportanceDisplay,
    HyperparameterScoreDisplay,
    LossCurveDisplay,
    OptimizationHistoryDisplay,
    plot_learning_curve,
    plot_search_history,
)

X, y = load_breast_cancer(return_X_y=True)
X = X / X.max(0)


@pytest.fixture(scope="module")
def search():
    return RandomizedSearchCV(
        LogisticClassifier(max_epochs=5, random_state=0),
        {"alpha": loguniform(1e-5, 10.0), "penalty": ["l2", "l1"]},
        n_iter=12, cv=2, random_state=0).fit(X, y)


def test_loss_curve_marks_the_best_epoch():
    pipe = make_pipeline(StandardScaler(), LogisticClassifier(
        early_stopping=True, max_epochs=40, random_state=0)).fit(X, y)
    model = pipe[-1]
    display = LossCurveDisplay.from_estimator(pipe)
    np.testing.assert_array_equal(display.loss_line_.get_ydata(), model.loss_curve_)
    np.testing.assert_array_equal(display.validation_line_.get_ydata(),
                                  model.validation_scores_)
    assert display.best_epoch_line_.get_xdata()[0] == model.best_epoch_ + 1
    assert display.figure_ is display.ax_.figure and display.right_ax_ is not None
    assert plot_learning_curve(pipe).lines[0].get_ydata().tolist() == model.loss_curve_


def test_history_draws_scores_and_running_best_on_given_axes(search):
    _, ax = plt.subplots()
    display = OptimizationHistoryDisplay.from_search(search, ax=ax)
    scores = search.cv_results_["mean_test_score"]
    assert display.ax_ is ax
    np.testing.assert_allclose(display.points_.get_ydata(), scores)
    np.testing.assert_allclose(display.best_line_.get_ydata(), np.maximum.accumulate(scores))
    np.testing.assert_allclose(plot_search_history(search).lines[0].get_ydata(), scores)


def test_importance_bars_are_the_computed_shares(search):
    display = HyperparameterImportanceDisplay.from_search(search)
    shares = hyperparameter_importance(search).importances
    widths = [bar.get_width() for bar in display.bars_]
    np.testing.assert_allclose(widths, [100 * s for s in shares.values()])
    labels = [t.get_text() for t in display.ax_.get_yticklabels()]
    assert labels == list(shares)  # tick i at height n-1-i: most important on top


def test_hyperparameter_vs_score_uses_a_log_axis_where_the_space_is_log(search):
    display = HyperparameterScoreDisplay.from_search(search, "alpha")
    assert display.ax_.get_xscale() == "log"
    np.testing.assert_allclose(display.points_.get_xdata(),
                               [p["alpha"] for p in search.cv_results_["params"]])
    categorical = HyperparameterScoreDisplay.from_search(search, "penalty")
    assert categorical.ax_.get_xscale() == "linear"
    first = repr(search.cv_results_["params"][0]["penalty"])
    assert categorical.ax_.get_xticklabels()[0].get_text() == first
    with pytest.raises(ValueError, match=r"'beta' was not searched; searched: \['alpha'"):
        HyperparameterScoreDisplay.from_search(search, "beta")


def test_clear_errors():
    with pytest.raises(ValueError, match="has no loss_curve_"):
        LossCurveDisplay.from_estimator(LogisticClassifier())
    grid = GridSearchCV(LogisticClassifier(max_epochs=2), {"alpha": [1.0]}, cv=2).fit(X, y)
    with pytest.raises(ValueError,
                       match=r"metric='f1' is not in cv_results_; accepted: \['score'\]"):
        OptimizationHistoryDisplay.from_search(grid, metric="f1")


def test_importance_that_explains_nothing_draws_the_sentence_not_bars():
    from sklearn_hp.inspection import HyperparameterImportance

    rows = [{"name": "alpha", "share": np.nan, "std": np.nan, "n_values": 12},
            {"name": "penalty", "share": np.nan, "std": np.nan, "n_values": 2}]
    importance = HyperparameterImportance(rows, "score", 12, -0.1)
    display = HyperparameterImportanceDisplay.from_importance(importance)
    assert display.bars_ is None and not display.ax_.patches
    assert display.text_.get_text().replace("\n", " ") == importance.verdict()
    assert "(out-of-bag R² = -0.10)" in importance.verdict()
    assert not display.ax_.axison
    plt.close(display.figure_)


def test_importance_that_explains_something_draws_bars_and_no_sentence(search):
    explained = hyperparameter_importance(search)
    assert not explained.explains_nothing
    display = HyperparameterImportanceDisplay.from_importance(explained)
    assert display.text_ is None and len(display.bars_) == 2
    plt.close(display.figure_)


def test_loss_curve_of_a_pipeline_whose_regressor_scales_its_target():
    from sklearn.compose import TransformedTargetRegressor

    from sklearn_hp import MLPRegressor

    target = X[:, 0] * 1e5
    pipe = make_pipeline(StandardScaler(), TransformedTargetRegressor(
        regressor=MLPRegressor(max_epochs=4, random_state=0),
        transformer=StandardScaler())).fit(X, target)
    display = LossCurveDisplay.from_estimator(pipe)
    network = pipe[-1].regressor_
    np.testing.assert_array_equal(display.loss_line_.get_ydata(), network.loss_curve_)
    assert display.estimator_name == "MLPRegressor"
    plt.close(display.figure_)
