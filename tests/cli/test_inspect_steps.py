"""``sklearn-hp inspect`` lists every step of a saved model and every learned array."""

import re

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_hp import LogisticClassifier, MLPClassifier
from sklearn_hp.inspection._walk import model_parts
from sklearn_hp.persistence import save

from .conftest import make_frame, run_cli


def _entry(text, name):
    """The description printed after ``name`` on its line."""
    match = re.search(rf"^\s+{re.escape(name)}\s+(.+)$", text, re.MULTILINE)
    assert match, f"{name} not in:\n{text}"
    return match.group(1)


def test_inspect_a_mlp_pipeline_saved_by_tune_lists_each_weight_matrix(table_csv, tmp_path):
    train, _ = table_csv
    path = tmp_path / "mlp.skhp"
    status, _ = run_cli(["tune", "--data", train, "--target", "species", "--model", "mlp",
                         "--space", _one_architecture(tmp_path), "--n-iter", 2, "--cv", 2,
                         "--set", "max_epochs=2", "--out", path])
    assert status == 0
    status, text = run_cli(["inspect", path])
    assert status == 0, text
    # every step, nested ones indented under their parent, with their columns
    steps = text.split("\n\n")[0].splitlines()[2:]  # after the title and "Steps (...)"
    assert [line.split()[0] for line in steps] == [
        "preprocess", "preprocess__numeric", "preprocess__numeric__simpleimputer",
        "preprocess__numeric__standardscaler", "preprocess__categorical",
        "preprocess__categorical__simpleimputer", "preprocess__categorical__onehotencoder",
        "model"]
    assert steps[1].startswith("    preprocess__numeric ")
    assert steps[1].endswith("Pipeline on 2 columns (length, mass)")
    # the network: 2 numeric + 3 colours + 2 islands one-hot = 7 inputs, 5 hidden, one
    # output unit for the two classes
    assert _entry(text, "weights_") == "2 arrays, 40 numbers"
    assert _entry(text, "weights_[0]") == "shape (7, 5), dtype float64"
    assert _entry(text, "weights_[1]") == "shape (5, 1), dtype float64"
    assert _entry(text, "biases_[1]") == "shape (1,), dtype float64"
    assert "[model] MLPClassifier\n  Hyperparameters:" in text
    assert _entry(text, "hidden_layer_sizes") == "(5,)"
    # each step's own learned numbers
    assert _entry(text, "statistics_").startswith("shape (2,)")  # numeric medians first
    network = 7 * 5 + 5 + 5 * 1 + 1
    assert f"  Learned parameters ({network} numbers):" in text
    total = int(re.search(r"^Steps \(8, ([\d,]+) learned numbers\)", text, re.MULTILINE)
                .group(1).replace(",", ""))
    assert total > network


def _one_architecture(tmp_path):
    space = tmp_path / "space.json"
    space.write_text('{"hidden_layer_sizes": [[5]], "alpha": {"low": 1e-4, "high": 1e-2, '
                     '"log": true}}')
    return space


def test_inspect_a_column_transformer_pipeline_walks_every_transformer(tmp_path):
    pd = pytest.importorskip("pandas")
    frame = make_frame(60)
    X, y = frame.drop(columns="species"), frame["species"]
    model = Pipeline([
        ("columns", ColumnTransformer([
            ("numbers", make_pipeline(SimpleImputer(), StandardScaler()), ["length", "mass"]),
            ("words", OneHotEncoder(handle_unknown="ignore"), ["island"]),
        ])),
        ("classifier", LogisticClassifier(max_epochs=3, random_state=0)),
    ]).fit(X, y)
    assert isinstance(X, pd.DataFrame)
    save(model, tmp_path / "ct.skhp")
    status, text = run_cli(["inspect", tmp_path / "ct.skhp"])
    assert status == 0
    steps = text.split("\n\n")[0].splitlines()[1:]
    assert steps[0] == "Steps (6, " + f"{_total(model):,} learned numbers):"
    assert [line.split()[0] for line in steps[1:]] == [
        "columns", "columns__numbers", "columns__numbers__simpleimputer",
        "columns__numbers__standardscaler", "columns__words", "classifier"]
    assert steps[5].split()[1:] == ["OneHotEncoder", "on", "1", "column", "(island)"]
    assert _entry(text, "categories_") == "1 array, 0 numbers"
    assert _entry(text, "categories_[0]") == "shape (2,), dtype object: ['north', 'south']"
    assert _entry(text, "coef_") == "shape (1, 4), dtype float64"  # 2 scaled + 2 islands
    assert "[columns__numbers__standardscaler] StandardScaler" in text
    assert _entry(text, "with_mean") == "True"


def _total(model):
    return sum(part.n_numbers for part in model_parts(model))


def test_inspect_a_regressor_saved_by_tune_shows_the_target_scaler(tmp_path):
    path = tmp_path / "linear.skhp"
    status, _ = run_cli(["tune", "--data", "diabetes", "--model", "linear", "--n-iter", 2,
                         "--cv", 2, "--search", "random", "--out", path])
    assert status == 0
    status, text = run_cli(["inspect", path])
    assert status == 0
    assert "\n  model                                   TransformedTargetRegressor\n" in text
    assert "\n    model__regressor                      LinearRegressor\n" in text
    assert "[model__transformer] StandardScaler" in text
    assert "[model__regressor] LinearRegressor" in text
    assert _entry(text, "coef_") == "shape (10,), dtype float64"


def test_parts_of_a_lone_estimator_and_of_an_unfitted_pipeline():
    X = np.random.default_rng(0).normal(size=(30, 3))
    y = (X[:, 0] > 0).astype(int)
    network = MLPClassifier(hidden_layer_sizes=(4, 3), max_epochs=2, random_state=0).fit(X, y)
    (part,) = model_parts(network)
    assert part.fitted and part.path == "" and part.n_numbers == 3 * 4 + 4 + 4 * 3 + 3 + 3 + 1
    rows = {row.name: (row.description, row.n_numbers, row.entry) for row in part.learned}
    assert rows["weights_"] == ("3 arrays, 27 numbers", 27, False)
    assert rows["weights_[2]"] == ("shape (3, 1), dtype float64", 3, True)
    unfitted = model_parts(make_pipeline(StandardScaler(), MLPClassifier()))
    assert [(p.path, p.depth, p.fitted) for p in unfitted] == [
        ("", 0, False), ("standardscaler", 1, False), ("mlpclassifier", 1, False)]
    assert "steps" not in unfitted[0].hyperparameters


def test_inspect_an_unfitted_pipeline_says_so(tmp_path):
    save(make_pipeline(StandardScaler(), LogisticClassifier(alpha=0.5)), tmp_path / "p.json",
         what="hyperparameters")
    status, text = run_cli(["inspect", tmp_path / "p.json"])
    assert status == 0
    assert text.splitlines()[1] == "Steps (2, not fitted):"
    assert "[logisticclassifier] LogisticClassifier" in text
    assert _entry(text, "alpha") == "0.5"
    assert text.endswith("Not fitted: no learned parameters.")


def test_an_ensemble_lists_its_fitted_trees_in_one_row_and_no_template_step():
    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomForestClassifier

    from sklearn_hp.cli._inspect import describe

    model = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=3,
                                                                   random_state=0))
    lines = describe(model.fit(*load_iris(return_X_y=True)))
    forest = model[-1]
    nodes = sum(tree.tree_.node_count for tree in forest.estimators_)
    assert lines[0] == f"Steps (2, {_total(model):,} learned numbers):"
    assert [line.split()[0] for line in lines[1:3]] == ["standardscaler",
                                                        "randomforestclassifier"]
    assert lines[3] == ""  # the unfitted estimator_ template is no step of its own
    assert _entry("\n".join(lines), "estimators_") == "3 fitted DecisionTreeClassifier"
    assert nodes > 3 and _total(model) > 5 * nodes  # each node: feature, threshold, ...
