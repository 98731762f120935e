"""Safe save/load: identical predictions, training continues, nothing unsafe is loaded."""

import json

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_hp import LinearRegressor, LinearSVMClassifier, LogisticClassifier
from sklearn_hp.optim import AdamW, CosineDecay
from sklearn_hp.persistence import load, save

X, y = load_iris(return_X_y=True)
y_names = np.array(["setosa", "versicolor", "virginica"])[y]


@pytest.mark.parametrize("model, target", [
    (LogisticClassifier(optimizer=AdamW(beta_1=0.8), lr_schedule=CosineDecay(warmup_epochs=2),
                        class_weight={"setosa": 2.0}, max_epochs=30), y_names),
    (LinearSVMClassifier(max_epochs=30), y),
    (LinearRegressor(max_epochs=30), X[:, 0] * 2.0),
    (LinearRegressor(max_epochs=30), np.column_stack([X[:, 0], -X[:, 1]])),
])
def test_round_trip_gives_identical_predictions(tmp_path, model, target):
    model.set_params(random_state=0).fit(X, target)
    save(model, tmp_path / "m.npz")
    loaded = load(tmp_path / "m.npz")
    assert type(loaded) is type(model)
    assert loaded.get_params(deep=True).keys() == model.get_params(deep=True).keys()
    assert repr(loaded) == repr(model)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    for name in ("coef_", "intercept_", "n_iter_", "loss_curve_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(model, name))


def test_loaded_model_continues_training_exactly_like_the_original(tmp_path):
    model = LogisticClassifier(max_epochs=5, tol=None, random_state=0).fit(X, y)
    save(model, tmp_path / "m.npz")
    loaded = load(tmp_path / "m.npz")
    loaded.partial_fit(X, y)
    model.partial_fit(X, y)
    # Adam's moments were saved too, so the next epoch starts from the same state.
    np.testing.assert_array_equal(loaded.loss_curve_, model.loss_curve_)
    np.testing.assert_array_equal(loaded.coef_, model.coef_)
    assert loaded.n_iter_ == model.n_iter_ == 6


def test_pipeline_round_trip(tmp_path):
    pipe = make_pipeline(StandardScaler(), LogisticClassifier(max_epochs=20, random_state=0))
    pipe.fit(X, y)
    save(pipe, tmp_path / "p.npz")
    np.testing.assert_array_equal(load(tmp_path / "p.npz").predict_proba(X), pipe.predict_proba(X))


def test_unfitted_estimator_round_trip(tmp_path):
    save(LinearRegressor(alpha=0.5), tmp_path / "u.npz")
    loaded = load(tmp_path / "u.npz")
    assert loaded.alpha == 0.5 and not hasattr(loaded, "coef_")


def test_file_holds_no_pickle(tmp_path):
    save(LogisticClassifier(max_epochs=3).fit(X, y), tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as archive:
        assert all(archive[k].dtype != object for k in archive.files)


def test_untrusted_class_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    save(LinearRegressor(), path)
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    meta = json.loads(str(arrays["__meta__"]))
    meta["estimator"]["__estimator__"] = "os.system"
    arrays["__meta__"] = np.array(json.dumps(meta))
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=r"Refusing os.system: only classes from \['sklearn_hp'"):
        load(path)


def test_unsaveable_hyperparameter_is_named(tmp_path):
    model = LinearRegressor(learning_rate=lambda epoch: 0.1)
    with pytest.raises(TypeError, match=r"Cannot save LinearRegressor.learning_rate=<function"):
        save(model, tmp_path / "m.npz")
