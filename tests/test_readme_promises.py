"""Sentences of the README's CLI section that no other test holds it to."""

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.preprocessing import StandardScaler

from sklearn_hp.cli._models import build_pipeline, default_space, make_model
from sklearn_hp.linear_model import LinearRegressor


def test_linear_default_space_leaves_the_models_auto_learning_rate():
    # "The linear models' default space searches alpha and penalty and leaves
    # learning_rate="auto""
    for name in ("linear", "logistic", "svm"):
        assert sorted(default_space(name)) == ["alpha", "penalty"]
    task = {"linear": "regression", "logistic": "classification", "svm": "classification"}
    for name, kind in task.items():
        assert make_model(name, kind, 0).learning_rate == "auto"


def test_a_regressor_predicts_in_the_targets_units_through_a_target_scaler():
    # "A regressor is fitted to the standardized target inside the saved pipeline"
    pipeline, prefix = build_pipeline(StandardScaler(), LinearRegressor(random_state=0))
    model = pipeline.named_steps["model"]
    assert prefix == "model__regressor__"
    assert isinstance(model, TransformedTargetRegressor)
    assert isinstance(model.transformer, StandardScaler)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = 50_000 + 2_000 * X[:, 0] + rng.normal(0, 100, 200)  # a price in its own units
    pipeline.fit(X, y)
    assert abs(float(np.mean(pipeline.predict(X))) - 50_000) < 500
    assert pipeline.score(X, y) > 0.95
