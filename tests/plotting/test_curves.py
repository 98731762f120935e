"""The displays draw the numbers they are given."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sklearn_hp import LogisticClassifier  # noqa: E402
from sklearn_hp.plotting import plot_learning_curve, plot_search_history  # noqa: E402

X, y = load_breast_cancer(return_X_y=True)


def test_learning_curve_draws_loss_and_validation_scores():
    pipe = make_pipeline(StandardScaler(), LogisticClassifier(
        early_stopping=True, max_epochs=40, random_state=0)).fit(X, y)
    model = pipe[-1]
    ax = plot_learning_curve(pipe)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), model.loss_curve_)
    np.testing.assert_array_equal(ax.right_ax.lines[0].get_ydata(), model.validation_scores_)
    assert ax.right_ax.lines[1].get_xdata()[0] == model.best_epoch_ + 1


def test_search_history_draws_scores_and_running_best():
    search = GridSearchCV(LogisticClassifier(max_epochs=5, random_state=0),
                          {"alpha": [10.0, 1e-4, 1.0]}, cv=3).fit(X / X.max(0), y)
    ax = plot_search_history(search)
    scores = search.cv_results_["mean_test_score"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), scores)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), np.maximum.accumulate(scores))


def test_clear_errors():
    with pytest.raises(ValueError, match="has no loss_curve_"):
        plot_learning_curve(LogisticClassifier())
    search = GridSearchCV(LogisticClassifier(max_epochs=2), {"alpha": [1.0]}, cv=2).fit(X, y)
    with pytest.raises(ValueError,
                       match=r"metric='f1' is not in cv_results_; accepted: \['score'\]"):
        plot_search_history(search, metric="f1")
