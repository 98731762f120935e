"""``predict --proba`` and ``predict`` on a table that still holds the target column."""

import io

import numpy as np
import pytest

from sklearn_hp.persistence import load

from ._tables import people_frame, write_tables
from .conftest import run_cli


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Models tuned once: a classifier, a regressor of prices and a linear SVM."""
    pytest.importorskip("pandas")
    folder = tmp_path_factory.mktemp("predict")
    classes, prices = write_tables(folder)
    paths = {}
    for name, data, target, model in (("logistic", classes, "species", "logistic"),
                                      ("svm", classes, "species", "svm"),
                                      ("linear", prices, "price", "linear")):
        paths[name] = folder / f"{name}.skhp"
        status, text = run_cli(["tune", "--data", data, "--target", target, "--model", model,
                                "--set", "max_epochs=100", "--n-iter", "2", "--cv", "2",
                                "--search", "random", "--out", paths[name]])
        assert status == 0, text
    return folder, paths


def _new_rows(folder, drop, n=20, seed=5):
    """New rows (another draw of the same table) without the ``drop`` columns."""
    path = folder / f"new_{'_'.join(drop)}.csv"
    people_frame(n, seed=seed).drop(columns=drop).to_csv(path, index=False)
    return path


def _read(text):
    import pandas as pd

    return pd.read_csv(io.StringIO(text))


def test_proba_gives_one_column_per_class_named_by_the_class(models):
    import pandas as pd

    folder, paths = models
    rows = _new_rows(folder, ["species", "price"])
    status, text = run_cli(["predict", paths["logistic"], "--data", rows, "--proba"])
    assert status == 0
    printed = _read(text)
    model = load(paths["logistic"])
    frame = pd.read_csv(rows)
    assert list(printed.columns) == ["prediction", "proba_big", "proba_small"]
    np.testing.assert_allclose(printed[["proba_big", "proba_small"]],
                               model.predict_proba(frame), atol=1e-5)
    np.testing.assert_allclose(printed[["proba_big", "proba_small"]].sum(axis=1), 1, atol=1e-5)
    assert list(printed["prediction"]) == list(model.predict(frame))

    out = folder / "with_proba.csv"
    assert run_cli(["predict", paths["logistic"], "--data", rows, "--proba", "--out", out])[0] == 0
    written = pd.read_csv(out)
    assert list(written.columns) == [*frame.columns, "prediction", "proba_big", "proba_small"]
    np.testing.assert_allclose(written["proba_big"], model.predict_proba(frame)[:, 0])


@pytest.mark.parametrize("name, expected", [
    ("linear", "--proba: the model in '{path}' (LinearRegressor) is not a classifier; "
               "it predicts values, not class probabilities. Accepted: a classifier with "
               "predict_proba."),
    ("svm", "--proba: the model in '{path}' (LinearSVMClassifier in a Pipeline) has no "
            "predict_proba; accepted: a classifier with predict_proba"),
])
def test_proba_of_a_model_without_probabilities_is_one_line(models, capsys, name, expected):
    folder, paths = models
    rows = _new_rows(folder, ["species", "price"])
    status, text = run_cli(["predict", paths[name], "--data", rows, "--proba"])
    err = capsys.readouterr().err
    assert (status, text) == (2, "") and err.count("\n") == 1
    assert expected.format(path=paths[name]) in err, err


def test_a_table_with_the_target_is_predicted_and_scored_against_it(models):
    import pandas as pd
    from sklearn.metrics import accuracy_score

    folder, paths = models
    rows = _new_rows(folder, ["price"])
    status, text = run_cli(["predict", paths["logistic"], "--data", rows])
    assert status == 0
    lines = text.splitlines()
    frame = pd.read_csv(rows)
    model = load(paths["logistic"])
    predictions = model.predict(frame.drop(columns="species"))
    assert lines[:-1] == [str(v) for v in predictions]
    accuracy = accuracy_score(frame["species"], predictions)
    assert lines[-1] == (f"Scored against column 'species': accuracy {accuracy:.4f} on 20 "
                         "rows.")


def test_an_unscaled_regression_target_is_scored_in_its_units_skipping_missing_ones(models):
    import pandas as pd
    from sklearn.metrics import r2_score

    folder, paths = models
    frame = people_frame(30, seed=7).drop(columns="species")
    frame.loc[[3, 11], "price"] = np.nan
    rows = folder / "prices_new.csv"
    frame.to_csv(rows, index=False)
    out = folder / "prices_predicted.csv"
    status, text = run_cli(["predict", paths["linear"], "--data", rows, "--out", out])
    assert status == 0
    written = pd.read_csv(out)
    known = frame["price"].notna()
    r2 = r2_score(frame.loc[known, "price"], written.loc[known, "prediction"])
    assert text.splitlines() == [
        f"30 predictions written to {out}",
        f"Scored against column 'price': R² {r2:.4f} on 28 rows; 2 rows without a value "
        "skipped."]
    assert r2 > 0.5 and abs(written["prediction"].mean() - 70_000) < 10_000  # price units


def test_target_option_names_the_column_to_score_against(models, capsys):
    folder, paths = models
    frame = people_frame(12, seed=8).drop(columns="price").rename(columns={"species": "truth"})
    rows = folder / "renamed.csv"
    frame.to_csv(rows, index=False)
    status, text = run_cli(["predict", paths["logistic"], "--data", rows])
    assert status == 2 and "has columns the model was not trained on: ['truth']; drop them, " \
                           "or name the target column with --target" in capsys.readouterr().err
    status, text = run_cli(["predict", paths["logistic"], "--data", rows, "--target", "truth"])
    assert status == 0 and "Scored against column 'truth': accuracy " in text
    status, _ = run_cli(["predict", paths["logistic"], "--data", rows, "--target", "label"])
    assert status == 2 and "--target 'label' is not a column of the table; columns: " \
                           "['day', 'length'" in capsys.readouterr().err


def test_a_reader_that_stops_early_ends_predict_quietly(models):
    # `sklearn-hp predict model.skhp --data big.csv | head -1`: no error line when head exits
    import subprocess
    import sys

    folder, paths = models
    rows = folder / "many.csv"
    people_frame(30_000, seed=9).drop(columns=["species", "price"]).to_csv(rows, index=False)
    process = subprocess.Popen([sys.executable, "-m", "sklearn_hp", "predict",
                                str(paths["logistic"]), "--data", str(rows)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = process.stdout.readline()
    process.stdout.close()  # more than a pipe's buffer is still to come
    err = process.stderr.read()
    assert process.wait(timeout=120) == 141
    assert first.strip() in (b"big", b"small") and err == b""
