"""summary(): every hyperparameter and learned number, and who set it."""

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_hp import BayesSearchCV, MLPClassifier
from sklearn_hp.inspection import summary
from sklearn_hp.search import Real

X, y = load_digits(return_X_y=True)
X = X / 16


def test_mlp_64_32_10_counts_every_learned_number_and_hyperparameter():
    model = MLPClassifier(hidden_layer_sizes=(32,), max_epochs=2, random_state=0).fit(X, y)
    table = summary(model)
    assert table.n_learned == 64 * 32 + 32 + 32 * 10 + 10
    params = model.get_params()
    assert {r["name"] for r in table.hyperparameters} == set(params)
    assert {r["set_by"] for r in table.hyperparameters} == {"you"}
    weights = next(r for r in table.learned if r["name"] == "weights_")
    assert weights["value"] == "2 arrays: (64, 32), (32, 10)" and weights["n_numbers"] == 2368
    assert {r["set_by"] for r in table.learned} == {"training"}
    text = str(table)
    assert "hidden_layer_sizes" in text and "(32,)" in text and "2,368" in text


def test_unfitted_estimator_has_hyperparameters_only():
    table = summary(MLPClassifier(alpha=0.5))
    assert table.learned == [] and table.n_learned == 0
    assert next(r for r in table.rows if r["name"] == "alpha")["value"] == "0.5"


def test_pipeline_rows_are_named_like_set_params():
    pipe = make_pipeline(StandardScaler(), Ridge(alpha=2.0)).fit(X, y)
    table = summary(pipe)
    names = {r["name"] for r in table.rows}
    assert {"ridge__alpha", "standardscaler__with_mean", "ridge__coef_",
            "standardscaler__mean_"} <= names
    assert table.n_learned == 64 + 1 + 3 * 64 + 1  # coef_, intercept_, mean/var/scale, n_seen
    pipe.set_params(**{r["name"]: pipe.get_params()[r["name"]] for r in table.hyperparameters})


def test_bayes_search_names_the_searched_hyperparameters_and_their_domains():
    search = BayesSearchCV(
        make_pipeline(StandardScaler(), MLPClassifier(max_epochs=2, random_state=0)),
        {"mlpclassifier__learning_rate": Real(1e-3, 1e-1, log=True),
         "mlpclassifier__alpha": loguniform(1e-5, 1e-1)},
        n_iter=3, cv=2, random_state=0).fit(X[:300], y[:300])
    table = summary(search)
    by_search = {r["name"] for r in table.rows if r["set_by"] == "the search"}
    assert by_search == {"mlpclassifier__learning_rate", "mlpclassifier__alpha"}
    assert [r["name"] for r in table.searched] == list(search.search_spaces)
    spaces = {r["name"]: r["space"] for r in table.searched}
    assert spaces == {"mlpclassifier__learning_rate": "Real(0.001, 0.1, log=True)",
                      "mlpclassifier__alpha": "loguniform(1e-05, 0.1)"}
    chosen = search.best_params_["mlpclassifier__alpha"]
    assert {r["name"]: r["chosen"] for r in table.searched}["mlpclassifier__alpha"] == \
        f"{chosen:.4g}"
    assert "BayesSearchCV: best of 3 candidates" in str(table)
    assert "searched hyperparameter" in str(table)


def test_grid_search_and_data_frame():
    search = GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=2).fit(X, y)
    table = summary(search)
    assert table.searched == [{"name": "alpha", "space": "[0.1, 1.0]",
                               "chosen": f"{search.best_params_['alpha']:.4g}"}]
    pd = pytest.importorskip("pandas")
    frame = table.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["name", "kind", "set_by", "value", "n_numbers"]
    assert frame["n_numbers"].sum() == 64 + 1 == table.n_learned


def test_unfitted_search_is_a_clear_error():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="GridSearchCV is not fitted"):
        summary(GridSearchCV(Ridge(), {"alpha": [1.0]}))
    assert np.isfinite(summary(Ridge()).n_learned)


def test_forest_is_one_row_per_ensemble_with_the_trees_numbers():
    from sklearn.ensemble import RandomForestClassifier

    forest = RandomForestClassifier(n_estimators=3, max_depth=2, random_state=0).fit(X, y)
    table = summary(forest)
    row = next(r for r in table.learned if r["name"] == "estimators_")
    assert row["value"] == "3 fitted DecisionTreeClassifier"
    per_tree = [t.tree_.node_count * 4 + t.tree_.value.size for t in forest.estimators_]
    assert row["n_numbers"] == sum(per_tree) + 3 * 3  # + n_outputs_, n_classes_, max_features_
    assert len(table.learned) < 10
